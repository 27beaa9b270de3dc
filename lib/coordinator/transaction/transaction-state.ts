/**
 * The states of a transactional id at its coordinator (Kafka's `TransactionState`), their byte in
 * `__transaction_state`, and Kafka's table of which states each may be entered from (TransactionMetadata's
 * validPreviousStates). How each state answers and what moves it on:
 *
 * - Empty: no transaction since the last InitProducerId (or ever). AddPartitionsToTxn/AddOffsetsToTxn → Ongoing;
 *   InitProducerId bumps the epoch and stays Empty; EndTxn → INVALID_TXN_STATE. Expires → Dead.
 * - Ongoing: partitions were added. More AddPartitionsToTxn stay Ongoing; EndTxn → PrepareCommit/PrepareAbort;
 *   InitProducerId of a newer producer, or the transaction timeout, → PrepareEpochFence (never stored: it becomes
 *   PrepareAbort with the bumped epoch).
 * - PrepareCommit / PrepareAbort: the decision is stored; markers are being written to every partition. Every request
 *   answers CONCURRENT_TRANSACTIONS (an EndTxn repeating the decision too); once all markers are written →
 *   CompleteCommit / CompleteAbort. A new coordinator loading one of these sends the markers again.
 * - CompleteCommit / CompleteAbort: done; like Empty for the next transaction (a repeated EndTxn of the same kind
 *   answers NONE). Expire → Dead.
 * - Dead: the transactional id expired (transactional.id.expiration.ms idle); a tombstone is written and the id is
 *   forgotten.
 * - PrepareEpochFence: the epoch is being bumped to fence a zombie while its open transaction is aborted.
 */
import { TransitionTable } from '../../common/transition-table.js';

export type TransactionState =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'Dead'
  | 'PrepareEpochFence';

export const TRANSACTION_STATE_TRANSITIONS = new TransitionTable<TransactionState>('TransactionCoordinator', {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
});

/** Each state's byte in a `__transaction_state` record (Kafka's `TransactionState.byte`). */
export const TRANSACTION_STATE_BYTES: Readonly<Record<TransactionState, number>> = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
};

const BY_BYTE = new Map<number, TransactionState>(
  (Object.entries(TRANSACTION_STATE_BYTES) as [TransactionState, number][]).map(([state, b]) => [b, state]),
);

/** The state stored as `b`, or undefined for a byte no state has. */
export function transactionStateOfByte(b: number): TransactionState | undefined {
  return BY_BYTE.get(b);
}

/** States in which a transaction is in progress (partitions are part of it). */
export function hasPendingTransaction(state: TransactionState): boolean {
  return state === 'Ongoing' || state === 'PrepareAbort' || state === 'PrepareCommit';
}
