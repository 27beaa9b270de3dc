/**
 * `mq-bench consume`: consumption throughput, shaped like Kafka's `kafka-consumer-perf-test`. It assigns every
 * partition of a topic, reads `messages` records from the beginning (or from the end with `fromLatest`), and
 * prints Kafka's CSV:
 *   start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
 *   fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
 * (rebalance time is 0: manual assignment), or one JSON object with `json`. It stops early, with a WARNING line,
 * when no record arrives for `timeoutMs`.
 *
 * `mode` picks the read path: 'eachBatch' (records decoded lazily inside each batch; the fastest), 'eachMessage'
 * or 'iterator' (`for await`). With eachBatch and eachMessage the bytes are counted from each record's
 * `serializedKeySize`/`serializedValueSize`, so no key or value view is made; the iterator's records carry both.
 */
import { Admin } from '../client/admin/admin.js';
import type { ConsumerOptions } from '../client/consumer/consumer-options.js';
import { Consumer } from '../client/consumer/consumer.js';
import type { LazyRecord } from '../record/lazy-record.js';
import { perfToolReporting, type PerfToolOptions } from './perf-tool-options.js';
import { securityProps } from './bench-topic.js';

export interface ConsumerPerfOptions extends PerfToolOptions {
  /** Records to read. */
  messages: number;
  /** Start at the end instead of the beginning. @default false */
  fromLatest?: boolean;
  /** @default 'eachBatch' */
  mode?: 'eachBatch' | 'eachMessage' | 'iterator';
  /** Extra consumer options under Kafka's names. */
  consumerProps?: Omit<ConsumerOptions, 'bootstrap.servers'>;
  /** Give up after this long without a record. Unit: ms. @default 10000 */
  timeoutMs?: number;
  /** Also print a line every reporting interval. @default false */
  showDetailedStats?: boolean;
}

export interface ConsumerPerfResult {
  startTime: string;
  endTime: string;
  messages: number;
  bytes: number;
  elapsedMs: number;
  /** From the first record to the last (Kafka's fetch.time.ms). */
  fetchTimeMs: number;
  mbPerSec: number;
  messagesPerSec: number;
  fetchMbPerSec: number;
  fetchMessagesPerSec: number;
  timedOut: boolean;
}

const MiB = 1024 * 1024;
const HEADER =
  'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, ' +
  'fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

export async function runConsumerPerf(options: ConsumerPerfOptions): Promise<ConsumerPerfResult> {
  const { reportingIntervalMs, print } = perfToolReporting(options);
  const timeoutMs = options.timeoutMs ?? 10000;
  const mode = options.mode ?? 'eachBatch';
  const partitions = await partitionsOf(options.bootstrapServers, options.topic, options.consumerProps);
  const consumer = new Consumer({
    'auto.offset.reset': options.fromLatest === true ? 'latest' : 'earliest',
    ...options.consumerProps,
    'bootstrap.servers': options.bootstrapServers,
  });
  await consumer.connect();
  consumer.assign(partitions.map((partition) => ({ topic: options.topic, partition })));

  const target = options.messages;
  let messages = 0;
  let bytes = 0;
  let lastRecordMs = performance.now();
  let firstRecordMs = -1;
  let timedOut = false;
  const startWall = new Date();
  const startMs = performance.now();
  const watchdog = setInterval(
    () => {
      if (performance.now() - lastRecordMs > timeoutMs) {
        timedOut = true;
        consumer.stop();
      }
    },
    Math.min(timeoutMs, 1000),
  );
  let windowStartMs = startMs;
  let windowMessages = 0;
  let windowBytes = 0;
  const detail =
    options.showDetailedStats === true
      ? setInterval(() => {
          const nowMs = performance.now();
          const seconds = (nowMs - windowStartMs) / 1000;
          print(
            `${new Date().toISOString()}, 0, ${(bytes / MiB).toFixed(4)}, ${(windowBytes / MiB / seconds).toFixed(4)}, ` +
              `${messages}, ${(windowMessages / seconds).toFixed(4)}`,
          );
          windowStartMs = nowMs;
          windowMessages = 0;
          windowBytes = 0;
        }, reportingIntervalMs)
      : undefined;

  const count = (size: number): boolean => {
    if (firstRecordMs < 0) firstRecordMs = performance.now();
    messages++;
    bytes += size;
    windowMessages++;
    windowBytes += size;
    options.onProgress?.(messages);
    return messages >= target;
  };
  try {
    if (target > 0 && mode === 'iterator') {
      for await (const record of consumer) {
        lastRecordMs = performance.now();
        if (count(sizeOf(record.key) + sizeOf(record.value))) break;
      }
    } else if (target > 0) {
      await consumer.run(
        mode === 'eachBatch'
          ? {
              eachBatch: ({ batch }) => {
                lastRecordMs = performance.now();
                for (const record of batch) {
                  if (count(serializedSize(record))) {
                    consumer.stop();
                    return;
                  }
                }
              },
            }
          : {
              eachMessage: ({ message }) => {
                lastRecordMs = performance.now();
                if (count(serializedSize(message))) consumer.stop();
              },
            },
      );
    }
  } finally {
    clearInterval(watchdog);
    if (detail !== undefined) clearInterval(detail);
    await consumer.close();
  }
  const endMs = performance.now();
  const elapsedMs = endMs - startMs;
  const fetchTimeMs = firstRecordMs < 0 ? 0 : lastRecordMs - firstRecordMs;
  const result: ConsumerPerfResult = {
    startTime: startWall.toISOString(),
    endTime: new Date().toISOString(),
    messages,
    bytes,
    elapsedMs,
    fetchTimeMs,
    mbPerSec: bytes / MiB / (elapsedMs / 1000),
    messagesPerSec: messages / (elapsedMs / 1000),
    fetchMbPerSec: fetchTimeMs > 0 ? bytes / MiB / (fetchTimeMs / 1000) : 0,
    fetchMessagesPerSec: fetchTimeMs > 0 ? messages / (fetchTimeMs / 1000) : 0,
    timedOut,
  };
  if (timedOut) {
    print(
      `WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. ` +
        'You can use the timeoutMs option to increase the timeout.',
    );
  }
  if (options.json === true) {
    print(JSON.stringify(result));
  } else {
    print(HEADER);
    print(
      `${result.startTime}, ${result.endTime}, ${(bytes / MiB).toFixed(4)}, ${result.mbPerSec.toFixed(4)}, ${messages}, ` +
        `${result.messagesPerSec.toFixed(4)}, 0, ${fetchTimeMs.toFixed(0)}, ${result.fetchMbPerSec.toFixed(4)}, ` +
        `${result.fetchMessagesPerSec.toFixed(4)}`,
    );
  }
  return result;
}

async function partitionsOf(
  bootstrapServers: string,
  topic: string,
  clientProps: Readonly<Record<string, unknown>> = {},
): Promise<number[]> {
  const admin = new Admin({ ...securityProps(clientProps), 'bootstrap.servers': bootstrapServers });
  await admin.connect();
  try {
    const [description] = await admin.describeTopics([topic]);
    return description!.partitions.map((p) => p.partition);
  } finally {
    await admin.close();
  }
}

function sizeOf(b: Buffer | null): number {
  return b === null ? 0 : b.length;
}

/** Key and value bytes from their sizes (−1: null), without making either (Kafka's `serializedKeySize()` and kin). */
function serializedSize(r: LazyRecord): number {
  return Math.max(r.serializedKeySize, 0) + Math.max(r.serializedValueSize, 0);
}
