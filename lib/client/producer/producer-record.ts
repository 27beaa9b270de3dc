/**
 * A record to send with the Producer: what `send()` and `sendBatch()` take. A type file (it imports nothing but types)
 * so that the producer and its delayed routing (delayed-routing.ts, which the producer imports) share one definition.
 */
import type { RecordHeader } from '../../record/record-batch-builder.js';

/** A record to send. */
export interface ProducerRecord {
  topic: string;
  /** Records with the same key go to the same partition (murmur2). @default null */
  key?: Buffer | string | null;
  /** null is a tombstone on compacted topics. */
  value: Buffer | string | null;
  headers?: readonly RecordHeader[];
  /** Send to this partition instead of asking the partitioner. */
  partition?: number;
  /** Create time in ms since the epoch. @default now (for a delayed record: its delivery time) */
  timestamp?: number;
  /**
   * Deliver the record to its topic at this time (a Date, or ms since the epoch) instead of now: it waits in the
   * internal topic `__delayed_records` until then (see delayed-routing.ts). An `mq-deliver-at` header does the same.
   * @default undefined (now)
   */
  deliverAt?: number | Date;
  /** Deliver the record this many ms from now (instead of `deliverAt`). Unit: ms. @default undefined (now) */
  delayMs?: number;
}
