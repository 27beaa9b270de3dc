/**
 * The segments of one partition on local disk (Kafka 3.x's `LocalLog`): appending to the active segment,
 * rolling, reading, truncating, deleting segments, and flushing with group commit.
 *
 * Layout: a directory `<topic>-<partition>` holding the segments' files (see LogSegment) and the partition's
 * `leader-epoch-checkpoint`. Segments are kept sorted by base offset; the last one is the active segment.
 * Invariants: segments' offset ranges do not overlap and increase; there is always at least one segment; the
 * log end offset is >= the active segment's base offset; `recoveryPoint <= logEndOffset`, and every byte below
 * the recovery point has been fdatasync'ed — the .log files, and the indexes of every segment but the active one,
 * which recovery rebuilds anyway — and `beforeRecoveryPointMoves` (the leader epoch checkpoint) has made durable what
 * recovery would not rebuild below it.
 * Concurrency: synchronous except `flush()`/`awaitFlushed()`. UnifiedLog serialises appends, rolls, truncations
 * and deletions (they never await); reads run between them. A flush runs in the threadpool while appends go on:
 * it covers the log end offset as of its start, and every flush requested while it runs is served by ONE next
 * flush (group commit), which is how flush.messages=1 stays fast.
 * Ownership: UnifiedLog creates it from LogLoader's result and closes it. Segments removed from the log are
 * renamed `.deleted` and unlinked after file.delete.delay.ms by the scheduler; readers holding views of them keep
 * reading valid memory, since unlinking does not shrink a mapped file.
 * Crash: appended data is in the page cache (survives SIGKILL); the loader recovers everything past the recovery
 * point after an unclean shutdown. A crash between rename and unlink leaves `.deleted` files the loader removes.
 */
import fs from 'node:fs';
import { ApiError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Scheduler } from '../common/scheduler.js';
import type { Time } from '../common/time.js';
import type { LogConfig } from './log-config.js';
import {
  DELETED_FILE_SUFFIX,
  SWAP_FILE_SUFFIX,
  logFilePath,
  offsetIndexFilePath,
  timeIndexFilePath,
  txnIndexFilePath,
} from './log-file-names.js';
import { LogSegment, type SegmentAppend, type SegmentRead } from './log-segment.js';

const EMPTY = Buffer.alloc(0);

export interface LocalLogOptions {
  dir: string;
  config: LogConfig;
  /** Loaded segments, sorted by base offset; at least one. */
  segments: LogSegment[];
  recoveryPoint: number;
  logEndOffset: number;
  time: Time;
  scheduler: Scheduler;
  logger: Logger;
  /** Told of a flush that failed (also one nobody waits for): the log dir goes offline. */
  onDiskFailure: (error: unknown, operation: string) => void;
  /** Told, after each successful flush, how many bytes of each `.log` file it made durable (DurabilityJournal). */
  onFlushed?: (files: { path: string; length: number }[]) => void;
  /**
   * Awaited by every flush, beside its fdatasyncs, before the recovery point moves to `target` (the log end offset
   * the flush covers): what recovery would not rebuild below it must be durable first (the leader epoch checkpoint).
   */
  beforeRecoveryPointMoves?: (target: number) => Promise<void>;
}

/** A read's result: whole batches from one segment (possibly none). */
export interface LocalReadInfo {
  /** Views of mapped segment memory; empty when nothing is readable at the offset. */
  records: Buffer;
  /** Base offset of the first batch in `records`, or the requested offset when empty. */
  firstBatchOffset: number;
}

interface FlushWaiter {
  offset: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class LocalLog {
  private dirPath: string;
  private configValue: LogConfig;
  private readonly segmentList: LogSegment[];
  private nextOffset: number;
  private recoveryPointOffset: number;
  private readonly time: Time;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly onDiskFailure: (error: unknown, operation: string) => void;
  private readonly onFlushed: ((files: { path: string; length: number }[]) => void) | undefined;
  private readonly beforeRecoveryPointMoves: ((target: number) => Promise<void>) | undefined;
  private flushInFlight = false;
  private flushRequested = false;
  private truncations = 0;
  private waiters: FlushWaiter[] = [];
  private lastFlushMs: number;
  private closed = false;

  constructor(opts: LocalLogOptions) {
    if (opts.segments.length === 0) throw new RangeError(`LocalLog for ${opts.dir} needs at least one segment.`);
    this.dirPath = opts.dir;
    this.configValue = opts.config;
    this.segmentList = opts.segments;
    this.nextOffset = opts.logEndOffset;
    this.recoveryPointOffset = Math.min(opts.recoveryPoint, opts.logEndOffset);
    this.time = opts.time;
    this.scheduler = opts.scheduler;
    this.logger = opts.logger;
    this.onDiskFailure = opts.onDiskFailure;
    this.onFlushed = opts.onFlushed;
    this.beforeRecoveryPointMoves = opts.beforeRecoveryPointMoves;
    this.lastFlushMs = opts.time.milliseconds();
  }

  get dir(): string {
    return this.dirPath;
  }

  get config(): LogConfig {
    return this.configValue;
  }

  set config(config: LogConfig) {
    this.configValue = config;
  }

  get segments(): readonly LogSegment[] {
    return this.segmentList;
  }

  get activeSegment(): LogSegment {
    return this.segmentList[this.segmentList.length - 1]!;
  }

  get logEndOffset(): number {
    return this.nextOffset;
  }

  get recoveryPoint(): number {
    return this.recoveryPointOffset;
  }

  /** Time of the last completed flush (for flush.ms). */
  get lastFlushTimeMs(): number {
    return this.lastFlushMs;
  }

  /** Bytes in all segments. */
  get size(): number {
    let total = 0;
    for (const s of this.segmentList) total += s.size;
    return total;
  }

  /** The segment with the largest base offset <= `offset`, or undefined when `offset` is below the first. */
  floorSegment(offset: number): LogSegment | undefined {
    const i = this.floorIndex(offset);
    return i < 0 ? undefined : this.segmentList[i];
  }

  /** Appends validated batches to the active segment and advances the log end offset past them. */
  append(records: Buffer, info: SegmentAppend): void {
    this.activeSegment.append(records, info);
    this.nextOffset = info.largestOffset + 1;
  }

  /**
   * Makes a new active segment at max(`expectedNextOffset`, log end offset) and finalises the old one (last time
   * index entry, trimmed files), then starts a flush so that the old segment reaches disk in the background and
   * its descriptor can be closed. Returns the new segment (the current one if it is empty at that offset).
   */
  roll(expectedNextOffset = 0): LogSegment {
    const newOffset = Math.max(expectedNextOffset, this.nextOffset);
    const active = this.activeSegment;
    if (active.baseOffset === newOffset && active.size === 0) return active;
    for (const file of [
      logFilePath(this.dirPath, newOffset),
      offsetIndexFilePath(this.dirPath, newOffset),
      timeIndexFilePath(this.dirPath, newOffset),
      txnIndexFilePath(this.dirPath, newOffset),
    ]) {
      if (fs.existsSync(file)) {
        this.logger.warn({ file }, 'deleting a stale file in the way of a new segment');
        fs.rmSync(file);
      }
    }
    active.onBecomeInactiveSegment();
    const segment = this.createSegment(newOffset);
    this.segmentList.push(segment);
    // Kafka resets the log end offset metadata to the new segment; the offset itself does not change unless
    // the caller skips ahead (a follower appending after a gap).
    this.nextOffset = newOffset;
    this.logger.debug({ baseOffset: newOffset }, 'rolled new log segment');
    this.requestFlush();
    return segment;
  }

  /**
   * Whole batches from the segment holding `startOffset` (or the next non-empty one), bounded by `maxBytes` (at least
   * one batch with `minOneBatch`) and by `maxOffset` (exclusive). Reads never span segments: like Kafka, a read
   * that reaches the end of a segment returns what that segment has, and the next read continues in the next one.
   * Throws OFFSET_OUT_OF_RANGE above the log end offset; the caller checks the log start offset.
   */
  read(startOffset: number, maxBytes: number, maxOffset = this.nextOffset, minOneBatch = false): LocalReadInfo {
    if (startOffset > this.nextOffset) {
      throw new ApiError(
        'OFFSET_OUT_OF_RANGE',
        `Offset ${startOffset} is above the log end offset ${this.nextOffset} of ${this.dirPath}.`,
      );
    }
    if (startOffset >= this.nextOffset || startOffset >= maxOffset)
      return { records: EMPTY, firstBatchOffset: startOffset };
    for (let i = Math.max(0, this.floorIndex(startOffset)); i < this.segmentList.length; i++) {
      const read: SegmentRead | null = this.segmentList[i]!.read(startOffset, maxBytes, maxOffset, minOneBatch);
      if (read !== null) return { records: read.records, firstBatchOffset: read.firstBatchOffset };
    }
    return { records: EMPTY, firstBatchOffset: startOffset };
  }

  /**
   * Removes everything at and after `offset` (callers pass a batch boundary): later segments are deleted (async),
   * the segment holding `offset` is truncated and becomes the active segment. Returns the removed segments.
   */
  truncateTo(offset: number): LogSegment[] {
    const removed = this.segmentList.filter((s) => s.baseOffset > offset);
    this.removeAndDeleteSegments(removed);
    const active = this.activeSegment;
    active.truncateTo(offset);
    active.resizeIndexes(this.configValue.segmentIndexBytes);
    this.truncated(offset);
    return removed;
  }

  /** Deletes every segment and starts over with one empty segment at `newOffset`. */
  truncateFullyAndStartAt(newOffset: number): void {
    // The old files are renamed away before the new segment is created, so a segment at the same offset is fine.
    this.scheduleDeletion(this.segmentList.splice(0));
    this.segmentList.push(this.createSegment(newOffset));
    this.truncated(newOffset);
    this.recoveryPointOffset = newOffset;
  }

  /**
   * Removes `segments` (a prefix or suffix of the log, never all of it) and schedules their files for deletion:
   * renamed `.deleted` now, unlinked after file.delete.delay.ms.
   */
  removeAndDeleteSegments(segments: readonly LogSegment[]): void {
    if (segments.length === 0) return;
    const doomed = new Set(segments);
    const kept = this.segmentList.filter((s) => !doomed.has(s));
    if (kept.length === 0) throw new RangeError(`Cannot remove every segment of ${this.dirPath}; roll first.`);
    this.segmentList.splice(0, this.segmentList.length, ...kept);
    this.scheduleDeletion(segments);
  }

  /**
   * Swaps cleaned segments in for `oldSegments` (Kafka's replaceSegments), crash-safely: each new segment, written
   * with suffix `.cleaned` and flushed, is renamed `.swap`; the old segments are renamed `.deleted` (unlinked
   * later); then the `.swap` files lose their suffix. A crash at any point leaves either the old segments or a
   * `.swap` set that LogLoader completes.
   */
  replaceSegments(newSegments: readonly LogSegment[], oldSegments: readonly LogSegment[]): void {
    for (const segment of newSegments) segment.changeFileSuffixes(segment.fileSuffix, SWAP_FILE_SUFFIX);
    const doomed = new Set(oldSegments);
    const kept = this.segmentList.filter((s) => !doomed.has(s));
    kept.push(...newSegments);
    kept.sort((a, b) => a.baseOffset - b.baseOffset);
    this.segmentList.splice(0, this.segmentList.length, ...kept);
    this.scheduleDeletion(oldSegments);
    for (const segment of newSegments) segment.changeFileSuffixes(SWAP_FILE_SUFFIX, '');
  }

  /**
   * Starts a flush of everything appended so far unless one is running, in which case one more flush runs right
   * after it (covering everything appended meanwhile). Errors reach the waiters of `awaitFlushed`.
   */
  requestFlush(): void {
    if (this.flushInFlight) this.flushRequested = true;
    else void this.runFlush();
  }

  /**
   * Resolves once the data up to and including `offset` is on disk (fdatasync of log and indexes). Starts a flush
   * if needed; all waiters that arrive while one flush runs share the next one. Rejects with KAFKA_STORAGE_ERROR
   * if the flush fails.
   */
  awaitFlushed(offset: number): Promise<void> {
    if (offset < this.recoveryPointOffset) return Promise.resolve();
    if (offset >= this.nextOffset) {
      return Promise.reject(
        new RangeError(
          `Cannot await the flush of offset ${offset}: the log end offset of ${this.dirPath} is ${this.nextOffset}.`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ offset, resolve, reject });
      this.requestFlush();
    });
  }

  /** Flushes everything appended so far and resolves when it is durable. */
  flush(): Promise<void> {
    return this.nextOffset > 0 ? this.awaitFlushed(this.nextOffset - 1) : Promise.resolve();
  }

  /** Renames the partition directory (for deletion: `<topic>-<p>.<uuid>-delete`). */
  renameDir(newDir: string): void {
    fs.renameSync(this.dirPath, newDir);
    this.dirPath = newDir;
    for (const segment of this.segmentList) segment.moveTo(newDir);
  }

  /** Flushes everything (the active segment's indexes too, as Kafka's shutdown does), then trims and releases it all. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    await this.activeSegment.flush(true);
    this.closed = true;
    for (const segment of this.segmentList) segment.close();
  }

  /** Releases every handle without flushing or trimming (the directory is being deleted). */
  closeHandles(): void {
    this.closed = true;
    for (const segment of this.segmentList) segment.closeHandles();
    for (const w of this.waiters.splice(0))
      w.reject(new ApiError('KAFKA_STORAGE_ERROR', `Log ${this.dirPath} was closed before the flush.`));
  }

  private async runFlush(): Promise<void> {
    this.flushInFlight = true;
    this.flushRequested = false;
    const target = this.nextOffset;
    const truncationsBefore = this.truncations;
    const first = Math.max(0, this.floorIndex(this.recoveryPointOffset));
    const segments = this.segmentList.slice(first);
    const lengths = this.onFlushed === undefined ? [] : segments.map((s) => s.size);
    try {
      // The active segment's indexes need no sync: recovery always rebuilds the segment holding the recovery point.
      const active = this.activeSegment;
      await Promise.all([...segments.map((s) => s.flush(s !== active)), this.beforeRecoveryPointMoves?.(target)]);
      // A truncation while the sync ran may have replaced flushed bytes with unflushed ones: keep its lower point.
      if (this.truncations === truncationsBefore) this.recoveryPointOffset = Math.max(this.recoveryPointOffset, target);
      this.lastFlushMs = this.time.milliseconds();
      this.onFlushed?.(segments.map((s, i) => ({ path: s.logFile, length: lengths[i]! })));
      this.settleWaiters((w) => w.offset < this.recoveryPointOffset, undefined);
      this.closeInactiveWriteHandles();
    } catch (e) {
      this.logger.error({ err: e }, 'flush failed');
      this.onDiskFailure(e, `flush ${this.dirPath}`);
      this.settleWaiters((w) => w.offset < target, e);
    } finally {
      this.flushInFlight = false;
    }
    if (!this.closed && this.flushRequested) this.requestFlush();
  }

  /**
   * Bookkeeping after a truncation to `offset`: the end moves there, the recovery point cannot stay above it, and
   * whoever waits for the flush of a removed offset learns that it is gone.
   */
  private truncated(offset: number): void {
    this.truncations++;
    this.nextOffset = offset;
    this.recoveryPointOffset = Math.min(this.recoveryPointOffset, offset);
    const gone = this.waiters.filter((w) => w.offset >= offset);
    this.waiters = this.waiters.filter((w) => w.offset < offset);
    for (const w of gone) {
      w.reject(
        new ApiError(
          'NOT_LEADER_OR_FOLLOWER',
          `Offset ${w.offset} of ${this.dirPath} was truncated before it was flushed.`,
        ),
      );
    }
  }

  private scheduleDeletion(segments: readonly LogSegment[]): void {
    for (const segment of segments) {
      segment.changeFileSuffixes(segment.fileSuffix, DELETED_FILE_SUFFIX);
      segment.closeHandles();
    }
    this.scheduler.schedule(
      `delete-segments-${this.dirPath}`,
      () => {
        for (const segment of segments) segment.deleteIfExists();
      },
      this.configValue.fileDeleteDelayMs,
    );
  }

  /** Waiters arrive in offset order, so the settled ones are a prefix of the queue. */
  private settleWaiters(done: (w: FlushWaiter) => boolean, error: unknown): void {
    let n = 0;
    while (n < this.waiters.length && done(this.waiters[n]!)) n++;
    for (const w of this.waiters.splice(0, n)) {
      if (error === undefined) w.resolve();
      else w.reject(error);
    }
  }

  private closeInactiveWriteHandles(): void {
    for (let i = 0; i < this.segmentList.length - 1; i++) this.segmentList[i]!.closeWriteHandle();
  }

  private floorIndex(offset: number): number {
    let lo = 0;
    let hi = this.segmentList.length - 1;
    if (hi < 0 || this.segmentList[0]!.baseOffset > offset) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segmentList[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private createSegment(baseOffset: number): LogSegment {
    const c = this.configValue;
    return LogSegment.open({
      dir: this.dirPath,
      baseOffset,
      config: c,
      time: this.time,
      fileAlreadyExists: false,
      logger: this.logger,
      rollJitterMs: c.segmentJitterMs > 0 ? Math.floor(Math.random() * Math.min(c.segmentJitterMs, c.segmentMs)) : 0,
    });
  }
}
