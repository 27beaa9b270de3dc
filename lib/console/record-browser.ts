/**
 * Browsing one partition's records: from an offset, a timestamp, the beginning or the end; newest first or oldest
 * first; optionally only records whose key contains a text. The position is the first record shown; the page
 * walks from it in the chosen direction through windows of offsets, reading each window with a `RecordReader`,
 * until it has `limit` records, reaches the log's start or end, or has scanned its budget (a key search reads at
 * most `SEARCH_SCAN_LIMIT` offsets per page; the answer says which offsets were scanned and where to continue).
 *
 * `browseStart`, `nextWindow` and `keyMatches` are pure; `browse` does the reading.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type { TopicPartitionRef } from '../client/consumer/subscription-state.js';
import type { BrowseFrom, BrowseOrder, RecordPage, RecordView } from './api-types.js';
import type { RecordReader } from './record-reader.js';

export const MAX_BROWSE_LIMIT = 500;
/** Offsets one page of a key search may read. */
export const SEARCH_SCAN_LIMIT = 20_000;
/** Offsets read per window while searching. */
const SEARCH_WINDOW = 1000;

export interface BrowseRequest {
  from: BrowseFrom;
  order: BrowseOrder;
  limit: number;
  /** Only records whose key, read as UTF-8, contains this text. */
  key: string | null;
}

export interface PartitionBounds {
  logStartOffset: number;
  highWatermark: number;
}

/**
 * The offset of the first record to show. `timestampOffset` is the first offset at or after a timestamp (-1:
 * none, i.e. past the last record). Oldest first from the end shows nothing (the position is the end);
 * newest first from the end starts at the last record.
 */
export function browseStart(
  from: BrowseFrom,
  order: BrowseOrder,
  bounds: PartitionBounds,
  timestampOffset: number | null,
): number {
  const { logStartOffset: start, highWatermark: end } = bounds;
  const clamp = (o: number) => Math.min(Math.max(o, start), order === 'newest' ? end - 1 : end);
  switch (from.kind) {
    case 'beginning':
      return start;
    case 'end':
      return order === 'newest' ? end - 1 : end;
    case 'offset':
      return clamp(from.offset);
    case 'timestamp':
      return timestampOffset === null || timestampOffset < 0 ? clamp(end) : clamp(timestampOffset);
  }
}

/**
 * The next window [from, to) to read from `cursor` (the next offset to visit) in `order`, at most `size` offsets;
 * null when the walk has left the log.
 */
export function nextWindow(
  order: BrowseOrder,
  cursor: number,
  bounds: PartitionBounds,
  size: number,
): { from: number; to: number } | null {
  if (order === 'oldest') {
    if (cursor >= bounds.highWatermark || cursor < bounds.logStartOffset) return null;
    return { from: cursor, to: Math.min(bounds.highWatermark, cursor + size) };
  }
  if (cursor < bounds.logStartOffset || cursor >= bounds.highWatermark) return null;
  return { from: Math.max(bounds.logStartOffset, cursor - size + 1), to: cursor + 1 };
}

export function keyMatches(record: RecordView, filter: string | null): boolean {
  if (filter === null) return true;
  if (record.key === null) return false;
  return Buffer.from(record.key.base64, 'base64').toString('utf8').includes(filter);
}

export function checkBrowseRequest(req: BrowseRequest): void {
  if (!Number.isInteger(req.limit) || req.limit < 1 || req.limit > MAX_BROWSE_LIMIT)
    throw new InvalidArgumentError(`limit must be 1-${MAX_BROWSE_LIMIT}; found ${req.limit}.`);
  if (req.from.kind === 'offset' && !(Number.isSafeInteger(req.from.offset) && req.from.offset >= 0))
    throw new InvalidArgumentError(`The offset to browse from must be an integer >= 0; found ${req.from.offset}.`);
  if (req.from.kind === 'timestamp' && !(Number.isSafeInteger(req.from.timestampMs) && req.from.timestampMs >= 0))
    throw new InvalidArgumentError(`The timestamp to browse from must be ms >= 0; found ${req.from.timestampMs}.`);
}

/** One page of records; `timestampOffset` as for `browseStart`. */
export async function browse(
  reader: Pick<RecordReader, 'readRange'>,
  tp: TopicPartitionRef,
  req: BrowseRequest,
  bounds: PartitionBounds,
  timestampOffset: number | null,
  timeoutMs: number,
): Promise<RecordPage> {
  checkBrowseRequest(req);
  const newest = req.order === 'newest';
  const windowSize = req.key === null ? req.limit : SEARCH_WINDOW;
  const budget = req.key === null ? Number.MAX_SAFE_INTEGER : SEARCH_SCAN_LIMIT;
  const records: RecordView[] = [];
  let cursor = browseStart(req.from, req.order, bounds, timestampOffset);
  let low = cursor;
  let high = cursor;
  let scanned = 0;
  for (;;) {
    const window =
      records.length < req.limit && scanned < budget ? nextWindow(req.order, cursor, bounds, windowSize) : null;
    if (window === null) break;
    const read = await reader.readRange(tp, window.from, window.to, timeoutMs);
    low = Math.min(low, window.from);
    high = Math.max(high, window.to);
    scanned += window.to - window.from;
    cursor = newest ? window.from - 1 : window.to;
    for (const r of newest ? read.reverse() : read) {
      if (!keyMatches(r, req.key)) continue;
      records.push(r);
      if (records.length === req.limit) {
        cursor = newest ? r.offset - 1 : r.offset + 1;
        if (newest) low = r.offset;
        else high = r.offset + 1;
        break;
      }
    }
  }
  const more = newest ? cursor >= bounds.logStartOffset : cursor < bounds.highWatermark;
  return {
    topic: tp.topic,
    partition: tp.partition,
    logStartOffset: bounds.logStartOffset,
    highWatermark: bounds.highWatermark,
    order: req.order,
    records,
    scanned: { from: low, to: high, count: Math.max(0, high - low) },
    next: more ? cursor : null,
    keyFilter: req.key,
  };
}
