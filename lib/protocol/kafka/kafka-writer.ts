/**
 * Writes one Kafka protocol frame (4-byte big-endian size, then header and body) as the chunks of a single writev,
 * without copying large byte fields: a fetch response's record data, slices of memory-mapped segments, become
 * chunks of their own (`ChunkedFrameWriter`). The primitive encodings are the ones `KafkaReader` reads (see there).
 *
 * Invariants: between `begin()` and `finish()` one frame is being written; `abort()` drops a half-written one.
 * Concurrency: synchronous, so one writer may serve every connection of a listener.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import { ChunkedFrameWriter, type ChunkedFrameOptions } from '../chunked-frame-writer.js';

export type KafkaWriterOptions = ChunkedFrameOptions;

const TWO_POW_32 = 0x100000000;

export class KafkaWriter extends ChunkedFrameWriter {
  constructor(options: KafkaWriterOptions = {}) {
    super('KafkaWriter', options);
  }

  /** Starts a frame: reserves its size field. */
  begin(): void {
    this.beginFrame();
  }

  /** Ends the frame; returns its chunks, the first starting with the size. */
  finish(): Buffer[] {
    return this.endFrame();
  }

  /** Drops the frame being written; nothing of it was handed out. */
  abort(): void {
    this.abortFrame();
  }

  int8(n: number): void {
    this.ensure(1);
    this.pos = this.slab.writeInt8(n, this.pos);
  }

  int16(n: number): void {
    this.ensure(2);
    this.pos = this.slab.writeInt16BE(n, this.pos);
  }

  int32(n: number): void {
    this.ensure(4);
    this.pos = this.slab.writeInt32BE(n, this.pos);
  }

  int64(n: number): void {
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`int64 field value ${n} is not a safe integer.`);
    this.ensure(8);
    const high = Math.floor(n / TWO_POW_32);
    this.pos = this.slab.writeInt32BE(high, this.pos);
    this.pos = this.slab.writeUInt32BE(n - high * TWO_POW_32, this.pos);
  }

  float64(n: number): void {
    this.ensure(8);
    this.pos = this.slab.writeDoubleBE(n, this.pos);
  }

  bool(b: boolean): void {
    this.ensure(1);
    this.slab[this.pos++] = b ? 1 : 0;
  }

  uvarint(n: number): void {
    this.ensure(5);
    let v = n;
    while (v >= 0x80) {
      this.slab[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.slab[this.pos++] = v;
  }

  /** A UUID from Kafka's text form (22 characters of URL-safe base64). */
  uuid(text: string): void {
    this.ensure(16);
    const written = this.slab.write(text, this.pos, 16, 'base64url');
    if (written !== 16 || text.length !== 22) throw new InvalidArgumentError(`'${text}' is not a Kafka UUID.`);
    this.pos += 16;
  }

  string(s: string | null, compact: boolean): void {
    if (s === null) return this.nullLength(compact, false);
    const length = Buffer.byteLength(s, 'utf8');
    if (compact) this.uvarint(length + 1);
    else if (length > 0x7fff) throw new InvalidArgumentError(`A STRING holds at most 32767 bytes; found ${length}.`);
    else this.int16(length);
    this.ensure(length);
    this.pos += this.slab.write(s, this.pos, 'utf8');
  }

  bytes(b: Uint8Array | null, compact: boolean): void {
    if (b === null) return this.nullLength(compact, true);
    const length = b.length;
    if (compact) this.uvarint(length + 1);
    else this.int32(length);
    this.appendBytes(b);
  }

  arrayLength(count: number | null, compact: boolean): void {
    if (count === null) this.nullLength(compact, true);
    else if (compact) this.uvarint(count + 1);
    else this.int32(count);
  }

  private nullLength(compact: boolean, int32: boolean): void {
    if (compact) this.uvarint(0);
    else if (int32) this.int32(-1);
    else this.int16(-1);
  }
}
