/**
 * `mq-bench scale`: one broker holding 1, 100, 1,000, 10,000 partitions (the counts asked, up to a maximum). For
 * each count and run, on a fresh one-broker cluster:
 *  1. create a topic of that many partitions, timed until every partition has a leader (createMs);
 *  2. produce `records` records of `recordSize` bytes with acks=1 across them (null keys, so the sticky
 *     partitioner moves to another partition with every batch), as `mq-bench produce` does (produceRecordsPerSec);
 *  3. read the broker's memory from its Prometheus endpoint: JS heap used, resident set size, open file
 *     descriptors (heapUsedMiB, rssMiB, openFds), with every partition holding an active segment;
 *  4. stop the broker cleanly (SIGTERM → exit: shutdownMs) and start it again (spawn → `started`: startMs; → every
 *     partition led again: readyMs).
 * Each figure is the median [min..max] over the runs. The cluster is injected (`startCluster`, a LocalCluster in
 * mq-bench), so this module stays below the CLI; it owns each cluster it starts until it closes it.
 */
import { Admin } from '../client/admin/admin.js';
import { TimeoutError } from '../common/errors.js';
import { ensureTopic } from './bench-topic.js';
import { runProducerPerf } from './producer-perf.js';
import { runStat, type RunStat } from './stats.js';

/** A one-broker cluster this bench may stop and restart. */
export interface ScaleCluster {
  readonly bootstrapServers: string;
  /** Port of the broker's Prometheus endpoint (metrics.port). */
  metricsPort(): number;
  /** Clean shutdown (SIGTERM); resolves once the process exited. */
  stopBroker(): Promise<void>;
  /** Starts the broker on its data; resolves once it reported `started`. */
  startBroker(): Promise<void>;
  /** Stops everything and removes the data. */
  close(): Promise<void>;
}

export interface ScaleOptions {
  partitionCounts: readonly number[];
  records: number;
  recordSize: number;
  runs: number;
  startCluster: () => Promise<ScaleCluster>;
  /** Told each step as it starts, with the number of steps. */
  onStep?: (step: string, total: number) => void;
  /** Longest wait for partitions to get leaders. Unit: ms. @default 300000 */
  leaderTimeoutMs?: number;
}

export interface ScalePoint {
  partitions: number;
  createMs: RunStat;
  produceRecordsPerSec: RunStat;
  heapUsedMiB: RunStat;
  rssMiB: RunStat;
  openFds: RunStat;
  shutdownMs: RunStat;
  startMs: RunStat;
  readyMs: RunStat;
}

type Sample = Omit<ScalePoint, 'partitions'>;
type Samples = { [K in keyof Sample]: number[] };

const TOPIC = 'scale-bench';
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runScaleBench(options: ScaleOptions): Promise<ScalePoint[]> {
  const total = options.runs * options.partitionCounts.length;
  const leaderTimeoutMs = options.leaderTimeoutMs ?? 300_000;
  const samples = new Map<number, Samples>(
    options.partitionCounts.map((n) => [
      n,
      {
        createMs: [],
        produceRecordsPerSec: [],
        heapUsedMiB: [],
        rssMiB: [],
        openFds: [],
        shutdownMs: [],
        startMs: [],
        readyMs: [],
      },
    ]),
  );
  for (let run = 1; run <= options.runs; run++) {
    for (const partitions of options.partitionCounts) {
      options.onStep?.(`run ${run}/${options.runs}: ${partitions.toLocaleString('en-US')} partitions`, total);
      const s = samples.get(partitions)!;
      const cluster = await options.startCluster();
      try {
        let t = performance.now();
        await ensureTopic(cluster.bootstrapServers, TOPIC, { partitions, replicationFactor: 1 }, leaderTimeoutMs);
        await untilAllLed(cluster.bootstrapServers, partitions, leaderTimeoutMs);
        s.createMs.push(performance.now() - t);

        const produced = await runProducerPerf({
          bootstrapServers: cluster.bootstrapServers,
          topic: TOPIC,
          numRecords: options.records,
          recordSize: options.recordSize,
          producerProps: { acks: 1 },
          createTopic: false,
          print: () => undefined,
        });
        s.produceRecordsPerSec.push(produced.recordsPerSec);

        const memory = await brokerMemory(cluster.metricsPort());
        s.heapUsedMiB.push(memory.heapUsedBytes / MiB);
        s.rssMiB.push(memory.rssBytes / MiB);
        s.openFds.push(memory.openFds);

        t = performance.now();
        await cluster.stopBroker();
        s.shutdownMs.push(performance.now() - t);
        t = performance.now();
        await cluster.startBroker();
        s.startMs.push(performance.now() - t);
        await untilAllLed(cluster.bootstrapServers, partitions, leaderTimeoutMs);
        s.readyMs.push(performance.now() - t);
      } finally {
        await cluster.close();
      }
    }
  }
  return options.partitionCounts.map((partitions) => {
    const s = samples.get(partitions)!;
    const stat = (k: keyof Sample) => runStat(s[k]);
    return {
      partitions,
      createMs: stat('createMs'),
      produceRecordsPerSec: stat('produceRecordsPerSec'),
      heapUsedMiB: stat('heapUsedMiB'),
      rssMiB: stat('rssMiB'),
      openFds: stat('openFds'),
      shutdownMs: stat('shutdownMs'),
      startMs: stat('startMs'),
      readyMs: stat('readyMs'),
    };
  });
}

/** Waits until every partition of the bench topic has a leader. */
async function untilAllLed(bootstrapServers: string, partitions: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const admin = new Admin({ 'bootstrap.servers': bootstrapServers });
  await admin.connect();
  try {
    for (;;) {
      const [topic] = await admin.describeTopics([TOPIC]).catch(() => []);
      const led = topic?.partitions.filter((p) => p.leader >= 0).length ?? 0;
      if (led === partitions) return;
      if (performance.now() > deadline)
        throw new TimeoutError(
          `Only ${led} of ${partitions} partitions of ${TOPIC} had a leader after ${timeoutMs} ms.`,
        );
      await sleep(250);
    }
  } finally {
    await admin.close();
  }
}

/** JS heap used, resident set and open descriptors of the broker, from its Prometheus text (prefix mq_). */
export function parseBrokerMemory(text: string): { heapUsedBytes: number; rssBytes: number; openFds: number } {
  const value = (name: string): number => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text);
    return m === null ? Number.NaN : Number(m[1]);
  };
  return {
    heapUsedBytes: value('mq_nodejs_heap_size_used_bytes'),
    rssBytes: value('mq_process_resident_memory_bytes'),
    openFds: value('mq_process_open_fds'),
  };
}

/** The memory figures of the broker serving metrics on `port`. */
export async function brokerMemory(
  port: number,
): Promise<{ heapUsedBytes: number; rssBytes: number; openFds: number }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  return parseBrokerMemory(await response.text());
}
