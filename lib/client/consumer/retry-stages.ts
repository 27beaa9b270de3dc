/**
 * Retry stages and dead letters for a consumer group, the part that is plain data: the options
 * (`retry.topics=5s,1m,10m`, `dead.letter.topic`), the topics they name, and the headers a record carries on its
 * way through them. RetryRouter (retry-router.ts) does the work.
 *
 * Topics: stage i of source topic T, for group G, is `T.G.retry-<delay>` (e.g. `orders.billing.retry-5s`; characters
 * a topic name cannot have are replaced by '_'), with as many partitions as T: a record failing in partition p of T
 * goes to partition p of each stage, so that the member reading T-p reads those too (RetryRouter assigns them along).
 * The dead-letter topic is the one `dead.letter.topic` names, shared by every source topic of the group.
 *
 * Headers added to a record sent to a stage or to the dead-letter topic (its own headers, key, value and timestamp
 * travel unchanged; these replace any earlier ones):
 *   mq-original-topic / -partition / -offset   where the record was first read
 *   mq-attempt                                  how many times a handler failed on it (0: held back, see ordered mode)
 *   mq-error                                    the last handler error's message (at most 1,000 characters)
 *   mq-group                                    the group whose handler failed
 *   mq-retry-due                                when the stage delivers it (ms since the epoch)
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { RecordHeader } from '../../record/record-batch-builder.js';
import type { RecordHeaderView } from '../../record/record.js';

export const ORIGINAL_TOPIC_HEADER = 'mq-original-topic';
export const ORIGINAL_PARTITION_HEADER = 'mq-original-partition';
export const ORIGINAL_OFFSET_HEADER = 'mq-original-offset';
export const ATTEMPT_HEADER = 'mq-attempt';
export const ERROR_HEADER = 'mq-error';
export const GROUP_HEADER = 'mq-group';
export const RETRY_DUE_HEADER = 'mq-retry-due';

/** The headers retries add; a record sent on keeps its other headers. */
export const RETRY_HEADERS: ReadonlySet<string> = new Set([
  ORIGINAL_TOPIC_HEADER,
  ORIGINAL_PARTITION_HEADER,
  ORIGINAL_OFFSET_HEADER,
  ATTEMPT_HEADER,
  ERROR_HEADER,
  GROUP_HEADER,
  RETRY_DUE_HEADER,
]);

const MAX_ERROR_CHARS = 1000;

/** One retry stage: how long a record waits in it, and the label its topic names carry. */
export interface RetryStage {
  delayMs: number;
  label: string;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses `retry.topics`: durations such as '5s', '1m', '10m', '250ms', '2h' (or plain ms), as one comma-separated
 * string or an array. Throws InvalidArgumentError naming the bad entry.
 */
export function parseRetryStages(name: string, value: unknown): RetryStage[] {
  if (value === undefined || value === '') return [];
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? (value as unknown[]) : null;
  if (items === null) {
    throw new InvalidArgumentError(
      `Invalid value for option '${name}': expected retry delays such as '5s,1m,10m' (or an array of them).`,
    );
  }
  return items.map((item) => {
    const text = typeof item === 'number' ? `${item}ms` : typeof item === 'string' ? item.trim() : '';
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text);
    const delayMs = m === null ? NaN : Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!;
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) {
      throw new InvalidArgumentError(
        `Invalid retry delay ${JSON.stringify(item)} in option '${name}': expected a duration such as 500ms, 5s, ` +
          '1m, 10m, 2h or 1d.',
      );
    }
    return { delayMs, label: m![2] === undefined ? `${m![1]}ms` : text };
  });
}

/** `s` with the characters a topic name cannot hold replaced by '_'. */
function topicSafe(s: string): string {
  return s.replace(/[^a-zA-Z0-9._-]/g, '_');
}

/** How the names of `groupId`'s topics for retry stage `stage` end. */
export function stageTopicSuffix(groupId: string, stage: RetryStage): string {
  return `.${topicSafe(groupId)}.retry-${stage.label}`;
}

/** The topic of retry stage `stage` of `topic` for `groupId`. */
export function stageTopicName(topic: string, groupId: string, stage: RetryStage): string {
  return `${topic}${stageTopicSuffix(groupId, stage)}`;
}

/** Where a record stands on its way through the retries, read back from its headers. */
export interface RetryInfo {
  /** How many times a handler failed on it; 0 for a record held back behind an earlier one of its key. */
  attempt: number;
  originalTopic: string;
  originalPartition: number;
  originalOffset: number;
  /** The last handler error's message ('' for a held-back record). */
  lastError: string;
  /** When its current stage delivered it (ms since the epoch). */
  dueMs: number;
}

/** The retry headers of a record from a stage or dead-letter topic, or null when it has none. */
export function retryInfoOf(headers: readonly RecordHeaderView[]): RetryInfo | null {
  const get = (key: string) => headers.find((h) => h.key === key)?.value?.toString('utf8');
  const topic = get(ORIGINAL_TOPIC_HEADER);
  if (topic === undefined) return null;
  const num = (key: string) => {
    const n = Number(get(key));
    return Number.isSafeInteger(n) ? n : -1;
  };
  return {
    attempt: num(ATTEMPT_HEADER),
    originalTopic: topic,
    originalPartition: num(ORIGINAL_PARTITION_HEADER),
    originalOffset: num(ORIGINAL_OFFSET_HEADER),
    lastError: get(ERROR_HEADER) ?? '',
    dueMs: num(RETRY_DUE_HEADER),
  };
}

/** A record's own headers (retry headers dropped) followed by fresh retry headers. */
export function withRetryHeaders(
  own: readonly RecordHeaderView[],
  info: Omit<RetryInfo, 'dueMs'> & { groupId: string; dueMs: number | null },
): RecordHeader[] {
  return [
    ...own.filter((h) => !RETRY_HEADERS.has(h.key)),
    { key: ORIGINAL_TOPIC_HEADER, value: info.originalTopic },
    { key: ORIGINAL_PARTITION_HEADER, value: String(info.originalPartition) },
    { key: ORIGINAL_OFFSET_HEADER, value: String(info.originalOffset) },
    { key: ATTEMPT_HEADER, value: String(info.attempt) },
    { key: ERROR_HEADER, value: info.lastError.slice(0, MAX_ERROR_CHARS) },
    { key: GROUP_HEADER, value: info.groupId },
    ...(info.dueMs === null ? [] : [{ key: RETRY_DUE_HEADER, value: String(info.dueMs) }]),
  ];
}

/** A record's own headers, without the retry headers (what a dead letter is redriven with). */
export function withoutRetryHeaders(headers: readonly RecordHeaderView[]): RecordHeader[] {
  return headers.filter((h) => !RETRY_HEADERS.has(h.key));
}
