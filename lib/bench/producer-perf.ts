/**
 * `mq-bench produce`: a producer load generator shaped like Kafka's `kafka-producer-perf-test`. It sends
 * `numRecords` records of `recordSize` random bytes (one payload reused, no key) to a topic, at most `throughput`
 * records/s (-1: as fast as possible), and reports, every `reportingIntervalMs` and at the end, Kafka's lines:
 *   `N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency.`
 * plus `p50 ms 50th, p95 ms 95th, p99 ms 99th, p999 ms 99.9th.` at the end (MB = 1024 × 1024 bytes). With `json`,
 * the final summary is one JSON object instead.
 *
 * Latency is send-to-acknowledgement. Records go out through `sendBatch()` in chunks of `sendBatchSize` (1 uses
 * `send(record, callback)` per record, as Kafka's tool does); a chunk's latency counts once per record in it. At most
 * `maxPendingChunks` calls are outstanding (a count, no list of promises); the producer's buffer.memory back-pressure
 * applies below that. Per record the tool allocates nothing: the callback is shared by the records sent within
 * 0.05 ms of each other (each record's latency then counts from the first one's send, at most 0.05 ms early).
 * The first failed call ends the run with its error.
 * Transactions: with `transactionalId` and `transactionSize` records per transaction, the producer initializes
 * transactions and sends in transactions of that many records, each committed before the next begins (Kafka's tool
 * commits by age, --transaction-duration-ms; a count makes runs comparable). A record's latency then runs to its
 * acknowledgement, the commit's cost shows in the throughput.
 */
import type { ProducerOptions } from '../client/producer/producer-options.js';
import { Producer } from '../client/producer/producer.js';
import type { ProducerRecord } from '../client/producer/producer-record.js';
import type { SendCallback } from '../client/producer/producer-batch.js';
import { toError } from '../common/errors.js';
import { ensureTopic, randomPayload, type BenchTopicSpec } from './bench-topic.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
import { perfToolReporting, type PerfToolOptions } from './perf-tool-options.js';

export interface ProducerPerfOptions extends PerfToolOptions {
  numRecords: number;
  /** Bytes per record value. @default 100 */
  recordSize?: number;
  /** Records/s cap; -1 for none. @default -1 */
  throughput?: number;
  /** Extra producer options under Kafka's names, e.g. { acks: 1, 'linger.ms': 5 }. */
  producerProps?: Omit<ProducerOptions, 'bootstrap.servers'>;
  /** Create the topic first when it does not exist. @default { partitions: 1, replicationFactor: 1 } */
  createTopic?: BenchTopicSpec | false;
  /** Records per sendBatch() call; 1 sends each record with send(). @default 1000 */
  sendBatchSize?: number;
  /** sendBatch() calls awaiting acknowledgement at most. @default 64 */
  maxPendingChunks?: number;
  /** Send in transactions of `transactionSize` records with this transactional.id. @default no transactions */
  transactionalId?: string;
  /** Records per transaction (with `transactionalId`). @default 1000 */
  transactionSize?: number;
}

export interface ProducerPerfResult extends LatencySummary {
  records: number;
  elapsedMs: number;
  recordsPerSec: number;
  mbPerSec: number;
}

const MiB = 1024 * 1024;
/** How long one send() callback is reused for the records sent after it (see `runProducerPerf`). Unit: ms. */
const CALLBACK_REUSE_MS = 0.05;

export async function runProducerPerf(options: ProducerPerfOptions): Promise<ProducerPerfResult> {
  const recordSize = options.recordSize ?? 100;
  const throughput = options.throughput ?? -1;
  const chunkSize = Math.max(1, options.sendBatchSize ?? 1000);
  const maxPending = Math.max(1, options.maxPendingChunks ?? 64);
  const { reportingIntervalMs, print } = perfToolReporting(options);
  const { topic, numRecords } = options;

  if (options.createTopic !== false)
    await ensureTopic(
      options.bootstrapServers,
      topic,
      options.createTopic ?? { partitions: 1, replicationFactor: 1 },
      undefined,
      options.producerProps,
    );
  const transactional = options.transactionalId !== undefined;
  const transactionSize = Math.max(1, options.transactionSize ?? 1000);
  const producer = new Producer({
    ...options.producerProps,
    'bootstrap.servers': options.bootstrapServers,
    ...(transactional ? { 'transactional.id': options.transactionalId } : {}),
  });
  await producer.connect();
  if (transactional) await producer.initTransactions();
  const value = randomPayload(recordSize);
  const overall = new LatencyHistogram();
  // Samples go into the window's histogram only, added into the run's at each report: one record() per sample.
  const window = new LatencyHistogram();
  let windowStartMs = performance.now();
  let windowRecords = 0;
  let acknowledged = 0;
  const report = (): void => {
    const nowMs = performance.now();
    const s = window.summary();
    print(
      `${windowRecords} records sent, ${rate(windowRecords, nowMs - windowStartMs)} records/sec ` +
        `(${mb(windowRecords * recordSize, nowMs - windowStartMs)} MB/sec), ${s.avgMs.toFixed(1)} ms avg latency, ` +
        `${s.maxMs.toFixed(1)} ms max latency.`,
    );
    overall.add(window);
    window.reset();
    windowStartMs = nowMs;
    windowRecords = 0;
  };
  const timer = setInterval(report, reportingIntervalMs);
  // At most `maxPending` calls outstanding, counted, not kept: with send() per record tens of thousands may be.
  let outstanding = 0;
  let failure = null as Error | null; // set by `finished`, which the checker cannot see run
  let wake: (() => void) | null = null;
  let wakeAt = 0;
  /** Resolves once at most `limit` calls are outstanding. */
  const outstandingAtMost = (limit: number): Promise<void> | null => {
    if (outstanding <= limit) return null;
    wakeAt = limit;
    return new Promise((resolve) => (wake = resolve));
  };
  const finished = (sentMs: number, count: number, error: Error | null): void => {
    outstanding--;
    if (error !== null) {
      failure ??= error;
    } else {
      const latencyMs = performance.now() - sentMs;
      window.record(latencyMs, count);
      windowRecords += count;
      acknowledged += count;
      options.onProgress?.(acknowledged);
    }
    if (wake !== null && outstanding <= wakeAt) {
      const resume = wake;
      wake = null;
      resume();
    }
  };
  // send() per record goes through its callback form (no promise per record); one callback serves every record
  // sent within CALLBACK_REUSE_MS, so latencies read up to that much high.
  let callback: SendCallback = () => undefined;
  let callbackSentMs = -Infinity;

  const startMs = performance.now();
  const chunk: ProducerRecord[] = Array.from({ length: chunkSize }, () => ({ topic, value }));
  try {
    for (let sent = 0, inTransaction = 0; sent < numRecords;) {
      if (transactional && inTransaction === 0) producer.beginTransaction();
      const left = transactional ? Math.min(numRecords - sent, transactionSize - inTransaction) : numRecords - sent;
      const count = Math.min(chunkSize, left);
      const sentMs = performance.now();
      outstanding++;
      if (chunkSize === 1) {
        if (sentMs - callbackSentMs >= CALLBACK_REUSE_MS) {
          callbackSentMs = sentMs;
          callback = (error) => finished(sentMs, 1, error);
        }
        producer.send(chunk[0]!, callback);
      } else {
        producer.sendBatch(count === chunkSize ? chunk : chunk.slice(0, count)).then(
          () => finished(sentMs, count, null),
          (e: unknown) => finished(sentMs, count, toError(e)),
        );
      }
      sent += count;
      inTransaction += count;
      if (transactional && (inTransaction === transactionSize || sent === numRecords)) {
        await producer.commitTransaction();
        inTransaction = 0;
      }
      await outstandingAtMost(maxPending - 1);
      if (failure !== null) throw failure;
      if (throughput > 0) await throttle(startMs, sent, throughput);
    }
    await outstandingAtMost(0);
    if (failure !== null) throw failure;
  } finally {
    clearInterval(timer);
    await producer.close();
  }
  const elapsedMs = performance.now() - startMs;
  overall.add(window);
  const s = overall.summary();
  const result: ProducerPerfResult = {
    records: numRecords,
    elapsedMs,
    recordsPerSec: numRecords / (elapsedMs / 1000),
    mbPerSec: (numRecords * recordSize) / MiB / (elapsedMs / 1000),
    ...s,
  };
  if (options.json === true) {
    print(JSON.stringify(result));
  } else {
    print(
      `${numRecords} records sent, ${rate(numRecords, elapsedMs)} records/sec (${mb(numRecords * recordSize, elapsedMs)} ` +
        `MB/sec), ${s.avgMs.toFixed(2)} ms avg latency, ${s.maxMs.toFixed(2)} ms max latency, ${s.p50Ms.toFixed(0)} ms 50th, ` +
        `${s.p95Ms.toFixed(0)} ms 95th, ${s.p99Ms.toFixed(0)} ms 99th, ${s.p999Ms.toFixed(0)} ms 99.9th.`,
    );
  }
  return result;
}

/** Sleeps while more records were sent than `throughput` allows by now. */
async function throttle(startMs: number, sent: number, throughput: number): Promise<void> {
  const aheadMs = (sent / throughput) * 1000 - (performance.now() - startMs);
  if (aheadMs > 1) await new Promise((resolve) => setTimeout(resolve, aheadMs));
}

function rate(count: number, ms: number): string {
  return (count / (ms / 1000)).toFixed(1);
}

function mb(bytes: number, ms: number): string {
  return (bytes / MiB / (ms / 1000)).toFixed(2);
}
