/**
 * The idempotent producer's bookkeeping (Kafka's `TransactionManager`, the part every idempotent producer runs;
 * transactions build on it): the producer id and epoch, and per partition the sequence of its next batch, the last
 * acknowledged sequence and offset, and the batches that carry a sequence and are not done yet — sent, or waiting to
 * be sent again — in sequence order.
 *
 * Rules, as Kafka's client applies them (KIP-98, KIP-360):
 * - No batch is drained before the producer has an id (InitProducerId); a batch drained for the first time gets the
 *   producer id, epoch and the partition's next sequence, which advances by its record count (wrapping).
 * - A retried batch keeps its sequence and goes out only when it is the partition's first unfinished one, so that
 *   batches reach the leader in order; the broker answers a batch it already has with its original offset.
 * - At most `max.in.flight.requests.per.connection` (≤ 5) batches of a partition are numbered from its first
 *   unfinished one on (acknowledged ones after it included), wherever they are: on the wire to an old leader that
 *   stopped answering, waiting for a retry, or sent to a new one. A leader recognizes a retry by the producer's last
 *   five batches it retains, so the oldest unfinished batch is always among them; without the bound, a leader change
 *   lets later batches through to the new leader while the first is still out, and its retry comes too late to be
 *   recognized (Kafka 2.8 bounds them per connection only).
 * - New batches of a partition wait while it has unfinished batches of an older epoch, or sequences whose fate is
 *   unknown (a batch that expired after being sent).
 * - A batch whose attempt ended without an answer proving the leader did not append it (a lost connection, a
 *   timeout, NOT_LEADER_OR_FOLLOWER or NOT_ENOUGH_REPLICAS_AFTER_APPEND, ...) may have been written. It is never
 *   renumbered nor sent under a new epoch, which would write it twice: it is retried as it is until a leader answers
 *   it (any leader that holds it answers it as a duplicate) or it expires. Kafka 2.8 resets sequences only for
 *   batches it knows failed too; our rule also covers an error answered by a leader that no longer holds the
 *   batch's neighbours (a stale one, or one that took over before the batch was retried).
 * - Errors: UNKNOWN_PRODUCER_ID (the broker lost or expired the state) and OUT_OF_ORDER_SEQUENCE_NUMBER on the
 *   partition's next expected batch (a real gap) are retried after an epoch bump; OUT_OF_ORDER on a later batch is
 *   retried as it is (an earlier one is being retried). A batch the broker refused for good leaves a gap: the epoch
 *   is bumped too; one whose fate is unknown (retries or time ran out) holds the partition's new batches back until
 *   its unfinished ones are done and show whether there is a gap. An epoch bump is local: the epoch goes up by one (a new producer
 *   id once it reaches 32767) and the partitions that asked for it renumber their unfinished batches from sequence 0
 *   under the new epoch, once none of them is on the wire or may have been written (until then such a partition
 *   sends only its first unfinished batch, as it is); other partitions move to the new epoch with sequence 0 when
 *   they have nothing unfinished.
 * - PRODUCER_FENCED, UNSUPPORTED_VERSION or a failed InitProducerId that cannot be retried are fatal: the producer
 *   fails everything it holds and every later send.
 * - A transactional producer (`TransactionalHooks`, see producer-transactions.ts) gets its id and epoch from its
 *   transaction coordinator instead of asking here; its batches are drained only for partitions in the transaction;
 *   it never bumps the epoch locally: where an idempotent producer would, its batch fails, which makes the
 *   transaction abortable, and the abort bumps the epoch through the coordinator (Kafka's rule).
 *
 * Concurrency: on the event loop, called by the Sender between its awaits; holds no timers. Ownership: one per
 * idempotent Producer; it only references the batches, which the accumulator owns.
 */
import type { ErrorName } from '../../common/error-codes.js';
import { ApiError, TimeoutError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { NO_SEQUENCE, incrementSequence } from '../../record/record-batch.js';
import { isRetriable } from '../retry.js';
import type { ProducerBatch } from './producer-batch.js';

/** Largest producer epoch; bumping past it takes a new producer id. */
const MAX_PRODUCER_EPOCH = 32767;

/**
 * Errors a leader answers before it appends anything: a batch they refused is not in that leader's log. Any other
 * failure (a lost connection, a timeout, REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS_AFTER_APPEND, NOT_LEADER_OR_FOLLOWER,
 * which also ends a write waiting for its replicas when the leadership moves, ...) leaves the batch possibly written.
 */
const REFUSED_BEFORE_APPEND: ReadonlySet<ErrorName> = new Set<ErrorName>([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'NOT_ENOUGH_REPLICAS',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'CORRUPT_MESSAGE',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'INVALID_REQUIRED_ACKS',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'UNSUPPORTED_VERSION',
]);

/** What a transactional producer adds to the rules (see producer-transactions.ts). */
export interface TransactionalHooks {
  /** Whether the partition is part of the current transaction (its batches may be drained). */
  isPartitionAdded(topic: string, partition: number): boolean;
  /** A batch failed for good with `error`: fatal or abortable, as the transactional producer decides. */
  onBatchFailed(error: Error): void;
}

/** What the producer knows of one partition. */
interface PartitionEntry {
  readonly topic: string;
  readonly partition: number;
  /** The producer id and epoch this partition's batches are numbered under. */
  producerId: number;
  producerEpoch: number;
  nextSequence: number;
  lastAckedSequence: number;
  lastAckedOffset: number;
  /** Batches with a sequence that are not done, ascending by sequence. */
  readonly unfinished: ProducerBatch[];
  /**
   * The batches numbered from the first unfinished one on, acknowledged ones included, ascending by sequence: at
   * most `maxInFlight` (the leader's five retained batches must include the first unfinished one).
   */
  window: ProducerBatch[];
  /** Last sequence of an expired batch whose fate is unknown; NO_SEQUENCE when none. */
  unresolvedLastSequence: number;
}

export class TransactionManager {
  private producerIdValue = -1;
  private producerEpochValue = -1;
  private initializing = false;
  private fatal: Error | null = null;
  private readonly byTopic = new Map<string, PartitionEntry[]>();
  /** Partitions waiting for an epoch bump to renumber their unfinished batches. */
  private readonly toRenumber = new Set<PartitionEntry>();
  /** Partitions with an expired batch whose fate is unknown. */
  private readonly unresolved = new Set<PartitionEntry>();
  private readonly logger: Logger;

  /**
   * `maxInFlight` is the producer's `max.in.flight.requests.per.connection` (at most 5 with idempotence): the most
   * batches of one partition numbered from its first unfinished one on.
   */
  constructor(
    logger: Logger,
    private readonly maxInFlight: number,
    private readonly transactional?: TransactionalHooks,
  ) {
    this.logger = logger.child({ component: 'TransactionManager' });
  }

  get producerId(): number {
    return this.producerIdValue;
  }

  get producerEpoch(): number {
    return this.producerEpochValue;
  }

  get hasProducerId(): boolean {
    return this.producerIdValue >= 0;
  }

  /** The error that made the producer unusable, or null. */
  get fatalError(): Error | null {
    return this.fatal;
  }

  /** Whether the Sender should send InitProducerId now (no id, none asked for, not failed). */
  get needsProducerId(): boolean {
    return !this.hasProducerId && !this.initializing && this.fatal === null && this.transactional === undefined;
  }

  beginInitializing(): void {
    this.initializing = true;
  }

  /** InitProducerId answered: the producer id and epoch to number batches with. */
  completeInitializing(producerId: number, producerEpoch: number): void {
    this.initializing = false;
    this.producerIdValue = producerId;
    this.producerEpochValue = producerEpoch;
    this.logger.info({ producerId, producerEpoch }, 'got a producer id');
    // Partitions renumbering when the epoch ran out now do so under the new id.
    this.renumberPending();
  }

  /** InitProducerId failed: retry later when `retriable`, else the producer is fatally failed. */
  failInitializing(error: Error): void {
    this.initializing = false;
    if (!isRetriable(error)) this.fail(error);
  }

  /**
   * Before each drain: partitions whose unknown sequences are now settled either resume or ask for an epoch bump;
   * then a pending bump happens once no partition that asked for it has a batch on the wire.
   */
  prepareDrain(): void {
    for (const e of this.unresolved) {
      if (e.unfinished.length > 0) continue;
      this.unresolved.delete(e);
      e.unresolvedLastSequence = NO_SEQUENCE;
      if (!this.isNextSequence(e, e.nextSequence)) {
        this.logger.info(
          { topic: e.topic, partition: e.partition, lastAckedSequence: e.lastAckedSequence, next: e.nextSequence },
          'expired batches left a gap; bumping the epoch',
        );
        this.toRenumber.add(e);
      }
    }
    if (this.toRenumber.size === 0 || !this.hasProducerId) return;
    for (const e of this.toRenumber) if (e.unfinished.some((b) => b.inFlight || b.mayHaveBeenWritten)) return;
    if (this.producerEpochValue >= MAX_PRODUCER_EPOCH) {
      this.logger.info({ producerId: this.producerIdValue }, 'producer epoch exhausted; asking for a new producer id');
      this.producerIdValue = -1;
      this.producerEpochValue = -1;
      return;
    }
    this.producerEpochValue++;
    this.logger.info({ producerId: this.producerIdValue, producerEpoch: this.producerEpochValue }, 'bumped epoch');
    this.renumberPending();
  }

  /** Whether `batch`, the head of its partition's queue, may be drained now (see the rules in the header). */
  canDrain(batch: ProducerBatch): boolean {
    if (!this.hasProducerId) return false;
    if (this.transactional?.isPartitionAdded(batch.topic, batch.partition) === false) return false;
    const e = this.entry(batch.topic, batch.partition);
    const first = e.unfinished[0];
    if (this.toRenumber.has(e)) return batch === first && batch.mayHaveBeenWritten;
    if (!batch.hasSequence) {
      if (e.unfinished.length > 0 && this.isStale(e)) return false;
      if (e.unresolvedLastSequence !== NO_SEQUENCE) return false;
      return e.window.length < this.maxInFlight;
    }
    return first === undefined || batch.baseSequence === first.baseSequence;
  }

  /** Gives a batch drained for the first time its producer id, epoch and sequence. */
  assignSequence(batch: ProducerBatch): void {
    const e = this.entry(batch.topic, batch.partition);
    if (this.isStale(e) && e.unfinished.length === 0) this.restartSequences(e);
    batch.setProducerState(e.producerId, e.producerEpoch, e.nextSequence);
    e.nextSequence = incrementSequence(e.nextSequence, batch.count);
    e.unfinished.push(batch);
    e.window.push(batch);
  }

  /**
   * An attempt to send `batch` failed with `error` (before the retry is decided): unless the leader refused it before
   * appending, it may have been written, for good.
   */
  handleFailedAttempt(batch: ProducerBatch, error: Error): void {
    if (!(error instanceof ApiError && REFUSED_BEFORE_APPEND.has(error.errorName))) batch.mayHaveBeenWritten = true;
  }

  /** The broker wrote the batch at `baseOffset` (-1 when it did not say, after DUPLICATE_SEQUENCE_NUMBER). */
  handleCompletedBatch(batch: ProducerBatch, baseOffset: number): void {
    const e = this.entry(batch.topic, batch.partition);
    if (batch.lastSequence > e.lastAckedSequence) e.lastAckedSequence = batch.lastSequence;
    if (baseOffset >= 0) e.lastAckedOffset = Math.max(e.lastAckedOffset, baseOffset + batch.count - 1);
    this.remove(e, batch);
  }

  /**
   * Whether a batch that failed with `error` may be sent again (the Sender has checked retries and the delivery
   * timeout); may ask for an epoch bump. `logStartOffset` is the partition's, from the response (-1 unknown).
   */
  canRetry(error: Error, batch: ProducerBatch, logStartOffset: number): boolean {
    if (!(error instanceof ApiError)) return isRetriable(error);
    const e = this.entry(batch.topic, batch.partition);
    if (error.errorName === 'UNKNOWN_PRODUCER_ID') {
      // Without the log start offset the state of things is unknown: retry as it is until a response has it.
      if (logStartOffset < 0 || batch.sequenceHasBeenReset) return true;
      if (this.transactional !== undefined) return false;
      this.requestEpochBump(e, error);
      return true;
    }
    if (error.errorName === 'OUT_OF_ORDER_SEQUENCE_NUMBER') {
      const unresolved = e.unresolvedLastSequence !== NO_SEQUENCE;
      if (!unresolved && (batch.sequenceHasBeenReset || !this.isNextSequence(e, batch.baseSequence))) return true;
      if (this.transactional !== undefined) return false;
      if (!unresolved || batch.baseSequence === incrementSequence(e.unresolvedLastSequence, 1))
        this.requestEpochBump(e, error);
      return true;
    }
    return error.retriable;
  }

  /**
   * A batch failed for good. With an error the broker answered (not retriable) it was not written, which leaves a
   * gap: the partition asks for an epoch bump. Otherwise (retries or the delivery timeout ran out on a lost
   * connection, a timeout, ...) it may or may not have been written: its sequence stays unresolved, and no new batch
   * of the partition is drained until the unfinished ones are done and tell (see `prepareDrain`).
   */
  handleFailedBatch(batch: ProducerBatch, error: Error): void {
    if (this.transactional !== undefined) {
      if (batch.hasSequence) this.remove(this.entry(batch.topic, batch.partition), batch);
      this.transactional.onBatchFailed(error);
      return;
    }
    if (
      error instanceof ApiError &&
      (error.errorName === 'PRODUCER_FENCED' || error.errorName === 'UNSUPPORTED_VERSION')
    )
      this.fail(error);
    if (!batch.hasSequence) return;
    if (error instanceof ApiError && !error.retriable) {
      const e = this.entry(batch.topic, batch.partition);
      this.remove(e, batch);
      this.requestEpochBump(e, error);
    } else {
      this.handleExpiredBatch(batch);
    }
  }

  /**
   * A batch that may or may not have been written was given up (delivery timeout): its sequence is unresolved. In a
   * transaction the transaction becomes abortable instead (the abort's epoch bump resolves every sequence).
   */
  handleExpiredBatch(batch: ProducerBatch): void {
    if (this.transactional !== undefined) {
      if (batch.hasSequence) this.remove(this.entry(batch.topic, batch.partition), batch);
      this.transactional.onBatchFailed(
        new TimeoutError(
          `A batch for ${batch.topic}-${batch.partition} expired (delivery.timeout.ms) in the transaction; abort it.`,
        ),
      );
      return;
    }
    if (!batch.hasSequence) return;
    const e = this.entry(batch.topic, batch.partition);
    this.remove(e, batch);
    e.unresolvedLastSequence = batch.lastSequence;
    this.unresolved.add(e);
  }

  private requestEpochBump(e: PartitionEntry, error: Error): void {
    if (this.toRenumber.has(e)) return;
    this.logger.info({ topic: e.topic, partition: e.partition, err: error }, 'epoch bump requested');
    this.toRenumber.add(e);
  }

  /** Every partition that asked for a bump numbers its unfinished batches from 0 under the current id and epoch. */
  private renumberPending(): void {
    for (const e of this.toRenumber) {
      this.restartSequences(e);
      let sequence = 0;
      e.window = [...e.unfinished];
      for (const batch of e.unfinished) {
        batch.setProducerState(this.producerIdValue, this.producerEpochValue, sequence);
        sequence = incrementSequence(sequence, batch.count);
      }
      e.nextSequence = sequence;
    }
    this.toRenumber.clear();
  }

  private restartSequences(e: PartitionEntry): void {
    e.producerId = this.producerIdValue;
    e.producerEpoch = this.producerEpochValue;
    e.nextSequence = 0;
    e.lastAckedSequence = NO_SEQUENCE;
    e.unresolvedLastSequence = NO_SEQUENCE;
    e.window = [];
    this.unresolved.delete(e);
  }

  /** Fails the producer for good: every batch it holds and every later send fail with `error`. */
  fail(error: Error): void {
    if (this.fatal !== null) return;
    this.fatal = error;
    this.logger.error({ err: error }, 'the idempotent producer failed for good');
  }

  private isStale(e: PartitionEntry): boolean {
    return e.producerId !== this.producerIdValue || e.producerEpoch !== this.producerEpochValue;
  }

  private isNextSequence(e: PartitionEntry, sequence: number): boolean {
    return sequence === incrementSequence(e.lastAckedSequence, 1);
  }

  private remove(e: PartitionEntry, batch: ProducerBatch): void {
    const i = e.unfinished.indexOf(batch);
    if (i >= 0) e.unfinished.splice(i, 1);
    const first = e.unfinished[0];
    const from = first === undefined ? e.window.length : e.window.indexOf(first);
    if (from > 0) e.window.splice(0, from);
  }

  private entry(topic: string, partition: number): PartitionEntry {
    let entries = this.byTopic.get(topic);
    if (entries === undefined) this.byTopic.set(topic, (entries = []));
    let e = entries[partition];
    if (e === undefined) {
      e = {
        topic,
        partition,
        producerId: this.producerIdValue,
        producerEpoch: this.producerEpochValue,
        nextSequence: 0,
        lastAckedSequence: NO_SEQUENCE,
        lastAckedOffset: -1,
        unfinished: [],
        window: [],
        unresolvedLastSequence: NO_SEQUENCE,
      };
      entries[partition] = e;
    }
    return e;
  }
}
