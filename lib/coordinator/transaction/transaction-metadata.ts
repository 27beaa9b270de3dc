/**
 * What a transaction coordinator holds for one transactional id (Kafka's `TransactionMetadata`): the producer id
 * and epoch it hands out (and the previous ones, so that a retried InitProducerId is recognised), the transaction
 * timeout, the state, the partitions of the transaction in progress and its start and last-update times.
 *
 * Every change is a two-step transition: `prepare…()` computes the target (`TxnTransitMetadata`, the value the
 * coordinator then writes to `__transaction_state`) and sets `pendingState`, which makes every other request answer
 * CONCURRENT_TRANSACTIONS; once the record is replicated, `completeTransitionTo(target)` applies it (a failed write
 * clears `pendingState` instead). Transitions follow TRANSACTION_STATE_TRANSITIONS; a target that breaks the rules of
 * its state (epoch, partitions, timeout) is a coordinator bug and throws IllegalStateError, as Kafka's fatal().
 *
 * Invariants: the epoch only grows by one per bump for one producer id, or restarts at 0 with a new producer id once
 * it reaches 32766 (so that the coordinator can always fence with one more bump); partitions are non-empty only in
 * Ongoing, PrepareCommit and PrepareAbort; at most one transition is pending.
 * Concurrency: mutated only on the event loop by the TransactionCoordinator and its marker channel, between awaits;
 * `pendingState` is what serialises a transition across the await of its log append.
 * Ownership: the TransactionStateManager's cache owns it, for the `__transaction_state` partition of its id.
 */
import { IllegalStateError } from '../../common/errors.js';
import { tpKey, type TopicPartition } from '../../common/topic-partition.js';
import { TRANSACTION_STATE_TRANSITIONS, hasPendingTransaction, type TransactionState } from './transaction-state.js';

/** Largest producer epoch (Java's Short.MaxValue). */
const MAX_EPOCH = 32767;
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;

/** The target of a transition: what is written to the log and, once it is, applied (Kafka's TxnTransitMetadata). */
export interface TxnTransitMetadata {
  producerId: number;
  lastProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  txnState: TransactionState;
  topicPartitions: readonly TopicPartition[];
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
}

/** Whether an epoch leaves no room for the coordinator's fencing bump (Kafka's isEpochExhausted). */
export function isEpochExhausted(producerEpoch: number): boolean {
  return producerEpoch >= MAX_EPOCH - 1;
}

export class TransactionMetadata {
  /** The state being entered, while its record is written; undefined when no transition is pending. */
  pendingState: TransactionState | undefined;
  /** A fencing bump whose write failed: the next fence reuses the bumped epoch instead of bumping again. */
  hasFailedEpochFence = false;
  private readonly partitions = new Map<string, TopicPartition>();

  constructor(
    readonly transactionalId: string,
    public producerId: number,
    public lastProducerId: number,
    public producerEpoch: number,
    public lastProducerEpoch: number,
    public txnTimeoutMs: number,
    public state: TransactionState,
    partitions: readonly TopicPartition[],
    public txnStartTimestamp: number,
    public txnLastUpdateTimestamp: number,
  ) {
    for (const tp of partitions) this.partitions.set(tpKey(tp.topic, tp.partition), tp);
  }

  /** The partitions of the transaction in progress (those whose marker is still to be written, while Prepare*). */
  get topicPartitions(): TopicPartition[] {
    return [...this.partitions.values()];
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== undefined;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  /** A partition's marker was written: it leaves the transaction (only while Prepare*). */
  removePartition(tp: TopicPartition): void {
    if (this.state !== 'PrepareCommit' && this.state !== 'PrepareAbort') {
      throw new IllegalStateError(
        `Transaction ${this.transactionalId} is ${this.state} (pending ${this.pendingState ?? 'none'}) while a marker ` +
          `for ${tpKey(tp.topic, tp.partition)} was written; markers are only written while Prepare*. This is a bug.`,
      );
    }
    this.partitions.delete(tpKey(tp.topic, tp.partition));
  }

  /** Bumps the epoch to fence the current producer while its open transaction is aborted (PrepareEpochFence). */
  prepareFenceProducerEpoch(): TxnTransitMetadata {
    if (this.producerEpoch === MAX_EPOCH) {
      throw new IllegalStateError(
        `Cannot fence producer ${this.producerId} of ${this.transactionalId}: its epoch is already ${MAX_EPOCH}.`,
      );
    }
    const bumped = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo(
      'PrepareEpochFence',
      this.producerId,
      bumped,
      NO_PRODUCER_EPOCH,
      this.txnTimeoutMs,
      this.topicPartitions,
      this.txnStartTimestamp,
      this.txnLastUpdateTimestamp,
    );
  }

  /**
   * InitProducerId with the same producer id: the next epoch (Kafka's prepareIncrementProducerEpoch, KIP-360). With
   * `expectedEpoch` (a producer that has an id already): its current epoch bumps again; the previous epoch means a
   * retry of a bump that succeeded (answered with the current epoch); anything else is a fenced producer
   * (PRODUCER_FENCED).
   */
  prepareIncrementProducerEpoch(
    newTxnTimeoutMs: number,
    expectedEpoch: number | undefined,
    updateTimestamp: number,
  ): TxnTransitMetadata | 'PRODUCER_FENCED' {
    if (this.isProducerEpochExhausted) {
      throw new IllegalStateError(`Cannot allocate more producer epochs for producer id ${this.producerId}.`);
    }
    const bumped = this.producerEpoch + 1;
    let next: [number, number];
    if (expectedEpoch === undefined) next = [bumped, NO_PRODUCER_EPOCH];
    else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch)
      next = [bumped, this.producerEpoch];
    else if (expectedEpoch === this.lastProducerEpoch) next = [this.producerEpoch, this.lastProducerEpoch];
    else return 'PRODUCER_FENCED';
    return this.prepareTransitionTo(
      'Empty',
      this.producerId,
      next[0],
      next[1],
      newTxnTimeoutMs,
      [],
      -1,
      updateTimestamp,
    );
  }

  /** InitProducerId once the epoch is exhausted: a new producer id at epoch 0. */
  prepareProducerIdRotation(
    newProducerId: number,
    newTxnTimeoutMs: number,
    updateTimestamp: number,
    recordLastEpoch: boolean,
  ): TxnTransitMetadata {
    if (hasPendingTransaction(this.state)) {
      throw new IllegalStateError(
        `Cannot rotate the producer id of ${this.transactionalId} while its transaction is ${this.state}.`,
      );
    }
    return this.prepareTransitionTo(
      'Empty',
      newProducerId,
      0,
      recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      newTxnTimeoutMs,
      [],
      -1,
      updateTimestamp,
    );
  }

  /** AddPartitionsToTxn: Ongoing with `added` joined; the start time is set when the transaction starts now. */
  prepareAddPartitions(added: readonly TopicPartition[], updateTimestamp: number): TxnTransitMetadata {
    const starting = this.state === 'Empty' || this.state === 'CompleteAbort' || this.state === 'CompleteCommit';
    const partitions = new Map(this.partitions);
    for (const tp of added) partitions.set(tpKey(tp.topic, tp.partition), tp);
    return this.prepareTransitionTo(
      'Ongoing',
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.txnTimeoutMs,
      [...partitions.values()],
      starting ? updateTimestamp : this.txnStartTimestamp,
      updateTimestamp,
    );
  }

  /** EndTxn: PrepareCommit or PrepareAbort with the transaction's partitions. */
  prepareAbortOrCommit(newState: 'PrepareCommit' | 'PrepareAbort', updateTimestamp: number): TxnTransitMetadata {
    return this.prepareTransitionTo(
      newState,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.txnTimeoutMs,
      this.topicPartitions,
      this.txnStartTimestamp,
      updateTimestamp,
    );
  }

  /** Every marker is written: CompleteCommit or CompleteAbort, without partitions. */
  prepareComplete(updateTimestamp: number): TxnTransitMetadata {
    const newState = this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    this.hasFailedEpochFence = false;
    return this.prepareTransitionTo(
      newState,
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.txnTimeoutMs,
      [],
      this.txnStartTimestamp,
      updateTimestamp,
    );
  }

  /** The transactional id expired: Dead (its tombstone is written; the id is then forgotten). */
  prepareDead(): TxnTransitMetadata {
    return this.prepareTransitionTo(
      'Dead',
      this.producerId,
      this.producerEpoch,
      this.lastProducerEpoch,
      this.txnTimeoutMs,
      [],
      this.txnStartTimestamp,
      this.txnLastUpdateTimestamp,
    );
  }

  /**
   * Applies `transit` once its record is replicated (Kafka's completeTransitionTo): checks it against the pending
   * state and the rules of that state, then takes its fields. Throws IllegalStateError for a target that breaks them.
   */
  completeTransitionTo(transit: TxnTransitMetadata): void {
    const to = this.pendingState;
    if (to === undefined || to !== transit.txnState) this.failTransition(transit);
    const sameProducer = transit.producerEpoch === this.producerEpoch && transit.producerId === this.producerId;
    const subset = (tps: readonly TopicPartition[]) => {
      const keys = new Set(tps.map((tp) => tpKey(tp.topic, tp.partition)));
      return [...this.partitions.keys()].every((k) => keys.has(k));
    };
    switch (to) {
      case 'Empty': {
        const validBump =
          transit.producerEpoch === this.producerEpoch + 1 ||
          (transit.producerEpoch === 0 && transit.producerId !== this.producerId);
        if (
          (this.producerEpoch !== transit.producerEpoch && !validBump) ||
          transit.topicPartitions.length > 0 ||
          transit.txnStartTimestamp !== -1
        )
          this.failTransition(transit);
        this.txnTimeoutMs = transit.txnTimeoutMs;
        this.producerEpoch = transit.producerEpoch;
        this.lastProducerEpoch = transit.lastProducerEpoch;
        this.producerId = transit.producerId;
        this.lastProducerId = transit.lastProducerId;
        break;
      }
      case 'Ongoing':
        if (!sameProducer || !subset(transit.topicPartitions) || this.txnTimeoutMs !== transit.txnTimeoutMs)
          this.failTransition(transit);
        this.txnStartTimestamp = transit.txnStartTimestamp;
        for (const tp of transit.topicPartitions) this.partitions.set(tpKey(tp.topic, tp.partition), tp);
        break;
      case 'PrepareAbort':
      case 'PrepareCommit':
        if (
          !sameProducer ||
          transit.topicPartitions.length !== this.partitions.size ||
          !subset(transit.topicPartitions) ||
          this.txnTimeoutMs !== transit.txnTimeoutMs ||
          this.txnStartTimestamp !== transit.txnStartTimestamp
        )
          this.failTransition(transit);
        break;
      case 'CompleteAbort':
      case 'CompleteCommit':
        if (!sameProducer || this.txnTimeoutMs !== transit.txnTimeoutMs || transit.txnStartTimestamp === -1)
          this.failTransition(transit);
        this.txnStartTimestamp = transit.txnStartTimestamp;
        this.partitions.clear();
        break;
      default:
        // PrepareEpochFence becomes PrepareAbort before anything is written; Dead ends in removal from the cache.
        this.failTransition(transit);
    }
    this.txnLastUpdateTimestamp = transit.txnLastUpdateTimestamp;
    this.pendingState = undefined;
    this.state = to;
  }

  /** The fields as a DescribeTransactions answer or a log line shows them. */
  describe(): Record<string, unknown> {
    return {
      transactionalId: this.transactionalId,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      state: this.state,
      pendingState: this.pendingState ?? null,
      partitions: this.topicPartitions.map((tp) => tpKey(tp.topic, tp.partition)),
      txnTimeoutMs: this.txnTimeoutMs,
      txnStartTimestamp: this.txnStartTimestamp,
    };
  }

  private prepareTransitionTo(
    newState: TransactionState,
    newProducerId: number,
    newEpoch: number,
    newLastEpoch: number,
    newTxnTimeoutMs: number,
    newTopicPartitions: readonly TopicPartition[],
    newTxnStartTimestamp: number,
    updateTimestamp: number,
  ): TxnTransitMetadata {
    if (this.pendingState !== undefined) {
      throw new IllegalStateError(
        `Transaction ${this.transactionalId}: preparing a move to ${newState} while one to ${this.pendingState} is ` +
          'pending. This is a bug in the TransactionCoordinator.',
      );
    }
    if (newProducerId < 0 || newEpoch < 0) {
      throw new IllegalStateError(
        `Transaction ${this.transactionalId}: illegal producer id ${newProducerId} / epoch ${newEpoch} for ${newState}.`,
      );
    }
    TRANSACTION_STATE_TRANSITIONS.assertValidTransition(this.transactionalId, this.state, newState);
    this.pendingState = newState;
    return {
      producerId: newProducerId,
      lastProducerId: this.producerId,
      producerEpoch: newEpoch,
      lastProducerEpoch: newLastEpoch,
      txnTimeoutMs: newTxnTimeoutMs,
      txnState: newState,
      topicPartitions: newTopicPartitions,
      txnStartTimestamp: newTxnStartTimestamp,
      txnLastUpdateTimestamp: updateTimestamp,
    };
  }

  private failTransition(transit: TxnTransitMetadata): never {
    throw new IllegalStateError(
      `Transaction ${this.transactionalId} (${JSON.stringify(this.describe())}) cannot complete its move to ` +
        `${JSON.stringify(transit)}: the target breaks the rules of its state. This is a bug in the TransactionCoordinator.`,
    );
  }
}
