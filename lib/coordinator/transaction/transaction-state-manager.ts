/**
 * The transactional ids a broker coordinates, kept in `__transaction_state` (Kafka's TransactionStateManager): the
 * broker leading partition p of that topic coordinates every transactional id t with partitionFor(t) = p (the same
 * rule as groups: abs(javaHash(t)) % partitions), holds each one's TransactionMetadata in memory, and writes every
 * change to p first.
 *
 * - Writes (`appendTransactionToLog`): one record (transaction-log-codec.ts) appended with acks=all; the metadata
 *   changes (`completeTransitionTo`) only once it is replicated, and only if p is still loaded here at the same
 *   coordinator epoch (the leader epoch of p). Append errors map as Kafka's: UNKNOWN_TOPIC_OR_PARTITION,
 *   NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT → COORDINATOR_NOT_AVAILABLE; NOT_LEADER_OR_FOLLOWER,
 *   KAFKA_STORAGE_ERROR → NOT_COORDINATOR; MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE → UNKNOWN_SERVER_ERROR. A failed
 *   write clears the pending transition (unless the caller retries it).
 * - Load (`loadTransactionsForTxnTopicPartition`): on becoming leader of p, its log is read from start to end (the
 *   last value per id wins, a tombstone forgets the id); meanwhile its ids answer COORDINATOR_LOAD_IN_PROGRESS. A
 *   transaction found in PrepareCommit/PrepareAbort is handed to `onPendingCompletion` so that its markers are sent
 *   again. Becoming follower (`removeTransactionsForTxnTopicPartition`) forgets p's ids (NOT_COORDINATOR).
 * - Timeouts (`timedOutTransactions`): Ongoing transactions started more than their timeout ago, for the coordinator's
 *   periodic abort. Expiry (`removeExpiredTransactionalIds`): ids idle (Empty/Complete*) for
 *   transactional.id.expiration.ms get a tombstone and are forgotten.
 *
 * Invariants: an id's metadata is served only while its partition is loaded here; a write made under one coordinator
 * epoch never changes the metadata of a later load. Concurrency: loads that a later leadership change overtakes
 * discard their result (the cache entry's epoch); writes await replication, during which the metadata's pendingState
 * holds off other transitions. Ownership: one per broker, created by Broker; the TransactionCoordinator drives it.
 */
import { ErrorCode, errorNameOf, type ErrorName } from '../../common/error-codes.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { RecordBatchBuilder } from '../../record/record-batch-builder.js';
import type { Partition } from '../../replication/partition.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import { partitionForGroup } from '../group/group-partition.js';
import { batchesToLogEnd } from '../log-scan.js';
import {
  TRANSACTION_STATE_TOPIC,
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
} from './transaction-log-codec.js';
import {
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  TransactionMetadata,
  type TxnTransitMetadata,
} from './transaction-metadata.js';
import type { TransactionState } from './transaction-state.js';

export interface TransactionStateManagerConfig {
  transactionLogNumPartitions: number;
  transactionMaxTimeoutMs: number;
  transactionalIdExpirationMs: number;
  /** Timeout of the tombstone writes of expired ids. */
  requestTimeoutMs: number;
}

/** A transactional id's metadata with the coordinator epoch its partition is loaded at. */
export interface CoordinatorEpochAndTxnMetadata {
  coordinatorEpoch: number;
  metadata: TransactionMetadata;
}

/** What looking an id up gives: an error to answer, or the partition's epoch and the id's metadata (if known). */
export type TransactionStateLookup =
  { error: ErrorName } | { error: null; coordinatorEpoch: number; metadata: TransactionMetadata | undefined };

/** A transaction loaded in PrepareCommit/PrepareAbort: its markers must be sent (again). */
export type PendingCompletionHandler = (
  coordinatorEpoch: number,
  result: 'COMMIT' | 'ABORT',
  metadata: TransactionMetadata,
  transit: TxnTransitMetadata,
) => void;

interface CacheEntry {
  coordinatorEpoch: number;
  transactions: Map<string, TransactionMetadata>;
}

export class TransactionStateManager {
  /** Partitions being loaded, with the coordinator epoch of the load. */
  private readonly loading = new Map<number, number>();
  private readonly cache = new Map<number, CacheEntry>();
  /** Callers waiting for a transactional id's pending transition to settle. */
  private readonly transitionWaiters = new Map<string, Array<() => void>>();
  private readonly log: Logger;
  private shuttingDown = false;

  constructor(
    private readonly replicaManager: ReplicaManager,
    readonly config: TransactionStateManagerConfig,
    private readonly partitionCount: () => number,
    private readonly time: Time,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'TransactionStateManager' });
  }

  /** The `__transaction_state` partition of `transactionalId` (the topic's partition count, else the config's). */
  partitionFor(transactionalId: string): number {
    const count = this.partitionCount();
    return partitionForGroup(transactionalId, count > 0 ? count : this.config.transactionLogNumPartitions);
  }

  /** transaction.max.timeout.ms: a producer's transaction.timeout.ms must be in (0, it]. */
  validateTransactionTimeoutMs(txnTimeoutMs: number): boolean {
    return txnTimeoutMs > 0 && txnTimeoutMs <= this.config.transactionMaxTimeoutMs;
  }

  /** True while any `__transaction_state` partition led here is loading. */
  get isLoading(): boolean {
    return this.loading.size > 0;
  }

  /** The id's metadata, or the error to answer (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS). */
  getTransactionState(transactionalId: string): TransactionStateLookup {
    const partition = this.partitionFor(transactionalId);
    if (this.loading.has(partition)) return { error: 'COORDINATOR_LOAD_IN_PROGRESS' };
    const entry = this.cache.get(partition);
    if (entry === undefined) return { error: 'NOT_COORDINATOR' };
    return { error: null, coordinatorEpoch: entry.coordinatorEpoch, metadata: entry.transactions.get(transactionalId) };
  }

  /** Adds `created` unless the id is known already; the id's metadata in either case (or the error to answer). */
  putTransactionStateIfNotExists(created: TransactionMetadata): CoordinatorEpochAndTxnMetadata | { error: ErrorName } {
    const found = this.getTransactionState(created.transactionalId);
    if (found.error !== null) return { error: found.error };
    const entry = this.cache.get(this.partitionFor(created.transactionalId))!;
    const metadata = found.metadata ?? created;
    if (found.metadata === undefined) entry.transactions.set(created.transactionalId, created);
    return { coordinatorEpoch: found.coordinatorEpoch, metadata };
  }

  /** Every loaded transaction, with the state filter and producer id filter of ListTransactions (empty: all). */
  listTransactions(
    states: ReadonlySet<TransactionState>,
    producerIds: ReadonlySet<number>,
  ): { transactionalId: string; producerId: number; state: TransactionState }[] {
    const out: { transactionalId: string; producerId: number; state: TransactionState }[] = [];
    for (const entry of this.cache.values()) {
      for (const m of entry.transactions.values()) {
        if (states.size > 0 && !states.has(m.state)) continue;
        if (producerIds.size > 0 && !producerIds.has(m.producerId)) continue;
        out.push({ transactionalId: m.transactionalId, producerId: m.producerId, state: m.state });
      }
    }
    return out;
  }

  /** Ongoing transactions past their timeout, without a transition pending (best effort, as Kafka's). */
  timedOutTransactions(): { transactionalId: string; producerId: number; producerEpoch: number }[] {
    const now = this.time.milliseconds();
    const out: { transactionalId: string; producerId: number; producerEpoch: number }[] = [];
    for (const entry of this.cache.values()) {
      for (const m of entry.transactions.values()) {
        if (m.pendingTransitionInProgress || m.state !== 'Ongoing') continue;
        if (m.txnStartTimestamp + m.txnTimeoutMs < now)
          out.push({ transactionalId: m.transactionalId, producerId: m.producerId, producerEpoch: m.producerEpoch });
      }
    }
    return out;
  }

  /**
   * Writes `transit` for `transactionalId` (see the class comment) and resolves with the error code to answer:
   * NONE once replicated and applied. `retryOnError(code)` true keeps the pending transition on that error (the
   * caller retries the write).
   */
  async appendTransactionToLog(
    transactionalId: string,
    coordinatorEpoch: number,
    transit: TxnTransitMetadata,
    retryOnError: (code: number) => boolean = () => false,
  ): Promise<number> {
    const before = this.getTransactionState(transactionalId);
    if (before.error !== null) return ErrorCode[before.error];
    if (before.metadata === undefined || before.coordinatorEpoch !== coordinatorEpoch) return ErrorCode.NOT_COORDINATOR;
    const builder = new RecordBatchBuilder({ initialCapacity: 256 });
    builder.append(
      this.time.milliseconds(),
      encodeTransactionLogKey(transactionalId),
      encodeTransactionLogValue({
        producerId: transit.producerId,
        producerEpoch: transit.producerEpoch,
        transactionTimeoutMs: transit.txnTimeoutMs,
        state: transit.txnState,
        partitions: transit.topicPartitions,
        lastUpdateTimestampMs: transit.txnLastUpdateTimestamp,
        startTimestampMs: transit.txnStartTimestamp,
      }),
    );
    const [result] = await this.replicaManager.appendRecords({
      acks: -1,
      timeoutMs: transit.txnTimeoutMs,
      entries: [
        { topic: TRANSACTION_STATE_TOPIC, partition: this.partitionFor(transactionalId), records: builder.buildSync() },
      ],
    });
    const code = appendErrorCode(result?.errorCode ?? ErrorCode.NOT_COORDINATOR);
    const after = this.getTransactionState(transactionalId);
    const current = after.error === null ? after : undefined;
    if (code === ErrorCode.NONE) {
      if (current?.metadata === undefined || current.coordinatorEpoch !== coordinatorEpoch) {
        this.log.info(
          { transactionalId, coordinatorEpoch, state: transit.txnState },
          'the coordinator moved while the transaction state was written; not applying it',
        );
        return ErrorCode.NOT_COORDINATOR;
      }
      current.metadata.completeTransitionTo(transit);
      this.transitionSettled(transactionalId);
      return ErrorCode.NONE;
    }
    if (current?.metadata !== undefined && current.coordinatorEpoch === coordinatorEpoch && !retryOnError(code)) {
      current.metadata.pendingState = undefined;
      this.transitionSettled(transactionalId);
    }
    this.log.info(
      { transactionalId, state: transit.txnState, error: errorNameOf(code) },
      'writing the transaction state failed',
    );
    return code;
  }

  /**
   * Becomes the coordinator of `partition`'s ids (see the class comment). Resolves once loaded (or overtaken by a
   * later leadership change, or failed, which is logged and leaves the ids unavailable until the next change).
   */
  async loadTransactionsForTxnTopicPartition(
    partition: Partition,
    onPendingCompletion: PendingCompletionHandler,
  ): Promise<void> {
    const id = partition.partition;
    const coordinatorEpoch = partition.leaderEpoch;
    this.loading.set(id, coordinatorEpoch);
    this.cache.delete(id);
    const started = this.time.hiResMs();
    const loaded = new Map<string, TransactionMetadata>();
    try {
      for (const batch of batchesToLogEnd(partition.log)) {
        if (this.shuttingDown || this.loading.get(id) !== coordinatorEpoch) return;
        if (batch.isControl) continue;
        for (const r of await batch.recordsAsync()) {
          if (r.key === null) continue;
          const transactionalId = decodeTransactionLogKey(r.key);
          if (r.value === null) {
            loaded.delete(transactionalId);
            continue;
          }
          const v = decodeTransactionLogValue(r.value);
          loaded.set(
            transactionalId,
            new TransactionMetadata(
              transactionalId,
              v.producerId,
              NO_PRODUCER_ID,
              v.producerEpoch,
              NO_PRODUCER_EPOCH,
              v.transactionTimeoutMs,
              v.state,
              v.state === 'Empty' ? [] : v.partitions,
              v.startTimestampMs,
              v.lastUpdateTimestampMs,
            ),
          );
        }
      }
    } catch (err) {
      this.log.error(
        { err, partition: id },
        `loading ${TRANSACTION_STATE_TOPIC} failed; its transactional ids stay unavailable until the next leadership change`,
      );
      if (this.loading.get(id) === coordinatorEpoch) this.loading.delete(id);
      return;
    }
    if (this.shuttingDown || this.loading.get(id) !== coordinatorEpoch) return;
    this.cache.set(id, { coordinatorEpoch, transactions: loaded });
    this.loading.delete(id);
    let resumed = 0;
    for (const m of loaded.values()) {
      if (m.state !== 'PrepareCommit' && m.state !== 'PrepareAbort') continue;
      resumed++;
      onPendingCompletion(
        coordinatorEpoch,
        m.state === 'PrepareCommit' ? 'COMMIT' : 'ABORT',
        m,
        m.prepareComplete(this.time.milliseconds()),
      );
    }
    this.log.info(
      {
        partition: id,
        coordinatorEpoch,
        transactionalIds: loaded.size,
        resumedCompletions: resumed,
        ms: Math.round(this.time.hiResMs() - started),
      },
      `loaded ${TRANSACTION_STATE_TOPIC} partition`,
    );
  }

  /**
   * Resolves once the transition pending for `transactionalId` is applied or given up, or after `maxWaitMs`, whichever
   * comes first (the caller then looks at the state again).
   */
  awaitTransition(transactionalId: string, maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.transitionWaiters.get(transactionalId) ?? [];
      this.transitionWaiters.set(transactionalId, waiters);
      const timer = setTimeout(() => {
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        if (waiters.length === 0 && this.transitionWaiters.get(transactionalId) === waiters)
          this.transitionWaiters.delete(transactionalId);
        resolve();
      }, maxWaitMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      waiters.push(done);
    });
  }

  /** Stops coordinating `partition`'s ids (this broker follows it now, or no longer hosts it). */
  removeTransactionsForTxnTopicPartition(partition: number): void {
    const wasLoading = this.loading.delete(partition);
    if (this.cache.delete(partition) || wasLoading)
      this.log.info({ partition }, `unloaded ${TRANSACTION_STATE_TOPIC} partition (no longer its leader)`);
  }

  /** The partitions of `__transaction_state` loaded here, with their coordinator epochs. */
  get loadedPartitions(): ReadonlyMap<number, number> {
    return new Map([...this.cache].map(([p, e]) => [p, e.coordinatorEpoch]));
  }

  /** Writes tombstones for ids idle longer than transactional.id.expiration.ms and forgets them; returns how many. */
  async removeExpiredTransactionalIds(): Promise<number> {
    const now = this.time.milliseconds();
    let removed = 0;
    for (const [partition, entry] of this.cache) {
      const expired: { metadata: TransactionMetadata; epoch: number }[] = [];
      for (const m of entry.transactions.values()) {
        if (m.pendingTransitionInProgress) continue;
        if (m.state !== 'Empty' && m.state !== 'CompleteCommit' && m.state !== 'CompleteAbort') continue;
        if (m.txnLastUpdateTimestamp > now - this.config.transactionalIdExpirationMs) continue;
        m.prepareDead();
        expired.push({ metadata: m, epoch: m.producerEpoch });
      }
      if (expired.length === 0) continue;
      const builder = new RecordBatchBuilder();
      for (const { metadata } of expired) builder.append(now, encodeTransactionLogKey(metadata.transactionalId), null);
      const [result] = await this.replicaManager.appendRecords({
        acks: -1,
        timeoutMs: this.config.requestTimeoutMs,
        entries: [{ topic: TRANSACTION_STATE_TOPIC, partition, records: builder.buildSync() }],
      });
      const ok = result?.errorCode === ErrorCode.NONE;
      const current = this.cache.get(partition);
      for (const { metadata, epoch } of expired) {
        const still = current?.coordinatorEpoch === entry.coordinatorEpoch && metadata.producerEpoch === epoch;
        if (ok && still && metadata.pendingState === 'Dead') {
          current.transactions.delete(metadata.transactionalId);
          removed++;
        } else {
          metadata.pendingState = undefined;
        }
      }
      if (!ok)
        this.log.warn({ partition, errorCode: result?.errorCode }, 'could not expire transactional ids; retried later');
    }
    if (removed > 0) this.log.info({ removed }, 'expired transactional ids');
    return removed;
  }

  private transitionSettled(transactionalId: string): void {
    const waiters = this.transitionWaiters.get(transactionalId);
    this.transitionWaiters.delete(transactionalId);
    for (const w of waiters ?? []) w();
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const id of [...this.transitionWaiters.keys()]) this.transitionSettled(id);
    this.loading.clear();
    this.cache.clear();
  }
}

/** Kafka's mapping of a `__transaction_state` append error to what the client is answered. */
function appendErrorCode(code: number): number {
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}
