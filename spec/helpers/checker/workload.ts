/**
 * The workload every fault scenario runs and checks (Kafka's ProduceConsumeValidate shape, Jepsen's checks):
 *
 * - one `mq-admin verifiable-producer` process sending increasing integers at a fixed rate, with acks=all and
 *   idempotence (and retries without bound, so that a fault delays acknowledgements instead of failing them);
 * - `consumers` `mq-admin verifiable-consumer` processes in one group, printing every record they read (--verbose),
 *   their assignments and their commits;
 * - at the end (`check`, once the faults are healed): the producer stops, the consumers read up to the end and stop,
 *   the whole topic is read once more from the start (the final log), every partition's replicas are compared
 *   batch for batch below the high watermark, and the histories go through the anomaly checker (anomalies.ts).
 *
 * The producer's events also give the timeline of the chaos run: acknowledgements per second, and the latency of
 * each from its intended send time (value i is due at start + i / throughput: a stall counts against every value it
 * held back, so nothing hides behind coordinated omission).
 * Ownership: the processes are killed by the cleanup stack after the test whatever happens.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Consumer } from '../../../lib/client/index.js';
import type { LocalCluster } from '../../../lib/cli/local-cluster.js';
import { defer } from '../cleanup.js';
import { tmpDir } from '../tmp-dir.js';
import { VerifiableConsumerProcess } from '../verifiable-consumer-process.js';
import { VerifiableProducerProcess } from '../verifiable-producer-process.js';
import { waitFor } from '../wait-for.js';
import {
  addAnomaly,
  checkHistories,
  type AnomalyReport,
  type ConsumerEvent,
  type ConsumerHistory,
  type Send,
} from './anomalies.js';
import { compareReplicas } from './replicas.js';

export interface WorkloadOptions {
  cluster: LocalCluster;
  topic: string;
  partitions: number;
  /** Values per second. @default 300 */
  throughput?: number;
  /** Group members reading the topic. @default 1 */
  consumers?: number;
  /**
   * Key the values with this many repeating keys (`--repeating-keys`), spreading them over the partitions by hash.
   * Without keys the producer's sticky partitioner fills one partition's batch at a time, and a partition whose
   * leader stalls draws nearly every value into its growing batch (as Kafka 2.8's does): a stall of one partition
   * then holds back the whole workload. @default no keys
   */
  keys?: number;
}

export interface Verdict {
  report: AnomalyReport;
  sent: number;
  acked: number;
  /** Sends answered with an error (the value may or may not be in the log). */
  failed: number;
  /** Records read by the consumers. */
  read: number;
  /** Records in the final log. */
  finalRecords: number;
}

/** A point of the timeline: one acknowledgement, when it came and how long after its intended send time. */
export interface AckSample {
  atMs: number;
  latencyMs: number;
}

export class Workload {
  readonly producer: VerifiableProducerProcess;
  readonly consumers: VerifiableConsumerProcess[];
  readonly throughput: number;
  private readonly cluster: LocalCluster;

  constructor(private readonly opts: WorkloadOptions) {
    this.cluster = opts.cluster;
    this.throughput = opts.throughput ?? 300;
    const dir = tmpDir('mq-workload-');
    const producerConfig = join(dir, 'producer.properties');
    writeFileSync(
      producerConfig,
      [
        'enable.idempotence=true',
        'acks=all',
        `retries=${2 ** 31 - 1}`,
        'max.in.flight.requests.per.connection=5',
        'delivery.timeout.ms=600000',
        'request.timeout.ms=10000',
        'linger.ms=5',
      ].join('\n') + '\n',
    );
    const bootstrap = this.cluster.bootstrapServers;
    this.producer = new VerifiableProducerProcess(
      [
        '--bootstrap-server',
        bootstrap,
        '--topic',
        opts.topic,
        '--max-messages',
        '-1',
        '--throughput',
        String(this.throughput),
        '--producer.config',
        producerConfig,
        ...(opts.keys === undefined ? [] : ['--repeating-keys', String(opts.keys)]),
      ],
      'info',
    );
    this.consumers = Array.from(
      { length: opts.consumers ?? 1 },
      (_, i) =>
        new VerifiableConsumerProcess(
          `consumer-${i + 1}`,
          [
            '--bootstrap-server',
            bootstrap,
            '--topic',
            opts.topic,
            '--group-id',
            `${opts.topic}-checkers`,
            '--reset-policy',
            'earliest',
            '--session-timeout',
            '10000',
            '--verbose',
          ],
          join(dir, `consumer-${i + 1}.jsonl`),
        ),
    );
  }

  /** Resolves once `n` more values than now are acknowledged. */
  async ackedMore(n: number, what: string, timeoutMs = 60_000): Promise<void> {
    await this.producer.ackedAtLeast(this.producer.acked.length + n, timeoutMs, what);
  }

  /** Every acknowledgement so far with its latency from the intended send time. */
  ackSamples(): AckSample[] {
    const start = this.producer.events.find((e) => e.name === 'startup_complete')?.timestamp as number | undefined;
    if (start === undefined) return [];
    return this.producer.events
      .filter((e) => e.name === 'producer_send_success')
      .map((e) => {
        const atMs = e.timestamp as number;
        return { atMs, latencyMs: Math.max(0, atMs - (start + (Number(e['value']) * 1000) / this.throughput)) };
      });
  }

  /**
   * Stops the workload and checks it (see the header). Call once every fault is healed. `readCommitted` and
   * `aborted` are for transactional workloads.
   */
  async check(): Promise<Verdict> {
    const { topic, partitions } = this.opts;
    await this.producer.stop();
    const admin = defer(new Admin({ 'bootstrap.servers': this.cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    const ends = await admin.listOffsets(
      Array.from({ length: partitions }, (_, partition) => ({ topic, partition, spec: 'latest' as const })),
    );
    // The consumers read up to the end before they stop, so that their histories cover what the log holds.
    const readUp = () =>
      ends.every(({ partition, offset }) =>
        offset === 0 ? true : this.consumers.some((c) => c.lastReadOffset(partition) >= offset - 1),
      );
    await waitFor(readUp, `the consumers to read up to the end offsets ${ends.map((e) => e.offset).join(',')}`, {
      timeoutMs: 120_000,
    }).catch((e: unknown) => {
      // Say where each consumer stopped and what it said last, for the diagnosis; its whole history goes to a file
      // that outlives the test.
      const kept = mkdtempSync(join(tmpdir(), 'mq-workload-failure-'));
      for (const c of this.consumers)
        writeFileSync(join(kept, `${c.name}.events.json`), c.events.map((ev) => JSON.stringify(ev)).join('\n'));
      const where = this.consumers.map(
        (c) =>
          `${c.name}: read up to ${ends.map((x) => `${x.partition}@${c.lastReadOffset(x.partition)}`).join(',')}, ` +
          `last events ${JSON.stringify(c.events.filter((ev) => ev.name !== 'record_data').slice(-3))}, ` +
          `stderr ${c.errors.slice(-1000)}, every event in ${join(kept, `${c.name}.events.json`)}`,
      );
      throw new Error(`${(e as Error).message}\n${where.join('\n')}`, { cause: e });
    });
    await Promise.all(this.consumers.map((c) => c.stop()));
    const finalLog = await readFinalLog(this.cluster.bootstrapServers, topic, ends);
    const sends = this.sends();
    const report = checkHistories({ sends, consumers: this.histories(), finalLog });
    for (const divergence of await compareReplicas(this.cluster, admin, topic, partitions))
      addAnomaly(report, 'replica-divergence', divergence);
    return {
      report,
      sent: sends.length,
      acked: this.producer.acked.length,
      failed: this.producer.errors.length,
      read: this.histories().reduce((n, h) => n + h.events.filter((e) => e.kind === 'read').length, 0),
      finalRecords: [...finalLog.values()].reduce((n, r) => n + r.length, 0),
    };
  }

  /** What the producer was told, per value sent (values are the send order). */
  sends(): Send[] {
    const byValue = new Map<string, Send>();
    for (const e of this.producer.events) {
      if (e.name !== 'producer_send_success' && e.name !== 'producer_send_error') continue;
      const value = e['value'] as string;
      const send: Send = byValue.get(value) ?? { value, seq: Number(value) };
      if (e.name === 'producer_send_success')
        send.ack = { partition: e['partition'] as number, offset: e['offset'] as number };
      byValue.set(value, send);
    }
    return [...byValue.values()];
  }

  private histories(): ConsumerHistory[] {
    return this.consumers.map((c) => ({
      name: c.name,
      events: c.events.flatMap((e): ConsumerEvent[] => {
        switch (e.name) {
          case 'partitions_assigned':
          case 'partitions_revoked':
            return [
              {
                kind: e.name === 'partitions_assigned' ? ('assigned' as const) : ('revoked' as const),
                partitions: (e.partitions ?? []).map((p) => p.partition),
              },
            ];
          case 'record_data':
            return [{ kind: 'read' as const, partition: e.partition!, offset: e.offset!, value: e.value! }];
          case 'offsets_committed':
            return e.success
              ? (e.offsets ?? []).map((o) => ({
                  kind: 'committed' as const,
                  partition: o.partition,
                  offset: o.offset,
                  atMs: e.timestamp,
                }))
              : [];
          default:
            return [];
        }
      }),
    }));
  }
}

/** Every record of the topic below `ends`, partition by partition, read with a consumer of its own. */
async function readFinalLog(
  bootstrapServers: string,
  topic: string,
  ends: readonly { partition: number; offset: number }[],
): Promise<Map<number, { offset: number; value: string }[]>> {
  const out = new Map<number, { offset: number; value: string }[]>(ends.map((e) => [e.partition, []]));
  const pending = new Set(ends.filter((e) => e.offset > 0).map((e) => e.partition));
  if (pending.size === 0) return out;
  const end = new Map(ends.map((e) => [e.partition, e.offset]));
  const consumer = defer(
    new Consumer({ 'bootstrap.servers': bootstrapServers, 'auto.offset.reset': 'earliest' }),
    (c) => c.close(),
  );
  await consumer.connect();
  consumer.assign([...pending].map((partition) => ({ topic, partition })));
  const timer = setTimeout(() => consumer.stop(), 120_000);
  try {
    for await (const r of consumer) {
      if (r.offset < end.get(r.partition)!)
        out.get(r.partition)!.push({ offset: r.offset, value: r.value!.toString() });
      if (r.offset >= end.get(r.partition)! - 1) pending.delete(r.partition);
      if (pending.size === 0) break;
    }
  } finally {
    clearTimeout(timer);
  }
  if (pending.size > 0) throw new Error(`Reading the final log timed out; partitions left: ${[...pending].join(',')}`);
  return out;
}
