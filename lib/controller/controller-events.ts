/**
 * The controller's events (Kafka's `ControllerEvent` subclasses at the end of `KafkaController.scala`): what watch
 * callbacks, timers, session listeners and callers of the public API put on the ControllerEventQueue. Events that
 * make their handler re-read ZooKeeper carry no payload and coalesce while waiting; PartitionModifications merges
 * the topics of waiting events so that a burst of topic watches becomes one pipelined read.
 */
import type { TopicPartition } from '../common/topic-partition.js';
import type { ApiError } from '../common/errors.js';
import type { ElectionOutcome, ElectionTypeName } from './replica-leader-election.js';

/** A broker's answer to "which replicas do you still serve?" after one of its log dirs failed (DescribeLogDirs). */
export interface ServedReplicas {
  /** Its log dirs that failed. */
  readonly offlineLogDirs: readonly string[];
  /** `topic-partition` keys of the replicas in its live log dirs. */
  readonly replicas: ReadonlySet<string>;
}

export type ControllerEvent =
  /** /controller changed or vanished, or a new session began: resign if another broker took over; race if none. */
  | { readonly type: 'ControllerChange' }
  /** The ZooKeeper session expired: resign (the listener already stopped acting synchronously). */
  | { readonly type: 'Expire' }
  /** /brokers/ids children or a broker's registration changed. */
  | { readonly type: 'BrokerChange' }
  /** /brokers/topics children changed. */
  | { readonly type: 'TopicChange' }
  /** The assignment znodes of these topics changed (partitions added). */
  | { readonly type: 'PartitionModifications'; readonly topics: Set<string> }
  /** /admin/delete_topics children changed. */
  | { readonly type: 'TopicDeletion' }
  /** /isr_change_notification children changed. */
  | { readonly type: 'IsrChangeNotification' }
  /** /log_dir_event_notification children changed: brokers whose log dirs failed. */
  | { readonly type: 'LogDirEventNotification' }
  /** A broker that reported a failed log dir answered which replicas it still serves, under this registration. */
  | {
      readonly type: 'ServedReplicas';
      readonly brokerId: number;
      readonly brokerEpoch: number;
      readonly answer: ServedReplicas;
    }
  /** /admin/preferred_replica_election appeared or changed. */
  | { readonly type: 'PreferredReplicaElection' }
  /** /admin/reassign_partitions appeared or changed. */
  | { readonly type: 'PartitionReassignment' }
  /** unclean.leader.election.enable was turned on as a broker default: offline partitions may now elect. */
  | { readonly type: 'UncleanLeaderElectionEnable' }
  /** The periodic leader imbalance check (auto.leader.rebalance.enable). */
  | { readonly type: 'AutoPreferredReplicaLeaderElection' }
  /** A broker asks to move leadership away before it stops; answers the partitions it still leads. */
  | {
      readonly type: 'ControlledShutdown';
      readonly brokerId: number;
      readonly brokerEpoch: number;
      readonly resolve: (partitionsStillLed: TopicPartition[]) => void;
      readonly reject: (error: Error) => void;
    }
  /** An admin asks for preferred or unclean leader elections (ElectLeaders); answers each partition's outcome. */
  | {
      readonly type: 'ReplicaLeaderElection';
      readonly partitions: readonly TopicPartition[];
      readonly electionType: ElectionTypeName;
      readonly resolve: (outcomes: ElectionOutcome[]) => void;
      readonly reject: (error: Error) => void;
    }
  /** An admin starts, replaces or cancels (replicas null) reassignments (AlterPartitionReassignments). */
  | {
      readonly type: 'ApiPartitionReassignment';
      readonly requests: ReadonlyArray<TopicPartition & { replicas: readonly number[] | null }>;
      /** Each request's refusal, in order; undefined for a move started. */
      readonly resolve: (outcomes: Array<ApiError | undefined>) => void;
      readonly reject: (error: Error) => void;
    }
  /** Resign and stop (shutdown()). */
  | { readonly type: 'Shutdown' };

/** Events that only make the handler re-read ZooKeeper coalesce while one of the same kind waits. */
export function coalesceKey(event: ControllerEvent): string | undefined {
  switch (event.type) {
    case 'ControllerChange':
    case 'BrokerChange':
    case 'TopicChange':
    case 'PartitionModifications':
    case 'TopicDeletion':
    case 'IsrChangeNotification':
    case 'LogDirEventNotification':
    case 'PreferredReplicaElection':
    case 'PartitionReassignment':
    case 'AutoPreferredReplicaLeaderElection':
    case 'UncleanLeaderElectionEnable':
      return event.type;
    case 'Expire':
    case 'ServedReplicas':
    case 'ControlledShutdown':
    case 'ReplicaLeaderElection':
    case 'ApiPartitionReassignment':
    case 'Shutdown':
      return undefined;
  }
}

/** Folds an incoming event into the waiting one of the same coalescing key. */
export function mergeEvents(waiting: ControllerEvent, incoming: ControllerEvent): void {
  if (waiting.type === 'PartitionModifications' && incoming.type === 'PartitionModifications') {
    for (const topic of incoming.topics) waiting.topics.add(topic);
  }
}
