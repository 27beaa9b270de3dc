/**
 * A state machine's table of valid previous states (Kafka's `validPreviousStates` on the controller's
 * `PartitionState`/`ReplicaState` and on a group's `GroupState`): the single source for what a state machine allows
 * and for the specs that try every allowed and every forbidden edge. Every state machine of the broker uses it.
 */
import { IllegalStateError } from './errors.js';

export class TransitionTable<S extends string> {
  readonly states: readonly S[];

  /** `validPrevious[to]` lists the states from which `to` may be entered. */
  constructor(
    readonly name: string,
    private readonly validPrevious: Readonly<Record<S, readonly S[]>>,
  ) {
    this.states = Object.keys(validPrevious) as S[];
  }

  isValid(from: S, to: S): boolean {
    return this.validPrevious[to].includes(from);
  }

  /** Throws IllegalStateError naming the machine, the subject and both states when `from → to` is not allowed. */
  assertValidTransition(subject: string, from: S, to: S): void {
    if (!this.isValid(from, to)) {
      throw new IllegalStateError(
        `${this.name}: ${subject} cannot move from ${from} to ${to}; ${to} may only be ` +
          `entered from ${this.validPrevious[to].join(', ')}. This is a bug in the ${this.name}.`,
      );
    }
  }

  /** Every (from, to) pair, split by whether the table allows it. */
  edges(): { allowed: [S, S][]; forbidden: [S, S][] } {
    const allowed: [S, S][] = [];
    const forbidden: [S, S][] = [];
    for (const from of this.states) {
      for (const to of this.states) (this.isValid(from, to) ? allowed : forbidden).push([from, to]);
    }
    return { allowed, forbidden };
  }
}
