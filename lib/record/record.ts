/**
 * Records decoded one at a time from the (uncompressed) records section of a v2 batch, as Kafka's
 * `DefaultRecord.readFrom` reads them. See record-batch-builder.ts for the record layout.
 *
 * Each step yields a `LazyRecord` (lazy-record.ts): offset, timestamp and the key's and value's sizes are read at
 * once; the key, value and header values become subarrays of the section (no copy) only when asked for, and stay
 * valid while that memory does (for a batch read from a mapped segment, while the segment is mapped).
 * `RecordIterator` decodes lazily, one record per `next()`, with a single reusable varint cursor.
 *
 * Validation matches Kafka's: every field must lie inside the record's declared length and consume it exactly,
 * lengths below −1 and negative header counts are rejected, the batch must hold exactly `recordCount` records
 * and nothing after them. Any violation throws `ApiError('CORRUPT_MESSAGE')` naming the record. Headers are
 * walked (lengths checked, nothing made) when the record is decoded, so a record handed out is wholly valid.
 */
import { ApiError } from '../common/errors.js';
import { LazyRecord } from './lazy-record.js';
import { VarintReader } from './varint.js';

export type { Record, RecordHeaderView } from './lazy-record.js';

/** What a batch header tells the decoder about its records. */
export interface RecordContext {
  baseOffset: number;
  baseTimestamp: number;
  /** Set when the batch uses LogAppendTime: every record then carries the batch's max timestamp. */
  logAppendTime: number | null;
  recordCount: number;
}

export class RecordIterator implements IterableIterator<LazyRecord> {
  private readonly reader: VarintReader;
  private index = 0;

  /** Iterates the records in `section[start, end)`. */
  constructor(
    section: Buffer,
    private readonly ctx: RecordContext,
    start = 0,
    private readonly end = section.length,
  ) {
    this.reader = new VarintReader(section, start, end);
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** How many records are left to decode. */
  get remaining(): number {
    return this.ctx.recordCount - this.index;
  }

  next(): IteratorResult<LazyRecord> {
    const r = this.reader;
    if (this.index === this.ctx.recordCount) {
      if (r.pos !== this.end) {
        throw this.corrupt(
          `${this.end - r.pos} bytes follow the last of the ${this.ctx.recordCount} records the batch declares`,
        );
      }
      return { done: true, value: undefined };
    }
    if (r.pos >= this.end) {
      throw this.corrupt(`the batch declares ${this.ctx.recordCount} records but its data ends after ${this.index}`);
    }
    const record = this.readRecord();
    this.index++;
    return { done: false, value: record };
  }

  private readRecord(): LazyRecord {
    const r = this.reader;
    const bodyBytes = r.readVarint();
    const bodyStart = r.pos;
    const bodyEnd = bodyStart + bodyBytes;
    if (bodyBytes < 1 || bodyEnd > this.end) {
      throw this.corrupt(`record ${this.index} declares ${bodyBytes} bytes but ${this.end - bodyStart} remain`);
    }
    r.end = bodyEnd;
    r.pos++; // attributes: unused
    const timestampDelta = r.readVarlong();
    const offsetDelta = r.readVarint();
    const keySize = this.skipBytes('key');
    const keyStart = r.pos - Math.max(keySize, 0);
    const valueSize = this.skipBytes('value');
    const valueStart = r.pos - Math.max(valueSize, 0);
    const headerCount = r.readVarint();
    if (headerCount < 0 || headerCount > bodyEnd - r.pos) {
      throw this.corrupt(`record ${this.index} declares ${headerCount} headers`);
    }
    const headersStart = r.pos;
    for (let i = 0; i < headerCount; i++) {
      if (this.skipBytes('header key') < 0) throw this.corrupt(`record ${this.index} has a header with a null key`);
      this.skipBytes('header value');
    }
    if (r.pos !== bodyEnd) {
      throw this.corrupt(`record ${this.index} declares ${bodyBytes} bytes but its fields take ${r.pos - bodyStart}`);
    }
    r.end = this.end;
    const { baseOffset, baseTimestamp, logAppendTime } = this.ctx;
    return new LazyRecord(
      r.buf,
      baseOffset + offsetDelta,
      logAppendTime ?? baseTimestamp + timestampDelta,
      keyStart,
      keySize,
      valueStart,
      valueSize,
      headersStart,
      headerCount,
    );
  }

  private corrupt(what: string): ApiError {
    return new ApiError('CORRUPT_MESSAGE', `Record batch at base offset ${this.ctx.baseOffset} is corrupt: ${what}.`);
  }

  /** Reads a length-prefixed field's length (−1: null) and moves past its bytes, which must lie inside the record. */
  private skipBytes(what: string): number {
    const r = this.reader;
    const length = r.readVarint();
    if (length === -1) return -1;
    if (length < -1 || r.pos + length > r.end) {
      throw this.corrupt(
        `record ${this.index} has a ${what} of ${length} bytes with ${r.end - r.pos} left in the record`,
      );
    }
    r.pos += length;
    return length;
  }
}
