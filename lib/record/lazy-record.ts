/**
 * One record as `RecordIterator` hands it out: its offset, timestamp and the sizes of its key and value are read
 * when the record is decoded; its key, value and headers are made only when asked for. Decoding a batch of records
 * the application only counts, routes by size or filters by offset therefore makes no `Buffer` per key and value —
 * that view per value was the largest share of a consumer's CPU on 100-byte records.
 *
 * Layout: the record's bytes stay where they were decoded from (`section`, the records section of a batch — a
 * fetch response's frame, a mapped segment, or the decompressed copy of a compressed batch); the record keeps the
 * positions of its key, value and headers in it. A size of −1 means null, as Kafka's `ConsumerRecord.NULL_SIZE`.
 * Invariants: the iterator validated every field before making the record (lengths inside the record, header keys
 * not null, the record's length consumed exactly), so the getters cannot meet corrupt bytes; each of key, value and
 * headers is made once and the same object is returned on every later access.
 * Ownership: the key, value and header values are subarrays of `section` (no copy), valid for as long as that
 * memory is, exactly as eagerly made views would be; holding a record keeps `section` alive.
 * Concurrency: plain synchronous getters; nothing shared.
 */
import { VarintReader } from './varint.js';

/** A header as read back: the key decoded from UTF-8, the value as bytes or null. */
export interface RecordHeaderView {
  readonly key: string;
  readonly value: Buffer | null;
}

/** A record as read back from a batch. */
export interface Record {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeaderView[];
}

const NO_HEADERS: readonly RecordHeaderView[] = Object.freeze([]);

export class LazyRecord implements Record {
  readonly offset: number;
  readonly timestamp: number;
  /** Bytes of the key, −1 when it is null (Kafka's `serializedKeySize()`). */
  readonly serializedKeySize: number;
  /** Bytes of the value, −1 when it is null (Kafka's `serializedValueSize()`). */
  readonly serializedValueSize: number;
  private readonly section: Buffer;
  private readonly keyStart: number;
  private readonly valueStart: number;
  private readonly headersStart: number;
  private readonly headerCount: number;
  private keyView: Buffer | null | undefined;
  private valueView: Buffer | null | undefined;
  private headerViews: readonly RecordHeaderView[] | undefined;

  /**
   * Positions are in `section`; `keySize`/`valueSize` −1 mean null; `headersStart` is where the first header begins
   * (after the header count). Positional rather than an options object: one is made per record decoded.
   */
  constructor(
    section: Buffer,
    offset: number,
    timestamp: number,
    keyStart: number,
    keySize: number,
    valueStart: number,
    valueSize: number,
    headersStart: number,
    headerCount: number,
  ) {
    this.section = section;
    this.offset = offset;
    this.timestamp = timestamp;
    this.serializedKeySize = keySize;
    this.serializedValueSize = valueSize;
    this.keyStart = keyStart;
    this.valueStart = valueStart;
    this.headersStart = headersStart;
    this.headerCount = headerCount;
    this.keyView = undefined;
    this.valueView = undefined;
    this.headerViews = undefined;
  }

  get key(): Buffer | null {
    if (this.keyView === undefined) this.keyView = this.viewAt(this.keyStart, this.serializedKeySize);
    return this.keyView;
  }

  get value(): Buffer | null {
    if (this.valueView === undefined) this.valueView = this.viewAt(this.valueStart, this.serializedValueSize);
    return this.valueView;
  }

  get headers(): readonly RecordHeaderView[] {
    if (this.headerViews === undefined) this.headerViews = this.decodeHeaders();
    return this.headerViews;
  }

  /** The record as a plain object (what `JSON.stringify` and spreading callers saw before records were lazy). */
  toJSON(): Record {
    return { offset: this.offset, timestamp: this.timestamp, key: this.key, value: this.value, headers: this.headers };
  }

  /** The bytes `[start, start + size)` of the section as a view; null for size −1. */
  private viewAt(start: number, size: number): Buffer | null {
    return size < 0 ? null : this.section.subarray(start, start + size);
  }

  private decodeHeaders(): readonly RecordHeaderView[] {
    if (this.headerCount === 0) return NO_HEADERS;
    const r = new VarintReader(this.section, this.headersStart);
    const list = new Array<RecordHeaderView>(this.headerCount);
    for (let i = 0; i < this.headerCount; i++) {
      const keySize = r.readVarint();
      const key = this.section.toString('utf8', r.pos, r.pos + keySize);
      r.pos += keySize;
      const valueSize = r.readVarint();
      const value = this.viewAt(r.pos, valueSize);
      r.pos += Math.max(valueSize, 0);
      list[i] = { key, value };
    }
    return list;
  }
}
