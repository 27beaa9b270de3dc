/**
 * The states of a consumer group and Kafka's table of which states each may be entered from
 * (GroupMetadata.scala's validPreviousStates). Dead may be entered from anywhere, including Dead itself.
 */
import { TransitionTable } from '../../common/transition-table.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const GROUP_STATE_TRANSITIONS = new TransitionTable<GroupState>('GroupCoordinator', {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
});
