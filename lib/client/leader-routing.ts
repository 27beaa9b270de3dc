/**
 * Routing of partition-level requests (ListOffsets, DeleteRecords) to partition leaders: the partitions of one call
 * grouped by the leader the client's metadata names; those without a known leader set aside with the retriable
 * error that says why (the topic is unknown, or its partition has no leader yet), for the caller to retry after a
 * metadata refresh, and among them those the metadata says do not exist (`missing`: an unknown topic, or a partition
 * beyond the topic's count), which a caller with fresh metadata may fail at once. Pure: reads one metadata snapshot.
 */
import { computeIfAbsent } from '../common/collections.js';
import { ApiError } from '../common/errors.js';
import type { ClusterMetadata } from './cluster-metadata.js';

export interface LeaderGroups<T> {
  /** Leader broker id → the items it leads, in the given order. */
  byLeader: Map<number, T[]>;
  /** Items whose partition has no known leader, `missing` ones included. */
  leaderless: T[];
  /** Items whose topic or partition is not in the metadata at all. */
  missing: T[];
  /** Why the last leaderless item has none (UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE); null when none. */
  error: ApiError | null;
}

export function groupByLeader<T extends { topic: string; partition: number }>(
  metadata: ClusterMetadata,
  items: readonly T[],
): LeaderGroups<T> {
  const groups: LeaderGroups<T> = { byLeader: new Map(), leaderless: [], missing: [], error: null };
  for (const item of items) {
    const leader = metadata.leaderFor(item.topic, item.partition);
    if (leader < 0) {
      groups.leaderless.push(item);
      const count = metadata.partitionCount(item.topic);
      if (item.partition >= count) groups.missing.push(item);
      groups.error = new ApiError(
        count === 0 ? 'UNKNOWN_TOPIC_OR_PARTITION' : 'LEADER_NOT_AVAILABLE',
        `No leader known for ${item.topic}-${item.partition}.`,
      );
      continue;
    }
    computeIfAbsent(groups.byLeader, leader, () => []).push(item);
  }
  return groups;
}
