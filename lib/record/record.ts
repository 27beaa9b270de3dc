/**
 * Records decoded one at a time from the (uncompressed) records section of a v2 batch, as Kafka's
 * `DefaultRecord.readFrom` reads them. See record-batch-builder.ts for the record layout.
 *
 * A `Record` is a plain object whose key, value and header values are subarrays of the section (no copy): they
 * stay valid while that memory does (for a batch read from a mapped segment, while the segment is mapped).
 * `RecordIterator` decodes lazily, one record per `next()`, with a single reusable varint cursor.
 *
 * Validation matches Kafka's: every field must lie inside the record's declared length and consume it exactly,
 * lengths below −1 and negative header counts are rejected, the batch must hold exactly `recordCount` records
 * and nothing after them. Any violation throws `ApiError('CORRUPT_MESSAGE')` naming the record.
 */
import { ApiError } from '../common/errors.js';
import { VarintReader } from './varint.js';

/** A header as read back: the key decoded from UTF-8, the value as bytes or null. */
export interface RecordHeaderView {
  readonly key: string;
  readonly value: Buffer | null;
}

export interface Record {
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeaderView[];
}

/** What a batch header tells the decoder about its records. */
export interface RecordContext {
  baseOffset: number;
  baseTimestamp: number;
  /** Set when the batch uses LogAppendTime: every record then carries the batch's max timestamp. */
  logAppendTime: number | null;
  recordCount: number;
}

const NO_HEADERS: readonly RecordHeaderView[] = Object.freeze([]);

export class RecordIterator implements IterableIterator<Record> {
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

  next(): IteratorResult<Record> {
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

  private readRecord(): Record {
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
    const key = this.readBytes('key');
    const value = this.readBytes('value');
    const headerCount = r.readVarint();
    if (headerCount < 0 || headerCount > bodyEnd - r.pos) {
      throw this.corrupt(`record ${this.index} declares ${headerCount} headers`);
    }
    let headers = NO_HEADERS;
    if (headerCount > 0) {
      const list = new Array<RecordHeaderView>(headerCount);
      for (let i = 0; i < headerCount; i++) {
        const headerKey = this.readBytes('header key');
        if (headerKey === null) throw this.corrupt(`record ${this.index} has a header with a null key`);
        list[i] = { key: headerKey.toString('utf8'), value: this.readBytes('header value') };
      }
      headers = list;
    }
    if (r.pos !== bodyEnd) {
      throw this.corrupt(`record ${this.index} declares ${bodyBytes} bytes but its fields take ${r.pos - bodyStart}`);
    }
    r.end = this.end;
    const { baseOffset, baseTimestamp, logAppendTime } = this.ctx;
    return {
      offset: baseOffset + offsetDelta,
      timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    };
  }

  private corrupt(what: string): ApiError {
    return new ApiError('CORRUPT_MESSAGE', `Record batch at base offset ${this.ctx.baseOffset} is corrupt: ${what}.`);
  }

  private readBytes(what: string): Buffer | null {
    const r = this.reader;
    const length = r.readVarint();
    if (length === -1) return null;
    if (length < -1 || r.pos + length > r.end) {
      throw this.corrupt(
        `record ${this.index} has a ${what} of ${length} bytes with ${r.end - r.pos} left in the record`,
      );
    }
    const bytes = r.buf.subarray(r.pos, r.pos + length);
    r.pos += length;
    return bytes;
  }
}
