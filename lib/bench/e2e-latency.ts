/**
 * `mq-bench e2e`: end-to-end latency as Kafka's EndToEndLatency tool measures it — a record is produced and the
 * clock runs until a consumer of the same topic sees it — but at a fixed rate instead of one record at a time, and
 * recorded so that coordinated omission cannot hide a stall.
 *
 * One producer and one consumer in this process share its clock. Record i of `records` is due at
 * `start + i / rate` (FixedRateSchedule); the sender wakes when the next record is due (timer granularity is about
 * 1 ms, so at 10,000 records/s it sends about ten at a time) and sends every record due, without waiting for
 * acknowledgements. Each value carries the run's tag and the record's sequence number in its first 8 bytes; when
 * the consumer sees it, its latency is taken from its intended send time into an HDR histogram. So a broker stall,
 * a full producer buffer or a late timer counts against every record it delayed. How late the sender itself was
 * (intended → handed to send()) is reported apart as `sendLag`, to tell the generator's share from the cluster's.
 *
 * The topic has one partition (order is checked: a sequence number lower than one seen is counted as out of order).
 * The producer uses linger.ms=0 as Kafka's tool does; the consumer keeps its defaults (a 500 ms long poll that the
 * broker answers as soon as a record is readable), where Kafka's tool sets fetch.max.wait.ms=0 and polls in a busy
 * loop, which on a small machine takes CPU from the brokers; `consumerProps` can restore that. Before the timed run
 * a warm-up record is sent until the consumer (reading from the log end) sees one, so that connections, metadata
 * and the consumer's position are in place. The run fails when a send fails or no record arrives for `timeoutMs`.
 */
import { randomInt } from 'node:crypto';
import { IllegalStateError, TimeoutError } from '../common/errors.js';
import type { ConsumerOptions } from '../client/consumer/consumer-options.js';
import { Consumer } from '../client/consumer/consumer.js';
import type { ProducerOptions } from '../client/producer/producer-options.js';
import { Producer } from '../client/producer/producer.js';
import { ensureTopic, randomPayload, type BenchTopicSpec } from './bench-topic.js';
import { FixedRateSchedule } from './fixed-rate-schedule.js';
import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';

export interface E2eLatencyOptions {
  bootstrapServers: string;
  topic: string;
  /** Records in the timed run. */
  records: number;
  /** Records/s the sender keeps to. */
  ratePerSec: number;
  /** Bytes per record value; at least 8 (tag and sequence number). @default 100 */
  recordSize?: number;
  /** Producer options under Kafka's names, e.g. { acks: 'all' }. linger.ms defaults to 0. */
  producerProps?: Omit<ProducerOptions, 'bootstrap.servers'>;
  /** Consumer options under Kafka's names. */
  consumerProps?: Omit<ConsumerOptions, 'bootstrap.servers'>;
  /** Create the topic (one partition) when missing; false to use it as it is. */
  createTopic?: Omit<BenchTopicSpec, 'partitions'> | false;
  /** Give up when no record arrives for this long. Unit: ms. @default 30000 */
  timeoutMs?: number;
  /** Told the count of records seen by the consumer, a few times a second. */
  onProgress?: (received: number) => void;
}

export interface E2eLatencyResult extends LatencySummary {
  records: number;
  ratePerSec: number;
  /** Records sent per second over the sending period (below ratePerSec when the sender fell behind). */
  achievedPerSec: number;
  elapsedMs: number;
  /** Intended send time → handed to producer.send(): the generator's own lateness. */
  sendLagP50Ms: number;
  sendLagP99Ms: number;
  sendLagMaxMs: number;
  /** Records seen again after their first delivery (producer retries without idempotence). */
  duplicates: number;
  /** Records seen after one with a higher sequence number. */
  outOfOrder: number;
  /** Latency (ms) at the percentiles a chart plots. */
  distribution: { percentile: number; ms: number }[];
}

const WARM_UP_SEQUENCE = 0xffffffff;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runE2eLatency(options: E2eLatencyOptions): Promise<E2eLatencyResult> {
  const { topic, records, ratePerSec } = options;
  const recordSize = Math.max(8, options.recordSize ?? 100);
  const timeoutMs = options.timeoutMs ?? 30000;
  if (options.createTopic !== false)
    await ensureTopic(options.bootstrapServers, topic, { replicationFactor: 1, ...options.createTopic, partitions: 1 });

  const tag = randomInt(0, 0xffffffff);
  const template = randomPayload(recordSize);
  template.writeUInt32BE(tag, 0);
  const valueFor = (sequence: number): Buffer => {
    const value = Buffer.from(template);
    value.writeUInt32BE(sequence, 4);
    return value;
  };

  const producer = new Producer({
    'linger.ms': 0,
    ...options.producerProps,
    'bootstrap.servers': options.bootstrapServers,
  });
  const consumer = new Consumer({
    'auto.offset.reset': 'latest',
    ...options.consumerProps,
    'bootstrap.servers': options.bootstrapServers,
  });
  await producer.connect();
  await consumer.connect();
  consumer.assign([{ topic, partition: 0 }]);

  const latency = new LatencyHistogram();
  const sendLag = new LatencyHistogram();
  const intendedMs = new Float64Array(records);
  const seen = new Uint8Array(records);
  let received = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let highestSeen = -1;
  let warmedUp = false;
  let lastArrivalMs = performance.now();
  let failure: Error | null = null;

  const reading = consumer.run({
    eachMessage: ({ message }) => {
      const nowMs = performance.now();
      const value = message.value;
      if (value === null || value.length < 8 || value.readUInt32BE(0) !== tag) return;
      const sequence = value.readUInt32BE(4);
      if (sequence === WARM_UP_SEQUENCE) {
        warmedUp = true;
        return;
      }
      if (sequence >= records) {
        failure ??= new IllegalStateError(`Record with sequence ${sequence} seen; this run sent ${records}.`);
        consumer.stop();
        return;
      }
      lastArrivalMs = nowMs;
      if (seen[sequence] === 1) {
        duplicates++;
        return;
      }
      seen[sequence] = 1;
      if (sequence < highestSeen) outOfOrder++;
      else highestSeen = sequence;
      latency.record(nowMs - intendedMs[sequence]!);
      if (++received === records) consumer.stop();
    },
  });
  const failed = (e: unknown): void => {
    failure ??= e as Error;
    consumer.stop();
  };
  const ticker = setInterval(() => {
    options.onProgress?.(received);
    if (performance.now() - lastArrivalMs > timeoutMs && failure === null)
      failed(
        new TimeoutError(
          `No record reached the consumer of ${topic} for ${timeoutMs} ms (${received} of ${records} seen); ` +
            'check that the cluster is up and the topic has a leader.',
        ),
      );
  }, 250);

  let startMs: number;
  let lastSendMs = 0;
  try {
    const warmUpDeadline = performance.now() + timeoutMs;
    while (!warmedUp && failure === null) {
      if (performance.now() > warmUpDeadline)
        throw new TimeoutError(`The consumer did not see a warm-up record on ${topic} within ${timeoutMs} ms.`);
      producer.send({ topic, partition: 0, value: valueFor(WARM_UP_SEQUENCE) }).catch(failed);
      await sleep(200);
      lastArrivalMs = performance.now();
    }
    startMs = performance.now();
    const schedule = new FixedRateSchedule(startMs, ratePerSec, records);
    for (let next = 0; next < records && failure === null;) {
      const nowMs = performance.now();
      const due = schedule.dueBy(nowMs);
      for (; next < due; next++) {
        intendedMs[next] = schedule.intendedMs(next);
        sendLag.record(nowMs - intendedMs[next]!);
        producer.send({ topic, partition: 0, value: valueFor(next) }).catch(failed);
      }
      lastSendMs = nowMs;
      if (next < records) await sleep(Math.max(0, schedule.intendedMs(next) - performance.now()));
    }
    await reading;
  } finally {
    clearInterval(ticker);
    consumer.stop();
    await reading.catch(() => undefined);
    await consumer.close();
    await producer.close();
  }
  if (failure !== null) throw failure as Error;
  options.onProgress?.(received);
  const lag = sendLag.summary();
  return {
    ...latency.summary(),
    records,
    ratePerSec,
    achievedPerSec: records / (Math.max(1, lastSendMs - startMs) / 1000),
    elapsedMs: performance.now() - startMs,
    sendLagP50Ms: lag.p50Ms,
    sendLagP99Ms: lag.p99Ms,
    sendLagMaxMs: lag.maxMs,
    duplicates,
    outOfOrder,
    distribution: latency.distribution(),
  };
}

/** Kafka's EndToEndLatency summary lines, with p99.99, the rate kept and the sender's own lateness added. */
export function formatE2eLatency(r: E2eLatencyResult): string[] {
  const ms = (v: number) => v.toFixed(3);
  return [
    `${r.records} records at ${r.ratePerSec} records/s (achieved ${r.achievedPerSec.toFixed(0)}), ` +
      `latency from each record's intended send time to its arrival at the consumer:`,
    `Avg latency: ${r.avgMs.toFixed(4)} ms`,
    `Percentiles: 50th = ${ms(r.p50Ms)}, 90th = ${ms(r.p90Ms)}, 99th = ${ms(r.p99Ms)}, 99.9th = ${ms(r.p999Ms)}, ` +
      `99.99th = ${ms(r.p9999Ms)}, max = ${ms(r.maxMs)} (ms)`,
    `Sender lateness (intended → sent): 50th = ${ms(r.sendLagP50Ms)}, 99th = ${ms(r.sendLagP99Ms)}, ` +
      `max = ${ms(r.sendLagMaxMs)} (ms); duplicates ${r.duplicates}, out of order ${r.outOfOrder}`,
  ];
}
