/**
 * Reads the primitive types of Apache Kafka's binary protocol from one frame, with every length checked against
 * the bytes left before anything is allocated.
 *
 * Layout (Kafka's protocol guide, "Protocol Primitive Types"): big-endian int8/16/32/64; BOOLEAN one byte (non-zero
 * is true); UUID 16 bytes; UNSIGNED_VARINT 7 bits per byte, low groups first, at most 5 bytes. Classic encodings:
 * STRING int16 length (-1 null), BYTES int32 length (-1 null), ARRAY int32 count (-1 null). Compact encodings
 * (flexible versions): length + 1 as an unsigned varint, 0 meaning null. Tagged fields (flexible versions): a varint
 * count, then per field a varint tag, a varint size and that many bytes.
 *
 * Invariants: `pos` never passes the end; a read that would, a negative length other than -1, a null where the
 * field is not nullable, a varint over 5 bytes, an array count larger than the bytes left, or an int64 beyond 2^53
 * throws InvalidFrameError naming `field` (set by the caller before each field) and the byte position. BYTES and
 * RECORDS are returned as zero-copy subarrays of the frame.
 * Ownership: one per decoded frame; the frame buffer is borrowed.
 */
import { InvalidFrameError } from '../invalid-frame-error.js';

const TWO_POW_32 = 0x100000000;

export class KafkaReader {
  pos = 0;
  /** The field being read (a path such as `topics.partitions.fetchOffset`), for error messages. */
  field = '';

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  fail(problem: string): InvalidFrameError {
    return new InvalidFrameError(`${this.field === '' ? '' : `${this.field}: `}${problem} (at byte ${this.pos})`);
  }

  private need(bytes: number): void {
    if (this.buf.length - this.pos < bytes)
      throw this.fail(`needs ${bytes} bytes but the frame has ${this.remaining} left`);
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** An int64 as a JS number; values beyond ±(2^53 - 1) are refused rather than rounded. */
  int64(): number {
    this.need(8);
    const v = this.buf.readInt32BE(this.pos) * TWO_POW_32 + this.buf.readUInt32BE(this.pos + 4);
    if (!Number.isSafeInteger(v)) throw this.fail(`int64 ${this.buf.readBigInt64BE(this.pos)} is beyond 2^53`);
    this.pos += 8;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    this.need(1);
    return this.buf[this.pos++] !== 0;
  }

  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
    throw this.fail('unsigned varint is longer than 5 bytes');
  }

  /** 16 bytes, returned in Kafka's text form (URL-safe base64 without padding, as `Uuid.toString`). */
  uuid(): string {
    this.need(16);
    const text = this.buf.toString('base64url', this.pos, this.pos + 16);
    this.pos += 16;
    return text;
  }

  string(compact: boolean, nullable: boolean): string | null {
    const length = this.length(compact ? this.uvarint() - 1 : this.int16(), nullable, 'string');
    if (length < 0) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return s;
  }

  bytes(compact: boolean, nullable: boolean): Buffer | null {
    const length = this.length(compact ? this.uvarint() - 1 : this.int32(), nullable, 'bytes');
    if (length < 0) return null;
    const b = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return b;
  }

  /** An array's element count, -1 for null; each element takes at least one byte, so the count is bounded. */
  arrayLength(compact: boolean, nullable: boolean): number {
    const count = compact ? this.uvarint() - 1 : this.int32();
    if (count < 0) return this.nullLength(count, nullable, 'array');
    if (count > this.remaining)
      throw this.fail(`array of ${count} elements cannot fit in the ${this.remaining} bytes left`);
    return count;
  }

  /** Skips a tagged-field section: this broker reads no tagged field, and every one is optional by definition. */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint(); // tag
      const size = this.uvarint();
      this.need(size);
      this.pos += size;
    }
  }

  private length(length: number, nullable: boolean, what: string): number {
    if (length < 0) return this.nullLength(length, nullable, what);
    this.need(length);
    return length;
  }

  private nullLength(length: number, nullable: boolean, what: string): -1 {
    if (length !== -1) throw this.fail(`${what} length ${length} is negative`);
    if (!nullable) throw this.fail(`${what} is null but the field is not nullable in this version`);
    return -1;
  }
}
