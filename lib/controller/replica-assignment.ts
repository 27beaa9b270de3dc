/**
 * Kafka's rack-unaware replica assignment (`AdminUtils.assignReplicasToBrokersRackUnaware`) for topic creation and
 * for partitions added to an existing topic (`AdminZkClient.createPartitions`). Pure: no I/O.
 *
 * Algorithm, brokers sorted by id, n = broker count: `startIndex` and `nextReplicaShift` are random in [0, n) (or
 * both equal a fixed start). For each partition p: shift++ when p > 0 and p % n == 0; the first replica is
 * broker[(p + startIndex) % n]; follower j (j = 0..RF-2) is broker[(first + 1 + (shift + j) % (n - 1)) % n]. The
 * first replica of every partition is its preferred leader, and consecutive partitions spread leaders and
 * followers evenly over the brokers.
 */
import { ApiError } from '../common/errors.js';

/** Partition id → replica broker ids, first = preferred leader. */
export type PartitionAssignment = Map<number, number[]>;

export interface AssignmentOptions {
  /** Use this broker index as start index and initial replica shift instead of random ones (Kafka's fixedStartIndex). */
  fixedStartIndex?: number;
  /** The id of the first partition to assign (the old partition count when adding partitions). @default 0 */
  startPartitionId?: number;
  /** Random source in [0, 1), for the start index and shift when no fixed start is given. @default Math.random */
  random?: () => number;
}

/**
 * Assigns `partitionCount` partitions with `replicationFactor` replicas each over `brokerIds`.
 * Throws ApiError INVALID_PARTITIONS when partitionCount < 1 and INVALID_REPLICATION_FACTOR when the replication
 * factor is below 1 or above the number of brokers.
 */
export function assignReplicasToBrokers(
  brokerIds: Iterable<number>,
  partitionCount: number,
  replicationFactor: number,
  opts: AssignmentOptions = {},
): PartitionAssignment {
  const brokers = [...new Set(brokerIds)].sort((a, b) => a - b);
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new ApiError('INVALID_PARTITIONS', `Number of partitions must be larger than 0, found ${partitionCount}.`);
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new ApiError(
      'INVALID_REPLICATION_FACTOR',
      `Replication factor must be larger than 0, found ${replicationFactor}.`,
    );
  }
  if (replicationFactor > brokers.length) {
    throw new ApiError(
      'INVALID_REPLICATION_FACTOR',
      `Replication factor: ${replicationFactor} larger than available ` +
        `brokers: ${brokers.length}. Start more brokers or lower the replication factor.`,
    );
  }
  const n = brokers.length;
  const random = opts.random ?? Math.random;
  const fixed = opts.fixedStartIndex !== undefined && opts.fixedStartIndex >= 0 ? opts.fixedStartIndex : undefined;
  const startIndex = fixed ?? Math.floor(random() * n);
  let nextReplicaShift = fixed ?? Math.floor(random() * n);
  let partition = Math.max(0, opts.startPartitionId ?? 0);
  const assignment: PartitionAssignment = new Map();
  for (let i = 0; i < partitionCount; i++, partition++) {
    if (partition > 0 && partition % n === 0) nextReplicaShift++;
    const first = (partition + startIndex) % n;
    const replicas = [brokers[first]!];
    for (let j = 0; j < replicationFactor - 1; j++) {
      replicas.push(brokers[(first + 1 + ((nextReplicaShift + j) % (n - 1))) % n]!);
    }
    assignment.set(partition, replicas);
  }
  return assignment;
}

/**
 * The default assignment of the partitions added when a topic grows from `existing.size` to `newPartitionCount`
 * partitions: same algorithm, replication factor of partition 0, partition ids from the old count, and a fixed
 * start at the index of the first broker whose id is >= partition 0's first replica (Kafka's createPartitions), so
 * that the new partitions continue where the old ones left off.
 * Throws INVALID_PARTITIONS when the count does not grow, INVALID_REPLICATION_FACTOR when too few brokers are up.
 */
export function assignReplicasForNewPartitions(
  brokerIds: Iterable<number>,
  existing: ReadonlyMap<number, readonly number[]>,
  newPartitionCount: number,
  topic = 'the topic',
): PartitionAssignment {
  const partitionsToAdd = newPartitionCount - existing.size;
  if (partitionsToAdd <= 0) {
    throw new ApiError(
      'INVALID_PARTITIONS',
      `The number of partitions for a topic can only be increased. ` +
        `Topic ${topic} currently has ${existing.size} partitions, ${newPartitionCount} would not be an increase.`,
    );
  }
  const partition0 = existing.get(0);
  if (partition0 === undefined || partition0.length === 0) {
    throw new ApiError(
      'INVALID_REPLICA_ASSIGNMENT',
      `Topic ${topic} has no replicas for partition 0 in its ` +
        `assignment, so the replication factor of new partitions is unknown.`,
    );
  }
  const brokers = [...new Set(brokerIds)].sort((a, b) => a - b);
  const startIndex = Math.max(
    0,
    brokers.findIndex((id) => id >= partition0[0]!),
  );
  return assignReplicasToBrokers(brokers, partitionsToAdd, partition0.length, {
    fixedStartIndex: startIndex,
    startPartitionId: existing.size,
  });
}
