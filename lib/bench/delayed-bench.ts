/**
 * `mq-bench delayed`: delayed delivery under load — how fast delayed records are accepted, how fast they are
 * delivered when they fall due, how late each arrives after its due time, and what the brokers' memory does while
 * many are pending.
 *
 * 0. Warm-up: one delayed record per target partition, due at once, so that `__delayed_records` exists and the
 *    producer knows the leaders of the delay partitions the load uses. Then the reference: up to 200,000 ordinary
 *    records of the same size sent the same way to the target topic, whose rate is what the accept rate compares with.
 * 1. Load: `pending` records (value `recordSize` bytes) are sent with `sendBatch()` in chunks, due times spread
 *    evenly over [start + dueInMs, start + dueInMs + spreadMs]; the accept rate is records/s until all are
 *    acknowledged (they are then stored in `__delayed_records`).
 * 2. Meanwhile and afterwards, `probeRatePerSec` probe records per second are sent, each due `probeDelayMs` after
 *    it is sent: their lateness measures the scheduler's accuracy while the load is pending (and being delivered).
 * 3. A consumer reads the target topic from its end as it stood before the run; each record's value carries its due
 *    time, kind and number, so lateness (arrival − due) goes into one HDR histogram for the load and one for the
 *    probes; an arrival before its due time counts as early (must be 0), a second arrival as a duplicate.
 * The run ends when every load record has arrived, or at `maxRunMs` (then the rest count as not delivered: use
 * this to measure a large pending set without waiting for all of it). The brokers' JS heap and resident set are
 * sampled every second from their Prometheus endpoints (`metricsPorts`), and the wheels' on-disk size from
 * DescribeDelayedRecords at the peak of pending records.
 * With `restartBrokers`, the brokers are restarted once the load is accepted, and the time until every delay partition's
 * new leader has loaded its pending records and delivers again is reported (probes due meanwhile arrive late).
 * Clocks: producer, consumer and brokers share this machine's wall clock.
 */
import { Admin } from '../client/admin/admin.js';
import { Consumer } from '../client/consumer/consumer.js';
import { Producer } from '../client/producer/producer.js';
import type { ProducerRecord } from '../client/producer/producer-record.js';
import { ensureTopic } from './bench-topic.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
import { brokerMemory } from './scale-bench.js';

export interface DelayedBenchOptions {
  bootstrapServers: string;
  topic: string;
  partitions: number;
  replicationFactor: number;
  pending: number;
  dueInMs: number;
  spreadMs: number;
  recordSize: number;
  probeRatePerSec: number;
  probeDelayMs: number;
  /** Stop after this long even if load records are still pending. Unit: ms. */
  maxRunMs: number;
  /** Ports of the brokers' Prometheus endpoints, for memory samples (empty: none taken). */
  metricsPorts: readonly number[];
  /**
   * Restarts the brokers once the load is accepted (a clean stop and start of each), to measure how long new leaders
   * take to load that many pending records before they deliver again. @default undefined (no restart)
   */
  restartBrokers?: () => Promise<void>;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface DelayedBenchResult {
  pending: number;
  recordSize: number;
  /** Load records accepted per second (send → acknowledged in __delayed_records). */
  acceptedPerSec: number;
  /** Ordinary records of the same size sent the same way, per second, just before (the accept rate's reference). */
  referencePerSec: number;
  acceptMs: number;
  /** Load records that arrived in the target topic, and per second between the first due time and the last arrival. */
  delivered: number;
  deliveredPerSec: number;
  notDelivered: number;
  early: number;
  duplicates: number;
  /** Lateness (arrival − due) of load records, and of probe records. */
  lateness: LatencySummary;
  probes: number;
  probeLateness: LatencySummary;
  /** Largest sample over all brokers. */
  maxHeapUsedMiB: number;
  maxRssMiB: number;
  /** Largest sum over delay partitions of the wheels' entry files, and of pending records, seen in describe calls. */
  maxIndexMiB: number;
  maxPendingSeen: number;
  /** With restartBrokers: how long the restart took, then until every delay partition delivered again (Running). */
  restartMs: number;
  reloadMs: number;
  elapsedMs: number;
}

const CHUNK = 2000;
const MiB = 1024 * 1024;
const WARM_UP = 0;
const LOAD = 1;
const PROBE = 2;

/** Value layout: due time (float64) | kind (uint8) | number (uint32) | padding. */
function valueOf(dueMs: number, kind: number, n: number, size: number): Buffer {
  const b = Buffer.alloc(Math.max(13, size), 0x41);
  b.writeDoubleBE(dueMs, 0);
  b.writeUInt8(kind, 8);
  b.writeUInt32BE(n, 9);
  return b;
}

export async function runDelayedBench(o: DelayedBenchOptions): Promise<DelayedBenchResult> {
  await ensureTopic(o.bootstrapServers, o.topic, { partitions: o.partitions, replicationFactor: o.replicationFactor });
  const admin = new Admin({ 'bootstrap.servers': o.bootstrapServers });
  const producer = new Producer({
    'bootstrap.servers': o.bootstrapServers,
    'linger.ms': 5,
    'batch.size': 256 * 1024,
    'buffer.memory': 256 * MiB,
  });
  const consumer = new Consumer({ 'bootstrap.servers': o.bootstrapServers, 'fetch.max.wait.ms': 100 });
  await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
  // Warm-up (not measured): __delayed_records created, and the leaders of the delay partitions the load uses known.
  await Promise.all(
    Array.from({ length: o.partitions }, (_, partition) =>
      producer.send({ topic: o.topic, partition, value: valueOf(0, WARM_UP, 0, o.recordSize), deliverAt: 0 }),
    ),
  );
  const referenceRecords = Math.min(o.pending, 200_000);
  const referenceStarted = Date.now();
  await sendInChunks(producer, referenceRecords, (n) => ({
    topic: o.topic,
    key: String(n % 1000),
    value: valueOf(0, WARM_UP, n, o.recordSize),
  }));
  const referencePerSec = Math.round((referenceRecords * 1000) / Math.max(1, Date.now() - referenceStarted));
  const started = Date.now();
  const lateness = new LatencyHistogram();
  const probeLateness = new LatencyHistogram();
  const seen = new Uint8Array(o.pending);
  let delivered = 0;
  let early = 0;
  let duplicates = 0;
  let lastArrivalMs = 0;
  let probesSent = 0;
  let maxHeap = 0;
  let maxRss = 0;
  let maxIndex = 0;
  let maxPendingSeen = 0;
  const firstDueMs = started + o.dueInMs;
  const stopAtMs = started + o.maxRunMs;
  let finished = false;

  try {
    const ends = await consumer.endOffsets(
      Array.from({ length: o.partitions }, (_, partition) => ({ topic: o.topic, partition })),
    );
    consumer.assign(ends.map(({ topic, partition }) => ({ topic, partition })));
    for (const e of ends) consumer.seek({ topic: e.topic, partition: e.partition, offset: e.offset });
    const reading = consumer.run({
      eachBatch: ({ batch }) => {
        const nowMs = Date.now();
        for (const r of batch) {
          const v = r.value!;
          const dueMs = v.readDoubleBE(0);
          const kind = v.readUInt8(8);
          if (kind === WARM_UP) continue;
          if (nowMs < dueMs) early++;
          if (kind === PROBE) {
            probeLateness.record(Math.max(0, nowMs - dueMs));
            continue;
          }
          const n = v.readUInt32BE(9);
          if (seen[n] === 1) {
            duplicates++;
            continue;
          }
          seen[n] = 1;
          delivered++;
          lastArrivalMs = nowMs;
          lateness.record(Math.max(0, nowMs - dueMs));
        }
        if (delivered === o.pending) consumer.stop();
      },
    });

    const sampler = setInterval(() => {
      for (const port of o.metricsPorts) {
        brokerMemory(port).then(
          (m) => {
            maxHeap = Math.max(maxHeap, m.heapUsedBytes / MiB);
            maxRss = Math.max(maxRss, m.rssBytes / MiB);
          },
          () => undefined,
        );
      }
      admin.describeDelayedRecords().then(
        (parts) => {
          maxIndex = Math.max(maxIndex, parts.reduce((n, p) => n + p.indexBytes, 0) / MiB);
          maxPendingSeen = Math.max(
            maxPendingSeen,
            parts.reduce((n, p) => n + p.pending, 0),
          );
        },
        () => undefined,
      );
      o.onProgress?.(Date.now() < firstDueMs ? 'pending' : 'delivering', delivered, o.pending);
    }, 1000);

    const probing = (async () => {
      const intervalMs = 1000 / Math.max(o.probeRatePerSec, 1e-9);
      let next = Date.now();
      while (o.probeRatePerSec > 0 && !finished && Date.now() < stopAtMs) {
        const dueMs = Date.now() + o.probeDelayMs;
        void producer
          .send({
            topic: o.topic,
            key: String(probesSent % 1000),
            value: valueOf(dueMs, PROBE, probesSent, o.recordSize),
            deliverAt: dueMs,
          })
          .catch(() => undefined);
        probesSent++;
        next += intervalMs;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
      }
    })();

    const acceptStarted = Date.now();
    await sendInChunks(
      producer,
      o.pending,
      (n) => {
        const dueMs = firstDueMs + Math.floor((o.spreadMs * n) / Math.max(1, o.pending - 1));
        return {
          topic: o.topic,
          key: String(n % 1000),
          value: valueOf(dueMs, LOAD, n, o.recordSize),
          deliverAt: dueMs,
        };
      },
      (done) => o.onProgress?.('accepting', done, o.pending),
    );
    const acceptMs = Date.now() - acceptStarted;
    let restartMs = -1;
    let reloadMs = -1;
    if (o.restartBrokers !== undefined) {
      const restartStarted = Date.now();
      await o.restartBrokers();
      restartMs = Date.now() - restartStarted;
      o.onProgress?.('reloading', delivered, o.pending);
      for (;;) {
        const parts = await admin.describeDelayedRecords().catch(() => []);
        if (
          parts.length > 0 &&
          parts.every((p) => p.state === 'Running') &&
          parts.reduce((n, p) => n + p.pending, 0) > 0
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      reloadMs = Date.now() - restartStarted - restartMs;
    }

    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      reading,
      new Promise((resolve) => {
        timer = setTimeout(resolve, Math.max(0, stopAtMs - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    finished = true;
    consumer.stop();
    clearInterval(sampler);
    await probing;
    await reading.catch(() => undefined);
    return {
      pending: o.pending,
      recordSize: o.recordSize,
      acceptedPerSec: Math.round((o.pending * 1000) / Math.max(1, acceptMs)),
      referencePerSec,
      acceptMs,
      delivered,
      deliveredPerSec:
        delivered === 0
          ? 0
          : Math.round((delivered * 1000) / Math.max(1, lastArrivalMs - Math.max(firstDueMs, acceptStarted))),
      notDelivered: o.pending - delivered,
      early,
      duplicates,
      lateness: lateness.summary(),
      probes: probeLateness.count,
      probeLateness: probeLateness.summary(),
      maxHeapUsedMiB: Math.round(maxHeap),
      maxRssMiB: Math.round(maxRss),
      maxIndexMiB: Math.round(maxIndex),
      maxPendingSeen,
      restartMs,
      reloadMs,
      elapsedMs: Date.now() - started,
    };
  } finally {
    finished = true;
    await Promise.all([producer.close(), consumer.close(), admin.close()]);
  }
}

/** Sends `count` records made by `make(n)` with sendBatch() in chunks, each awaited. */
async function sendInChunks(
  producer: Producer,
  count: number,
  make: (n: number) => ProducerRecord,
  onChunk?: (done: number) => void,
): Promise<void> {
  for (let from = 0; from < count; from += CHUNK) {
    const chunk: ProducerRecord[] = [];
    for (let n = from; n < Math.min(count, from + CHUNK); n++) chunk.push(make(n));
    await producer.sendBatch(chunk);
    onChunk?.(Math.min(count, from + CHUNK));
  }
}

/** The summary lines of a run. */
export function formatDelayedBench(r: DelayedBenchResult): string[] {
  const ms = (s: LatencySummary) =>
    `p50 ${s.p50Ms.toFixed(0)} ms, p99 ${s.p99Ms.toFixed(0)} ms, p99.9 ${s.p999Ms.toFixed(0)} ms, max ${s.maxMs.toFixed(0)} ms`;
  return [
    `${r.pending} delayed records of ${r.recordSize} B accepted in ${r.acceptMs} ms (${r.acceptedPerSec} records/s; ` +
      `ordinary records just before: ${r.referencePerSec} records/s)`,
    `delivered ${r.delivered} (${r.deliveredPerSec} records/s once due), not delivered ${r.notDelivered}, ` +
      `early ${r.early}, duplicates ${r.duplicates}`,
    `lateness after due: ${ms(r.lateness)}`,
    `probes: ${r.probes}, lateness ${ms(r.probeLateness)}`,
    `peak pending ${r.maxPendingSeen}, wheel files ${r.maxIndexMiB} MiB, broker heap max ${r.maxHeapUsedMiB} MiB, ` +
      `RSS max ${r.maxRssMiB} MiB`,
    ...(r.restartMs < 0
      ? []
      : [`brokers restarted in ${r.restartMs} ms; delay partitions loaded and delivering ${r.reloadMs} ms later`]),
  ];
}
