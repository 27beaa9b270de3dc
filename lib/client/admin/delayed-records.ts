/**
 * What `Admin.describeDelayedRecords()` returns: per `__delayed_records` partition, what its leader's delayed
 * delivery holds (DescribeDelayedRecords, asked of every broker), and the totals per target partition that
 * `mq-admin delayed --describe` prints.
 */
import type { DescribeDelayedRecordsResponse } from '../../protocol/messages/index.js';

/** One delay partition as its leader describes it (see lib/protocol/messages/describe-delayed-records.ts). */
export type DelayPartitionState = DescribeDelayedRecordsResponse['partitions'][number];

/** Pending delayed records of one target partition, over every delay partition. */
export interface DelayedTarget {
  topic: string;
  partition: number;
  pending: number;
  /** -1 when unknown. */
  earliestDueMs: number;
}

/**
 * The partitions of every broker's answer, one per partition (while leadership moves, two brokers may report one:
 * the newer leader epoch wins), in partition order.
 */
export function mergeDelayPartitions(answers: readonly DescribeDelayedRecordsResponse[]): DelayPartitionState[] {
  const byPartition = new Map<number, DelayPartitionState>();
  for (const answer of answers) {
    for (const p of answer.partitions) {
      const known = byPartition.get(p.partitionIndex);
      if (known === undefined || p.leaderEpoch > known.leaderEpoch) byPartition.set(p.partitionIndex, p);
    }
  }
  return [...byPartition.values()].sort((a, b) => a.partitionIndex - b.partitionIndex);
}

/** Pending records per target partition, summed over the delay partitions, in topic and partition order. */
export function delayedTargets(partitions: readonly DelayPartitionState[]): DelayedTarget[] {
  const byTarget = new Map<string, DelayedTarget>();
  for (const p of partitions) {
    for (const t of p.targets) {
      const key = `${t.topic}\u0000${t.partition}`;
      const known = byTarget.get(key);
      if (known === undefined) {
        byTarget.set(key, { ...t });
        continue;
      }
      known.pending += t.pending;
      if (t.earliestDueMs >= 0 && (known.earliestDueMs < 0 || t.earliestDueMs < known.earliestDueMs))
        known.earliestDueMs = t.earliestDueMs;
    }
  }
  return [...byTarget.values()].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
}
