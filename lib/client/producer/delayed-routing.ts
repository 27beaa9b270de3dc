/**
 * Delayed delivery on the producer's side: a record with a delivery time (`deliverAt`, `delayMs`, or an
 * `mq-deliver-at` header) is not sent to its topic but to the internal topic `__delayed_records`, with headers naming
 * its due time and target partition (lib/record/delayed-record.ts); the leader of that partition appends it to the
 * target when due. Records without a delivery time never come here and are sent exactly as before.
 *
 * The target partition is chosen now, by the producer's partitioner (or the record's own `partition`), so that the
 * key → partition mapping is the one the target topic has at send time. The delay partition is a function of the
 * target partition (murmur2 of `<topic>-<partition>`), so every delayed record of one target partition goes through
 * one delay partition, whose leader delivers records of equal due time in the order they were sent.
 * The record's timestamp becomes the delivered record's timestamp: its own `timestamp` if given, else the due time
 * (the delivered record appears in its topic as of when it was due).
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { RecordHeader } from '../../record/record-batch-builder.js';
import {
  DELAYED_TOPIC,
  DELIVER_AT_HEADER,
  parseDeliverAt,
  ROUTING_HEADERS,
  TARGET_PARTITION_HEADER,
  TARGET_TOPIC_HEADER,
} from '../../record/delayed-record.js';
import { murmur2OfKey, toPositive } from './partitioner.js';
import type { ProducerRecord } from './producer-record.js';

/**
 * When the record is to be delivered (ms since the epoch), or null for an ordinary record. Throws
 * InvalidArgumentError for a bad or contradictory delivery time.
 */
export function deliveryTimeOf(record: ProducerRecord, nowMs: number): number | null {
  const { deliverAt, delayMs } = record;
  if (deliverAt !== undefined && delayMs !== undefined) {
    throw new InvalidArgumentError(`A record for '${record.topic}' sets both deliverAt and delayMs; give one of them.`);
  }
  if (delayMs !== undefined) {
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) {
      throw new InvalidArgumentError(
        `Invalid delayMs ${String(delayMs)} for a record of '${record.topic}': expected an integer >= 0 (ms).`,
      );
    }
    return nowMs + delayMs;
  }
  if (deliverAt !== undefined) {
    const ms = deliverAt instanceof Date ? deliverAt.getTime() : deliverAt;
    if (!Number.isSafeInteger(ms) || ms < 0) {
      throw new InvalidArgumentError(
        `Invalid deliverAt ${String(deliverAt)} for a record of '${record.topic}': expected a Date or ms since the epoch.`,
      );
    }
    return ms;
  }
  const header = record.headers?.find((h) => h.key === DELIVER_AT_HEADER);
  if (header === undefined) return null;
  const ms = parseDeliverAt(header.value);
  if (ms === null) {
    throw new InvalidArgumentError(
      `Invalid ${DELIVER_AT_HEADER} header on a record of '${record.topic}': expected ms since the epoch as decimal ` +
        `digits, found ${JSON.stringify(String(header.value))}.`,
    );
  }
  return ms;
}

/** The delay partition that carries the delayed records of one target partition. */
export function delayPartitionFor(topic: string, partition: number, delayPartitionCount: number): number {
  return toPositive(murmur2OfKey(`${topic}-${partition}`)) % delayPartitionCount;
}

/** The record of `__delayed_records` that delivers `record` to `targetPartition` at `deliverAtMs`. */
export function toDelayedRecord(
  record: ProducerRecord,
  deliverAtMs: number,
  targetPartition: number,
  delayPartitionCount: number,
): {
  topic: string;
  partition: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: RecordHeader[];
  timestamp: number;
} {
  return {
    topic: DELAYED_TOPIC,
    partition: delayPartitionFor(record.topic, targetPartition, delayPartitionCount),
    key: record.key ?? null,
    value: record.value,
    headers: [
      ...(record.headers ?? []).filter((h) => !ROUTING_HEADERS.has(h.key)),
      { key: DELIVER_AT_HEADER, value: String(deliverAtMs) },
      { key: TARGET_TOPIC_HEADER, value: record.topic },
      { key: TARGET_PARTITION_HEADER, value: String(targetPartition) },
    ],
    timestamp: record.timestamp ?? deliverAtMs,
  };
}
