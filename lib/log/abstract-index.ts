/**
 * The common part of the offset and time indexes (Kafka's `AbstractIndex`): a memory-mapped file of fixed-size
 * entries sorted by offset, searched by binary search.
 *
 * Layout: `entryCount` entries of `entrySize` bytes from position 0; the file is preallocated (sparse, by
 * ftruncate) to `maxIndexSize` rounded down to a multiple of `entrySize` while the segment is active, and
 * trimmed to `entryCount * entrySize` when it becomes inactive or is closed. On open, an existing file is trusted
 * to hold `length / entrySize` entries (a trimmed file) — the loader calls `sanityCheck()` and rebuilds on
 * `CorruptIndexError`, and after an unclean shutdown it rebuilds every index past the recovery point anyway.
 *
 * Invariants: entries strictly increase in offset (and, for the time index, in timestamp); `entryCount <=
 * maxEntries`; the mapping covers at least `entryCount * entrySize` bytes of a file at least that long, and grows
 * (by remapping, doubling) as entries are added rather than covering the whole preallocated file.
 * Concurrency: synchronous methods only; the owning segment's caller serialises mutations (the partition's append
 * path), lookups may run any time between them. `flush()` awaits an fdatasync in the threadpool and may interleave
 * with appends; it makes durable at least what was written before it was called.
 * Ownership: a LogSegment opens (lazily), renames, closes and deletes its two indexes. The file descriptor is
 * closed right after mapping; the mapping lives until the index is closed and the Buffer is collected.
 * Crash: entries are written into the shared mapping (the page cache), so a killed process loses none; no
 * checksums, so after a power loss the loader rebuilds indexes past the recovery point from the log.
 * Full disk: the preallocated file is sparse, and a page of a sparse file first touched through a mapping on a full
 * disk is a SIGBUS that kills the process. So entries are only written on blocks allocated beforehand through the
 * descriptor (`reserve`: zeros ahead of the entries, 64 KiB at a time), where a full disk is an ENOSPC the caller
 * answers with KAFKA_STORAGE_ERROR (and the log dir goes offline).
 */
import fs from 'node:fs';
import { basename, join } from 'node:path';
import { ApiError, CorruptIndexError, IllegalStateError } from '../common/errors.js';
import { mapFile } from './file-mapping.js';
import { runWithIoSlot } from './io-slots.js';

/** Entries searched first, as Kafka's "warm section": the last 8 KiB of entries, which recent reads hit. */
const WARM_SECTION_BYTES = 8192;
/** Smallest mapping of an index; it doubles as entries are added, up to the file length. */
const MIN_MAPPING_BYTES = 8192;
/** How far ahead of its entries `reserve` allocates the file's blocks. */
const ALLOCATION_CHUNK_BYTES = 65536;
const ZEROS = Buffer.alloc(ALLOCATION_CHUNK_BYTES);

export abstract class AbstractIndex {
  protected mapping: Buffer | null = null;
  protected entryCount = 0;
  private fileLength = 0;
  private maxEntryCount = 0;
  private closed = false;
  /** Entries changed, or the file shrank, since the last flush started. */
  private dirty = false;
  /** Bytes from the file's start known to be allocated on disk (see the header: full disk). */
  private allocatedBytes = 0;

  /**
   * Opens or creates the index file. A new file is preallocated to `maxIndexSize`; an existing one keeps its
   * length (call `resize(maxIndexSize)` to re-expand it when its segment becomes active again).
   */
  protected constructor(
    private filePath: string,
    readonly baseOffset: number,
    readonly maxIndexSize: number,
    readonly entrySize: number,
  ) {
    const existed = fs.existsSync(filePath);
    const fd = fs.openSync(filePath, fs.constants.O_RDWR | fs.constants.O_CREAT);
    try {
      if (!existed) fs.ftruncateSync(fd, roundDown(maxIndexSize, entrySize));
      this.fileLength = fs.fstatSync(fd).size;
      this.entryCount = existed ? Math.floor(this.fileLength / entrySize) : 0;
      this.maxEntryCount = Math.floor(this.fileLength / entrySize);
      this.allocatedBytes = this.sizeInBytes;
      if (this.entryCount > 0)
        this.mapping = mapFile(fd, this.mappingLengthFor(this.sizeInBytes), true, filePath, 'random');
    } finally {
      fs.closeSync(fd);
    }
  }

  get file(): string {
    return this.filePath;
  }

  get entries(): number {
    return this.entryCount;
  }

  get maxEntries(): number {
    return this.maxEntryCount;
  }

  /** Bytes the file has on disk (preallocated or trimmed). */
  get length(): number {
    return this.fileLength;
  }

  get sizeInBytes(): number {
    return this.entryCount * this.entrySize;
  }

  isFull(): boolean {
    return this.entryCount >= this.maxEntryCount;
  }

  /**
   * Sets the file length to `newSize` rounded down to whole entries (never below the entries in use). Returns
   * whether the length changed. Shrinking is safe while mapped because no caller reads past `entryCount` and no
   * subarray of an index mapping ever leaves this class; growing needs no remap, since the mapping grows on demand.
   */
  resize(newSize: number): boolean {
    const rounded = Math.max(roundDown(newSize, this.entrySize), this.sizeInBytes);
    if (rounded === this.fileLength) return false;
    this.assertOpen('resize');
    fs.truncateSync(this.filePath, rounded);
    const shrunk = rounded < this.fileLength;
    this.fileLength = rounded;
    this.allocatedBytes = Math.min(this.allocatedBytes, rounded);
    this.maxEntryCount = rounded / this.entrySize;
    // Only a shrink must reach the disk: a longer file that a crash lost is just the trimmed file, which loads as
    // the same entries (see the header); a lost shrink would leave zeroed slots counted as entries. So re-expanding
    // every active segment's indexes at start costs 20,000 fdatasyncs at the next shutdown no more.
    if (shrunk) this.dirty = true;
    return true;
  }

  /** Trims the file to the entries in use; done when the segment becomes inactive and on close. */
  trimToValidSize(): boolean {
    return this.resize(this.sizeInBytes);
  }

  /** Removes every entry and re-expands to `maxIndexSize` (before a rebuild). */
  reset(): void {
    this.truncateToEntries(0);
    this.resize(this.maxIndexSize);
  }

  /** Removes every entry whose offset is >= `offset`. */
  truncateTo(offset: number): void {
    const slot = this.largestLowerBoundSlot(offset - this.baseOffset, (s) => this.relativeOffsetAt(s));
    // Keep entries below `offset`: an entry exactly at `offset` goes, so does everything after the floor entry.
    if (slot < 0) this.truncateToEntries(0);
    else if (this.relativeOffsetAt(slot) === offset - this.baseOffset) this.truncateToEntries(slot);
    else this.truncateToEntries(slot + 1);
  }

  /**
   * Makes the entries written so far durable: fdatasync in the threadpool, off the event loop. Nothing to do when
   * unchanged since the last flush, or when the file was deleted meanwhile.
   */
  async flush(): Promise<void> {
    if (this.closed || !this.dirty) return;
    this.dirty = false;
    await runWithIoSlot(() => this.syncFile());
  }

  private async syncFile(): Promise<void> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.filePath, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.dirty = true;
      throw e;
    }
    try {
      await handle.datasync();
    } catch (e) {
      this.dirty = true;
      throw e;
    } finally {
      await handle.close();
    }
  }

  /**
   * Allocates the blocks the next `entries` entries will be written on, if not yet done (see the header: full
   * disk). Throws ApiError KAFKA_STORAGE_ERROR when the disk refuses; nothing is changed then.
   */
  reserve(entries: number): void {
    const needed = Math.min(this.fileLength, (this.entryCount + entries) * this.entrySize);
    if (needed <= this.allocatedBytes) return;
    this.assertOpen('reserve space');
    const end = Math.min(this.fileLength, Math.ceil(needed / ALLOCATION_CHUNK_BYTES) * ALLOCATION_CHUNK_BYTES);
    try {
      const fd = fs.openSync(this.filePath, fs.constants.O_RDWR);
      try {
        for (let pos = this.allocatedBytes; pos < end;)
          pos += fs.writeSync(fd, ZEROS, 0, Math.min(ZEROS.length, end - pos), pos);
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      throw new ApiError(
        'KAFKA_STORAGE_ERROR',
        `Could not allocate space for index ${this.filePath}: ${(e as NodeJS.ErrnoException).code ?? 'error'} ` +
          `(${(e as Error).message}). Free space or replace the disk.`,
        { cause: e },
      );
    }
    this.allocatedBytes = end;
  }

  /** Follows a rename of the directory holding the file. */
  updateParentDir(dir: string): void {
    this.filePath = join(dir, basename(this.filePath));
  }

  /** Renames the file; the mapping stays valid. */
  renameTo(newPath: string): void {
    fs.renameSync(this.filePath, newPath);
    this.filePath = newPath;
  }

  /** Trims the file and drops the mapping; the index cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    if (fs.existsSync(this.filePath)) this.trimToValidSize();
    this.closeWithoutTrim();
  }

  /** Drops the mapping without touching the file (for a file about to be deleted or replaced). */
  closeWithoutTrim(): void {
    this.closed = true;
    this.mapping = null;
  }

  /** Closes and removes the file; returns whether it existed. */
  deleteIfExists(): boolean {
    this.closeWithoutTrim();
    try {
      fs.unlinkSync(this.filePath);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  /** Throws `CorruptIndexError` naming the file, what was found and what was expected. */
  sanityCheck(): void {
    if (this.fileLength % this.entrySize !== 0) {
      throw new CorruptIndexError(
        `Index file ${this.filePath} is corrupt: its length ${this.fileLength} is not a multiple ` +
          `of the entry size ${this.entrySize}. It will be rebuilt from the log.`,
      );
    }
    // The newest entries are the ones an unclean shutdown garbles; checking only them keeps opening cheap.
    const n = this.entryCount;
    if (n > 0 && this.relativeOffsetAt(n - 1) < 0) {
      throw new CorruptIndexError(
        `Index file ${this.filePath} is corrupt: its last entry has offset ` +
          `${this.baseOffset + this.relativeOffsetAt(n - 1)}, below the base offset ${this.baseOffset}. It will be rebuilt from the log.`,
      );
    }
    if (n > 1 && this.relativeOffsetAt(n - 1) < this.relativeOffsetAt(n - 2)) {
      throw new CorruptIndexError(
        `Index file ${this.filePath} is corrupt: its last entry has offset ` +
          `${this.baseOffset + this.relativeOffsetAt(n - 1)}, below the entry before it at ` +
          `${this.baseOffset + this.relativeOffsetAt(n - 2)}; offsets must increase. It will be rebuilt from the log.`,
      );
    }
  }

  /** Relative offset stored in entry `slot`. */
  protected abstract relativeOffsetAt(slot: number): number;

  protected truncateToEntries(entries: number): void {
    this.entryCount = entries;
    this.afterTruncation();
  }

  /** Lets subclasses refresh cached last-entry state after entries were removed. */
  protected abstract afterTruncation(): void;

  /** The mapping, asserting the index is open and has room for one more entry. */
  protected writableSlot(what: string): Buffer {
    this.assertOpen(what);
    if (this.entryCount >= this.maxEntryCount) {
      throw new IllegalStateError(
        `Cannot ${what} in ${this.filePath}: the index is full (${this.entryCount} entries); ` +
          `the segment must roll first.`,
      );
    }
    this.reserve(1);
    this.dirty = true;
    const needed = (this.entryCount + 1) * this.entrySize;
    if (this.mapping === null || this.mapping.length < needed) {
      const fd = fs.openSync(this.filePath, fs.constants.O_RDWR);
      try {
        this.mapping = mapFile(fd, this.mappingLengthFor(needed), true, this.filePath, 'random');
      } finally {
        fs.closeSync(fd);
      }
    }
    return this.mapping;
  }

  /**
   * A mapping length covering `bytes`: doubling from 8 KiB, never past the file. Mappings are sized to use, not to
   * the preallocated file, because V8 counts a mapping's length as external memory and collects garbage early when
   * it grows: 10,000 partitions with two 10 MiB index mappings each would keep the collector busy.
   */
  private mappingLengthFor(bytes: number): number {
    return Math.min(this.fileLength, Math.max(bytes, 2 * (this.mapping?.length ?? 0), MIN_MAPPING_BYTES));
  }

  protected assertOpen(what: string): void {
    if (this.closed) throw new IllegalStateError(`Cannot ${what} on index ${this.filePath}: it is closed.`);
  }

  /**
   * The slot of the largest entry whose key is <= `target`, or -1 when there is none. Searches the warm section
   * (the newest 8 KiB of entries) first, so that lookups near the end touch few pages.
   */
  protected largestLowerBoundSlot(target: number, keyAt: (slot: number) => number): number {
    const n = this.entryCount;
    if (n === 0 || keyAt(0) > target) return -1;
    const firstWarm = Math.max(0, n - 1 - Math.floor(WARM_SECTION_BYTES / this.entrySize));
    return keyAt(firstWarm) <= target
      ? binarySearch(firstWarm, n - 1, target, keyAt)
      : binarySearch(0, firstWarm, target, keyAt);
  }

  /** Relative form of `offset`, checked to fit the int32 an entry holds. */
  protected relativeOffset(offset: number): number {
    const relative = offset - this.baseOffset;
    if (relative < 0 || relative > 0x7fffffff) {
      throw new IllegalStateError(
        `Offset ${offset} does not fit index ${this.filePath} with base offset ${this.baseOffset}: ` +
          `the relative offset must be 0..2147483647; the segment must roll first.`,
      );
    }
    return relative;
  }
}

/** Largest slot in [lo, hi] whose key is <= target, given keyAt(lo) <= target. */
function binarySearch(lo: number, hi: number, target: number, keyAt: (slot: number) => number): number {
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (keyAt(mid) <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function roundDown(n: number, multiple: number): number {
  return n - (n % multiple);
}
