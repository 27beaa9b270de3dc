/**
 * The states of a transactional producer (Kafka's client-side `TransactionManager.State`) and Kafka's table of which
 * states each may be entered from (`isTransitionValid`). What each allows and what moves it on:
 *
 * - Uninitialized: nothing but `initTransactions()` → Initializing.
 * - Initializing: InitProducerId in progress (first, or the epoch bump after an abort) → Ready.
 * - Ready: `beginTransaction()` → InTransaction.
 * - InTransaction: `send()`, `sendOffsetsToTransaction()`; `commitTransaction()` → CommittingTransaction,
 *   `abortTransaction()` → AbortingTransaction; an abortable error → AbortableError.
 * - CommittingTransaction: pending records are flushed, then EndTxn(commit) → Ready; an error meanwhile →
 *   AbortableError.
 * - AbortingTransaction: unsent records are dropped, EndTxn(abort) (and an epoch bump when one is required) →
 *   Ready (via Initializing when bumping).
 * - AbortableError: every call but `abortTransaction()` fails with the error → AbortingTransaction.
 * - FatalError (from anywhere): the producer is fenced or unusable; only `close()` remains.
 */
import { TransitionTable } from '../../common/transition-table.js';

export type TransactionState =
  | 'Uninitialized'
  | 'Initializing'
  | 'Ready'
  | 'InTransaction'
  | 'CommittingTransaction'
  | 'AbortingTransaction'
  | 'AbortableError'
  | 'FatalError';

export const PRODUCER_TRANSACTION_TRANSITIONS = new TransitionTable<TransactionState>('TransactionalProducer', {
  Uninitialized: ['Ready'],
  Initializing: ['Uninitialized', 'AbortingTransaction'],
  Ready: ['Initializing', 'CommittingTransaction', 'AbortingTransaction'],
  InTransaction: ['Ready'],
  CommittingTransaction: ['InTransaction'],
  AbortingTransaction: ['InTransaction', 'AbortableError'],
  AbortableError: ['InTransaction', 'CommittingTransaction', 'AbortableError'],
  FatalError: [
    'Uninitialized',
    'Initializing',
    'Ready',
    'InTransaction',
    'CommittingTransaction',
    'AbortingTransaction',
    'AbortableError',
    'FatalError',
  ],
});
