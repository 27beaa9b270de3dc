/**
 * Kafka's replica assignment (`AdminUtils.assignReplicasToBrokers`) for topic creation and for partitions added to an
 * existing topic (`AdminZkClient.createPartitions`). Pure: no I/O.
 *
 * Rack-unaware (no broker has a rack), brokers sorted by id, n = broker count: `startIndex` and `nextReplicaShift`
 * are random in [0, n) (or both equal a fixed start). For each partition p: shift++ when p > 0 and p % n == 0; the
 * first replica is broker[(p + startIndex) % n]; follower j (j = 0..RF-2) is
 * broker[(first + 1 + (shift + j) % (n - 1)) % n]. The first replica of every partition is its preferred leader,
 * and consecutive partitions spread leaders and followers evenly over the brokers.
 *
 * Rack-aware (every broker has `broker.rack`): the same walk over a rack-alternated broker list (racks sorted by
 * name, each rack's brokers by id, taken one per rack in turn: racks a:[0,5] b:[3,4] c:[1,2] give 0,3,1,5,4,2), with
 * the follower shift multiplied by the rack count, and a candidate follower skipped while its rack already holds a
 * replica of the partition and some rack holds none, or while the broker already holds one and some broker holds
 * none. So a partition's replicas land on distinct racks whenever there are at least RF racks, and otherwise cover
 * every rack; leaders and replicas stay evenly spread when racks hold equal numbers of brokers.
 * Some brokers with a rack and some without is refused (INVALID_REPLICA_ASSIGNMENT; Kafka throws
 * AdminOperationException, which its clients see as UNKNOWN_SERVER_ERROR with the same message).
 */
import { computeIfAbsent } from './collections.js';
import { ApiError } from './errors.js';

/** Partition id → replica broker ids, first = preferred leader. */
export type PartitionAssignment = Map<number, number[]>;

/** A broker as assignment sees it (Kafka's `BrokerMetadata`): its id and `broker.rack` (null or absent: none). */
export interface BrokerMetadata {
  readonly id: number;
  readonly rack?: string | null;
}

export interface AssignmentOptions {
  /** Use this broker index as start index and initial replica shift instead of random ones (Kafka's fixedStartIndex). */
  fixedStartIndex?: number;
  /** The id of the first partition to assign (the old partition count when adding partitions). @default 0 */
  startPartitionId?: number;
  /** Random source in [0, 1), for the start index and shift when no fixed start is given. @default Math.random */
  random?: () => number;
}

/**
 * Assigns `partitionCount` partitions with `replicationFactor` replicas each over `brokers` (ids, or ids with racks:
 * rack-aware when they have racks).
 * Throws ApiError INVALID_PARTITIONS when partitionCount < 1, INVALID_REPLICATION_FACTOR when the replication
 * factor is below 1 or above the number of brokers, INVALID_REPLICA_ASSIGNMENT when only some brokers have a rack.
 */
export function assignReplicasToBrokers(
  brokers: Iterable<number | BrokerMetadata>,
  partitionCount: number,
  replicationFactor: number,
  opts: AssignmentOptions = {},
): PartitionAssignment {
  const metadata = brokerMetadata(brokers);
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new ApiError('INVALID_PARTITIONS', `Number of partitions must be larger than 0, found ${partitionCount}.`);
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new ApiError(
      'INVALID_REPLICATION_FACTOR',
      `Replication factor must be larger than 0, found ${replicationFactor}.`,
    );
  }
  if (replicationFactor > metadata.length) {
    throw new ApiError(
      'INVALID_REPLICATION_FACTOR',
      `Replication factor: ${replicationFactor} larger than available ` +
        `brokers: ${metadata.length}. Start more brokers or lower the replication factor.`,
    );
  }
  const unracked = metadata.filter((b) => !b.rack);
  if (unracked.length === metadata.length) {
    return assignRoundRobin(
      metadata.map((b) => b.id),
      partitionCount,
      replicationFactor,
      opts,
    );
  }
  if (unracked.length > 0) {
    throw new ApiError(
      'INVALID_REPLICA_ASSIGNMENT',
      `Not all brokers have rack information for replica rack aware assignment: broker(s) ` +
        `${unracked.map((b) => b.id).join(',')} have no broker.rack. Set broker.rack on every broker (or on none), or ` +
        `give the replica assignment explicitly.`,
    );
  }
  return assignRackAware(
    metadata as ReadonlyArray<{ id: number; rack: string }>,
    partitionCount,
    replicationFactor,
    opts,
  );
}

/** Distinct brokers sorted by id, each with its rack ('' or null: none). */
function brokerMetadata(brokers: Iterable<number | BrokerMetadata>): BrokerMetadata[] {
  const byId = new Map<number, BrokerMetadata>();
  for (const b of brokers) byId.set(typeof b === 'number' ? b : b.id, typeof b === 'number' ? { id: b } : b);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The start index and initial shift: both the fixed start when given, else random in [0, n). */
function startAndShift(n: number, opts: AssignmentOptions): { startIndex: number; shift: number } {
  const random = opts.random ?? Math.random;
  const fixed = opts.fixedStartIndex !== undefined && opts.fixedStartIndex >= 0 ? opts.fixedStartIndex : undefined;
  return { startIndex: fixed ?? Math.floor(random() * n), shift: fixed ?? Math.floor(random() * n) };
}

/** Kafka's replicaIndex: the j-th candidate after the first replica, skipping the first replica itself. */
function replicaIndex(firstIndex: number, shift: number, j: number, n: number): number {
  return (firstIndex + 1 + ((shift + j) % (n - 1))) % n;
}

function assignRoundRobin(
  brokers: readonly number[],
  partitionCount: number,
  replicationFactor: number,
  opts: AssignmentOptions,
): PartitionAssignment {
  const n = brokers.length;
  const start = startAndShift(n, opts);
  const startIndex = start.startIndex;
  let shift = start.shift;
  let partition = Math.max(0, opts.startPartitionId ?? 0);
  const assignment: PartitionAssignment = new Map();
  for (let i = 0; i < partitionCount; i++, partition++) {
    if (partition > 0 && partition % n === 0) shift++;
    const first = (partition + startIndex) % n;
    const replicas = [brokers[first]!];
    for (let j = 0; j < replicationFactor - 1; j++) replicas.push(brokers[replicaIndex(first, shift, j, n)]!);
    assignment.set(partition, replicas);
  }
  return assignment;
}

/** Kafka's getRackAlternatedBrokerList: racks sorted by name, one broker (lowest id first) from each in turn. */
export function rackAlternatedBrokerList(brokers: ReadonlyArray<{ id: number; rack: string }>): number[] {
  const byRack = new Map<string, number[]>();
  for (const b of [...brokers].sort((x, y) => x.id - y.id)) {
    computeIfAbsent(byRack, b.rack, () => []).push(b.id);
  }
  const racks = [...byRack.keys()].sort();
  const out: number[] = [];
  for (let round = 0; out.length < brokers.length; round++) {
    for (const rack of racks) {
      const id = byRack.get(rack)![round];
      if (id !== undefined) out.push(id);
    }
  }
  return out;
}

function assignRackAware(
  brokers: ReadonlyArray<{ id: number; rack: string }>,
  partitionCount: number,
  replicationFactor: number,
  opts: AssignmentOptions,
): PartitionAssignment {
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack]));
  const numRacks = new Set(rackOf.values()).size;
  const arranged = rackAlternatedBrokerList(brokers);
  const n = arranged.length;
  const start = startAndShift(n, opts);
  const startIndex = start.startIndex;
  let shift = start.shift;
  let partition = Math.max(0, opts.startPartitionId ?? 0);
  const assignment: PartitionAssignment = new Map();
  for (let i = 0; i < partitionCount; i++, partition++) {
    if (partition > 0 && partition % n === 0) shift++;
    const first = (partition + startIndex) % n;
    const leader = arranged[first]!;
    const replicas = [leader];
    const racksWithReplicas = new Set([rackOf.get(leader)!]);
    const brokersWithReplicas = new Set([leader]);
    let k = 0;
    for (let j = 0; j < replicationFactor - 1; j++) {
      for (;;) {
        const broker = arranged[replicaIndex(first, shift * numRacks, k++, n)]!;
        const rack = rackOf.get(broker)!;
        const rackFree = !racksWithReplicas.has(rack) || racksWithReplicas.size === numRacks;
        const brokerFree = !brokersWithReplicas.has(broker) || brokersWithReplicas.size === n;
        if (rackFree && brokerFree) {
          replicas.push(broker);
          racksWithReplicas.add(rack);
          brokersWithReplicas.add(broker);
          break;
        }
      }
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
  brokers: Iterable<number | BrokerMetadata>,
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
  const metadata = brokerMetadata(brokers);
  const startIndex = Math.max(
    0,
    metadata.findIndex((b) => b.id >= partition0[0]!),
  );
  return assignReplicasToBrokers(metadata, partitionsToAdd, partition0.length, {
    fixedStartIndex: startIndex,
    startPartitionId: existing.size,
  });
}
