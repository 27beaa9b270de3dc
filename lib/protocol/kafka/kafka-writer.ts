/**
 * Writes one Kafka protocol frame (4-byte big-endian size, then header and body) as the chunks of a single writev,
 * without copying large byte fields.
 *
 * Layout of the output: `[size + first part, bigBuffer, next part, ...]`. BYTES/RECORDS values of at least
 * `zeroCopyThresholdBytes` (a fetch response's record data: slices of memory-mapped segments) are emitted as their
 * own chunk, by identity, after their length prefix was written into the preceding part; everything else goes
 * into a scratch slab. The primitive encodings are the ones `KafkaReader` reads (see there).
 *
 * Invariants: between `begin()` and `finish()` one frame is being written; `finish()` patches the size and hands
 * the chunks out. Bytes below the slab's write position are never rewritten, so chunks handed out stay valid while
 * later frames are written (a full slab is replaced, not reused). `abort()` drops a half-written frame.
 * Concurrency: synchronous, so one writer may serve every connection of a listener.
 */
import { InvalidArgumentError } from '../../common/errors.js';

export interface KafkaWriterOptions {
  /** Byte fields at least this long are written as their own chunk instead of being copied. @default 1024 */
  zeroCopyThresholdBytes?: number;
  /** Size of each scratch slab (a larger one is allocated when one part needs more). @default 65536 */
  slabBytes?: number;
}

const SIZE_BYTES = 4;
const TWO_POW_32 = 0x100000000;
const NO_CHUNKS: Buffer[] = [];

export class KafkaWriter {
  private readonly zeroCopyThresholdBytes: number;
  private readonly slabBytes: number;
  private slab: Buffer;
  private pos = 0;
  /** Start (in the slab) of the part being written. */
  private partStart = 0;
  private chunks = NO_CHUNKS;

  constructor(options: KafkaWriterOptions = {}) {
    this.zeroCopyThresholdBytes = options.zeroCopyThresholdBytes ?? 1024;
    this.slabBytes = options.slabBytes ?? 65536;
    if (!(this.zeroCopyThresholdBytes >= 1) || !(this.slabBytes >= 64)) {
      throw new InvalidArgumentError(
        `KafkaWriter needs zeroCopyThresholdBytes >= 1 and slabBytes >= 64; found ` +
          `${this.zeroCopyThresholdBytes} and ${this.slabBytes}.`,
      );
    }
    this.slab = Buffer.allocUnsafeSlow(this.slabBytes);
  }

  /** Starts a frame: reserves its size field. */
  begin(): void {
    this.chunks = [];
    this.ensure(SIZE_BYTES);
    this.partStart = this.pos;
    this.pos += SIZE_BYTES;
  }

  /** Ends the frame; returns its chunks, the first starting with the size. */
  finish(): Buffer[] {
    const chunks = this.chunks;
    this.endPart();
    this.chunks = NO_CHUNKS; // do not keep the caller's big buffers alive
    let size = -SIZE_BYTES;
    for (const chunk of chunks) size += chunk.length;
    if (size > 0x7fffffff) {
      throw new InvalidArgumentError(`A Kafka frame holds at most 2147483647 bytes; this one has ${size}.`);
    }
    chunks[0]!.writeInt32BE(size, 0);
    return chunks;
  }

  /** Drops the frame being written; nothing of it was handed out. */
  abort(): void {
    this.pos = this.partStart;
    this.chunks = NO_CHUNKS;
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
    if (length >= this.zeroCopyThresholdBytes) {
      this.endPart();
      this.chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, length));
    } else {
      this.ensure(length);
      this.slab.set(b, this.pos);
      this.pos += length;
    }
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

  /** Closes the part being written (if non-empty) as a chunk. */
  private endPart(): void {
    if (this.pos > this.partStart) this.chunks.push(this.slab.subarray(this.partStart, this.pos));
    this.partStart = this.pos;
  }

  /** Makes room for `bytes` more in the slab, moving the part being written to a fresh slab if needed. */
  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.slab.length) return;
    const partBytes = this.pos - this.partStart;
    const next = Buffer.allocUnsafeSlow(Math.max(this.slabBytes, 2 * (partBytes + bytes)));
    this.slab.copy(next, 0, this.partStart, this.pos);
    this.slab = next;
    this.partStart = 0;
    this.pos = partBytes;
  }
}
