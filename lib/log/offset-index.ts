/**
 * Sparse offset → file position index of one segment (Kafka's `OffsetIndex`).
 *
 * Layout: 8-byte entries, big-endian: int32 relative offset (offset − baseOffset), int32 position of the batch in
 * the segment's .log file. An entry maps the LAST offset of an appended set of batches to the position where that
 * set starts, so a lookup lands at or before the batch holding the target and the reader scans forward.
 * Invariants: relative offsets and positions strictly increase; see AbstractIndex for file length and lifecycle.
 * Concurrency, ownership and crash behaviour: as AbstractIndex.
 */
import { CorruptIndexError, IllegalStateError } from '../common/errors.js';
import { AbstractIndex } from './abstract-index.js';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

/** An index hit: an offset and the position in the .log file from which to scan for it. */
export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends AbstractIndex {
  private lastOffsetCache: number;

  constructor(file: string, baseOffset: number, maxIndexSize: number) {
    super(file, baseOffset, maxIndexSize, OFFSET_INDEX_ENTRY_SIZE);
    this.lastOffsetCache = this.readLastOffset();
  }

  /** Largest offset in the index, or the base offset when it is empty. */
  get lastOffset(): number {
    return this.lastOffsetCache;
  }

  /**
   * The entry with the largest offset <= `targetOffset`, or (baseOffset, 0) when there is none: the position from
   * which a forward scan finds the batch holding `targetOffset`.
   */
  lookup(targetOffset: number): OffsetPosition {
    const slot = this.largestLowerBoundSlot(targetOffset - this.baseOffset, (s) => this.relativeOffsetAt(s));
    return slot < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(slot);
  }

  /** Entry `slot` (0-based) as absolute offset and position. */
  entry(slot: number): OffsetPosition {
    if (slot < 0 || slot >= this.entryCount) {
      throw new IllegalStateError(
        `Slot ${slot} is out of range for ${this.file}, which has ${this.entryCount} entries.`,
      );
    }
    return { offset: this.baseOffset + this.relativeOffsetAt(slot), position: this.positionAt(slot) };
  }

  /** Appends an entry; `offset` must be above the last one and fit the int32 relative offset. */
  append(offset: number, position: number): void {
    const mapping = this.writableSlot('append an offset index entry');
    if (this.entryCount > 0 && offset <= this.lastOffsetCache) {
      throw new IllegalStateError(
        `Cannot append offset ${offset} to ${this.file}: it is not above the last entry's ` +
          `offset ${this.lastOffsetCache}.`,
      );
    }
    const at = this.entryCount * OFFSET_INDEX_ENTRY_SIZE;
    mapping.writeInt32BE(this.relativeOffset(offset), at);
    mapping.writeInt32BE(position, at + 4);
    this.entryCount++;
    this.lastOffsetCache = offset;
  }

  override sanityCheck(): void {
    super.sanityCheck();
    const n = this.entryCount;
    if (n > 1 && this.positionAt(n - 1) <= this.positionAt(n - 2)) {
      throw new CorruptIndexError(
        `Index file ${this.file} is corrupt: its last entry has position ${this.positionAt(n - 1)}, ` +
          `not above the entry before it at ${this.positionAt(n - 2)}. It will be rebuilt from the log.`,
      );
    }
  }

  /** Position of the last entry, or 0 when empty; lets the segment check the index against its .log size. */
  get lastPosition(): number {
    return this.entryCount === 0 ? 0 : this.positionAt(this.entryCount - 1);
  }

  protected relativeOffsetAt(slot: number): number {
    return this.mapping!.readInt32BE(slot * OFFSET_INDEX_ENTRY_SIZE);
  }

  private positionAt(slot: number): number {
    return this.mapping!.readInt32BE(slot * OFFSET_INDEX_ENTRY_SIZE + 4);
  }

  protected afterTruncation(): void {
    this.lastOffsetCache = this.readLastOffset();
  }

  private readLastOffset(): number {
    return this.entryCount === 0 ? this.baseOffset : this.baseOffset + this.relativeOffsetAt(this.entryCount - 1);
  }
}
