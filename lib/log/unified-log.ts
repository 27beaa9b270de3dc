/**
 * The log of one partition as the rest of the broker sees it (Kafka 3.x's `UnifiedLog`, 2.8's `Log`): validated
 * appends with offset assignment, reads, log start offset and retention, the high watermark bound, the leader
 * epoch cache, the producer state of idempotent producers, flushing with group commit, and truncation. Segment
 * handling is LocalLog's; loading is LogLoader's; producer state is ProducerStateManager's.
 *
 * Appends: the caller hands a buffer of whole v2 batches (a produce request's records or a follower fetch). Every
 * batch is validated first (size, magic, CRC, header sanity, max.message.bytes, segment.bytes, offsets going
 * forward for a follower); if any fails, nothing is appended. A leader append (`assignOffsets`) comes from a client:
 * LogValidator's batch rules apply, and an idempotent batch is checked against its producer's state — a batch sent
 * again is answered with the offsets it was written at and nothing is appended. It then stamps base offsets and the
 * partition leader epoch in place — both outside the CRC — and, with message.timestamp.type=LogAppendTime, the broker
 * time (re-CRC'ed). Bytes are then written as they are, and every batch with a producer id updates the producer
 * state, on leader and follower alike. Record-level checks that decompress (LogValidator's, for compacted logs) are
 * `validateRecords`, which the leader awaits before `append`.
 * Producer state survives restarts: a `.snapshot` is taken at every roll and on close; loading restores the newest
 * valid snapshot and replays the batch headers after it (the whole log when there is none); truncation reloads the
 * same way; a rising log start deletes the snapshots below it.
 * Transactions: a leader append from a coordinator (`origin: 'Coordinator'`) writes transaction markers, or the
 * group coordinator's transactional offset records, checked against their producer's state first (epoch, and for a
 * marker the coordinator epoch), but not for sequences. A marker that aborts a transaction adds an entry to the active
 * segment's `.txnindex`. The last stable offset (`lastStableOffset`) is min(first unstable offset, HW): what
 * read_committed consumers may read; `collectAbortedTransactions` lists the aborted transactions of a range from the
 * segments' indexes. Loading rebuilds the `.txnindex` of every segment the loader names (recovered, or found without
 * a valid one) from the markers, replaying a scratch producer state from a snapshot at or below the first of them.
 * Reads: whole batches from one segment as views of mapped memory, from the batch holding the offset.
 * Invariants: logStartOffset <= highWatermark <= logEndOffset; recoveryPoint <= logEndOffset; the epoch cache has
 * no entry after the log end offset (a new leader's epoch starts at it).
 * Concurrency: every method except `awaitFlushed`/`flush`/`close` is synchronous, so one call never interleaves with
 * another: the event loop is the partition's lock. Flushes run in the threadpool meanwhile (see LocalLog).
 * Ownership: LogManager opens and closes logs (specs and tools may use `UnifiedLog.open` directly). Owns its
 * directory, LocalLog and LeaderEpochFileCache.
 * Crash: see LogLoader (recovery), LocalLog (what is durable when) and LeaderEpochFileCache (when its checkpoint is
 * written: once records follow an epoch, before the recovery point passes it).
 */
import fs from 'node:fs';
import { ApiError, InvalidArgumentError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { SystemScheduler, type Scheduler } from '../common/scheduler.js';
import { SystemTime, type Time } from '../common/time.js';
import { tpKey, type TopicPartition } from '../common/topic-partition.js';
import { BatchView } from '../record/record-batch-reader.js';
import {
  ATTRIBUTES_OFFSET,
  CONTROL_FLAG_MASK,
  PARTITION_LEADER_EPOCH_OFFSET,
  RECORD_BATCH_OVERHEAD,
  stampBatch,
  stampLogAppendTime,
  validateBatch,
  type BatchInfo,
} from '../record/record-batch.js';
import { LeaderEpochFileCache, type EpochEntry } from './leader-epoch-cache.js';
import { hasDeletePolicy, type LogConfig } from './log-config.js';
import type { DurabilityJournal } from './durability-journal.js';
import { LocalLog } from './local-log.js';
import { isDiskFailure } from './log-dir-failure-channel.js';
import { LogLoader } from './log-loader.js';
import type { LogSegment } from './log-segment.js';
import { checkClientBatches, checkCoordinatorBatches, validateRecords } from './log-validator.js';
import { ProducerStateManager, type AppendOrigin, type CompletedTxn } from './producer-state-manager.js';
import type { TimestampOffset } from './time-index.js';
import type { AbortedTxn } from './transaction-index.js';

/** ListOffsets' special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

export interface UnifiedLogOptions {
  /** The partition directory, `<log dir>/<topic>-<partition>`; created if missing. */
  dir: string;
  topicPartition: TopicPartition;
  config: LogConfig;
  /** From recovery-point-offset-checkpoint. @default 0 */
  recoveryPoint?: number;
  /** From log-start-offset-checkpoint. @default 0 */
  logStartOffset?: number;
  /** Whether the log dir had a `.kafka_cleanshutdown` marker; false recovers from the recovery point. @default false */
  hadCleanShutdown?: boolean;
  /** Idle time after which a producer's state expires (transactional.id.expiration.ms). @default 7 days */
  producerIdExpirationMs?: number;
  /**
   * Told of every disk failure (`isDiskFailure`) of an operation on this log's files (append, roll, flush,
   * truncation, deletion) before the error propagates: the LogManager takes the log dir offline (LogDirFailureChannel). @default nothing
   */
  onDiskFailure?: (error: unknown, operation: string) => void;
  /**
   * Told when a truncation moved the recovery point below where it was: the checkpointed recovery point may now be
   * above the log end, and must be rewritten before records appended from there are taken as flushed by a recovery
   * (the LogManager writes the dir's recovery-point-offset-checkpoint, as Kafka's LogManager.truncateTo). @default nothing
   */
  onRecoveryPointLowered?: () => void;
  /** Where flushes record what they made durable, for the power-loss fault of tests. @default none */
  durabilityJournal?: DurabilityJournal;
  time?: Time;
  scheduler?: Scheduler;
  logger?: Logger;
}

export interface AppendOptions {
  /**
   * Leader, appending a client's batches: check them (LogValidator, producer state), assign offsets from the log end
   * offset and stamp `leaderEpoch`. Follower: keep both as sent, check nothing beyond the headers.
   */
  assignOffsets: boolean;
  /** The leader's epoch, stamped into each batch when assigning offsets. */
  leaderEpoch: number;
  /**
   * Who asks a leader append: a client's batches, or the transaction coordinator's markers (control batches, which
   * clients may not write). Ignored for follower appends. @default 'Client'
   */
  origin?: 'Client' | 'Coordinator';
}

export interface LogAppendInfo {
  /** First and last offset appended; -1 when the buffer held no batch. */
  firstOffset: number;
  lastOffset: number;
  /** Largest batch max timestamp, and the last offset of the batch holding it. */
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
  /** The broker time stamped with message.timestamp.type=LogAppendTime, else -1. */
  logAppendTimeMs: number;
  logStartOffset: number;
  recordCount: number;
  validBytes: number;
  /** The batch was sent again by an idempotent producer: the offsets are where it was first written; nothing was appended. */
  duplicate: boolean;
}

export interface ReadOptions {
  /** Exclusive bound (e.g. the high watermark for consumers): batches reaching it are left out. @default logEndOffset */
  maxOffset?: number;
  /** Return the first batch even if it is larger than maxBytes (Kafka's minOneMessage). @default false */
  minOneBatch?: boolean;
}

export interface LogReadInfo {
  /** Whole batches, views of mapped segment memory (not copies); empty when nothing is readable. */
  records: Buffer;
  /** Base offset of the first batch in `records` (at or below the requested offset), or the requested offset. */
  firstBatchOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

export class UnifiedLog {
  readonly topicPartition: TopicPartition;
  readonly leaderEpochCache: LeaderEpochFileCache;
  readonly producerState: ProducerStateManager;
  private readonly localLog: LocalLog;
  private readonly time: Time;
  private readonly logger: Logger;
  private readonly onDiskFailure: (error: unknown, operation: string) => void;
  private readonly onRecoveryPointLowered: () => void;
  private logStart: number;
  private hw: number;

  private constructor(opts: UnifiedLogOptions) {
    this.topicPartition = opts.topicPartition;
    this.time = opts.time ?? SystemTime;
    this.onDiskFailure = opts.onDiskFailure ?? (() => undefined);
    this.onRecoveryPointLowered = opts.onRecoveryPointLowered ?? (() => undefined);
    this.logger = (opts.logger ?? silentLogger).child({
      component: 'Log',
      topicPartition: tpKey(opts.topicPartition.topic, opts.topicPartition.partition),
    });
    // A stat where the directory exists (every log loaded at start) is far cheaper than a mkdir that fails.
    if (!fs.existsSync(opts.dir)) fs.mkdirSync(opts.dir, { recursive: true });
    this.leaderEpochCache = new LeaderEpochFileCache(opts.dir, this.logger);
    const loaded = LogLoader.load({
      dir: opts.dir,
      config: opts.config,
      time: this.time,
      logger: this.logger,
      recoveryPoint: opts.recoveryPoint ?? 0,
      logStartOffset: opts.logStartOffset ?? 0,
      hadCleanShutdown: opts.hadCleanShutdown ?? false,
      leaderEpochCache: this.leaderEpochCache,
    });
    this.localLog = new LocalLog({
      dir: opts.dir,
      config: opts.config,
      segments: loaded.segments,
      recoveryPoint: loaded.recoveryPoint,
      logEndOffset: loaded.logEndOffset,
      time: this.time,
      scheduler: opts.scheduler ?? new SystemScheduler(),
      logger: this.logger,
      onDiskFailure: this.onDiskFailure,
      onFlushed: opts.durabilityJournal && ((files) => opts.durabilityJournal!.flushed(files)),
      beforeRecoveryPointMoves: (target) => this.leaderEpochCache.syncBelow(target),
    });
    this.logStart = loaded.logStartOffset;
    this.hw = loaded.logStartOffset;
    this.producerState = new ProducerStateManager({
      dir: opts.dir,
      topicPartition: opts.topicPartition,
      producerIdExpirationMs: opts.producerIdExpirationMs,
      logger: this.logger,
    });
    this.producerState.removeStraySnapshots(loaded.segments.map((s) => s.baseOffset));
    if (loaded.txnIndexRebuildOffset !== undefined) this.rebuildTxnIndexes(loaded.txnIndexRebuildOffset, opts);
    this.loadProducerState(loaded.logEndOffset);
  }

  /** Opens (loading and, after an unclean shutdown, recovering) or creates the log in `opts.dir`. */
  static open(opts: UnifiedLogOptions): UnifiedLog {
    return new UnifiedLog(opts);
  }

  get dir(): string {
    return this.localLog.dir;
  }

  get config(): LogConfig {
    return this.localLog.config;
  }

  /** Applies a changed topic config; new values take effect from the next append or roll. */
  updateConfig(config: LogConfig): void {
    this.localLog.config = config;
  }

  get logStartOffset(): number {
    return this.logStart;
  }

  get logEndOffset(): number {
    return this.localLog.logEndOffset;
  }

  get recoveryPoint(): number {
    return this.localLog.recoveryPoint;
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** Bytes in all segments. */
  get size(): number {
    return this.localLog.size;
  }

  get segments(): readonly LogSegment[] {
    return this.localLog.segments;
  }

  get activeSegment(): LogSegment {
    return this.localLog.activeSegment;
  }

  /** Sets the high watermark, clamped to [logStartOffset, logEndOffset]; returns the value set. */
  updateHighWatermark(offset: number): number {
    this.hw = Math.min(Math.max(offset, this.logStart), this.logEndOffset);
    this.producerState.onHighWatermarkUpdated(this.hw);
    return this.hw;
  }

  /**
   * The last stable offset: the first offset of the oldest transaction open (or completed above the high watermark)
   * when that is below the high watermark, else the high watermark. read_committed reads stop here. Never below
   * the log start offset: DeleteRecords may delete the start of an open transaction, as Kafka clamps it too.
   */
  get lastStableOffset(): number {
    const firstUnstable = this.producerState.firstUnstableOffset;
    if (firstUnstable === undefined || firstUnstable >= this.hw) return this.hw;
    return Math.max(firstUnstable, this.logStart);
  }

  /**
   * The aborted transactions overlapping [startOffset, upperBoundOffset) (Kafka's collectAbortedTransactions): from
   * the `.txnindex` of the segment holding `startOffset` and of later ones, until an entry's last stable offset
   * reaches `upperBoundOffset`.
   */
  collectAbortedTransactions(startOffset: number, upperBoundOffset: number): AbortedTxn[] {
    const collected: AbortedTxn[] = [];
    const segments = this.segments;
    let i = segments.length - 1;
    while (i > 0 && segments[i]!.baseOffset > startOffset) i--;
    for (; i < segments.length; i++) {
      const result = segments[i]!.txnIndex.collectAbortedTxns(startOffset, upperBoundOffset);
      collected.push(...result.abortedTransactions);
      if (result.isComplete) break;
    }
    return collected;
  }

  /**
   * Validates and appends the batches in `records` (see the class comment), rolling first when a roll condition
   * holds. A follower buffer larger than what fits one segment is written across segments, batch boundaries
   * kept. Returns what was appended. Throws ApiError: CORRUPT_MESSAGE / INVALID_RECORD / UNSUPPORTED_COMPRESSION_TYPE
   * for a bad batch, MESSAGE_TOO_LARGE above max.message.bytes, RECORD_LIST_TOO_LARGE above segment.bytes,
   * INVALID_RECORD for follower offsets that do not go forward — in all these cases nothing is appended; and
   * KAFKA_STORAGE_ERROR when the disk write fails, in which case the log end offset stays after the last batch
   * written (and the log dir goes offline: `onDiskFailure`). With flush.messages reached, a flush starts;
   * `awaitFlushed(lastOffset)` resolves when it is durable.
   */
  append(records: Buffer, opts: AppendOptions): LogAppendInfo {
    return this.onDisk('append to', () => this.appendBatches(records, opts));
  }

  private appendBatches(records: Buffer, opts: AppendOptions): LogAppendInfo {
    const batches = this.validate(records, opts.assignOffsets);
    if (batches.length === 0) return this.appendedNothing(-1, -1, -1, false);
    const origin: AppendOrigin = opts.assignOffsets ? (opts.origin ?? 'Client') : 'Replication';
    if (origin === 'Coordinator') {
      checkCoordinatorBatches(batches, this.topicPartition);
      for (const b of batches) {
        if (b.isControl) this.producerState.checkMarker(b, new BatchView(records, b.position, b.size).controlRecord());
        else if (b.producerId >= 0) this.producerState.checkProducerEpoch(b);
      }
    } else if (origin === 'Client') {
      checkClientBatches(batches, this.topicPartition);
      const first = batches[0]!;
      if (first.producerId >= 0) {
        const duplicate = this.producerState.findDuplicate(first);
        if (duplicate !== null) {
          const appendTime = this.config.messageTimestampType === 'LogAppendTime' ? duplicate.timestamp : -1;
          this.logger.debug({ producerId: first.producerId, ...duplicate }, 'answered a duplicate batch');
          return this.appendedNothing(duplicate.firstOffset, duplicate.lastOffset, appendTime, true);
        }
        this.producerState.checkClientBatch(first);
      }
    }
    const config = this.config;
    const logAppendTimeMs = config.messageTimestampType === 'LogAppendTime' ? this.time.milliseconds() : -1;
    if (opts.assignOffsets) {
      let next = this.logEndOffset;
      for (const b of batches) {
        stampBatch(records, b.position, next, opts.leaderEpoch);
        b.baseOffset = next;
        next += b.lastOffsetDelta + 1;
        if (logAppendTimeMs >= 0) {
          stampLogAppendTime(records, b.position, logAppendTimeMs);
          b.maxTimestamp = logAppendTimeMs;
        }
      }
    }
    let recordCount = 0;
    let maxTimestamp = -1;
    let offsetOfMaxTimestamp = -1;
    for (let start = 0; start < batches.length;) {
      // The batches that fit one segment: usually all of them.
      let end = start;
      let bytes = 0;
      let chunkMaxTimestamp = -1;
      let chunkOffsetOfMax = -1;
      while (end < batches.length && (end === start || bytes + batches[end]!.size <= config.segmentBytes)) {
        const b = batches[end]!;
        bytes += b.size;
        if (b.maxTimestamp > chunkMaxTimestamp) {
          chunkMaxTimestamp = b.maxTimestamp;
          chunkOffsetOfMax = b.baseOffset + b.lastOffsetDelta;
        }
        end++;
      }
      const first = batches[start]!;
      const last = batches[end - 1]!;
      const largestOffset = last.baseOffset + last.lastOffsetDelta;
      this.maybeRoll(bytes, chunkMaxTimestamp, largestOffset, first.baseOffset);
      this.localLog.append(records.subarray(first.position, last.position + last.size), {
        largestOffset,
        maxTimestamp: chunkMaxTimestamp,
        offsetOfMaxTimestamp: chunkOffsetOfMax,
      });
      for (let i = start; i < end; i++) {
        const b = batches[i]!;
        recordCount += b.recordCount;
        const epoch = records.readInt32BE(b.position + PARTITION_LEADER_EPOCH_OFFSET);
        if (epoch >= 0 && epoch > this.leaderEpochCache.latestEpoch) this.leaderEpochCache.assign(epoch, b.baseOffset);
        if (b.producerId < 0) continue;
        const completed = this.producerState.updateFromBatch(
          records,
          b.position,
          b.baseOffset + b.lastOffsetDelta,
          origin,
        );
        if (completed !== null) this.onTransactionCompleted(this.producerState, completed, this.activeSegment);
      }
      this.producerState.updateMapEndOffset(this.logEndOffset);
      if (chunkMaxTimestamp > maxTimestamp) {
        maxTimestamp = chunkMaxTimestamp;
        offsetOfMaxTimestamp = chunkOffsetOfMax;
      }
      start = end;
    }
    this.leaderEpochCache.writeIfBelow(this.logEndOffset);
    this.maybeFlush();
    const last = batches[batches.length - 1]!;
    return {
      firstOffset: batches[0]!.baseOffset,
      lastOffset: last.baseOffset + last.lastOffsetDelta,
      maxTimestamp,
      offsetOfMaxTimestamp,
      logAppendTimeMs,
      logStartOffset: this.logStart,
      recordCount,
      validBytes: records.length,
      duplicate: false,
    };
  }

  /**
   * LogValidator's record-level checks and rewrite for a client's `records` on this log (keys on a compacted log,
   * the topic's compression.type): null when the config asks for none, else a promise of the bytes to append
   * (`records` or its batches recompressed) that rejects with RecordValidationError or CORRUPT_MESSAGE. The leader
   * awaits it before `append` and appends what it gives.
   */
  validateRecords(records: Buffer): Promise<Buffer> | null {
    return validateRecords(records, this.config, this.topicPartition);
  }

  /**
   * Whole batches starting with the one holding `startOffset`, up to `maxBytes`, from ONE segment: like Kafka, a
   * read that reaches the end of a segment stops there and the next read continues in the next segment. Batches
   * reaching `opts.maxOffset` are left out. Throws OFFSET_OUT_OF_RANGE below the log start offset or above the
   * log end offset; at the log end offset the result is empty.
   */
  read(startOffset: number, maxBytes: number, opts: ReadOptions = {}): LogReadInfo {
    if (startOffset < this.logStart || startOffset > this.logEndOffset) {
      throw new ApiError(
        'OFFSET_OUT_OF_RANGE',
        `Offset ${startOffset} is out of range for ${this.describe()}: ` +
          `the log holds offsets ${this.logStart} to ${this.logEndOffset - 1}. Reset the position to a valid offset.`,
      );
    }
    const read = this.localLog.read(
      startOffset,
      maxBytes,
      opts.maxOffset ?? this.logEndOffset,
      opts.minOneBatch ?? false,
    );
    return {
      records: read.records,
      firstBatchOffset: read.firstBatchOffset,
      logStartOffset: this.logStart,
      logEndOffset: this.logEndOffset,
      highWatermark: this.hw,
    };
  }

  /**
   * Resolves once everything up to and including `offset` is on disk. Flushes coalesce: every caller that arrives
   * while one fdatasync runs is served by the next one (group commit). Rejects with KAFKA_STORAGE_ERROR if the
   * sync fails, NOT_LEADER_OR_FOLLOWER if the offset is truncated away first.
   */
  awaitFlushed(offset: number): Promise<void> {
    return this.localLog.awaitFlushed(offset);
  }

  /** Flushes everything appended so far; resolves when durable. */
  flush(): Promise<void> {
    return this.localLog.flush();
  }

  /** Starts a flush if flush.ms has passed since the last one and something is unflushed (the manager's check). */
  flushIfDue(nowMs: number): void {
    if (this.logEndOffset > this.recoveryPoint && nowMs - this.localLog.lastFlushTimeMs >= this.config.flushMs) {
      this.localLog.requestFlush();
    }
  }

  /** Rolls a new active segment now (e.g. before deleting all data); returns it. */
  roll(): LogSegment {
    return this.onDisk('roll', () => this.rollSegment());
  }

  /** Drops the state of producers idle for longer than producerIdExpirationMs (the manager's periodic check). */
  removeExpiredProducers(nowMs: number): number {
    return this.producerState.removeExpiredProducers(nowMs);
  }

  /** Records that `epoch` starts at `startOffset`: a new leader registers (its epoch, its log end offset). */
  assignEpochStartOffset(epoch: number, startOffset: number): void {
    this.leaderEpochCache.assign(epoch, startOffset);
  }

  /** OffsetsForLeaderEpoch's answer for `epoch` (see LeaderEpochFileCache.endOffsetFor). */
  endOffsetForEpoch(epoch: number): EpochEntry {
    return this.leaderEpochCache.endOffsetFor(epoch, this.logEndOffset);
  }

  /**
   * Removes every offset >= `offset` (a follower truncating to its leader); returns false when there was nothing
   * to remove. Truncating below the first segment empties the log and restarts it at `offset`.
   */
  truncateTo(offset: number): boolean {
    if (offset < 0) throw new InvalidArgumentError(`Cannot truncate ${this.describe()} to negative offset ${offset}.`);
    if (offset >= this.logEndOffset) return false;
    return this.lowering(() => this.onDisk('truncate', () => this.truncateToOffset(offset)));
  }

  /** Runs a truncation and reports (onRecoveryPointLowered) when it moved the recovery point down. */
  private lowering<T>(truncation: () => T): T {
    const before = this.localLog.recoveryPoint;
    const result = truncation();
    if (this.localLog.recoveryPoint < before) this.onRecoveryPointLowered();
    return result;
  }

  private truncateToOffset(offset: number): boolean {
    this.logger.info({ from: this.logEndOffset, to: offset }, 'truncating log');
    if (offset < this.segments[0]!.baseOffset) {
      this.restartAt(offset);
      return true;
    }
    this.localLog.truncateTo(offset);
    this.leaderEpochCache.truncateFromEnd(offset);
    this.logStart = Math.min(this.logStart, offset);
    this.hw = Math.min(this.hw, offset);
    this.loadProducerState(offset);
    return true;
  }

  /** Deletes all data and restarts the log at `newOffset` (a follower far behind its leader's log start). */
  truncateFullyAndStartAt(newOffset: number): void {
    this.lowering(() => this.onDisk('truncate', () => this.restartAt(newOffset)));
  }

  private restartAt(newOffset: number): void {
    this.logger.info({ newOffset }, 'truncating the whole log');
    this.localLog.truncateFullyAndStartAt(newOffset);
    this.leaderEpochCache.clearAndFlush();
    this.producerState.truncateFullyAndStartAt(newOffset);
    this.logStart = newOffset;
    this.hw = newOffset;
  }

  /**
   * Raises the log start offset to `offset` (DeleteRecords); segments wholly below it are deleted. Throws
   * OFFSET_OUT_OF_RANGE above the high watermark. Returns the new log start offset.
   */
  deleteRecordsBefore(offset: number): number {
    if (offset > this.hw) {
      throw new ApiError(
        'OFFSET_OUT_OF_RANGE',
        `Cannot delete records of ${this.describe()} before offset ${offset}: ` +
          `it is above the high watermark ${this.hw}.`,
      );
    }
    this.maybeIncrementLogStartOffset(offset);
    this.onDisk('delete segments of', () =>
      this.deleteSegments((_, next) => next !== undefined && next.baseOffset <= this.logStart),
    );
    return this.logStart;
  }

  /**
   * Retention (Kafka's deleteOldSegments): with the delete policy, the oldest segments whose newest record is older
   * than retention.ms, then the oldest while the log exceeds retention.bytes by a whole segment; always segments
   * wholly below the log start offset. Only a prefix of the log, only segments wholly below the high watermark;
   * the active segment only when everything qualifies (a new empty one is rolled first). Returns the number deleted.
   */
  deleteOldSegments(): number {
    return this.onDisk('delete segments of', () => this.deleteExpiredSegments());
  }

  private deleteExpiredSegments(): number {
    const config = this.config;
    let deleted = 0;
    if (hasDeletePolicy(config)) {
      if (config.retentionMs >= 0) {
        const now = this.time.milliseconds();
        deleted += this.deleteSegments((s) => now - s.largestTimestamp > config.retentionMs);
      }
      if (config.retentionBytes >= 0) {
        let excess = this.size - config.retentionBytes;
        deleted += this.deleteSegments((s) => {
          if (excess - s.size < 0) return false;
          excess -= s.size;
          return true;
        });
      }
    }
    deleted += this.deleteSegments((_, next) => next !== undefined && next.baseOffset <= this.logStart);
    return deleted;
  }

  /**
   * The first offset whose batch has a timestamp >= `timestamp` (ListOffsets), at batch precision: the base offset
   * of the first batch whose max timestamp reaches it (or the log start offset inside that batch). LATEST_TIMESTAMP
   * answers the log end offset, EARLIEST_TIMESTAMP the log start offset. Undefined when no batch is that recent.
   */
  offsetForTimestamp(timestamp: number): TimestampOffset | undefined {
    if (timestamp === EARLIEST_TIMESTAMP) return { timestamp: -1, offset: this.logStart };
    if (timestamp === LATEST_TIMESTAMP) return { timestamp: -1, offset: this.logEndOffset };
    for (const segment of this.segments) {
      if (segment.size > 0 && segment.largestTimestamp >= timestamp) {
        const found = segment.findOffsetByTimestamp(timestamp, this.logStart);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Swaps a cleaned segment in for `oldSegments` (the LogCleaner's last step; see LocalLog.replaceSegments). */
  replaceSegments(cleaned: LogSegment, oldSegments: readonly LogSegment[]): void {
    this.localLog.replaceSegments([cleaned], oldSegments);
  }

  /** Renames the partition directory (LogManager's deletion: `<topic>-<p>.<uuid>-delete`). */
  renameDir(newDir: string): void {
    this.localLog.renameDir(newDir);
    this.leaderEpochCache.moveTo(newDir);
    this.producerState.updateParentDir(newDir);
  }

  /**
   * Flushes, snapshots the producer state at the log end (so that the next start replays nothing), trims the active
   * segment and releases every file; the log cannot be used afterwards.
   */
  async close(): Promise<void> {
    await this.localLog.close();
    this.producerState.takeSnapshot();
    await this.producerState.flushSnapshots();
    // A clean shutdown skips recovery at the next start: every epoch that records follow must be in the file.
    await this.leaderEpochCache.syncBelow(this.logEndOffset);
  }

  /** Releases every file handle without flushing (the log is being deleted). */
  closeHandles(): void {
    this.localLog.closeHandles();
  }

  /** Runs an operation on the log's files; a disk failure is reported (`onDiskFailure`) before it propagates. */
  private onDisk<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (isDiskFailure(e)) this.onDiskFailure(e, `${operation} ${this.describe()}`);
      throw e;
    }
  }

  private validate(records: Buffer, assignOffsets: boolean): BatchInfo[] {
    const config = this.config;
    const batches: BatchInfo[] = [];
    let expectedNext = this.logEndOffset;
    for (let pos = 0; pos < records.length;) {
      const b = validateBatch(records, pos);
      if (b.size > config.maxMessageBytes) {
        throw new ApiError(
          'MESSAGE_TOO_LARGE',
          `The record batch appended to ${this.describe()} is ${b.size} bytes, more than ` +
            `max.message.bytes (${config.maxMessageBytes}). Send smaller batches or raise the topic's max.message.bytes.`,
        );
      }
      if (b.size > config.segmentBytes) {
        throw new ApiError(
          'RECORD_LIST_TOO_LARGE',
          `The record batch appended to ${this.describe()} is ${b.size} bytes, more ` +
            `than segment.bytes (${config.segmentBytes}). Raise segment.bytes or send smaller batches.`,
        );
      }
      if (!assignOffsets) {
        if (b.baseOffset < expectedNext) {
          throw new ApiError(
            'INVALID_RECORD',
            `Batch at position ${pos} of a follower append to ${this.describe()} starts at ` +
              `offset ${b.baseOffset}, below the expected next offset ${expectedNext}: offsets must go forward.`,
          );
        }
        expectedNext = b.baseOffset + b.lastOffsetDelta + 1;
      }
      batches.push(b);
      pos += b.size;
    }
    return batches;
  }

  private maybeRoll(
    incomingBytes: number,
    incomingMaxTimestamp: number,
    incomingLargestOffset: number,
    firstOffset: number,
  ): void {
    const config = this.config;
    const nowMs = this.time.milliseconds();
    if (
      this.activeSegment.shouldRoll({
        segmentBytes: config.segmentBytes,
        segmentMs: config.segmentMs,
        incomingBytes,
        incomingMaxTimestamp,
        incomingLargestOffset,
        nowMs,
      })
    ) {
      this.rollSegment(firstOffset);
    }
  }

  /** Rolls (see LocalLog.roll) and snapshots the producer state at the new segment's base offset, as Kafka does. */
  private rollSegment(expectedNextOffset?: number): LogSegment {
    const segment = this.localLog.roll(expectedNextOffset);
    this.producerState.updateMapEndOffset(segment.baseOffset);
    this.producerState.takeSnapshot();
    return segment;
  }

  /**
   * A marker completed a transaction written in `segment`: an aborted one gets its `.txnindex` entry, with the last
   * stable offset as of now, before the producer state lets it go (Kafka's order).
   */
  private onTransactionCompleted(
    state: ProducerStateManager,
    completed: CompletedTxn,
    segment: LogSegment | undefined,
  ): void {
    if (completed.isAborted && segment !== undefined) {
      segment.txnIndex.append({
        producerId: completed.producerId,
        firstOffset: completed.firstOffset,
        lastOffset: completed.lastOffset,
        lastStableOffset: state.lastStableOffset(completed),
      });
    }
    state.completeTxn(completed);
  }

  /**
   * Brings the producer state to `lastOffset` (Kafka's loadProducerState): restores the newest snapshot at or below
   * it, replays the batch headers after it, and snapshots the result. A state that was empty and already at or past
   * `lastOffset` stays empty without a replay (truncation cannot add producers).
   */
  private loadProducerState(lastOffset: number): void {
    const state = this.producerState;
    const emptyBeforeTruncation = state.isEmpty && state.mapEndOffset >= lastOffset;
    state.truncateAndReload(this.logStart, lastOffset, this.time.milliseconds());
    if (lastOffset > state.mapEndOffset && !emptyBeforeTruncation) {
      const from = Math.max(state.mapEndOffset, this.logStart);
      const replayed = this.replayProducerState(state, from, lastOffset, new Set());
      this.logger.debug({ from, to: lastOffset, batches: replayed }, 'rebuilt producer state from the log');
    }
    state.updateMapEndOffset(lastOffset);
    state.takeSnapshot();
  }

  /**
   * Refills the `.txnindex` of every segment from the one based at `fromBaseOffset` (Kafka's recoverSegment does it
   * per segment): a scratch producer state, restored from the newest snapshot at or below that offset and replayed to
   * the log end, tells each ABORT marker's transaction and the last stable offset after it. The log's own producer
   * state is loaded as usual afterwards; the scratch one writes no snapshot.
   */
  private rebuildTxnIndexes(fromBaseOffset: number, opts: UnifiedLogOptions): void {
    const rebuilt = this.segments.filter((s) => s.baseOffset >= fromBaseOffset);
    for (const segment of rebuilt) segment.txnIndex.reset();
    const scratch = new ProducerStateManager({
      dir: opts.dir,
      topicPartition: opts.topicPartition,
      producerIdExpirationMs: opts.producerIdExpirationMs,
      logger: this.logger,
    });
    const end = this.logEndOffset;
    scratch.truncateAndReload(this.logStart, end, this.time.milliseconds(), fromBaseOffset);
    const from = Math.max(scratch.mapEndOffset, this.logStart);
    const replayed = this.replayProducerState(scratch, from, end, new Set(rebuilt));
    this.logger.info(
      { from, to: end, batches: replayed, segments: rebuilt.map((s) => s.baseOffset) },
      'rebuilt transaction indexes from the log',
    );
  }

  /**
   * Feeds `state` every batch in [from, to) (headers only, whole control batches); the markers of aborted
   * transactions in a segment of `rebuildingTxnIndexes` are indexed there. Returns how many batches it read.
   */
  private replayProducerState(
    state: ProducerStateManager,
    from: number,
    to: number,
    rebuildingTxnIndexes: ReadonlySet<LogSegment>,
  ): number {
    let batches = 0;
    const segments = this.segments;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const next = segments[i + 1]?.baseOffset ?? this.logEndOffset;
      if (next <= from || segment.baseOffset >= to) continue;
      const first = segment.translateOffset(from);
      if (first === null) continue;
      for (const batch of segment.batches(first.position)) {
        if (batch.baseOffset >= to) break;
        if (batch.lastOffset < from) continue;
        let bytes = segment.slice(batch.position, RECORD_BATCH_OVERHEAD);
        if ((bytes.readInt16BE(ATTRIBUTES_OFFSET) & CONTROL_FLAG_MASK) !== 0)
          bytes = segment.slice(batch.position, batch.size);
        const completed = state.updateFromBatch(bytes, 0, batch.lastOffset, 'Replication');
        if (completed !== null)
          this.onTransactionCompleted(state, completed, rebuildingTxnIndexes.has(segment) ? segment : undefined);
        batches++;
      }
    }
    return batches;
  }

  private appendedNothing(
    firstOffset: number,
    lastOffset: number,
    appendTimeMs: number,
    duplicate: boolean,
  ): LogAppendInfo {
    return {
      firstOffset,
      lastOffset,
      maxTimestamp: -1,
      offsetOfMaxTimestamp: -1,
      logAppendTimeMs: appendTimeMs,
      logStartOffset: this.logStart,
      recordCount: 0,
      validBytes: 0,
      duplicate,
    };
  }

  private maybeFlush(): void {
    const config = this.config;
    if (
      this.logEndOffset - this.recoveryPoint >= config.flushMessages ||
      this.time.milliseconds() - this.localLog.lastFlushTimeMs >= config.flushMs
    ) {
      this.localLog.requestFlush();
    }
  }

  private maybeIncrementLogStartOffset(offset: number): void {
    if (offset <= this.logStart) return;
    this.logStart = offset;
    this.hw = Math.max(this.hw, offset);
    this.leaderEpochCache.truncateFromStart(offset);
    this.producerState.onLogStartOffsetIncremented(offset);
    this.logger.info({ logStartOffset: offset }, 'incremented log start offset');
  }

  /**
   * Deletes the longest prefix of segments satisfying `predicate` that lie wholly below the high watermark, never
   * an empty active segment; rolls first when every segment qualifies.
   */
  private deleteSegments(predicate: (segment: LogSegment, next: LogSegment | undefined) => boolean): number {
    const segments = this.segments;
    const deletable: LogSegment[] = [];
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const next = segments[i + 1];
      const upperBound = next ? next.baseOffset : this.logEndOffset;
      if (this.hw < upperBound || (next === undefined && segment.size === 0) || !predicate(segment, next)) break;
      deletable.push(segment);
    }
    if (deletable.length === 0) return 0;
    if (deletable.length === segments.length) this.rollSegment();
    this.localLog.removeAndDeleteSegments(deletable);
    this.maybeIncrementLogStartOffset(this.segments[0]!.baseOffset);
    this.logger.info(
      { segments: deletable.map((s) => s.baseOffset), logStartOffset: this.logStart },
      'deleted old segments',
    );
    return deletable.length;
  }

  private describe(): string {
    return `partition ${tpKey(this.topicPartition.topic, this.topicPartition.partition)}`;
  }
}
