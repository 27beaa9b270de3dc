/**
 * The controller's two state machines as tables (Kafka's `ReplicaState` and `PartitionState` objects with their
 * valid previous states): which states a replica and a partition can be in, and from which states each may be
 * entered. The ControllerContext stores these states; ReplicaStateMachine and PartitionStateMachine move them,
 * checking every move against these tables.
 */
import { TransitionTable } from '../common/transition-table.js';

export type ReplicaState =
  | 'NewReplica'
  | 'OnlineReplica'
  | 'OfflineReplica'
  | 'ReplicaDeletionStarted'
  | 'ReplicaDeletionSuccessful'
  | 'ReplicaDeletionIneligible'
  | 'NonExistentReplica';

export const REPLICA_STATE_TRANSITIONS = new TransitionTable<ReplicaState>('ReplicaStateMachine', {
  NewReplica: ['NonExistentReplica'],
  OnlineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  OfflineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  ReplicaDeletionStarted: ['OfflineReplica'],
  ReplicaDeletionSuccessful: ['ReplicaDeletionStarted'],
  ReplicaDeletionIneligible: ['OfflineReplica', 'ReplicaDeletionStarted'],
  NonExistentReplica: ['ReplicaDeletionSuccessful'],
});

export type PartitionState = 'NewPartition' | 'OnlinePartition' | 'OfflinePartition' | 'NonExistentPartition';

export const PARTITION_STATE_TRANSITIONS = new TransitionTable<PartitionState>('PartitionStateMachine', {
  NewPartition: ['NonExistentPartition'],
  OnlinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
  OfflinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
  NonExistentPartition: ['OfflinePartition'],
});
