/**
 * Reads records for the console through the ordinary Consumer (manual assignment, no group, nothing committed):
 * a range of offsets of one partition for the records view, and the first record at given offsets for a group's
 * lag in time. One reader serves one request and is closed after it (`withRecordReader`); it never writes.
 *
 * Ranges end at the high watermark the caller read, so the records are there to fetch: reading stops at the first
 * batch reaching the range's end, or at the deadline (a leader that does not answer, or a range ending in
 * transaction markers, which the consumer does not hand out). Keys, values and header values are copied out of the
 * fetched memory as base64, the first `MAX_PAYLOAD_BYTES` of each.
 */
import { TimeoutError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { Consumer } from '../client/consumer/consumer.js';
import type { TopicPartitionRef } from '../client/consumer/subscription-state.js';
import type { Record as FetchedRecord } from '../record/record.js';
import type { Payload, RecordView } from './api-types.js';

/** How much of one key, value or header value the console sends to the browser. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export function payloadOf(bytes: Buffer | null): Payload | null {
  if (bytes === null) return null;
  const shown = bytes.length > MAX_PAYLOAD_BYTES ? bytes.subarray(0, MAX_PAYLOAD_BYTES) : bytes;
  return { base64: shown.toString('base64'), size: bytes.length, truncated: shown.length < bytes.length };
}

function recordView(r: FetchedRecord): RecordView {
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: payloadOf(r.key),
    value: payloadOf(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: payloadOf(h.value) })),
  };
}

export class RecordReader {
  private constructor(private readonly consumer: Consumer) {}

  static async open(clientProperties: Record<string, string>, logger: Logger): Promise<RecordReader> {
    const consumer = new Consumer({
      ...clientProperties,
      'client.id': clientProperties['client.id'] ?? 'mq-console',
      'enable.auto.commit': false,
      'auto.offset.reset': 'earliest',
      'allow.auto.create.topics': false,
      'fetch.max.wait.ms': 100,
      logger,
    });
    await consumer.connect();
    return new RecordReader(consumer);
  }

  /**
   * The records of `tp` with offsets in [from, to), in offset order. Rejects with TimeoutError when nothing could
   * be read by the deadline; a partial range (the deadline hit midway) is returned as far as it was read.
   */
  async readRange(tp: TopicPartitionRef, from: number, to: number, timeoutMs: number): Promise<RecordView[]> {
    if (from >= to) return [];
    const out: RecordView[] = [];
    let reachedEnd = false;
    this.consumer.assign([tp]);
    this.consumer.seek({ ...tp, offset: from });
    const timer = setTimeout(() => this.consumer.stop(), timeoutMs);
    try {
      await this.consumer.run({
        eachBatch: ({ batch }) => {
          for (const r of batch) {
            if (r.offset >= to) break;
            if (r.offset >= from) out.push(recordView(r));
          }
          if (batch.lastOffset >= to - 1) {
            reachedEnd = true;
            this.consumer.stop();
          }
        },
      });
    } finally {
      clearTimeout(timer);
    }
    if (!reachedEnd && out.length === 0) {
      throw new TimeoutError(
        `Could not read offsets ${from}-${to - 1} of ${tp.topic}-${tp.partition} within ${timeoutMs} ms; ` +
          "is the partition's leader available?",
      );
    }
    return out;
  }

  /**
   * The timestamp of the first record at or after each position (keyed `topic-partition`); positions whose record
   * could not be read by the deadline are left out.
   */
  async firstTimestamps(
    positions: ReadonlyArray<TopicPartitionRef & { offset: number }>,
    timeoutMs: number,
  ): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (positions.length === 0) return found;
    this.consumer.assign(positions);
    for (const p of positions) this.consumer.seek(p);
    const timer = setTimeout(() => this.consumer.stop(), timeoutMs);
    try {
      await this.consumer.run({
        eachBatch: ({ batch }) => {
          const key = `${batch.topic}-${batch.partition}`;
          if (found.has(key)) return;
          const first = batch.next();
          if (first.done === true) return;
          found.set(key, first.value.timestamp);
          this.consumer.pause([{ topic: batch.topic, partition: batch.partition }]);
          if (found.size === positions.length) this.consumer.stop();
        },
      });
    } finally {
      clearTimeout(timer);
    }
    return found;
  }

  close(): Promise<void> {
    return this.consumer.close();
  }
}

/** Runs `fn` with a fresh reader, closing it afterwards whatever happens. */
export async function withRecordReader<T>(
  clientProperties: Record<string, string>,
  logger: Logger,
  fn: (reader: RecordReader) => Promise<T>,
): Promise<T> {
  const reader = await RecordReader.open(clientProperties, logger);
  try {
    return await fn(reader);
  } finally {
    await reader.close();
  }
}
