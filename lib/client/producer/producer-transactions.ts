/**
 * The transactional half of a producer with a `transactional.id` (Kafka's client TransactionManager beyond
 * idempotence; the TransactionManager here numbers the batches): the state machine of PRODUCER_TRANSACTION_TRANSITIONS,
 * the transaction coordinator (FindCoordinator key type 1), and the requests of KIP-98/KIP-447:
 *
 * - `initTransactions()`: InitProducerId with the transactional id — the producer id and a new epoch, which fences
 *   every older producer of that id and has the coordinator finish (abort) their open transaction first.
 * - `send()` in a transaction: each partition's first record adds it to the transaction (AddPartitionsToTxn, all new
 *   partitions in one request, one request at a time); its batches are drained only once the coordinator has it.
 * - `sendOffsetsToTransaction(offsets, groupMetadata)`: AddOffsetsToTxn, then TxnOffsetCommit to the group's
 *   coordinator with the consumer's generation and member id (KIP-447: a member that lost its partitions cannot).
 * - `commitTransaction()`: flushes every record, then EndTxn(commit) (skipped when the transaction wrote nothing).
 * - `abortTransaction()`: drops the records not sent yet (they fail with TransactionAbortedError), waits for those on
 *   the wire, EndTxn(abort), and, when an error asked for it, InitProducerId with the current id and epoch to bump the
 *   epoch (KIP-360), which also restarts every partition's sequence.
 *
 * Errors, as Kafka's client classifies them: PRODUCER_FENCED (also INVALID_PRODUCER_EPOCH from the coordinator),
 * INVALID_TXN_STATE, UNSUPPORTED_VERSION and authorization failures are fatal (FatalError: every pending and later
 * call fails; only `close()` remains). A record that fails (INVALID_PRODUCER_EPOCH from a leader, a timeout, ...),
 * UNKNOWN_PRODUCER_ID, INVALID_PRODUCER_ID_MAPPING and a TxnOffsetCommit refused for the group's generation make the
 * transaction abortable (AbortableError: records not sent are dropped; every call but `abortTransaction()` fails).
 * Coordinator errors (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR: find it again; COORDINATOR_LOAD_IN_PROGRESS,
 * CONCURRENT_TRANSACTIONS: retry) and lost connections are retried after `retry.backoff.ms` (20 ms for the first
 * AddPartitionsToTxn of a transaction waiting for the previous one to complete, as Kafka).
 *
 * Concurrency: on the event loop. Each public call runs one operation; calling it again while it runs (after its
 * `max.block.ms` ran out) waits for the same one; calling another one throws IllegalStateError from the state
 * table. Ownership: one per transactional Producer, which calls `close()` when it closes.
 */
import { ERROR_CODES, ErrorCode, errorNameOf } from '../../common/error-codes.js';
import { ApiError, ConnectionError, IllegalStateError, TimeoutError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { InitProducerIdResponse } from '../../protocol/messages/index.js';
import type { ClientCluster } from '../client-cluster.js';
import { offsetCommitTopics, type ConsumerGroupMetadata, type OffsetToCommit } from '../consumer/group-offsets.js';
import {
  InvalidProducerEpochError,
  ProducerFencedError,
  TransactionAbortableError,
  TransactionAbortedError,
  clientErrorFromCode,
} from '../errors.js';
import { sleep } from '../retry.js';
import type { RecordAccumulator } from './record-accumulator.js';
import type { TransactionalHooks, TransactionManager } from './transaction-manager.js';
import { PRODUCER_TRANSACTION_TRANSITIONS, type TransactionState } from './transaction-state.js';

export interface ProducerTransactionsOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
  cluster: ClientCluster;
  transactionManager: TransactionManager;
  accumulator: RecordAccumulator;
  /** Sends every buffered record and resolves once all are done (the producer's flush). */
  flush: () => Promise<void>;
  wakeupSender: () => void;
  retryBackoffMs: number;
  maxBlockMs: number;
  time: Time;
  logger: Logger;
}

/** Backoff of the first AddPartitionsToTxn of a transaction while the previous one completes (Kafka's 20 ms). */
const ADD_PARTITIONS_RETRY_BACKOFF_MS = 20;

/** One attempt's outcome in a coordinator request loop. */
type Step<T> = { done: T } | { retry: 'refind' | 'backoff'; backoffMs?: number };

const FATAL_NAMES = new Set<string>([
  'PRODUCER_FENCED',
  'INVALID_TXN_STATE',
  'UNSUPPORTED_VERSION',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
]);

export class ProducerTransactions implements TransactionalHooks {
  private stateValue: TransactionState = 'Uninitialized';
  private lastError: Error | null = null;
  private txnCoordinator: number | null = null;
  private readonly groupCoordinators = new Map<string, number>();
  /** Partitions in the transaction, being added, and to add: topic → partitions. */
  private readonly added = new Map<string, Set<number>>();
  private readonly pendingAdd = new Map<string, Set<number>>();
  private readonly toAdd = new Map<string, Set<number>>();
  private addingPartitions: Promise<void> | null = null;
  /** Something was added (partitions or offsets): the end needs EndTxn. */
  private transactionStarted = false;
  private epochBumpRequired = false;
  private running: { what: string; result: Promise<void> } | null = null;
  private closed = false;
  private readonly log: Logger;

  constructor(private readonly o: ProducerTransactionsOptions) {
    this.log = o.logger.child({ component: 'ProducerTransactions', transactionalId: o.transactionalId });
  }

  get state(): TransactionState {
    return this.stateValue;
  }

  // ---- the public operations ----

  /** InitProducerId (see the class comment); rejects with TimeoutError after max.block.ms (call again to go on). */
  initTransactions(): Promise<void> {
    return this.run('initTransactions', async () => {
      this.transition('Initializing');
      await this.initProducerId(undefined);
    });
  }

  beginTransaction(): void {
    this.throwIfErrored('begin a transaction');
    this.transition('InTransaction');
  }

  sendOffsetsToTransaction(offsets: readonly OffsetToCommit[], groupMetadata: ConsumerGroupMetadata): Promise<void> {
    this.throwIfErrored('send offsets to the transaction');
    if (this.stateValue !== 'InTransaction') {
      return Promise.reject(
        new IllegalStateError(
          `sendOffsetsToTransaction() needs an open transaction (state ${this.stateValue}); call beginTransaction().`,
        ),
      );
    }
    return this.run('sendOffsetsToTransaction', async () => {
      await this.addOffsets(groupMetadata.groupId);
      await this.commitTxnOffsets(offsets, groupMetadata);
    });
  }

  commitTransaction(): Promise<void> {
    return this.run('commitTransaction', async () => {
      this.throwIfErrored('commit the transaction');
      this.transition('CommittingTransaction');
      await this.o.flush();
      while (this.addingPartitions !== null) await this.addingPartitions;
      this.throwIfErrored('commit the transaction');
      if (this.transactionStarted) await this.endTxn(true);
      this.completeTransaction();
    });
  }

  abortTransaction(): Promise<void> {
    return this.run('abortTransaction', async () => {
      if (this.stateValue === 'FatalError') throw this.lastError!;
      this.transition('AbortingTransaction');
      this.toAdd.clear();
      this.o.accumulator.abortUndrainedBatches(this.lastError ?? new TransactionAbortedError());
      this.o.wakeupSender();
      await this.o.accumulator.awaitIncomplete();
      while (this.addingPartitions !== null) await this.addingPartitions;
      const unmapped = this.lastError instanceof ApiError && this.lastError.errorName === 'INVALID_PRODUCER_ID_MAPPING';
      if (this.transactionStarted && !unmapped) await this.endTxn(false);
      if (this.epochBumpRequired || unmapped) {
        this.transition('Initializing');
        const tm = this.o.transactionManager;
        await this.initProducerId({ producerId: tm.producerId, producerEpoch: tm.producerEpoch });
      } else {
        this.completeTransaction();
      }
    });
  }

  /** Throws unless a record may be sent now: in a transaction, without an error. */
  failIfNotReadyForSend(): void {
    this.throwIfErrored('send');
    if (this.stateValue !== 'InTransaction') {
      throw new IllegalStateError(
        `A transactional producer sends only inside a transaction (state ${this.stateValue}); call ` +
          `${this.stateValue === 'Uninitialized' ? 'initTransactions() and ' : ''}beginTransaction() first.`,
      );
    }
  }

  /** A record goes to `topic`-`partition`: the partition joins the transaction if it is not in it yet. */
  maybeAddPartition(topic: string, partition: number): void {
    if (has(this.added, topic, partition) || has(this.pendingAdd, topic, partition)) return;
    if (has(this.toAdd, topic, partition)) return;
    add(this.toAdd, topic, partition);
    this.scheduleAddPartitions();
  }

  /** The producer closes: open operations stop retrying. */
  close(): void {
    this.closed = true;
  }

  /** Whether a transaction is open (close() aborts it). */
  get inTransaction(): boolean {
    return this.stateValue === 'InTransaction' || this.stateValue === 'AbortableError';
  }

  // ---- TransactionalHooks (the TransactionManager's questions) ----

  isPartitionAdded(topic: string, partition: number): boolean {
    return has(this.added, topic, partition);
  }

  onBatchFailed(error: Error): void {
    if (error instanceof TransactionAbortedError) return;
    if (isFatal(error)) {
      this.fatal(error);
      return;
    }
    if (this.stateValue !== 'CommittingTransaction' && this.stateValue !== 'AbortingTransaction')
      this.epochBumpRequired = true;
    this.abortable(error);
  }

  // ---- requests ----

  private async initProducerId(expected: { producerId: number; producerEpoch: number } | undefined): Promise<void> {
    const { transactionalId, transactionTimeoutMs } = this.o;
    await this.txnCoordinatorLoop<InitProducerIdResponse>('InitProducerId', async (nodeId) => {
      const res = await this.o.cluster.send(nodeId, ApiKey.InitProducerId, {
        transactionalId,
        transactionTimeoutMs,
        producerId: expected?.producerId ?? -1,
        producerEpoch: expected?.producerEpoch ?? -1,
      });
      if (res.errorCode === ErrorCode.NONE) return { done: res };
      return (
        this.coordinatorStep(res.errorCode) ?? this.throwFatal(res.errorCode, `InitProducerId for '${transactionalId}'`)
      );
    }).then((res) => {
      this.o.transactionManager.completeInitializing(res.producerId, res.producerEpoch);
      this.lastError = null;
      this.epochBumpRequired = false;
      this.added.clear();
      this.transactionStarted = false;
      this.transition('Ready');
      this.log.info({ producerId: res.producerId, producerEpoch: res.producerEpoch }, 'initialized transactions');
    });
  }

  /** Sends AddPartitionsToTxn for the partitions waiting to join, one request at a time. */
  private scheduleAddPartitions(): void {
    if (this.addingPartitions !== null || this.toAdd.size === 0) return;
    if (this.stateValue !== 'InTransaction' && this.stateValue !== 'CommittingTransaction') return;
    const partitions: { topic: string; partition: number }[] = [];
    for (const [topic, set] of this.toAdd) for (const partition of set) partitions.push({ topic, partition });
    this.toAdd.clear();
    for (const tp of partitions) add(this.pendingAdd, tp.topic, tp.partition);
    this.addingPartitions = this.addPartitions(partitions).finally(() => {
      for (const tp of partitions) this.pendingAdd.get(tp.topic)?.delete(tp.partition);
      this.addingPartitions = null;
      this.scheduleAddPartitions();
    });
  }

  private async addPartitions(partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const tm = this.o.transactionManager;
    try {
      await this.txnCoordinatorLoop('AddPartitionsToTxn', async (nodeId) => {
        const res = await this.o.cluster.send(nodeId, ApiKey.AddPartitionsToTxn, {
          transactionalId: this.o.transactionalId,
          producerId: tm.producerId,
          producerEpoch: tm.producerEpoch,
          topics: [...byTopic].map(([name, list]) => ({ name, partitions: list })),
        });
        let partitionError: ApiError | null = null;
        for (const t of res.results) {
          for (const p of t.results) {
            const code = p.errorCode;
            if (code === ErrorCode.NONE) continue;
            if (code === ErrorCode.COORDINATOR_NOT_AVAILABLE || code === ErrorCode.NOT_COORDINATOR)
              return { retry: 'refind' };
            if (code === ErrorCode.CONCURRENT_TRANSACTIONS)
              return {
                retry: 'backoff',
                backoffMs: this.added.size === 0 ? ADD_PARTITIONS_RETRY_BACKOFF_MS : undefined,
              };
            if (code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
              return { retry: 'backoff' };
            if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED)
              throw this.fatal(new ProducerFencedError());
            if (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING)
              throw this.abortableBumping(clientErrorFromCode(code));
            const error = refused(code, `Adding ${t.name}-${p.partitionIndex} to the transaction`);
            if (isFatal(error)) throw this.fatal(error);
            if (code !== ErrorCode.OPERATION_NOT_ATTEMPTED || partitionError === null) partitionError = error;
          }
        }
        if (partitionError !== null) throw this.abortable(partitionError);
        return { done: undefined };
      });
    } catch (e) {
      this.log.debug({ err: e }, 'adding partitions to the transaction failed');
      return;
    }
    for (const tp of partitions) add(this.added, tp.topic, tp.partition);
    this.transactionStarted = true;
    this.o.wakeupSender();
  }

  private async addOffsets(groupId: string): Promise<void> {
    const tm = this.o.transactionManager;
    await this.txnCoordinatorLoop('AddOffsetsToTxn', async (nodeId) => {
      const res = await this.o.cluster.send(nodeId, ApiKey.AddOffsetsToTxn, {
        transactionalId: this.o.transactionalId,
        producerId: tm.producerId,
        producerEpoch: tm.producerEpoch,
        groupId,
      });
      const code = res.errorCode;
      if (code === ErrorCode.NONE) return { done: undefined };
      const step = this.coordinatorStep(code);
      if (step !== undefined) return step;
      if (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING)
        throw this.abortableBumping(clientErrorFromCode(code));
      const error = refused(code, `Adding the offsets of group '${groupId}' to the transaction`);
      throw code === ErrorCode.GROUP_AUTHORIZATION_FAILED ? this.abortable(error) : this.fatal(error);
    });
    this.transactionStarted = true;
  }

  private async commitTxnOffsets(offsets: readonly OffsetToCommit[], group: ConsumerGroupMetadata): Promise<void> {
    const tm = this.o.transactionManager;
    const remaining = new Map(offsets.map((o) => [`${o.topic}\0${o.partition}`, o]));
    await this.coordinatorLoop(
      `TxnOffsetCommit for group '${group.groupId}'`,
      () => this.groupCoordinators.get(group.groupId),
      async () => {
        const nodeId = await this.findCoordinator(group.groupId, 0);
        this.groupCoordinators.set(group.groupId, nodeId);
        return nodeId;
      },
      () => this.groupCoordinators.delete(group.groupId),
      async (nodeId) => {
        const res = await this.o.cluster.send(nodeId, ApiKey.TxnOffsetCommit, {
          transactionalId: this.o.transactionalId,
          groupId: group.groupId,
          producerId: tm.producerId,
          producerEpoch: tm.producerEpoch,
          generationId: group.generationId,
          memberId: group.memberId,
          groupInstanceId: group.groupInstanceId,
          topics: offsetCommitTopics([...remaining.values()]),
        });
        let refind = false;
        for (const t of res.topics) {
          for (const p of t.partitions) {
            const code = p.errorCode;
            if (code === ErrorCode.NONE) {
              remaining.delete(`${t.name}\0${p.partitionIndex}`);
            } else if (
              code === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
              code === ErrorCode.NOT_COORDINATOR ||
              code === ErrorCode.REQUEST_TIMED_OUT
            ) {
              refind = true;
            } else if (
              code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION &&
              code !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
            ) {
              const error = refused(
                code,
                `The transaction's offset commit for ${t.name}-${p.partitionIndex} of group '${group.groupId}'` +
                  (code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION
                    ? ' (the consumer is no longer that member or generation: it lost its partitions in a rebalance)'
                    : ''),
              );
              const abortable =
                code === ErrorCode.UNKNOWN_MEMBER_ID ||
                code === ErrorCode.ILLEGAL_GENERATION ||
                code === ErrorCode.FENCED_INSTANCE_ID ||
                code === ErrorCode.GROUP_AUTHORIZATION_FAILED;
              throw abortable
                ? this.abortable(error)
                : this.fatal(code === ErrorCode.INVALID_PRODUCER_EPOCH ? new ProducerFencedError() : error);
            }
          }
        }
        if (remaining.size === 0) return { done: undefined };
        return { retry: refind ? 'refind' : 'backoff' };
      },
    );
  }

  /** EndTxn; an UNKNOWN_PRODUCER_ID or INVALID_PRODUCER_ID_MAPPING while aborting asks for the epoch bump instead. */
  private async endTxn(committed: boolean): Promise<void> {
    const tm = this.o.transactionManager;
    await this.txnCoordinatorLoop(`EndTxn(${committed ? 'commit' : 'abort'})`, async (nodeId) => {
      const res = await this.o.cluster.send(nodeId, ApiKey.EndTxn, {
        transactionalId: this.o.transactionalId,
        producerId: tm.producerId,
        producerEpoch: tm.producerEpoch,
        committed,
      });
      const code = res.errorCode;
      if (code === ErrorCode.NONE) return { done: undefined };
      const step = this.coordinatorStep(code);
      if (step !== undefined) return step;
      if (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_ID_MAPPING) {
        if (!committed) {
          this.epochBumpRequired = true;
          return { done: undefined };
        }
        throw this.abortableBumping(clientErrorFromCode(code));
      }
      return this.throwFatal(code, `EndTxn for '${this.o.transactionalId}'`);
    });
  }

  // ---- coordinators ----

  /**
   * What the transaction coordinator's answers mean the same way for every request: find it again
   * (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR), retry (COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS), or
   * fenced (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH: thrown, fatal); undefined for the other codes.
   */
  private coordinatorStep(code: number): Step<never> | undefined {
    if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE) return { retry: 'refind' };
    if (code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.CONCURRENT_TRANSACTIONS)
      return { retry: 'backoff' };
    if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED)
      throw this.fatal(new ProducerFencedError());
    return undefined;
  }

  private throwFatal(code: number, what: string): never {
    throw this.fatal(refused(code, what));
  }

  private txnCoordinatorLoop<T>(what: string, attempt: (nodeId: number) => Promise<Step<T>>): Promise<T> {
    return this.coordinatorLoop(
      what,
      () => this.txnCoordinator ?? undefined,
      async () => (this.txnCoordinator = await this.findCoordinator(this.o.transactionalId, 1)),
      () => {
        this.txnCoordinator = null;
      },
      attempt,
    );
  }

  /**
   * Runs `attempt` against a coordinator until it is done: finding the coordinator when none is known, finding it
   * again after 'refind' or a lost connection, pausing retry.backoff.ms between attempts. Ends only by success, by
   * an error `attempt` throws (fatal or abortable, already applied), or when the producer closes.
   */
  private async coordinatorLoop<T>(
    what: string,
    known: () => number | undefined,
    find: () => Promise<number>,
    forget: () => void,
    attempt: (nodeId: number) => Promise<Step<T>>,
  ): Promise<T> {
    for (;;) {
      if (this.closed) throw new IllegalStateError(`The producer closed while ${what} was in progress.`);
      let step: Step<T>;
      try {
        step = await attempt(known() ?? (await find()));
      } catch (e) {
        const retriable =
          e instanceof ConnectionError || e instanceof TimeoutError || (e instanceof ApiError && e.retriable);
        if (!retriable || this.stateValue === 'FatalError') throw e;
        this.log.debug({ err: e, what }, 'coordinator request failed; retrying');
        step = { retry: 'refind' };
      }
      if ('done' in step) return step.done;
      if (step.retry === 'refind') forget();
      await sleep(step.backoffMs ?? this.o.retryBackoffMs);
    }
  }

  /** FindCoordinator (0 group, 1 transaction); a retriable ApiError while there is none. */
  private async findCoordinator(key: string, keyType: 0 | 1): Promise<number> {
    const res = await this.o.cluster.sendToAny(ApiKey.FindCoordinator, { key, keyType });
    if (res.errorCode === ErrorCode.NONE) return res.nodeId;
    const error = clientErrorFromCode(res.errorCode, res.errorMessage ?? undefined);
    if (error.retriable) throw error;
    throw this.fatal(error);
  }

  // ---- state ----

  /** Runs operation `what`, or waits for it when it is already running; at most max.block.ms per call. */
  private run(what: string, operation: () => Promise<void>): Promise<void> {
    let running = this.running;
    if (running !== null && running.what !== what) {
      return Promise.reject(
        new IllegalStateError(
          `Cannot ${what}() while ${running.what}() is still running (it timed out); call ${running.what}() again.`,
        ),
      );
    }
    if (running === null) {
      const result = operation();
      running = { what, result };
      const mine = running;
      this.running = mine;
      result.then(
        () => this.settled(mine),
        () => this.settled(mine),
      );
    }
    return this.withinMaxBlock(running.result, what);
  }

  private settled(running: { what: string; result: Promise<void> }): void {
    if (this.running === running) this.running = null;
  }

  private withinMaxBlock(result: Promise<void>, what: string): Promise<void> {
    const { maxBlockMs } = this.o;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(
              `${what}() did not complete within max.block.ms (${maxBlockMs} ms); it goes on in the background. ` +
                `Call ${what}() again to wait for it.`,
            ),
          ),
        maxBlockMs,
      );
    });
    return Promise.race([result, timeout]).finally(() => clearTimeout(timer));
  }

  private completeTransaction(): void {
    this.added.clear();
    this.pendingAdd.clear();
    this.toAdd.clear();
    this.transactionStarted = false;
    this.lastError = null;
    this.transition('Ready');
  }

  private throwIfErrored(what: string): void {
    const error = this.lastError;
    if (this.stateValue === 'FatalError' && error !== null) throw error;
    if (this.stateValue === 'AbortableError' && error !== null) {
      if (error instanceof InvalidProducerEpochError || error instanceof ProducerFencedError) throw error;
      throw new TransactionAbortableError(what, error);
    }
  }

  private transition(to: TransactionState): void {
    PRODUCER_TRANSACTION_TRANSITIONS.assertValidTransition(this.o.transactionalId, this.stateValue, to);
    if (to !== this.stateValue) this.log.debug({ from: this.stateValue, to }, 'transaction state change');
    this.stateValue = to;
  }

  /** FatalError: everything pending and later fails with `error` (the TransactionManager fails the batches). */
  private fatal(error: Error): Error {
    if (this.stateValue !== 'FatalError') {
      this.log.info({ err: error }, 'transactional producer failed for good');
      this.lastError = error;
      this.transition('FatalError');
      this.o.transactionManager.fail(error);
      this.o.wakeupSender();
    }
    return error;
  }

  /** AbortableError (unless already aborting): records not yet sent fail with `error`. */
  private abortable(error: Error): Error {
    if (this.stateValue === 'AbortingTransaction' || this.stateValue === 'FatalError') return error;
    this.log.info({ err: error }, 'transaction must be aborted');
    this.lastError = error;
    this.transition('AbortableError');
    this.o.accumulator.abortUndrainedBatches(error);
    return error;
  }

  /** An abortable error whose abort must also bump the epoch (Kafka's abortableErrorIfPossible). */
  private abortableBumping(error: Error): Error {
    this.epochBumpRequired = true;
    return this.abortable(error);
  }
}

/** The client error for a refusal of `what`, naming Kafka's error and its meaning. */
function refused(code: number, what: string): ApiError {
  const name = errorNameOf(code);
  return clientErrorFromCode(code, `${what} failed with ${name}: ${ERROR_CODES[name].message}`);
}

function isFatal(error: Error): boolean {
  return error instanceof ApiError && FATAL_NAMES.has(error.errorName);
}

function has(map: ReadonlyMap<string, ReadonlySet<number>>, topic: string, partition: number): boolean {
  return map.get(topic)?.has(partition) === true;
}

function add(map: Map<string, Set<number>>, topic: string, partition: number): void {
  const set = map.get(topic);
  if (set === undefined) map.set(topic, new Set([partition]));
  else set.add(partition);
}
