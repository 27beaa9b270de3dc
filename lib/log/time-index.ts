/**
 * Sparse timestamp → offset index of one segment (Kafka's `TimeIndex`).
 *
 * Layout: 12-byte entries, big-endian: int64 timestamp (ms), int32 relative offset. An entry (t, o) says "the
 * largest timestamp seen in batches before offset o+1 is t"; entries are appended only when the segment's max
 * timestamp grows, so timestamps strictly increase and offsets do not decrease.
 * Invariants: as above; the last slot is kept free while the segment is active (`isFull()` reports full one entry
 * early) so that rolling can always write the final max-timestamp entry (Kafka's `skipFullCheck`).
 * Concurrency, ownership and crash behaviour: as AbstractIndex.
 */
import { CorruptIndexError, IllegalStateError } from '../common/errors.js';
import { AbstractIndex } from './abstract-index.js';

export const TIME_INDEX_ENTRY_SIZE = 12;
const TWO_POW_32 = 4294967296;

/** A time index entry: the largest timestamp before `offset` + 1. */
export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends AbstractIndex {
  private lastEntryCache: TimestampOffset;

  constructor(file: string, baseOffset: number, maxIndexSize: number) {
    super(file, baseOffset, maxIndexSize, TIME_INDEX_ENTRY_SIZE);
    this.lastEntryCache = this.readLastEntry();
  }

  /** The newest entry, or (-1, baseOffset) when empty. */
  get lastEntry(): TimestampOffset {
    return this.lastEntryCache;
  }

  override isFull(): boolean {
    return this.entryCount >= this.maxEntries - 1;
  }

  /**
   * The entry with the largest timestamp <= `targetTimestamp`, or (-1, baseOffset) when there is none. The batch
   * holding the first record at or after `targetTimestamp` is at or after the returned offset.
   */
  lookup(targetTimestamp: number): TimestampOffset {
    const slot = this.largestLowerBoundSlot(targetTimestamp, (s) => this.timestampAt(s));
    return slot < 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(slot);
  }

  entry(slot: number): TimestampOffset {
    if (slot < 0 || slot >= this.entryCount) {
      throw new IllegalStateError(
        `Slot ${slot} is out of range for ${this.file}, which has ${this.entryCount} entries.`,
      );
    }
    return { timestamp: this.timestampAt(slot), offset: this.baseOffset + this.relativeOffsetAt(slot) };
  }

  /**
   * Appends (timestamp, offset) if `timestamp` is above the last entry's; otherwise does nothing. `skipFullCheck`
   * lets the final entry of a rolling segment use the reserved last slot.
   */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    if (!skipFullCheck && this.isFull()) {
      throw new IllegalStateError(
        `Cannot append to time index ${this.file}: it is full (${this.entryCount} entries); ` +
          `the segment must roll first.`,
      );
    }
    if (this.entryCount > 0 && offset < this.lastEntryCache.offset) {
      throw new IllegalStateError(
        `Cannot append offset ${offset} to time index ${this.file}: it is below the last ` +
          `entry's offset ${this.lastEntryCache.offset}.`,
      );
    }
    if (timestamp <= this.lastEntryCache.timestamp) return;
    const mapping = this.writableSlot('append a time index entry');
    const at = this.entryCount * TIME_INDEX_ENTRY_SIZE;
    mapping.writeInt32BE(Math.floor(timestamp / TWO_POW_32), at);
    mapping.writeUInt32BE(timestamp >>> 0, at + 4);
    mapping.writeInt32BE(this.relativeOffset(offset), at + 8);
    this.entryCount++;
    this.lastEntryCache = { timestamp, offset };
  }

  override sanityCheck(): void {
    super.sanityCheck();
    const n = this.entryCount;
    if (n > 1 && this.timestampAt(n - 1) <= this.timestampAt(n - 2)) {
      throw new CorruptIndexError(
        `Time index file ${this.file} is corrupt: its last entry has timestamp ` +
          `${this.timestampAt(n - 1)}, not above the entry before it (${this.timestampAt(n - 2)}). It will be rebuilt from the log.`,
      );
    }
  }

  protected relativeOffsetAt(slot: number): number {
    return this.mapping!.readInt32BE(slot * TIME_INDEX_ENTRY_SIZE + 8);
  }

  private timestampAt(slot: number): number {
    const at = slot * TIME_INDEX_ENTRY_SIZE;
    return this.mapping!.readInt32BE(at) * TWO_POW_32 + this.mapping!.readUInt32BE(at + 4);
  }

  protected afterTruncation(): void {
    this.lastEntryCache = this.readLastEntry();
  }

  private readLastEntry(): TimestampOffset {
    return this.entryCount === 0 ? { timestamp: -1, offset: this.baseOffset } : this.entry(this.entryCount - 1);
  }
}
