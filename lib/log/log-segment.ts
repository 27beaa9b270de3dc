/**
 * One segment of a partition log (Kafka's `LogSegment`): a `.log` file of record batches, exactly as producers
 * built them and the leader stamped them, plus its sparse `.index` and `.timeindex` and its `.txnindex` of aborted
 * transactions (see transaction-index.ts).
 *
 * Layout: `<20-digit base offset>.log` holds whole v2 batches back to back from position 0; `size` bytes are valid.
 * The file may be longer than `size` (`preallocate`, or the zeroed tail left by a runtime truncation) until the
 * segment is trimmed on roll or close.
 *
 * Write path: appends go through the file descriptor (`fs.writeSync` at position `size`) and reads come from a
 * shared memory mapping of the same file, which sees those writes through the page cache. Writing through the
 * descriptor measured faster than first-touch writes into a fresh mapping, and a full disk or failing device
 * comes back as an errno (→ KAFKA_STORAGE_ERROR, `size` not advanced) instead of a SIGBUS that would kill the
 * broker. `read()` returns subarrays of the mapping: record bytes are never copied on the way to a socket.
 *
 * Invariants: batches in the file are valid and their offsets increase; `baseOffset <= ` every offset `<
 * baseOffset + 2^31`; `size < 2^31` (index positions are int32); index entries point at batch starts below
 * `size`. Reads never touch bytes at or past `size`.
 * Concurrency: all methods but `flush()` are synchronous. The owning log serialises mutations (append, truncate,
 * roll); reads may run between them. `flush()` awaits fdatasync in the threadpool while appends continue; it covers
 * everything written before it was called.
 * Ownership: LocalLog (through LogLoader or a roll) creates segments and closes or deletes them. The `.log` file
 * descriptor is open while the segment may be written (created by a roll, or reopened lazily by a write or by a
 * flush of bytes not yet synced) and is closed by `closeWriteHandle()` once an inactive segment is flushed, or
 * earlier when the process-wide bound on write descriptors (write-handle-cache.ts) picks the segment written
 * longest ago: 10,000 partitions hold about a thousand descriptors, not 10,000. Mappings are created lazily by the
 * first read and stay valid after the descriptor is closed.
 * Runtime truncation (a follower truncating to its leader) zero-fills the truncated bytes instead of shrinking
 * the file, because a subarray handed to a socket may still cover them and a shrunk file would SIGBUS when the
 * socket reads it; the zeroed tail is trimmed when the segment rolls or closes.
 * Crash: data written before a SIGKILL is in the page cache and survives. After an unclean shutdown the loader
 * calls `recover()`, which re-validates every batch and truncates at the first invalid one.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { ApiError, CorruptIndexError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Time } from '../common/time.js';
import {
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  RECORD_BATCH_OVERHEAD,
  validateBatch,
} from '../record/record-batch.js';
import { hasSyncCodec } from '../record/compression.js';
import { BatchView } from '../record/record-batch-reader.js';
import { MAX_MAPPING_BYTES, mapFile } from './file-mapping.js';
import type { LogConfig } from './log-config.js';
import { logFilePath, offsetIndexFilePath, timeIndexFilePath, txnIndexFilePath } from './log-file-names.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex, type TimestampOffset } from './time-index.js';
import { TransactionIndex } from './transaction-index.js';
import { forgetWriteHandle, touchWriteHandle, type WriteHandleHolder } from './write-handle-cache.js';

const fdatasync = promisify(fs.fdatasync);
const TWO_POW_32 = 4294967296;
const ZEROS = Buffer.alloc(64 * 1024);
/** First mapping of a writable segment; it doubles as the segment grows. */
const MIN_WRITABLE_MAPPING_BYTES = 64 * 1024;

/** The settings a segment fixes at creation. */
export type SegmentConfig = Pick<
  LogConfig,
  'segmentBytes' | 'segmentIndexBytes' | 'indexIntervalBytes' | 'preallocate'
>;

export interface LogSegmentOptions {
  dir: string;
  baseOffset: number;
  config: SegmentConfig;
  time: Time;
  /** Open the existing files (loading) rather than create new ones (rolling). */
  fileAlreadyExists: boolean;
  /** Transient suffix on every file name, e.g. `.cleaned` or `.swap`. */
  fileSuffix?: string;
  /** This segment's share of segment.jitter.ms, subtracted from segment.ms when deciding to roll. */
  rollJitterMs?: number;
  logger?: Logger;
}

/** The batches an append writes, summarised by the caller that validated them. */
export interface SegmentAppend {
  /** Last offset of the last batch. */
  largestOffset: number;
  /** Largest max timestamp among the batches, and the last offset of the batch holding it. */
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
}

/** What a read found: whole batches, as a subarray of the segment's mapping. */
export interface SegmentRead {
  /** Whole batches, the first one holding the requested offset; a view of mapped memory, not a copy. */
  records: Buffer;
  /** Base offset of the first batch in `records` (at or below the requested offset). */
  firstBatchOffset: number;
  /** Position of `records` in the segment file. */
  position: number;
}

/** A batch found by scanning the file. */
export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
}

/** What the roll check needs about the incoming append. */
export interface RollParams {
  segmentBytes: number;
  segmentMs: number;
  incomingBytes: number;
  incomingMaxTimestamp: number;
  incomingLargestOffset: number;
  nowMs: number;
}

export class LogSegment implements WriteHandleHolder {
  private dirPath: string;
  readonly baseOffset: number;
  private readonly time: Time;
  private readonly logger: Logger;
  private readonly segmentBytes: number;
  private readonly maxIndexSize: number;
  private readonly indexIntervalBytes: number;
  private readonly rollJitterMs: number;
  private suffix: string;
  private fd: number | null = null;
  private mapping: Buffer | null = null;
  private sizeBytes: number;
  private fileBytes: number;
  /** End of the bytes this segment may have written (valid data, or the remains of a failed or truncated write). */
  private writtenBytes: number;
  private dirty = false;
  private syncsInFlight = 0;
  /** closeHandles() ran while a sync was in flight: close the descriptor when the last sync settles. */
  private closeWhenSynced = false;
  /** closeHandles() ran: the files are closed for good (deleted, replaced or shut down); a flush reopens nothing. */
  private handlesClosed = false;
  private bytesSinceLastIndexEntry = 0;
  private offsetIndexRef: OffsetIndex | null = null;
  private timeIndexRef: TimeIndex | null = null;
  /** The aborted transaction index; its entries are read on first use. */
  readonly txnIndex: TransactionIndex;
  private maxTimestampSoFar: TimestampOffset | null = null;
  private rollingBasedTimestamp: number | undefined;
  private createdMs: number;

  private constructor(opts: LogSegmentOptions) {
    this.dirPath = opts.dir;
    this.baseOffset = opts.baseOffset;
    this.time = opts.time;
    this.logger = (opts.logger ?? silentLogger).child({ component: 'LogSegment', baseOffset: opts.baseOffset });
    this.segmentBytes = opts.config.segmentBytes;
    this.maxIndexSize = opts.config.segmentIndexBytes;
    this.indexIntervalBytes = opts.config.indexIntervalBytes;
    this.rollJitterMs = opts.rollJitterMs ?? 0;
    this.suffix = opts.fileSuffix ?? '';
    this.createdMs = opts.time.milliseconds();
    this.txnIndex = new TransactionIndex(this.baseOffset, txnIndexFilePath(this.dirPath, this.baseOffset, this.suffix));
    if (opts.fileAlreadyExists) {
      this.fileBytes = fs.statSync(this.logFile).size;
      this.sizeBytes = this.fileBytes;
      this.writtenBytes = this.fileBytes;
    } else {
      this.fd = fs.openSync(this.logFile, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC);
      touchWriteHandle(this);
      if (opts.config.preallocate) fs.ftruncateSync(this.fd, this.segmentBytes);
      this.fileBytes = opts.config.preallocate ? this.segmentBytes : 0;
      this.sizeBytes = 0;
      this.writtenBytes = 0;
      this.maxTimestampSoFar = { timestamp: -1, offset: this.baseOffset };
      // Create both indexes now so that a new segment always has its three files.
      this.offsetIndexRef = new OffsetIndex(this.offsetIndexFile, this.baseOffset, this.maxIndexSize);
      this.timeIndexRef = new TimeIndex(this.timeIndexFile, this.baseOffset, this.maxIndexSize);
      this.txnIndex.create();
    }
  }

  /** Creates a new, empty segment (a roll) or opens an existing one (loading); see LogSegmentOptions. */
  static open(opts: LogSegmentOptions): LogSegment {
    return new LogSegment(opts);
  }

  get size(): number {
    return this.sizeBytes;
  }

  get dir(): string {
    return this.dirPath;
  }

  /** Follows a rename of the partition directory (the files moved with it). */
  moveTo(dir: string): void {
    this.dirPath = dir;
    this.offsetIndexRef?.updateParentDir(dir);
    this.timeIndexRef?.updateParentDir(dir);
    this.txnIndex.updatePath(this.txnIndexFile);
  }

  get logFile(): string {
    return logFilePath(this.dirPath, this.baseOffset, this.suffix);
  }

  get offsetIndexFile(): string {
    return offsetIndexFilePath(this.dirPath, this.baseOffset, this.suffix);
  }

  get timeIndexFile(): string {
    return timeIndexFilePath(this.dirPath, this.baseOffset, this.suffix);
  }

  get txnIndexFile(): string {
    return txnIndexFilePath(this.dirPath, this.baseOffset, this.suffix);
  }

  get fileSuffix(): string {
    return this.suffix;
  }

  /**
   * The offset index, opened on first use (Kafka's LazyIndex): loading 10,000 partitions maps no index. An index
   * that fails its sanity check when first opened is rebuilt from the log.
   */
  get offsetIndex(): OffsetIndex {
    if (this.offsetIndexRef === null) this.openIndexes(true);
    return this.offsetIndexRef!;
  }

  get timeIndex(): TimeIndex {
    if (this.timeIndexRef === null) this.openIndexes(true);
    return this.timeIndexRef!;
  }

  /** The largest timestamp in the segment and the offset holding it; (-1, baseOffset) when it has none. */
  get maxTimestampAndOffset(): TimestampOffset {
    this.maxTimestampSoFar ??= this.loadLargestTimestamp();
    return this.maxTimestampSoFar;
  }

  /** Max timestamp of the segment, or the file's mtime when no batch has one (Kafka's `largestTimestamp`). */
  get largestTimestamp(): number {
    const t = this.maxTimestampAndOffset.timestamp;
    return t >= 0 ? t : this.lastModified;
  }

  /** Max timestamp of the first batch, or -1 when the segment is empty (max.compaction.lag.ms uses it). */
  get firstBatchTimestamp(): number {
    return this.sizeBytes === 0 ? -1 : this.batchMaxTimestamp(0);
  }

  get lastModified(): number {
    return Math.floor(fs.statSync(this.logFile).mtimeMs);
  }

  /** Sets the .log file's mtime; the cleaner carries the mtime of the segments it replaces. */
  set lastModified(ms: number) {
    fs.utimesSync(this.logFile, new Date(ms), new Date(ms));
  }

  /**
   * Appends whole, validated batches at the end of the file, adding an index entry when more than
   * index.interval.bytes were appended since the last one. Throws ApiError KAFKA_STORAGE_ERROR when the write
   * fails (ENOSPC, EIO); nothing is then counted as appended.
   */
  append(records: Buffer, info: SegmentAppend): void {
    if (records.length === 0) return;
    const position = this.sizeBytes;
    this.assertRelativeOffsetFits(info.largestOffset);
    const indexEntryDue = this.bytesSinceLastIndexEntry > this.indexIntervalBytes;
    // On a full disk the index fails here, before the log is written, rather than with a SIGBUS (AbstractIndex).
    if (indexEntryDue) {
      this.offsetIndex.reserve(1);
      this.timeIndex.reserve(2);
    }
    this.writeAt(records, position);
    if (position === 0) this.rollingBasedTimestamp = info.maxTimestamp;
    this.sizeBytes += records.length;
    const max = this.maxTimestampAndOffset;
    if (info.maxTimestamp > max.timestamp) {
      this.maxTimestampSoFar = { timestamp: info.maxTimestamp, offset: info.offsetOfMaxTimestamp };
    }
    if (indexEntryDue) {
      this.offsetIndex.append(info.largestOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar!.timestamp, this.maxTimestampSoFar!.offset);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += records.length;
  }

  /**
   * Whole batches starting with the one that holds `startOffset`, up to `maxBytes` (at least one batch when
   * `minOneBatch`), leaving out batches with offsets at or above `maxOffset` (the isolation bound, exclusive).
   * Returns null when the segment has no batch holding `startOffset` or after it. Unlike Kafka, which returns
   * a byte range that may end inside a batch, the result always ends on a batch boundary, so consumers never
   * see a partial batch. `records` is empty when the first batch does not fit and `minOneBatch` is false.
   */
  read(
    startOffset: number,
    maxBytes: number,
    maxOffset = Number.MAX_SAFE_INTEGER,
    minOneBatch = false,
  ): SegmentRead | null {
    const first = this.translateOffset(startOffset);
    if (first === null) return null;
    const view = this.view(this.sizeBytes);
    let end = first.position;
    let pos = first.position;
    while (pos < this.sizeBytes) {
      const size = this.checkedBatchSize(view, pos);
      if (lastOffsetAt(view, pos) >= maxOffset) break;
      if (end - first.position + size > maxBytes && !(minOneBatch && end === first.position)) break;
      pos += size;
      end = pos;
    }
    return {
      records: view.subarray(first.position, end),
      firstBatchOffset: first.baseOffset,
      position: first.position,
    };
  }

  /**
   * The first batch at or after `startingPosition` whose last offset is >= `offset`, found from the offset index
   * and a forward scan of batch headers; null when there is none.
   */
  translateOffset(offset: number, startingPosition = 0): BatchLocation | null {
    if (this.sizeBytes === 0) return null;
    const indexed = offset > this.baseOffset ? this.offsetIndex.lookup(offset).position : 0;
    const view = this.view(this.sizeBytes);
    for (let pos = Math.max(indexed, startingPosition); pos < this.sizeBytes;) {
      const size = this.checkedBatchSize(view, pos);
      const lastOffset = lastOffsetAt(view, pos);
      if (lastOffset >= offset) return { position: pos, size, baseOffset: offsetAt(view, pos), lastOffset };
      pos += size;
    }
    return null;
  }

  /** The offset after the last batch, or the base offset when the segment is empty. */
  readNextOffset(): number {
    if (this.sizeBytes === 0) return this.baseOffset;
    const view = this.view(this.sizeBytes);
    let last = -1;
    for (let pos = this.offsetIndex.lastPosition; pos < this.sizeBytes; pos += this.checkedBatchSize(view, pos)) {
      last = lastOffsetAt(view, pos);
    }
    return last + 1;
  }

  /** Every batch from `position` on, as locations (headers only are read). */
  *batches(position = 0): Generator<BatchLocation> {
    const view = this.sizeBytes > 0 ? this.view(this.sizeBytes) : null;
    for (let pos = position; pos < this.sizeBytes;) {
      const size = this.checkedBatchSize(view!, pos);
      yield { position: pos, size, baseOffset: offsetAt(view!, pos), lastOffset: lastOffsetAt(view!, pos) };
      pos += size;
    }
  }

  /** Bytes `[position, position + size)` of the file, as a view of the mapping; for the cleaner and tools. */
  slice(position: number, size: number): Buffer {
    if (position < 0 || position + size > this.sizeBytes) {
      throw new RangeError(
        `Slice [${position}, ${position + size}) is outside ${this.logFile}, which holds ${this.sizeBytes} bytes.`,
      );
    }
    return this.view(this.sizeBytes).subarray(position, position + size);
  }

  /**
   * Re-validates every batch (size, magic, CRC, offsets within the segment and increasing), rebuilds both
   * indexes at the configured spacing, and truncates the file at the first invalid batch. `onBatch` sees every
   * valid batch (the leader epoch cache refills from it). Returns the number of bytes truncated. Runs while
   * loading, before any read can hold a view of the file, so the file is shrunk rather than zeroed.
   */
  recover(onBatch?: (baseOffset: number, partitionLeaderEpoch: number) => void): number {
    if (this.offsetIndexRef === null || this.timeIndexRef === null) {
      // Rebuilding anyway: start from new files rather than map (and fault in) stale, possibly untrimmed ones.
      this.offsetIndexRef?.closeWithoutTrim();
      this.timeIndexRef?.closeWithoutTrim();
      this.offsetIndexRef = null;
      this.timeIndexRef = null;
      fs.rmSync(this.offsetIndexFile, { force: true });
      fs.rmSync(this.timeIndexFile, { force: true });
      this.openIndexes(false);
    }
    this.offsetIndex.reset();
    this.timeIndex.reset();
    const fileBytes = fs.statSync(this.logFile).size;
    const view = fileBytes > 0 ? this.view(fileBytes) : Buffer.alloc(0);
    let validBytes = 0;
    let lastIndexEntry = 0;
    let nextOffset = this.baseOffset;
    let max: TimestampOffset = { timestamp: -1, offset: this.baseOffset };
    this.rollingBasedTimestamp = undefined;
    while (validBytes < fileBytes) {
      let size: number;
      try {
        size = validateBatch(view, validBytes, fileBytes).size;
      } catch (e) {
        if (e instanceof ApiError) break;
        throw e;
      }
      const baseOffset = offsetAt(view, validBytes);
      const lastOffset = lastOffsetAt(view, validBytes);
      if (baseOffset < nextOffset || lastOffset - this.baseOffset > 0x7fffffff) break;
      const batchMax = timestampAt(view, validBytes + MAX_TIMESTAMP_OFFSET);
      if (validBytes === 0) this.rollingBasedTimestamp = batchMax;
      if (batchMax > max.timestamp) max = { timestamp: batchMax, offset: lastOffset };
      if (validBytes - lastIndexEntry > this.indexIntervalBytes) {
        this.offsetIndex.append(lastOffset, validBytes);
        this.timeIndex.maybeAppend(max.timestamp, max.offset);
        lastIndexEntry = validBytes;
      }
      onBatch?.(baseOffset, view.readInt32BE(validBytes + PARTITION_LEADER_EPOCH_OFFSET));
      nextOffset = lastOffset + 1;
      validBytes += size;
    }
    const truncated = fileBytes - validBytes;
    if (truncated > 0) fs.truncateSync(this.logFile, validBytes);
    this.sizeBytes = validBytes;
    this.fileBytes = validBytes;
    this.writtenBytes = validBytes;
    this.maxTimestampSoFar = max;
    this.bytesSinceLastIndexEntry = validBytes - lastIndexEntry;
    this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
    return truncated;
  }

  /**
   * Removes the batch holding `offset` and everything after it (callers pass a batch's base offset), and the
   * index entries pointing there. Returns the number of bytes removed. The removed bytes are zero-filled (see the
   * class comment) so that neither a reader nor a later recovery can see them again.
   */
  truncateTo(offset: number): number {
    const location = this.translateOffset(offset);
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    this.txnIndex.truncateTo(offset);
    if (location === null) return 0;
    // The segment may take appends again: give the indexes back their room.
    this.offsetIndex.resize(this.maxIndexSize);
    this.timeIndex.resize(this.maxIndexSize);
    const truncated = this.sizeBytes - location.position;
    this.zeroFill(location.position, this.writtenBytes);
    this.sizeBytes = location.position;
    this.writtenBytes = location.position;
    if (this.sizeBytes === 0) {
      this.createdMs = this.time.milliseconds();
      this.rollingBasedTimestamp = undefined;
    }
    this.bytesSinceLastIndexEntry = 0;
    this.maxTimestampSoFar = null;
    return truncated;
  }

  /**
   * Whether the log should roll before appending (Kafka's `shouldRoll`): the append would pass segment.bytes, the
   * segment is non-empty and older than segment.ms minus jitter, an index is full, or the incoming offsets would
   * not fit the int32 relative offset of the indexes.
   */
  shouldRoll(p: RollParams): boolean {
    const reachedRollMs = this.timeWaitedForRoll(p.nowMs, p.incomingMaxTimestamp) > p.segmentMs - this.rollJitterMs;
    return (
      this.sizeBytes > p.segmentBytes - p.incomingBytes ||
      (this.sizeBytes > 0 && reachedRollMs) ||
      this.offsetIndex.isFull() ||
      this.timeIndex.isFull() ||
      p.incomingLargestOffset - this.baseOffset > 0x7fffffff
    );
  }

  /**
   * Finalises a segment that the log rolled away from: writes the last time index entry (using its reserved slot),
   * trims both indexes and the file to their valid sizes.
   */
  onBecomeInactiveSegment(): void {
    const max = this.maxTimestampAndOffset;
    this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
    this.offsetIndex.trimToValidSize();
    this.timeIndex.trimToValidSize();
    this.trimLogFile();
  }

  /**
   * Makes everything appended before the call durable: fdatasync of the .log file and, with `includeIndexes`,
   * of the index files, in the threadpool. Throws ApiError KAFKA_STORAGE_ERROR when a sync fails.
   */
  async flush(includeIndexes = true): Promise<void> {
    const syncs: Promise<void>[] = [];
    if (this.dirty && !this.handlesClosed) {
      // The descriptor may have been closed by the write-handle bound since the bytes were written: reopen it.
      const fd = this.writeHandle();
      this.dirty = false;
      syncs.push(
        fdatasync(fd).catch((e: unknown) => {
          this.dirty = true;
          throw this.storageError('flush', e);
        }),
      );
    }
    if (includeIndexes) {
      for (const index of [this.offsetIndexRef, this.timeIndexRef, this.txnIndex]) {
        if (index)
          syncs.push(
            index.flush().catch((e: unknown) => {
              throw this.storageError('flush the index of', e);
            }),
          );
      }
    }
    if (syncs.length === 0) return;
    this.syncsInFlight++;
    try {
      await Promise.all(syncs);
    } finally {
      if (--this.syncsInFlight === 0 && this.closeWhenSynced) this.closeFd();
    }
  }

  /**
   * Closes the .log descriptor of a segment that is flushed and no longer written (after a roll), and drops its
   * mapping, which was sized for growth; a later read maps just the file. Does nothing while unflushed data or a sync remain.
   */
  closeWriteHandle(): void {
    if (this.fd === null || this.dirty || this.syncsInFlight > 0) return;
    this.closeFd();
    this.mapping = null;
  }

  /**
   * Closes the write descriptor for the process-wide bound (write-handle-cache.ts), keeping the segment's state:
   * unsynced bytes stay `dirty` and the next flush reopens the file to sync them; the next write reopens it too.
   * Returns false, doing nothing, while an fdatasync uses the descriptor.
   */
  releaseWriteHandle(): boolean {
    if (this.syncsInFlight > 0) return false;
    this.closeFd();
    return true;
  }

  /** Trims the files to their valid sizes and releases descriptor and mappings (clean shutdown). */
  close(): void {
    this.offsetIndexRef?.close();
    this.timeIndexRef?.close();
    this.trimLogFile();
    this.closeHandles();
  }

  /** Releases descriptor, mappings and indexes without trimming (the files are about to be deleted or replaced). */
  closeHandles(): void {
    this.offsetIndexRef?.closeWithoutTrim();
    this.timeIndexRef?.closeWithoutTrim();
    // An fdatasync running in the threadpool still uses the descriptor; closing it now could let a new file
    // reuse the number under that sync.
    this.handlesClosed = true;
    if (this.syncsInFlight > 0) this.closeWhenSynced = true;
    else this.closeFd();
    this.mapping = null;
  }

  /** Closes and removes the four files. */
  deleteIfExists(): void {
    this.closeHandles();
    for (const file of [this.logFile, this.offsetIndexFile, this.timeIndexFile]) fs.rmSync(file, { force: true });
    this.txnIndex.deleteIfExists();
  }

  /** Renames the four files from suffix `oldSuffix` to `newSuffix` (e.g. '' → '.deleted', '.swap' → ''). */
  changeFileSuffixes(oldSuffix: string, newSuffix: string): void {
    if (oldSuffix !== this.suffix) {
      throw new RangeError(`Segment ${this.logFile} has suffix '${this.suffix}', not '${oldSuffix}'.`);
    }
    const oldLog = this.logFile;
    const oldTimeIndex = this.timeIndexFile;
    const oldOffsetIndex = this.offsetIndexFile;
    this.suffix = newSuffix;
    fs.renameSync(oldLog, this.logFile);
    if (this.offsetIndexRef) this.offsetIndexRef.renameTo(this.offsetIndexFile);
    else if (fs.existsSync(oldOffsetIndex)) fs.renameSync(oldOffsetIndex, this.offsetIndexFile);
    if (this.timeIndexRef) this.timeIndexRef.renameTo(this.timeIndexFile);
    else if (fs.existsSync(oldTimeIndex)) fs.renameSync(oldTimeIndex, this.timeIndexFile);
    this.txnIndex.renameTo(this.txnIndexFile);
  }

  /** Checks both indexes against each other's rules and the .log size; throws CorruptIndexError. */
  sanityCheck(): void {
    if (this.offsetIndexRef === null || this.timeIndexRef === null) this.openIndexes(false);
    this.offsetIndex.sanityCheck();
    this.timeIndex.sanityCheck();
    if (this.offsetIndex.entries > 0 && this.offsetIndex.lastPosition >= this.sizeBytes) {
      throw new CorruptIndexError(
        `Index file ${this.offsetIndexFile} is corrupt: its last entry points at position ` +
          `${this.offsetIndex.lastPosition}, but ${this.logFile} holds ${this.sizeBytes} bytes. It will be rebuilt from the log.`,
      );
    }
  }

  /** Re-expands the indexes of the segment that becomes the active one after loading. */
  resizeIndexes(maxIndexSize: number): void {
    this.offsetIndex.resize(maxIndexSize);
    this.timeIndex.resize(maxIndexSize);
  }

  /**
   * The first record with a timestamp >= `timestamp` at or after `startingOffset`: its timestamp and offset, found
   * through the time index and then record by record inside the first batch whose max timestamp reaches the
   * target (Kafka's searchForTimestamp). A zstd batch, which has no synchronous codec, is answered at batch
   * precision (its max timestamp and max(base offset, startingOffset)). Null when there is none.
   */
  findOffsetByTimestamp(timestamp: number, startingOffset = this.baseOffset): TimestampOffset | null {
    const fromTimeIndex = this.timeIndex.lookup(timestamp);
    const position = this.offsetIndex.lookup(Math.max(fromTimeIndex.offset, startingOffset)).position;
    for (const batch of this.batches(position)) {
      if (batch.lastOffset < startingOffset) continue;
      const batchMax = this.batchMaxTimestamp(batch.position);
      if (batchMax < timestamp) continue;
      const view = new BatchView(this.view(this.sizeBytes), batch.position, batch.size);
      if (!hasSyncCodec(view.compression))
        return { timestamp: batchMax, offset: Math.max(batch.baseOffset, startingOffset) };
      for (const record of view.records()) {
        if (record.timestamp >= timestamp && record.offset >= startingOffset)
          return { timestamp: record.timestamp, offset: record.offset };
      }
    }
    return null;
  }

  /**
   * Opens both index files. With `check`, runs the sanity check and, on CorruptIndexError, rebuilds both indexes
   * from the batches in the .log file (headers only; the log itself was validated when it was written or
   * recovered, so nothing is truncated here).
   */
  private openIndexes(check: boolean): void {
    this.offsetIndexRef ??= new OffsetIndex(this.offsetIndexFile, this.baseOffset, this.maxIndexSize);
    this.timeIndexRef ??= new TimeIndex(this.timeIndexFile, this.baseOffset, this.maxIndexSize);
    if (!check) return;
    try {
      this.sanityCheck();
    } catch (e) {
      if (!(e instanceof CorruptIndexError)) throw e;
      this.logger.warn({ err: e }, 'rebuilding corrupt indexes');
      this.rebuildIndexes();
    }
  }

  private rebuildIndexes(): void {
    const wasTrimmed = this.offsetIndex.length < this.maxIndexSize;
    this.offsetIndex.reset();
    this.timeIndex.reset();
    let max: TimestampOffset = { timestamp: -1, offset: this.baseOffset };
    let lastIndexEntry = 0;
    for (const batch of this.batches()) {
      const t = this.batchMaxTimestamp(batch.position);
      if (t > max.timestamp) max = { timestamp: t, offset: batch.lastOffset };
      if (batch.position - lastIndexEntry > this.indexIntervalBytes) {
        this.offsetIndex.append(batch.lastOffset, batch.position);
        this.timeIndex.maybeAppend(max.timestamp, max.offset);
        lastIndexEntry = batch.position;
      }
    }
    this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
    this.bytesSinceLastIndexEntry = this.sizeBytes - lastIndexEntry;
    if (wasTrimmed) {
      this.offsetIndex.trimToValidSize();
      this.timeIndex.trimToValidSize();
    }
  }

  /** Time the active segment has been open for roll purposes: by the first batch's timestamp, else wall time. */
  private timeWaitedForRoll(nowMs: number, incomingMaxTimestamp: number): number {
    if (this.rollingBasedTimestamp === undefined && this.sizeBytes > 0)
      this.rollingBasedTimestamp = this.batchMaxTimestamp(0);
    const t = this.rollingBasedTimestamp;
    return t !== undefined && t >= 0 ? incomingMaxTimestamp - t : nowMs - this.createdMs;
  }

  /** Largest timestamp from the last time index entry plus the batches after it (Kafka's loadLargestTimestamp). */
  private loadLargestTimestamp(): TimestampOffset {
    let max = this.timeIndex.lastEntry;
    for (const batch of this.batches(this.offsetIndex.lookup(max.offset).position)) {
      const t = this.batchMaxTimestamp(batch.position);
      if (t > max.timestamp) max = { timestamp: t, offset: batch.lastOffset };
    }
    return max;
  }

  private batchMaxTimestamp(position: number): number {
    return timestampAt(this.view(this.sizeBytes), position + MAX_TIMESTAMP_OFFSET);
  }

  private writeAt(buffer: Buffer, position: number): void {
    const fd = this.writeHandle();
    this.dirty = true;
    let written = 0;
    try {
      while (written < buffer.length)
        written += fs.writeSync(fd, buffer, written, buffer.length - written, position + written);
    } catch (e) {
      throw this.storageError('append', e);
    } finally {
      this.fileBytes = Math.max(this.fileBytes, position + written);
      this.writtenBytes = Math.max(this.writtenBytes, position + written);
    }
  }

  private zeroFill(from: number, to: number): void {
    for (let pos = from; pos < to; pos += ZEROS.length)
      this.writeAt(ZEROS.subarray(0, Math.min(ZEROS.length, to - pos)), pos);
  }

  private trimLogFile(): void {
    if (this.fileBytes > this.sizeBytes) {
      if (this.fd !== null) fs.ftruncateSync(this.fd, this.sizeBytes);
      else fs.truncateSync(this.logFile, this.sizeBytes);
      this.fileBytes = this.sizeBytes;
      this.writtenBytes = this.sizeBytes;
    }
  }

  private writeHandle(): number {
    if (this.fd === null) {
      try {
        this.fd = fs.openSync(this.logFile, fs.constants.O_RDWR);
      } catch (e) {
        throw this.storageError('open for writing', e);
      }
      // A mapping made while read-only was sized to the file; the next read maps ahead of it.
      this.mapping = null;
    }
    touchWriteHandle(this);
    return this.fd;
  }

  private closeFd(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
    forgetWriteHandle(this);
  }

  /**
   * A mapping covering at least `[0, end)`. A read-only segment maps exactly its file. A writable one maps ahead of
   * its data and doubles the mapping when appends outgrow it (views of the old mapping stay valid): mapping all of
   * segment.bytes at once would cost nothing in the kernel, but V8 counts a mapping's length as external memory
   * and collects garbage early while it grows — 10,000 partitions with 1 GiB mappings kept it collecting.
   */
  private view(end: number): Buffer {
    if (this.mapping !== null && this.mapping.length >= end) return this.mapping;
    const length =
      this.fd === null
        ? Math.max(end, this.fileBytes)
        : Math.min(MAX_MAPPING_BYTES, Math.max(end, 2 * (this.mapping?.length ?? 0), MIN_WRITABLE_MAPPING_BYTES));
    const fd = this.fd ?? fs.openSync(this.logFile, fs.constants.O_RDONLY);
    try {
      this.mapping = mapFile(fd, length, false, this.logFile, 'normal');
    } finally {
      if (fd !== this.fd) fs.closeSync(fd);
    }
    return this.mapping;
  }

  private checkedBatchSize(view: Buffer, pos: number): number {
    const size = LOG_OVERHEAD + view.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    if (size < RECORD_BATCH_OVERHEAD || pos + size > this.sizeBytes) {
      throw new ApiError(
        'KAFKA_STORAGE_ERROR',
        `Segment ${this.logFile} is corrupt: the batch at position ${pos} ` +
          `declares ${size} bytes, but the segment holds ${this.sizeBytes}. Restart the broker to recover the log.`,
      );
    }
    return size;
  }

  private assertRelativeOffsetFits(offset: number): void {
    if (offset - this.baseOffset > 0x7fffffff || offset < this.baseOffset) {
      throw new RangeError(
        `Offset ${offset} does not fit segment ${this.logFile} (base ${this.baseOffset}); the log must roll first.`,
      );
    }
  }

  private storageError(what: string, e: unknown): ApiError {
    const err = e as NodeJS.ErrnoException;
    return new ApiError(
      'KAFKA_STORAGE_ERROR',
      `Could not ${what} ${this.logFile}: ${err.code ?? 'error'} ` +
        `(${err.message}). The log stays readable up to its last successful append; free space or replace the disk.`,
      { cause: e },
    );
  }
}

/** Signed int64 at `pos` as a number (exact below 2^53), without allocating a BigInt. */
function int64At(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_POW_32 + buf.readUInt32BE(pos + 4);
}

const offsetAt = (buf: Buffer, pos: number): number => int64At(buf, pos);
const lastOffsetAt = (buf: Buffer, pos: number): number =>
  int64At(buf, pos) + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
const timestampAt = (buf: Buffer, pos: number): number => int64At(buf, pos);
