/**
 * The transaction coordinator of a broker (Kafka's TransactionCoordinator): answers InitProducerId, AddPartitionsToTxn
 * (and AddOffsetsToTxn, which adds a group's `__consumer_offsets` partition) and EndTxn for the transactional ids
 * whose `__transaction_state` partition this broker leads, aborts transactions left open past their timeout, and
 * lists and describes its transactions (KIP-664).
 *
 * - InitProducerId without a transactional id: a new producer id at epoch 0 (idempotent producers). With one: the
 *   id's producer id at the next epoch, which fences every older producer of that transactional id (their writes
 *   and EndTxn answer INVALID_PRODUCER_EPOCH / PRODUCER_FENCED). A transaction still Ongoing is first aborted with a
 *   bumped epoch (PrepareEpochFence → PrepareAbort) and the producer is answered CONCURRENT_TRANSACTIONS, so that it
 *   retries once the abort is complete and gets the epoch after that; Prepare* answers CONCURRENT_TRANSACTIONS; once
 *   the epoch is exhausted (32766) a new producer id starts at epoch 0. The timeout must be within
 *   (0, transaction.max.timeout.ms] (INVALID_TRANSACTION_TIMEOUT).
 * - EndTxn: the decision (PrepareCommit/PrepareAbort) is stored, the producer answered, and the marker channel has
 *   every partition write its marker, then stores CompleteCommit/CompleteAbort. The producer's next transaction
 *   cannot start before that (AddPartitionsToTxn): Kafka answers CONCURRENT_TRANSACTIONS at once and the client
 *   retries after 20 ms; here the request waits for the completion (at most CONCURRENT_WAIT_MS) and is then answered,
 *   which saves the producer most of that pause — the one deliberate difference, measured in docs/BENCHMARKS.md.
 * - Timeouts: every transaction.abort.timed.out.transaction.cleanup.interval.ms, each Ongoing transaction started more
 *   than its transaction.timeout.ms ago is aborted with its epoch bumped, which fences its producer.
 * - Expiry: every transaction.remove.expired.transaction.cleanup.interval.ms, ids idle for
 *   transactional.id.expiration.ms are forgotten.
 * Every method answers an error code per Kafka's rules (see each); none throws for a client's mistake.
 *
 * Concurrency: on the event loop; a transition prepared for one id sets its pendingState across the awaits of its log
 * write, and every other request for that id meanwhile answers CONCURRENT_TRANSACTIONS (Kafka's per-id lock plus
 * pending state). Ownership: one per broker, created by Broker, which feeds it leadership changes of
 * `__transaction_state` and shuts it down; owns the TransactionStateManager and the marker channel.
 */
import { ErrorCode, type ErrorName } from '../../common/error-codes.js';
import { IllegalStateError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { ScheduledTask, Scheduler } from '../../common/scheduler.js';
import type { Time } from '../../common/time.js';
import type { TopicPartition } from '../../common/topic-partition.js';
import type { Partition } from '../../replication/partition.js';
import type { ProducerIdManager } from './producer-id-manager.js';
import { TRANSACTION_STATE_TOPIC } from './transaction-log-codec.js';
import type { TransactionMarkerChannelManager } from './transaction-marker-channel-manager.js';
import {
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  TransactionMetadata,
  isEpochExhausted,
  type TxnTransitMetadata,
} from './transaction-metadata.js';
import type { TransactionStateManager } from './transaction-state-manager.js';
import { TRANSACTION_STATE_TRANSITIONS, type TransactionState } from './transaction-state.js';

export interface TransactionCoordinatorConfig {
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  abortTimedOutTransactionsIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  removeExpiredTransactionalIdsIntervalMs: number;
}

export interface InitProducerIdResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/** One transactional id as DescribeTransactions answers it. */
export interface TransactionDescription {
  errorCode: number;
  transactionalId: string;
  state: TransactionState | '';
  txnTimeoutMs: number;
  txnStartTimestamp: number;
  producerId: number;
  producerEpoch: number;
  partitions: TopicPartition[];
}

type TxnResult = 'COMMIT' | 'ABORT';
type Prepared = { error: ErrorName } | { coordinatorEpoch: number; transit: TxnTransitMetadata };

const failure = (errorCode: number): InitProducerIdResult => ({ errorCode, producerId: -1, producerEpoch: -1 });

/**
 * How long AddPartitionsToTxn waits for the producer's previous transaction to complete before it answers
 * CONCURRENT_TRANSACTIONS: a transaction's markers usually take a few ms, while the client's retry of that answer waits
 * 20 ms (Kafka's ADD_PARTITIONS_RETRY_BACKOFF_MS).
 */
const CONCURRENT_WAIT_MS = 500;

export class TransactionCoordinator {
  private readonly log: Logger;
  private readonly tasks: ScheduledTask[] = [];

  constructor(
    readonly stateManager: TransactionStateManager,
    private readonly markers: TransactionMarkerChannelManager,
    private readonly producerIds: Pick<ProducerIdManager, 'generateProducerId'>,
    private readonly config: TransactionCoordinatorConfig,
    private readonly time: Time,
    private readonly scheduler: Scheduler,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'TransactionCoordinator' });
  }

  /** Starts the timeout and expiry tasks. */
  startup(): void {
    this.tasks.push(
      this.scheduler.schedule(
        'transaction-abort',
        () => this.abortTimedOutTransactions(),
        this.config.abortTimedOutTransactionsIntervalMs,
        this.config.abortTimedOutTransactionsIntervalMs,
      ),
      this.scheduler.schedule(
        'transactionalId-expiration',
        () => {
          this.stateManager.removeExpiredTransactionalIds().catch((err: unknown) => {
            this.log.warn({ err }, 'expiring transactional ids failed; retried at the next interval');
          });
        },
        this.config.removeExpiredTransactionalIdsIntervalMs,
        this.config.removeExpiredTransactionalIdsIntervalMs,
      ),
    );
  }

  async shutdown(): Promise<void> {
    for (const t of this.tasks.splice(0)) t.cancel();
    this.stateManager.shutdown();
    await this.markers.shutdown();
  }

  /** Loads the `__transaction_state` partitions led here, unloads the followed ones (ReplicaManager 'leadershipChange'). */
  onLeadershipChange(leaders: readonly Partition[], followers: readonly Partition[]): void {
    for (const p of followers) {
      if (p.topic !== TRANSACTION_STATE_TOPIC) continue;
      this.stateManager.removeTransactionsForTxnTopicPartition(p.partition);
      this.markers.removeMarkersForTxnTopicPartition(p.partition);
    }
    for (const p of leaders) {
      if (p.topic !== TRANSACTION_STATE_TOPIC) continue;
      this.log.info({ partition: p.partition, coordinatorEpoch: p.leaderEpoch }, 'elected transaction coordinator');
      this.markers.removeMarkersForTxnTopicPartition(p.partition);
      void this.stateManager.loadTransactionsForTxnTopicPartition(p, (epoch, result, metadata, transit) =>
        this.markers.addTxnMarkersToSend(epoch, result, metadata, transit),
      );
    }
  }

  /** Loads every `__transaction_state` partition this broker already leads (at start). */
  loadLedPartitions(partitions: readonly Partition[]): void {
    this.onLeadershipChange(
      partitions.filter((p) => p.isLeader),
      [],
    );
  }

  /**
   * InitProducerId (see the class comment). `expected` is the producer's current id and epoch (KIP-360), undefined
   * for a producer that has none.
   */
  async handleInitProducerId(
    transactionalId: string | null,
    transactionTimeoutMs: number,
    expected: { producerId: number; producerEpoch: number } | undefined,
  ): Promise<InitProducerIdResult> {
    if (transactionalId === null) {
      return { errorCode: ErrorCode.NONE, producerId: await this.producerIds.generateProducerId(), producerEpoch: 0 };
    }
    if (transactionalId === '') return failure(ErrorCode.INVALID_REQUEST);
    if (!this.stateManager.validateTransactionTimeoutMs(transactionTimeoutMs))
      return failure(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    let lookup = this.stateManager.getTransactionState(transactionalId);
    if (lookup.error !== null) return failure(ErrorCode[lookup.error]);
    if (lookup.metadata === undefined) {
      const producerId = await this.producerIds.generateProducerId();
      const put = this.stateManager.putTransactionStateIfNotExists(
        new TransactionMetadata(
          transactionalId,
          producerId,
          NO_PRODUCER_ID,
          NO_PRODUCER_EPOCH,
          NO_PRODUCER_EPOCH,
          transactionTimeoutMs,
          'Empty',
          [],
          -1,
          this.time.milliseconds(),
        ),
      );
      if ('error' in put) return failure(ErrorCode[put.error]);
      lookup = this.stateManager.getTransactionState(transactionalId);
      if (lookup.error !== null) return failure(ErrorCode[lookup.error]);
    }
    const m = lookup.metadata!;
    let newProducerId: number | undefined;
    let prepared = this.prepareInitProducerIdTransit(m, lookup.coordinatorEpoch, transactionTimeoutMs, expected);
    if (prepared === 'rotate') {
      newProducerId = await this.producerIds.generateProducerId();
      prepared = this.prepareInitProducerIdTransit(
        m,
        lookup.coordinatorEpoch,
        transactionTimeoutMs,
        expected,
        newProducerId,
      );
    }
    if (prepared === 'rotate') throw new IllegalStateError('A rotated producer id asked for another rotation.');
    if ('error' in prepared) return failure(ErrorCode[prepared.error]);
    const { coordinatorEpoch, transit } = prepared;
    if (transit.txnState === 'PrepareEpochFence') {
      // Abort the open transaction under the bumped epoch; the producer retries once that is done.
      const code = await this.endTransaction(
        transactionalId,
        transit.producerId,
        transit.producerEpoch,
        'ABORT',
        false,
      );
      return failure(code === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : code);
    }
    const code = await this.stateManager.appendTransactionToLog(transactionalId, coordinatorEpoch, transit);
    if (code !== ErrorCode.NONE) return failure(code);
    this.log.info(
      { transactionalId, producerId: transit.producerId, producerEpoch: transit.producerEpoch },
      'initialized transactional id',
    );
    return { errorCode: ErrorCode.NONE, producerId: transit.producerId, producerEpoch: transit.producerEpoch };
  }

  /**
   * AddPartitionsToTxn (and AddOffsetsToTxn's offsets partition): the error code to answer for every partition. While
   * the producer's previous transaction is still being completed (its markers written), the request first waits up to
   * CONCURRENT_WAIT_MS for that to finish instead of answering CONCURRENT_TRANSACTIONS at once (see the class comment).
   */
  async handleAddPartitionsToTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    partitions: readonly TopicPartition[],
  ): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const deadline = performance.now() + CONCURRENT_WAIT_MS;
    for (;;) {
      const lookup = this.stateManager.getTransactionState(transactionalId);
      if (lookup.error !== null) return ErrorCode[lookup.error];
      const m = lookup.metadata;
      if (m === undefined || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
      if (m.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
      if (m.pendingTransitionInProgress || m.state === 'PrepareCommit' || m.state === 'PrepareAbort') {
        const left = deadline - performance.now();
        if (left <= 0) return ErrorCode.CONCURRENT_TRANSACTIONS;
        await this.stateManager.awaitTransition(transactionalId, left);
        continue;
      }
      const known = new Set(m.topicPartitions.map((tp) => `${tp.topic}\0${tp.partition}`));
      if (m.state === 'Ongoing' && partitions.every((tp) => known.has(`${tp.topic}\0${tp.partition}`)))
        return ErrorCode.NONE;
      const transit = m.prepareAddPartitions(partitions, this.time.milliseconds());
      return this.stateManager.appendTransactionToLog(transactionalId, lookup.coordinatorEpoch, transit);
    }
  }

  /** EndTxn from a producer: the error code to answer (see the class comment). */
  handleEndTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    committed: boolean,
  ): Promise<number> {
    return this.endTransaction(transactionalId, producerId, producerEpoch, committed ? 'COMMIT' : 'ABORT', true);
  }

  /** DescribeTransactions: each id's state here, or the error to answer for it. */
  describeTransactions(transactionalIds: readonly string[]): TransactionDescription[] {
    return transactionalIds.map((transactionalId) => {
      const lookup = this.stateManager.getTransactionState(transactionalId);
      const m = lookup.error === null ? lookup.metadata : undefined;
      const errorCode =
        lookup.error !== null
          ? ErrorCode[lookup.error]
          : m === undefined
            ? ErrorCode.TRANSACTIONAL_ID_NOT_FOUND
            : ErrorCode.NONE;
      return {
        errorCode,
        transactionalId,
        state: m?.state ?? '',
        txnTimeoutMs: m?.txnTimeoutMs ?? -1,
        txnStartTimestamp: m?.txnStartTimestamp ?? -1,
        producerId: m?.producerId ?? -1,
        producerEpoch: m?.producerEpoch ?? -1,
        partitions: m?.topicPartitions ?? [],
      };
    });
  }

  /**
   * ListTransactions: the ids coordinated here matching the filters (state names, producer ids; empty matches all),
   * the state filters that name no state, or COORDINATOR_LOAD_IN_PROGRESS while a partition loads.
   */
  listTransactions(
    stateFilters: readonly string[],
    producerIdFilters: readonly number[],
  ): {
    errorCode: number;
    unknownStateFilters: string[];
    transactions: { transactionalId: string; producerId: number; state: TransactionState }[];
  } {
    const known = new Set<string>(TRANSACTION_STATE_TRANSITIONS.states);
    const unknownStateFilters = stateFilters.filter((s) => !known.has(s));
    if (this.stateManager.isLoading)
      return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters, transactions: [] };
    const states = new Set(stateFilters.filter((s) => known.has(s)) as TransactionState[]);
    if (stateFilters.length > 0 && states.size === 0)
      return { errorCode: ErrorCode.NONE, unknownStateFilters, transactions: [] };
    return {
      errorCode: ErrorCode.NONE,
      unknownStateFilters,
      transactions: this.stateManager.listTransactions(states, new Set(producerIdFilters)),
    };
  }

  /** Aborts, with a fencing epoch bump, every Ongoing transaction past its timeout (the periodic task). */
  abortTimedOutTransactions(): void {
    for (const { transactionalId, producerId } of this.stateManager.timedOutTransactions()) {
      const lookup = this.stateManager.getTransactionState(transactionalId);
      const m = lookup.error === null ? lookup.metadata : undefined;
      if (m === undefined || m.producerId !== producerId || m.pendingTransitionInProgress || m.state !== 'Ongoing')
        continue;
      const transit = m.prepareFenceProducerEpoch();
      this.log.info(
        { transactionalId, producerId, producerEpoch: transit.producerEpoch, txnTimeoutMs: m.txnTimeoutMs },
        'aborting a transaction open past its timeout',
      );
      void this.endTransaction(transactionalId, transit.producerId, transit.producerEpoch, 'ABORT', false).then(
        (code) => {
          if (code !== ErrorCode.NONE)
            this.log.info({ transactionalId, errorCode: code }, 'aborting the timed-out transaction did not happen');
        },
      );
    }
  }

  /**
   * Kafka's prepareInitProducerIdTransit: the transition InitProducerId asks for, an error, or 'rotate' when the epoch
   * is exhausted and a new producer id is needed (the caller gets one and asks again with it).
   */
  private prepareInitProducerIdTransit(
    m: TransactionMetadata,
    coordinatorEpoch: number,
    transactionTimeoutMs: number,
    expected: { producerId: number; producerEpoch: number } | undefined,
    newProducerId?: number,
  ): Prepared | 'rotate' {
    if (m.pendingTransitionInProgress) return { error: 'CONCURRENT_TRANSACTIONS' };
    const validProducerId =
      expected === undefined ||
      m.producerEpoch === NO_PRODUCER_EPOCH ||
      expected.producerId === m.producerId ||
      (expected.producerId === m.lastProducerId && isEpochExhausted(expected.producerEpoch));
    if (!validProducerId) return { error: 'PRODUCER_FENCED' };
    switch (m.state) {
      case 'PrepareAbort':
      case 'PrepareCommit':
        return { error: 'CONCURRENT_TRANSACTIONS' };
      case 'CompleteAbort':
      case 'CompleteCommit':
      case 'Empty': {
        const now = this.time.milliseconds();
        if (m.isProducerEpochExhausted && (expected === undefined || expected.producerEpoch === m.producerEpoch)) {
          if (newProducerId === undefined) return 'rotate';
          return {
            coordinatorEpoch,
            transit: m.prepareProducerIdRotation(newProducerId, transactionTimeoutMs, now, expected !== undefined),
          };
        }
        const transit = m.prepareIncrementProducerEpoch(transactionTimeoutMs, expected?.producerEpoch, now);
        return transit === 'PRODUCER_FENCED' ? { error: transit } : { coordinatorEpoch, transit };
      }
      case 'Ongoing':
        return { coordinatorEpoch, transit: m.prepareFenceProducerEpoch() };
      default:
        throw new IllegalStateError(
          `Transactional id ${m.transactionalId} is ${m.state}, a state it can never be found in. This is a bug.`,
        );
    }
  }

  /** Kafka's endTransaction, for EndTxn (`isFromClient`) and for the coordinator's own aborts: the code to answer. */
  private async endTransaction(
    transactionalId: string,
    producerId: number,
    producerEpoch: number,
    result: TxnResult,
    isFromClient: boolean,
  ): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const lookup = this.stateManager.getTransactionState(transactionalId);
    if (lookup.error !== null) return ErrorCode[lookup.error];
    const m = lookup.metadata;
    if (m === undefined || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if ((isFromClient && producerEpoch !== m.producerEpoch) || producerEpoch < m.producerEpoch)
      return ErrorCode.PRODUCER_FENCED;
    if (m.pendingTransitionInProgress && m.pendingState !== 'PrepareEpochFence')
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    const coordinatorEpoch = lookup.coordinatorEpoch;
    let isEpochFence = false;
    let transit: TxnTransitMetadata;
    switch (m.state) {
      case 'Ongoing': {
        const next = result === 'COMMIT' ? 'PrepareCommit' : 'PrepareAbort';
        if (next === 'PrepareAbort' && m.pendingState === 'PrepareEpochFence') {
          // The fencing bump becomes this abort's epoch.
          isEpochFence = true;
          m.pendingState = undefined;
          m.producerEpoch = producerEpoch;
          m.lastProducerEpoch = NO_PRODUCER_EPOCH;
        }
        transit = m.prepareAbortOrCommit(next, this.time.milliseconds());
        break;
      }
      case 'CompleteCommit':
        return result === 'COMMIT' ? ErrorCode.NONE : this.invalidEnd(m, result);
      case 'CompleteAbort':
        return result === 'ABORT' ? ErrorCode.NONE : this.invalidEnd(m, result);
      case 'PrepareCommit':
        return result === 'COMMIT' ? ErrorCode.CONCURRENT_TRANSACTIONS : this.invalidEnd(m, result);
      case 'PrepareAbort':
        return result === 'ABORT' ? ErrorCode.CONCURRENT_TRANSACTIONS : this.invalidEnd(m, result);
      case 'Empty':
        return this.invalidEnd(m, result);
      default:
        throw new IllegalStateError(
          `Transactional id ${transactionalId} is ${m.state}, a state it can never be found in. This is a bug.`,
        );
    }
    const code = await this.stateManager.appendTransactionToLog(transactionalId, coordinatorEpoch, transit);
    if (code !== ErrorCode.NONE) {
      if (isEpochFence) {
        const now = this.stateManager.getTransactionState(transactionalId);
        if (now.error === null && now.metadata !== undefined && now.coordinatorEpoch === coordinatorEpoch)
          now.metadata.hasFailedEpochFence = true;
      }
      return code;
    }
    const after = this.stateManager.getTransactionState(transactionalId);
    if (after.error !== null) return ErrorCode[after.error];
    if (after.metadata === undefined || after.coordinatorEpoch !== coordinatorEpoch) return ErrorCode.NOT_COORDINATOR;
    const current = after.metadata;
    if (current.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (current.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (current.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    const expectedState = result === 'COMMIT' ? 'PrepareCommit' : 'PrepareAbort';
    if (current.state !== expectedState) return this.invalidEnd(current, result);
    // Answer now; the markers and the completion follow.
    this.markers.addTxnMarkersToSend(
      coordinatorEpoch,
      result,
      current,
      current.prepareComplete(this.time.milliseconds()),
    );
    return ErrorCode.NONE;
  }

  private invalidEnd(m: TransactionMetadata, result: TxnResult): number {
    this.log.debug({ transactionalId: m.transactionalId, state: m.state, result }, 'EndTxn does not match the state');
    return ErrorCode.INVALID_TXN_STATE;
  }
}
