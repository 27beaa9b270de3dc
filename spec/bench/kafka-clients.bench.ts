/**
 * Third-party Kafka clients against this broker's Kafka-protocol listener, beside this project's client in the same
 * run (`npm run bench:kafka-clients [-- --records 1000000 --runs 3]`): one broker (RF 1, acks 1) started by
 * LocalCluster with its own ZooKeeper; per run, 100-byte records produced by the mq Producer (msgpack listener),
 * kcat (librdkafka 2.0, Kafka listener) and KafkaJS (Kafka listener), each into a topic of its own; then the mq
 * producer's topic, already in the page cache, read by each of the three consumers. Prints each figure as the
 * median [range] of the runs and its ratio to the mq client's, and the machine's load average.
 *
 * Clocks: the mq clients and KafkaJS are timed from the first record sent or received to the last acknowledged or
 * read (after connecting); kcat from its start to its exit, so its figures also pay for a process start, a
 * connection and a metadata round trip (a few tens of ms; small beside a million records).
 *
 * Every client uses its usual throughput settings: the mq producer and kcat linger 5 ms into batches of up to
 * 256 KiB; KafkaJS sends 5,000-record calls (one batch each, under message.max.bytes), four in flight (it does not batch
 * across calls); consumers read
 * batches (eachBatch) or, for kcat, print values to /dev/null.
 *
 * Where the time goes: beside each rate, the CPU seconds per million records the client spent (the bench process for
 * the mq clients and KafkaJS, bash's `times` for kcat) and the broker process spent (/proc/<pid>/stat), so that a
 * slow client can be told from a slow listener.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { runConsumerPerf } from '../../lib/bench/consumer-perf.js';
import { runProducerPerf } from '../../lib/bench/producer-perf.js';
import { LocalCluster } from '../../lib/cli/local-cluster.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RECORDS = arg('records', 1_000_000);
const RUNS = arg('runs', 3);
const VALUE = Buffer.alloc(100, 'x');

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Runs kcat with `args` under bash (whose `times` reports kcat's CPU), feeding `input`; its wall and CPU seconds. */
function timedKcat(args: string[], input: Buffer | null): Promise<{ seconds: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const script = 'kcat "$@" > /dev/null; status=$?; times >&2; exit $status';
    const child = spawn('bash', ['-c', script, 'bash', ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      // `times` prints the shell's user and system time, then its children's: "0m1.234s 0m0.056s".
      const children = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stderr);
      if (code !== 0 || children === null) {
        reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${stderr}`));
        return;
      }
      const [um, us, sm, ss] = children.slice(1).map(Number) as [number, number, number, number];
      resolve({ seconds, cpu: um * 60 + us + sm * 60 + ss });
    });
    child.stdin.end(input ?? '');
  });
}

async function kafkaJsProduce(kafka: Kafka, topic: string): Promise<number> {
  const producer = kafka.producer();
  await producer.connect();
  const messages = Array.from({ length: 5_000 }, () => ({ value: VALUE }));
  const start = process.hrtime.bigint();
  let sent = 0;
  const lane = async () => {
    while (sent < RECORDS) {
      sent += messages.length;
      await producer.send({ topic, acks: 1, compression: CompressionTypes.None, messages });
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await producer.disconnect();
  return sent / seconds;
}

async function kafkaJsConsume(kafka: Kafka, topic: string, groupId: string): Promise<number> {
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let read = 0;
  let first = 0n;
  const done = new Promise<bigint>((resolve) => {
    void consumer.run({
      eachBatch: ({ batch }) => {
        if (first === 0n) first = process.hrtime.bigint();
        read += batch.messages.length;
        if (read >= RECORDS) resolve(process.hrtime.bigint());
        return Promise.resolve();
      },
    });
  });
  const end = await done;
  await consumer.disconnect();
  return read / (Number(end - first) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mq-bench-kafka-'));
  const cluster = new LocalCluster({ dir, brokers: 1, zkPort: 0, port: 0 });
  await cluster.start();
  const bootstrap = cluster.bootstrapServers;
  const kafkaBootstrap = cluster.kafkaBootstrapServers;
  const kafka = new Kafka({ clientId: 'bench', brokers: [kafkaBootstrap], logLevel: logLevel.NOTHING });
  const brokerPid = cluster.broker(1).pid;
  const figures: Record<string, { rates: number[]; clientCpu: number[]; brokerCpu: number[] }> = {};
  /** Runs one phase; `measure` returns its rate and, when the client is not this process, the client's CPU seconds. */
  const phase = async (what: string, measure: () => Promise<{ rate: number; clientCpu?: number }>) => {
    const broker0 = cpuSeconds(brokerPid);
    const own0 = ownCpuSeconds();
    const { rate, clientCpu } = await measure();
    const perMillion = 1e6 / RECORDS;
    const f = (figures[what] ??= { rates: [], clientCpu: [], brokerCpu: [] });
    f.rates.push(rate);
    f.clientCpu.push((clientCpu ?? ownCpuSeconds() - own0) * perMillion);
    f.brokerCpu.push((cpuSeconds(brokerPid) - broker0) * perMillion);
  };
  const lines = Buffer.from(`${VALUE.toString()}\n`.repeat(RECORDS).slice(0, -1));
  const quiet = () => undefined;
  try {
    for (let run = 1; run <= RUNS; run++) {
      const load = loadavg()[0]!.toFixed(1);
      await phase('produce: mq Producer', async () => {
        const r = await runProducerPerf({
          bootstrapServers: bootstrap,
          topic: `mq-${run}`,
          numRecords: RECORDS,
          recordSize: 100,
          producerProps: { acks: 1, 'linger.ms': 5, 'batch.size': 262144 },
          print: quiet,
        });
        return { rate: r.recordsPerSec };
      });
      await phase('produce: kcat (librdkafka)', async () => {
        const settings = ['-X', 'acks=1', '-X', 'linger.ms=5', '-X', 'batch.size=262144'];
        const r = await timedKcat(['-P', '-b', kafkaBootstrap, '-t', `kcat-${run}`, ...settings], lines);
        return { rate: RECORDS / r.seconds, clientCpu: r.cpu };
      });
      await phase('produce: KafkaJS', async () => ({ rate: await kafkaJsProduce(kafka, `kafkajs-${run}`) }));

      await phase('consume: mq Consumer (eachBatch)', async () => {
        const r = await runConsumerPerf({
          bootstrapServers: bootstrap,
          topic: `mq-${run}`,
          messages: RECORDS,
          mode: 'eachBatch',
          print: quiet,
        });
        return { rate: r.fetchMessagesPerSec };
      });
      await phase('consume: kcat (librdkafka)', async () => {
        const args = [
          '-C',
          '-b',
          kafkaBootstrap,
          '-t',
          `mq-${run}`,
          '-o',
          'beginning',
          '-e',
          '-q',
          '-c',
          String(RECORDS),
        ];
        const r = await timedKcat(args, null);
        return { rate: RECORDS / r.seconds, clientCpu: r.cpu };
      });
      await phase('consume: KafkaJS (eachBatch)', async () => ({
        rate: await kafkaJsConsume(kafka, `mq-${run}`, `bench-${run}`),
      }));
      console.log(`run ${run} done (load average before it: ${load})`);
    }
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${RECORDS.toLocaleString('en-US')} records of 100 B per client and run; ${RUNS} runs; median [range]`);
  console.log(
    '| what | records/s | vs mq client | client CPU s per 1M records | broker CPU s per 1M records |\n' +
      '| --- | --- | --- | --- | --- |',
  );
  for (const [what, { rates, clientCpu, brokerCpu }] of Object.entries(figures)) {
    const mine = figures[what.startsWith('produce') ? 'produce: mq Producer' : 'consume: mq Consumer (eachBatch)']!;
    const ratio = median(rates) / median(mine.rates);
    const range = `[${fmt(Math.min(...rates))}..${fmt(Math.max(...rates))}]`;
    console.log(
      `| ${what} | ${fmt(median(rates))} ${range} | ${(ratio * 100).toFixed(0)}% | ` +
        `${median(clientCpu).toFixed(2)} | ${median(brokerCpu).toFixed(2)} |`,
    );
  }
}

await main();
