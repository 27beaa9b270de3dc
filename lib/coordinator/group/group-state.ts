/**
 * The states of a consumer group and Kafka's table of which states each may be entered from
 * (GroupMetadata.scala's validPreviousStates). Dead may be entered from anywhere, including Dead itself.
 */
import { IllegalStateError } from '../../common/errors.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const validPreviousStates: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

/** Throws IllegalStateError unless group `groupId` may move from `from` to `to`. */
export function assertValidTransition(groupId: string, from: GroupState, to: GroupState): void {
  if (!validPreviousStates[to].includes(from)) {
    throw new IllegalStateError(
      `Group ${groupId} wanted to move to ${to} but is in ${from}; ${to} may only be entered from ` +
        `${validPreviousStates[to].join(', ')}. This is a coordinator bug.`,
    );
  }
}
