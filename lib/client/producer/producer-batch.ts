/**
 * One record batch of one partition on its way to the leader (Kafka's `ProducerBatch`): the records, written in
 * place into a `RecordBatchBuilder`, and who to tell when the broker answers.
 *
 * Layout: the builder holds the records (appended in place at `send()` time: no per-record object is kept);
 * completion is kept in flat arrays, not per-record closures:
 * - `send()` records: parallel arrays of settle functions, record index in the batch and timestamp. A record sent
 *   with a callback stores the callback and no rejecter (null); one sent for a promise stores the promise's resolve
 *   and reject functions;
 * - `sendBatch()` calls: one `BatchCompletion` per call and run of consecutive records it put in this batch
 *   (parallel arrays of completion, first index, count), so a million records sent in one call cost a handful of
 *   entries, not a million promises.
 * One produce response settles everything with one loop.
 *
 * Lifecycle: Open (appending) → Closed (`close()`: built into `payload`, the builder returned to its owner) →
 * in flight ↔ re-enqueued for retry → Done (`complete()` or `fail()`, exactly once). The memory it reserved
 * (`reservedBytes`) is released by the accumulator when it is done.
 * Idempotence: an idempotent producer gives the batch its producer id, epoch and base sequence when it is first
 * drained (`setProducerState`, written into the header when the batch is built); a retry keeps them, unless the
 * producer bumps its epoch and renumbers the partition's batches (`setProducerState` again: the built header is
 * rewritten in place, CRC included, and `sequenceHasBeenReset` is set).
 */
import { IllegalStateError } from '../../common/errors.js';
import type { RecordBatchBuilder, RecordHeader } from '../../record/record-batch-builder.js';
import { NO_PRODUCER_EPOCH, NO_SEQUENCE, incrementSequence, writeProducerState } from '../../record/record-batch.js';

/** Where a record was written: the answer to `send()`. */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 with acks=0 (the broker does not answer). */
  offset: number;
  /** The record's timestamp, or the broker's append time when the topic uses LogAppendTime. */
  timestamp: number;
}

/**
 * What `send(record, callback)` calls once the record is acknowledged or failed, Node's error-first way round
 * (Kafka's `Callback.onCompletion(metadata, exception)`): `(null, metadata)` or `(error, null)`. It runs on the event
 * loop, never synchronously inside `send()`, but synchronously inside the producer's handling of the broker's answer
 * (as Kafka's callbacks run on its I/O thread): keep it short. One that throws is reported as an uncaught exception
 * once the rest of its batch is settled.
 */
export type SendCallback = (error: Error | null, metadata: RecordMetadata | null) => void;

/** Who hears of a `send()` record's success: its callback, or its promise's resolve function. */
export type RecordSettler = SendCallback | ((metadata: RecordMetadata) => void);
/** Its promise's reject function, or null when the settler is a callback (which hears of failures too). */
export type RecordRejecter = ((error: Error) => void) | null;

/** Where a run of records from one `sendBatch()` call was written: consecutive offsets from `baseOffset`. */
export interface PartitionResult {
  topic: string;
  partition: number;
  /** Offset of the first of the records; -1 with acks=0. */
  baseOffset: number;
  recordCount: number;
}

/** The promise of one `sendBatch()` call, settled when every batch holding its records is done. */
export class BatchCompletion {
  readonly results: PartitionResult[] = [];
  /** Parts (batch entries) not yet done; starts at 1 for the sender itself until `seal()`. */
  private pending = 1;
  private settled = false;

  constructor(
    private readonly resolve: (results: PartitionResult[]) => void,
    private readonly reject: (e: Error) => void,
  ) {}

  addPart(): void {
    this.pending++;
  }

  partDone(result: PartitionResult): void {
    this.results.push(result);
    if (--this.pending === 0) this.finish();
  }

  partFailed(error: Error): void {
    if (!this.settled) {
      this.settled = true;
      this.reject(error);
    }
  }

  /** Called once every record of the call was appended. */
  seal(): void {
    if (--this.pending === 0) this.finish();
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(this.results);
  }
}

export class ProducerBatch {
  /** The built batch, set by `close()`. */
  payload: Buffer | null = null;
  /** Send attempts so far. */
  attempts = 0;
  /** Monotonic time before which a retry must not be sent. */
  retryAtMs = 0;
  /** Order among this partition's batches, assigned when first drained; retries are re-queued by it. */
  drainSequence = -1;
  inFlight = false;
  /** Producer id, epoch and base sequence given by an idempotent producer; -1 until then (and without idempotence). */
  producerId = -1;
  producerEpoch = NO_PRODUCER_EPOCH;
  baseSequence = NO_SEQUENCE;
  /** The producer renumbered this batch after an epoch bump (Kafka's `sequenceHasBeenReset`). */
  sequenceHasBeenReset = false;
  /**
   * An attempt ended without an answer that proves the leader did not append it (a lost connection, a timeout,
   * NOT_LEADER_OR_FOLLOWER, ...): it may be in the log, so it is only ever sent again as it is (see TransactionManager).
   */
  mayHaveBeenWritten = false;
  private done = false;
  private builder: RecordBatchBuilder | null;
  private recordCount = 0;
  private doneListeners: Array<() => void> | null = null;

  // send(): one entry per record; a null rejecter marks a SendCallback in `recordSettlers` (see the header).
  private readonly recordSettlers: Array<RecordSettler> = [];
  private readonly recordRejecters: Array<RecordRejecter> = [];
  private readonly recordIndexes: number[] = [];
  private readonly recordTimestamps: number[] = [];
  // sendBatch(): one entry per run of records of one call.
  private readonly completions: BatchCompletion[] = [];
  private readonly completionFirstIndexes: number[] = [];
  private readonly completionCounts: number[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    builder: RecordBatchBuilder,
    /** Monotonic creation time: linger and delivery timeout count from it. */
    readonly createdMs: number,
    /** Bytes reserved from buffer.memory. */
    readonly reservedBytes: number,
  ) {
    this.builder = builder;
  }

  get count(): number {
    return this.recordCount;
  }

  get isOpen(): boolean {
    return this.builder !== null;
  }

  get isDone(): boolean {
    return this.done;
  }

  get hasSequence(): boolean {
    return this.baseSequence !== NO_SEQUENCE;
  }

  /** Base sequence plus the record count minus one, wrapping; NO_SEQUENCE without a sequence. */
  get lastSequence(): number {
    return this.hasSequence ? incrementSequence(this.baseSequence, this.recordCount - 1) : NO_SEQUENCE;
  }

  /**
   * Gives the batch its idempotence fields (see the header): written by the build, or into the built batch when it
   * was already built (a renumbering, which marks `sequenceHasBeenReset`).
   */
  setProducerState(producerId: number, producerEpoch: number, baseSequence: number): void {
    if (this.hasSequence) this.sequenceHasBeenReset = true;
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
    if (this.payload !== null) writeProducerState(this.payload, 0, producerId, producerEpoch, baseSequence);
    else this.builder!.setProducerState(producerId, producerEpoch, baseSequence);
  }

  /** Uncompressed size so far (open), or the built size. */
  get sizeInBytes(): number {
    return this.payload !== null ? this.payload.length : this.builder!.sizeInBytes;
  }

  /** Appends a record; returns its index in the batch. The caller checked that it fits. */
  append(
    timestampMs: number,
    key: Buffer | string | null,
    value: Buffer | string | null,
    headers: readonly RecordHeader[] | undefined,
  ): number {
    const builder = this.builder;
    if (builder === null)
      throw new IllegalStateError(`Batch for ${this.topic}-${this.partition} is closed to appends.`);
    builder.append(timestampMs, key, value, headers);
    return this.recordCount++;
  }

  /**
   * Registers who waits for the `send()` record at `index`: its callback (`reject` null) or its promise's resolve
   * and reject functions.
   */
  addRecordWaiter(index: number, timestampMs: number, settle: RecordSettler, reject: RecordRejecter): void {
    this.recordSettlers.push(settle);
    this.recordRejecters.push(reject);
    this.recordIndexes.push(index);
    this.recordTimestamps.push(timestampMs);
  }

  /** Records that records [firstIndex, firstIndex + count) belong to `completion` (extends the last run when contiguous). */
  addToCompletion(completion: BatchCompletion, firstIndex: number): void {
    const last = this.completions.length - 1;
    if (
      last >= 0 &&
      this.completions[last] === completion &&
      this.completionFirstIndexes[last]! + this.completionCounts[last]! === firstIndex
    ) {
      this.completionCounts[last]!++;
      return;
    }
    completion.addPart();
    this.completions.push(completion);
    this.completionFirstIndexes.push(firstIndex);
    this.completionCounts.push(1);
  }

  /** Stops appends and builds the batch; returns the builder for reuse. */
  async close(): Promise<RecordBatchBuilder> {
    const builder = this.takeBuilder();
    this.payload = await builder.build();
    return builder;
  }

  /** `close()` for uncompressed batches, without a promise. */
  closeSync(): RecordBatchBuilder {
    const builder = this.takeBuilder();
    this.payload = builder.buildSync();
    return builder;
  }

  /** Settles every record: written at `baseOffset` (-1 for acks=0); `logAppendTimeMs` -1 unless LogAppendTime. */
  complete(baseOffset: number, logAppendTimeMs: number): void {
    if (!this.markDone()) return;
    const { topic, partition } = this;
    const settlers = this.recordSettlers;
    const rejecters = this.recordRejecters;
    let thrown: unknown[] | null = null;
    for (let i = 0; i < settlers.length; i++) {
      const metadata: RecordMetadata = {
        topic,
        partition,
        offset: baseOffset < 0 ? -1 : baseOffset + this.recordIndexes[i]!,
        timestamp: logAppendTimeMs >= 0 ? logAppendTimeMs : this.recordTimestamps[i]!,
      };
      if (rejecters[i] !== null) {
        (settlers[i] as (m: RecordMetadata) => void)(metadata);
        continue;
      }
      try {
        (settlers[i] as SendCallback)(null, metadata);
      } catch (e) {
        (thrown ??= []).push(e);
      }
    }
    for (let i = 0; i < this.completions.length; i++) {
      this.completions[i]!.partDone({
        topic,
        partition,
        baseOffset: baseOffset < 0 ? -1 : baseOffset + this.completionFirstIndexes[i]!,
        recordCount: this.completionCounts[i]!,
      });
    }
    this.runDoneListeners();
    if (thrown !== null) rethrowLater(thrown);
  }

  /** Fails every record with `error`. */
  fail(error: Error): void {
    if (!this.markDone()) return;
    const settlers = this.recordSettlers;
    const rejecters = this.recordRejecters;
    let thrown: unknown[] | null = null;
    for (let i = 0; i < settlers.length; i++) {
      const reject = rejecters[i]!;
      if (reject !== null) {
        reject(error);
        continue;
      }
      try {
        (settlers[i] as SendCallback)(error, null);
      } catch (e) {
        (thrown ??= []).push(e);
      }
    }
    for (const completion of this.completions) completion.partFailed(error);
    this.runDoneListeners();
    if (thrown !== null) rethrowLater(thrown);
  }

  /** Resolves once the batch is done (for `flush()`). */
  whenDone(): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => (this.doneListeners ??= []).push(resolve));
  }

  private takeBuilder(): RecordBatchBuilder {
    const builder = this.builder;
    if (builder === null) throw new IllegalStateError(`Batch for ${this.topic}-${this.partition} was already closed.`);
    this.builder = null;
    return builder;
  }

  private markDone(): boolean {
    if (this.done) return false;
    this.done = true;
    this.inFlight = false;
    return true;
  }

  private runDoneListeners(): void {
    const listeners = this.doneListeners;
    this.doneListeners = null;
    if (listeners !== null) for (const listener of listeners) listener();
  }
}

/**
 * Reports what callbacks threw as uncaught exceptions, as Node does for a throwing callback, after the batch has
 * settled every record and released itself (a throw inside the loop would leave records unsettled).
 */
function rethrowLater(errors: unknown[]): void {
  for (const error of errors) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
