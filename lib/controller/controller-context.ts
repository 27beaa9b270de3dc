/**
 * What the active controller knows about the cluster (Kafka's `ControllerContext`): its own epoch and fencing
 * token, live brokers with their epochs, every topic's replica assignment, each partition's cached state znode
 * (leader, ISR, epochs, zkVersion) and the state-machine states of partitions and replicas, and the topics queued
 * for deletion.
 *
 * Layout: topic → partition id → `ControllerPartition` (one object per partition holding its replicas, cached
 * state znode, partition state and per-replica states), so lookups by (topic, partition) allocate nothing.
 *
 * Invariants:
 * - `epoch` and `epochZkVersion` never change: a new activation builds a new context, so a handler still running
 *   from an older activation keeps writing with the old fencing token and ZooKeeper rejects it.
 * - Every partition of a topic in the context has a replica list; `leaderIsr` is the last state znode read or
 *   written, and may lag ZooKeeper (leaders change the ISR themselves), which is why every write is conditional.
 * - `offlineCount` equals the number of partitions in OfflinePartition (kept by `setPartitionState`).
 * - A replica is online when its broker is live, not shutting down, and has not reported the replica's log dir
 *   failed (`replicasOnOfflineDirs`, cleared when the broker registers again).
 *
 * Concurrency: mutated only by the controller's event handlers, one event at a time (ControllerEventQueue).
 * Ownership: created by KafkaController on activation, dropped on resignation. Crash: rebuilt from ZooKeeper.
 */
import type { TopicPartition } from '../common/topic-partition.js';
import { stateAddressesRegistration, type LeaderIsrAndZkVersion } from '../zk/kafka-zk-client.js';
import type { PartitionState, ReplicaState } from './controller-states.js';

/** One partition as the controller tracks it. */
export interface ControllerPartition extends TopicPartition {
  /** Replica assignment, preferred leader first; mid-reassignment, the target replicas then those being removed. */
  replicas: readonly number[];
  /** KIP-455: replicas a pending reassignment adds (empty when none is pending). */
  addingReplicas: readonly number[];
  /** KIP-455: replicas a pending reassignment removes (empty when none is pending). */
  removingReplicas: readonly number[];
  /** Cached state znode; undefined until created or read. */
  leaderIsr: LeaderIsrAndZkVersion | undefined;
  state: PartitionState;
  /** State of each replica (broker id → state); absent = NonExistentReplica. */
  readonly replicaStates: Map<number, ReplicaState>;
}

/** One replica: a partition on one broker. */
export interface ControllerReplica {
  readonly partition: ControllerPartition;
  readonly brokerId: number;
}

export const NO_LEADER = -1;

/**
 * A reassignment is pending while the assignment lists replicas being added or removed: the znode's layout is itself
 * the durable record of an accepted move (Kafka's `ReplicaAssignment.isBeingReassigned`).
 */
export function isBeingReassigned(p: ControllerPartition): boolean {
  return p.addingReplicas.length > 0 || p.removingReplicas.length > 0;
}

/** The replicas a partition ends with once its pending reassignment completes (its replicas when none is). */
export function targetReplicas(p: ControllerPartition): readonly number[] {
  return p.replicas.filter((id) => !p.removingReplicas.includes(id));
}

export class ControllerContext {
  /** Live broker id → broker epoch (czxid of its registration). Includes brokers shutting down. */
  readonly liveBrokerEpochs = new Map<number, number>();
  /** Brokers in controlled shutdown: live, but not eligible as leaders or "online" replicas. */
  readonly shuttingDownBrokerIds = new Set<number>();
  readonly topicsToBeDeleted = new Set<string>();
  /** Broker id → `topic-partition` keys of its replicas in failed log dirs (Kafka's replicasOnOfflineDirs). */
  readonly replicasOnOfflineDirs = new Map<number, Set<string>>();
  private readonly topics = new Map<string, Map<number, ControllerPartition>>();
  private partitionCount = 0;
  private offlineCount = 0;

  constructor(
    readonly epoch: number,
    readonly epochZkVersion: number,
  ) {}

  // ---- brokers ----

  /** Live and not shutting down (Kafka's isReplicaOnline without includeShuttingDownBrokers). */
  isBrokerOnline(brokerId: number): boolean {
    return this.liveBrokerEpochs.has(brokerId) && !this.shuttingDownBrokerIds.has(brokerId);
  }

  isBrokerLiveOrShuttingDown(brokerId: number): boolean {
    return this.liveBrokerEpochs.has(brokerId);
  }

  /** Whether the replica of `p` on `brokerId` sits in a log dir its broker reported failed. */
  isReplicaOnOfflineDir(brokerId: number, p: TopicPartition): boolean {
    return this.replicasOnOfflineDirs.get(brokerId)?.has(`${p.topic}-${p.partition}`) ?? false;
  }

  /** Its broker is online and its log dir has not failed (Kafka's isReplicaOnline). */
  isReplicaOnline(brokerId: number, p: TopicPartition): boolean {
    return this.isBrokerOnline(brokerId) && !this.isReplicaOnOfflineDir(brokerId, p);
  }

  removeLiveBroker(brokerId: number): void {
    this.liveBrokerEpochs.delete(brokerId);
    this.shuttingDownBrokerIds.delete(brokerId);
  }

  // ---- topics and partitions ----

  get allTopics(): IterableIterator<string> {
    return this.topics.keys();
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  get globalPartitionCount(): number {
    return this.partitionCount;
  }

  /** Partitions in OfflinePartition, not counting topics queued for deletion (Kafka's OfflinePartitionsCount). */
  get offlinePartitionCount(): number {
    let deleting = 0;
    for (const topic of this.topicsToBeDeleted) {
      for (const p of this.partitionsOf(topic)) if (p.state === 'OfflinePartition') deleting++;
    }
    return this.offlineCount - deleting;
  }

  partition(topic: string, partition: number): ControllerPartition | undefined {
    return this.topics.get(topic)?.get(partition);
  }

  /** The topic's partitions in ascending id order (empty when unknown). */
  partitionsOf(topic: string): ControllerPartition[] {
    const partitions = this.topics.get(topic);
    return partitions === undefined ? [] : [...partitions.values()].sort((a, b) => a.partition - b.partition);
  }

  *allPartitions(): IterableIterator<ControllerPartition> {
    for (const partitions of this.topics.values()) yield* partitions.values();
  }

  /** Registers a topic (possibly with no partitions yet). */
  addTopic(topic: string): void {
    if (!this.topics.has(topic)) this.topics.set(topic, new Map());
  }

  /**
   * Adds a partition in NonExistentPartition with no replica states, or updates the replicas (and the replicas a
   * pending reassignment adds and removes) of a known one. Returns the partition.
   */
  putPartition(
    topic: string,
    partition: number,
    replicas: readonly number[],
    addingReplicas: readonly number[] = [],
    removingReplicas: readonly number[] = [],
  ): ControllerPartition {
    this.addTopic(topic);
    const partitions = this.topics.get(topic)!;
    const existing = partitions.get(partition);
    if (existing !== undefined) {
      existing.replicas = replicas;
      existing.addingReplicas = addingReplicas;
      existing.removingReplicas = removingReplicas;
      return existing;
    }
    const created: ControllerPartition = {
      topic,
      partition,
      replicas,
      addingReplicas,
      removingReplicas,
      leaderIsr: undefined,
      state: 'NonExistentPartition',
      replicaStates: new Map(),
    };
    partitions.set(partition, created);
    this.partitionCount++;
    return created;
  }

  removeTopic(topic: string): void {
    const partitions = this.topics.get(topic);
    if (partitions === undefined) return;
    for (const p of partitions.values()) if (p.state === 'OfflinePartition') this.offlineCount--;
    this.partitionCount -= partitions.size;
    this.topics.delete(topic);
    this.topicsToBeDeleted.delete(topic);
  }

  setPartitionState(partition: ControllerPartition, state: PartitionState): void {
    if (partition.state === 'OfflinePartition') this.offlineCount--;
    if (state === 'OfflinePartition') this.offlineCount++;
    partition.state = state;
  }

  isTopicQueuedUpForDeletion(topic: string): boolean {
    return this.topicsToBeDeleted.has(topic);
  }

  // ---- replicas ----

  replicaState(replica: ControllerReplica): ReplicaState {
    return replica.partition.replicaStates.get(replica.brokerId) ?? 'NonExistentReplica';
  }

  /** Every replica of these partitions. */
  replicasOf(partitions: Iterable<ControllerPartition>): ControllerReplica[] {
    const replicas: ControllerReplica[] = [];
    for (const partition of partitions)
      for (const brokerId of partition.replicas) replicas.push({ partition, brokerId });
    return replicas;
  }

  /** Every replica hosted by one of `brokerIds`. */
  replicasOnBrokers(brokerIds: ReadonlySet<number>): ControllerReplica[] {
    const replicas: ControllerReplica[] = [];
    for (const partition of this.allPartitions()) {
      for (const brokerId of partition.replicas) if (brokerIds.has(brokerId)) replicas.push({ partition, brokerId });
    }
    return replicas;
  }

  /** Partitions whose cached leader is not an online replica (including leader -1), outside topics being deleted. */
  partitionsWithOfflineLeader(): ControllerPartition[] {
    const result: ControllerPartition[] = [];
    for (const p of this.allPartitions()) {
      if (
        p.leaderIsr !== undefined &&
        !this.isReplicaOnline(p.leaderIsr.leader, p) &&
        !this.isTopicQueuedUpForDeletion(p.topic)
      ) {
        result.push(p);
      }
    }
    return result;
  }

  /** Partitions with a pending reassignment recorded in their assignment (adding or removing replicas). */
  partitionsBeingReassigned(): ControllerPartition[] {
    const result: ControllerPartition[] = [];
    for (const p of this.allPartitions()) if (isBeingReassigned(p)) result.push(p);
    return result;
  }

  /**
   * Live brokers named leader by a state written before they registered (`stateMzxid` gives the zxid of each cached
   * state's last write): brokers restarted before their old session expired, whose restart no controller handled —
   * the previous one was gone, and this one read them registered already. Sorted.
   */
  leadersRegisteredSinceTheirStates(stateMzxid: (p: ControllerPartition) => number | undefined): number[] {
    const ids = new Set<number>();
    for (const p of this.allPartitions()) {
      const leader = p.leaderIsr?.leader;
      const mzxid = stateMzxid(p);
      const epoch = leader === undefined ? undefined : this.liveBrokerEpochs.get(leader);
      if (epoch !== undefined && mzxid !== undefined && !stateAddressesRegistration(mzxid, epoch)) ids.add(leader!);
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** Partitions whose cached leader is `brokerId`. */
  partitionsLedBy(brokerId: number): ControllerPartition[] {
    const result: ControllerPartition[] = [];
    for (const p of this.allPartitions()) if (p.leaderIsr?.leader === brokerId) result.push(p);
    return result;
  }
}
