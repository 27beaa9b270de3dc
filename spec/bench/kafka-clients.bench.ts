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
 * batches (eachBatch) or, for kcat, print values to a discarded pipe.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

/** Runs kcat with `args`, feeding `input`; resolves with the seconds from spawn to exit. */
function timedKcat(args: string[], input: Buffer | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('kcat', args, { stdio: [input === null ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - start) / 1e9)
        : reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${stderr}`)),
    );
    if (input !== null) child.stdin!.end(input);
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
  const figures: Record<string, number[]> = {};
  const note = (what: string, value: number) => (figures[what] ??= []).push(value);
  const lines = Buffer.from(`${VALUE.toString()}\n`.repeat(RECORDS).slice(0, -1));
  const quiet = () => undefined;
  try {
    for (let run = 1; run <= RUNS; run++) {
      const load = loadavg()[0]!.toFixed(1);
      const mq = await runProducerPerf({
        bootstrapServers: bootstrap,
        topic: `mq-${run}`,
        numRecords: RECORDS,
        recordSize: 100,
        producerProps: { acks: 1, 'linger.ms': 5, 'batch.size': 262144 },
        print: quiet,
      });
      note('produce: mq Producer', mq.recordsPerSec);
      const kcatSeconds = await timedKcat(
        [
          '-P',
          '-b',
          kafkaBootstrap,
          '-t',
          `kcat-${run}`,
          '-X',
          'acks=1',
          '-X',
          'linger.ms=5',
          '-X',
          'batch.size=262144',
        ],
        lines,
      );
      note('produce: kcat (librdkafka)', RECORDS / kcatSeconds);
      note('produce: KafkaJS', await kafkaJsProduce(kafka, `kafkajs-${run}`));

      const consumed = await runConsumerPerf({
        bootstrapServers: bootstrap,
        topic: `mq-${run}`,
        messages: RECORDS,
        mode: 'eachBatch',
        print: quiet,
      });
      note('consume: mq Consumer (eachBatch)', consumed.fetchMessagesPerSec);
      const kcatRead = await timedKcat(
        ['-C', '-b', kafkaBootstrap, '-t', `mq-${run}`, '-o', 'beginning', '-e', '-q', '-c', String(RECORDS)],
        null,
      );
      note('consume: kcat (librdkafka)', RECORDS / kcatRead);
      note('consume: KafkaJS (eachBatch)', await kafkaJsConsume(kafka, `mq-${run}`, `bench-${run}`));
      console.log(`run ${run} done (load average before it: ${load})`);
    }
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${RECORDS.toLocaleString('en-US')} records of 100 B per client and run; ${RUNS} runs; median [range]`);
  console.log('| what | records/s | vs mq client |\n| --- | --- | --- |');
  for (const [what, values] of Object.entries(figures)) {
    const mine = figures[what.startsWith('produce') ? 'produce: mq Producer' : 'consume: mq Consumer (eachBatch)']!;
    const ratio = median(values) / median(mine);
    const range = `[${fmt(Math.min(...values))}..${fmt(Math.max(...values))}]`;
    console.log(`| ${what} | ${fmt(median(values))} ${range} | ${(ratio * 100).toFixed(0)}% |`);
  }
}

await main();
