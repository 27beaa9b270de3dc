/**
 * A consumer group's lag, per partition and in total, as kafka-consumer-groups computes it: lag = the partition's
 * end offset (high watermark) - the group's committed offset, never below 0, and unknown (`null`) where either is
 * missing. Lag in time is how old the first record the group has not read is: now - that record's timestamp (0
 * when the partition is caught up). Pure; the caller reads the offsets and timestamps.
 */
import type { ConsumerGroupDescription } from '../client/admin/admin.js';
import { byTopicPartition } from '../client/admin/offset-reset.js';
import type { CommittedOffset } from '../client/consumer/group-offsets.js';
import type { GroupPartitionLag } from './api-types.js';

export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * Every partition the group has a commit for or a member owns, sorted. `ends` and `firstTimestamps` are keyed by
 * `tpKey`; `firstTimestamps` holds the timestamp of the record at the committed offset of lagging partitions.
 */
export function partitionLags(
  group: Pick<ConsumerGroupDescription, 'members'>,
  committed: readonly CommittedOffset[],
  ends: ReadonlyMap<string, number>,
  firstTimestamps: ReadonlyMap<string, number> = new Map(),
  nowMs = 0,
): GroupPartitionLag[] {
  const rows = new Map<string, GroupPartitionLag>();
  const row = (topic: string, partition: number): GroupPartitionLag => {
    const key = tpKey(topic, partition);
    let r = rows.get(key);
    if (r === undefined) {
      const endOffset = ends.get(key) ?? null;
      r = { topic, partition, committed: null, endOffset, lag: null, timeLagMs: null, owner: null };
      rows.set(key, r);
    }
    return r;
  };
  for (const c of committed) if (c.offset >= 0) row(c.topic, c.partition).committed = c.offset;
  for (const m of group.members) for (const tp of m.assignment) row(tp.topic, tp.partition).owner = m.memberId;
  for (const [key, r] of rows) {
    if (r.committed === null || r.endOffset === null) continue;
    r.lag = Math.max(0, r.endOffset - r.committed);
    const ts = firstTimestamps.get(key);
    r.timeLagMs = r.lag === 0 ? 0 : ts === undefined ? null : Math.max(0, nowMs - ts);
  }
  return [...rows.values()].sort(byTopicPartition);
}

/** The sum of the known lags; null when there are partitions and none has a known lag. */
export function totalLag(rows: readonly GroupPartitionLag[]): number | null {
  const known = rows.filter((r) => r.lag !== null);
  if (known.length === 0) return rows.length === 0 ? 0 : null;
  return known.reduce((sum, r) => sum + r.lag!, 0);
}
