/**
 * One immutable snapshot of what the client knows about the cluster, built from a Metadata response (Kafka's
 * client-side `Cluster`): brokers by id, the controller, and per topic its partitions with leader, leader epoch,
 * replicas and ISR.
 *
 * Layout: per topic a `TopicMetadata` whose `partitions` array is indexed by partition number, plus the
 * precomputed list of partitions that have a leader (`availablePartitions`, for the sticky partitioner). Topics the
 * response answered with an error keep that error code (`UNKNOWN_TOPIC_OR_PARTITION`, `LEADER_NOT_AVAILABLE`
 * while a topic is being created) and no partitions.
 * Invariants: never mutated after construction; a refresh builds a new one (`merge` keeps topics the new response
 * did not ask about). Lookups allocate nothing.
 */
import type { MetadataResponse } from '../protocol/messages/metadata.js';

export interface BrokerNode {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface PartitionMetadata {
  readonly partition: number;
  /** Broker id of the leader, -1 when there is none. */
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly offlineReplicas: readonly number[];
  /** Wire error code for this partition (0 when fine; LEADER_NOT_AVAILABLE without a leader). */
  readonly errorCode: number;
}

export interface TopicMetadata {
  readonly name: string;
  /** Wire error code of the topic (0 when the topic exists and was described). */
  readonly errorCode: number;
  readonly isInternal: boolean;
  /** Indexed by partition number. */
  readonly partitions: readonly PartitionMetadata[];
  /** Partitions that have a leader, ascending. */
  readonly availablePartitions: readonly number[];
}

const NO_PARTITIONS: readonly PartitionMetadata[] = Object.freeze([]);

export class ClusterMetadata {
  /** A snapshot with no brokers and no topics: the state before the first Metadata response. */
  static readonly EMPTY = new ClusterMetadata(null, -1, new Map(), new Map());

  private constructor(
    readonly clusterId: string | null,
    /** -1 when unknown. */
    readonly controllerId: number,
    readonly brokers: ReadonlyMap<number, BrokerNode>,
    readonly topics: ReadonlyMap<string, TopicMetadata>,
  ) {}

  /** The snapshot a Metadata response describes. */
  static fromResponse(response: MetadataResponse): ClusterMetadata {
    const brokers = new Map<number, BrokerNode>();
    for (const b of response.brokers)
      brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
    const topics = new Map<string, TopicMetadata>();
    for (const t of response.topics) {
      const partitions: PartitionMetadata[] = [];
      for (const p of t.partitions) {
        partitions[p.partitionIndex] = {
          partition: p.partitionIndex,
          leaderId: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        };
      }
      const dense = partitions.length === t.partitions.length;
      topics.set(t.name, {
        name: t.name,
        errorCode: t.errorCode,
        isInternal: t.isInternal,
        partitions: dense ? partitions : NO_PARTITIONS,
        availablePartitions: dense ? partitions.filter((p) => p.leaderId >= 0).map((p) => p.partition) : [],
      });
    }
    return new ClusterMetadata(response.clusterId, response.controllerId, brokers, topics);
  }

  /**
   * This snapshot updated by a newer one: brokers, controller and the topics `newer` describes come from it;
   * topics it does not mention are kept, except those in `dropTopics`.
   */
  merge(newer: ClusterMetadata, dropTopics: ReadonlySet<string> = new Set()): ClusterMetadata {
    const topics = new Map<string, TopicMetadata>();
    for (const [name, t] of this.topics) if (!dropTopics.has(name)) topics.set(name, t);
    for (const [name, t] of newer.topics) topics.set(name, t);
    return new ClusterMetadata(newer.clusterId, newer.controllerId, newer.brokers, topics);
  }

  topic(topic: string): TopicMetadata | undefined {
    return this.topics.get(topic);
  }

  /** Number of partitions of a topic that exists, else 0. */
  partitionCount(topic: string): number {
    return this.topics.get(topic)?.partitions.length ?? 0;
  }

  partition(topic: string, partition: number): PartitionMetadata | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  /** Leader's broker id, or -1 when unknown. */
  leaderFor(topic: string, partition: number): number {
    return this.topics.get(topic)?.partitions[partition]?.leaderId ?? -1;
  }

  broker(nodeId: number): BrokerNode | undefined {
    return this.brokers.get(nodeId);
  }
}
