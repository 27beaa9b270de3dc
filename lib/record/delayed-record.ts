/**
 * Delayed delivery's record format, shared by the producer (which writes delayed records) and the broker (which
 * delivers them when due): the internal topic that holds them, the headers that route them, and the cursor records
 * the delay partition's leader writes into the same partition to say how far it has delivered.
 *
 * A delayed record is an ordinary record of `__delayed_records` whose headers say where and when it goes:
 *   mq-deliver-at        due time, ms since the epoch, as decimal UTF-8 (e.g. "1767261600000")
 *   mq-target-topic      the topic it is delivered to
 *   mq-target-partition  the partition of that topic, decimal
 * Its key, value, timestamp and other headers are what the target partition receives; the three routing headers are
 * stripped on delivery. Any Kafka client may produce such a record (e.g. kcat -H); the mq producer writes them for
 * `send({ deliverAt })`, `send({ delayMs })` and records carrying an `mq-deliver-at` header.
 *
 * A cursor record carries the header `mq-delay-cursor` and, as its value, the JSON of a DelayCursor. It is written by
 * the partition's leader (so it is stamped with, and fenced by, the leader epoch like any leader append) and is
 * neither delivered nor counted as pending.
 *
 * Authorization: the broker delivers a delayed record as itself, so a producer must be allowed to write the record's
 * target, not only the delay topic; `delayedTargetTopics` names the targets of a produce request's records for that
 * check, and refuses (null) what it cannot vouch for.
 */
import { hasSyncCodec } from './compression.js';
import { iterateBatches } from './record-batch-reader.js';
import type { RecordHeaderView } from './record.js';

export const DELAYED_TOPIC = '__delayed_records';
export const DELIVER_AT_HEADER = 'mq-deliver-at';
export const TARGET_TOPIC_HEADER = 'mq-target-topic';
export const TARGET_PARTITION_HEADER = 'mq-target-partition';
export const CURSOR_HEADER = 'mq-delay-cursor';

/** The headers that route a delayed record, removed from it on delivery. */
export const ROUTING_HEADERS: ReadonlySet<string> = new Set([
  DELIVER_AT_HEADER,
  TARGET_TOPIC_HEADER,
  TARGET_PARTITION_HEADER,
]);

/**
 * How far a delay partition's leader has delivered: every record below `indexedUpTo` that is due at or before
 * `deliveredThroughMs` has been appended to its target (so a new leader skips those), and no record below
 * `lowWatermark` is still pending (so the log may start there).
 */
export interface DelayCursor {
  deliveredThroughMs: number;
  indexedUpTo: number;
  lowWatermark: number;
}

/** What one record of the delay topic is: a delayed record, a cursor, or neither (a record to skip). */
export type DelayRecordKind =
  | { kind: 'delayed'; deliverAtMs: number; topic: string; partition: number }
  | { kind: 'cursor'; cursor: DelayCursor }
  | { kind: 'invalid'; reason: string };

/** Parses a decimal ms-since-epoch header value (at most 16 digits); null when it is not one. */
export function parseDeliverAt(value: Buffer | string | null): number | null {
  if (value === null) return null;
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length === 0 || bytes.length > 16) return null;
  // Digits read straight from the bytes: the broker parses one of these per delayed record it indexes.
  let ms = 0;
  for (let i = 0; i < bytes.length; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return null;
    ms = ms * 10 + digit;
  }
  return Number.isSafeInteger(ms) ? ms : null;
}

/** Classifies a record of the delay topic by its headers. */
export function classifyDelayRecord(headers: readonly RecordHeaderView[], value: Buffer | null): DelayRecordKind {
  let deliverAt: Buffer | null | undefined;
  let topic: Buffer | null | undefined;
  let partition: Buffer | null | undefined;
  for (const h of headers) {
    if (h.key === CURSOR_HEADER) return cursorOf(value);
    if (h.key === DELIVER_AT_HEADER) deliverAt = h.value;
    else if (h.key === TARGET_TOPIC_HEADER) topic = h.value;
    else if (h.key === TARGET_PARTITION_HEADER) partition = h.value;
  }
  const deliverAtMs = deliverAt === undefined ? null : parseDeliverAt(deliverAt);
  if (deliverAtMs === null) return { kind: 'invalid', reason: `no valid ${DELIVER_AT_HEADER} header` };
  if (topic === undefined || topic === null || topic.length === 0) {
    return { kind: 'invalid', reason: `no ${TARGET_TOPIC_HEADER} header` };
  }
  const p = partition === undefined || partition === null ? null : parseDeliverAt(partition);
  if (p === null || p > 0x7fffffff) return { kind: 'invalid', reason: `no valid ${TARGET_PARTITION_HEADER} header` };
  return { kind: 'delayed', deliverAtMs, topic: topic.toString('utf8'), partition: p };
}

/**
 * The target topics that the delayed records of a produce request's records section name, for the broker's access
 * check. Null when the section cannot be vouched for: a cursor record (only a delay partition's leader writes those,
 * so a client's would be a forgery), a batch without a synchronous codec (zstd) or records that do not decode. A
 * torn tail names nothing (the log validator refuses it), nor do records without valid routing headers (never
 * delivered).
 */
export function delayedTargetTopics(records: Buffer): Set<string> | null {
  const topics = new Set<string>();
  try {
    for (const batch of iterateBatches(records)) {
      if (!hasSyncCodec(batch.compression)) return null;
      for (const r of batch.records()) {
        const kind = classifyDelayRecord(r.headers, r.value);
        if (kind.kind === 'cursor') return null;
        if (kind.kind === 'delayed') topics.add(kind.topic);
      }
    }
  } catch {
    return null;
  }
  return topics;
}

export function encodeCursor(cursor: DelayCursor): Buffer {
  return Buffer.from(JSON.stringify(cursor), 'utf8');
}

function cursorOf(value: Buffer | null): DelayRecordKind {
  try {
    const parsed = JSON.parse(value?.toString('utf8') ?? 'null') as Partial<DelayCursor> | null;
    const { deliveredThroughMs, indexedUpTo, lowWatermark } = parsed ?? {};
    if ([deliveredThroughMs, indexedUpTo, lowWatermark].every((n) => Number.isSafeInteger(n))) {
      return {
        kind: 'cursor',
        cursor: { deliveredThroughMs: deliveredThroughMs!, indexedUpTo: indexedUpTo!, lowWatermark: lowWatermark! },
      };
    }
  } catch {
    // fall through: reported as invalid
  }
  return { kind: 'invalid', reason: `a ${CURSOR_HEADER} record whose value is not a cursor` };
}
