/**
 * What both wire protocols' encoders share: one frame (a 4-byte big-endian size, then the payload) written as the
 * chunks of a single writev, large byte fields not copied. `FrameEncoder` (msgpack) and `KafkaWriter` (Kafka's
 * binary protocol) write their encodings on top of it.
 *
 * Layout of the output: `[size + first part, bigBuffer, next part, bigBuffer, ...]`. A byte field of at least
 * `zeroCopyThresholdBytes` (record batches: slices of memory-mapped segments on the broker, batches the producer
 * built on the client) becomes its OWN chunk, by identity, after its length prefix was written into the preceding
 * part; everything else is written into a scratch slab.
 *
 * Invariants: between `beginFrame()` and `endFrame()`/`abortFrame()` one frame is being written. Bytes below the
 * slab's write position are never rewritten, so chunks handed out stay valid while later frames are written (a
 * full slab is replaced, not reused; the old one lives as long as its chunks do). A half-written frame that is
 * aborted hands nothing out.
 * Concurrency: synchronous, so one writer may serve every connection of a process. Ownership: its current slab.
 */
import { InvalidArgumentError } from '../common/errors.js';

export interface ChunkedFrameOptions {
  /** Byte fields at least this long are written as their own chunk instead of being copied. @default 1024 */
  zeroCopyThresholdBytes?: number;
  /** Size of each scratch slab (a larger one is allocated when one part needs more). @default 65536 */
  slabBytes?: number;
}

const SIZE_BYTES = 4;
const MAX_FRAME_BYTES = 0x7fffffff;
const NO_CHUNKS: Buffer[] = [];

export abstract class ChunkedFrameWriter {
  private readonly zeroCopyThresholdBytes: number;
  private readonly slabBytes: number;
  protected slab: Buffer;
  /** Next byte to write in the slab. */
  protected pos = 0;
  /** Start (in the slab) of the part being written. */
  private partStart = 0;
  /** Chunks of the frame being written. */
  private chunks = NO_CHUNKS;

  protected constructor(what: string, options: ChunkedFrameOptions) {
    this.zeroCopyThresholdBytes = options.zeroCopyThresholdBytes ?? 1024;
    this.slabBytes = options.slabBytes ?? 65536;
    if (!(this.zeroCopyThresholdBytes >= 1) || !(this.slabBytes >= 64)) {
      throw new InvalidArgumentError(
        `${what} needs zeroCopyThresholdBytes >= 1 and slabBytes >= 64; found ` +
          `${this.zeroCopyThresholdBytes} and ${this.slabBytes}.`,
      );
    }
    this.slab = Buffer.allocUnsafeSlow(this.slabBytes);
  }

  /** Starts a frame: reserves its size field. */
  protected beginFrame(): void {
    this.chunks = [];
    this.ensure(SIZE_BYTES);
    this.partStart = this.pos;
    this.pos += SIZE_BYTES;
  }

  /** Ends the frame: patches its size and returns its chunks, the first starting with the size. */
  protected endFrame(): Buffer[] {
    const chunks = this.chunks;
    this.endPart();
    this.chunks = NO_CHUNKS; // do not keep the caller's big buffers alive
    let frameBytes = -SIZE_BYTES;
    for (const chunk of chunks) frameBytes += chunk.length;
    if (frameBytes > MAX_FRAME_BYTES) {
      throw new InvalidArgumentError(
        `A frame holds at most ${MAX_FRAME_BYTES} bytes; this one has ${frameBytes}. Split the request or response.`,
      );
    }
    chunks[0]!.writeInt32BE(frameBytes, 0);
    return chunks;
  }

  /** Drops the frame being written. */
  protected abortFrame(): void {
    this.pos = this.partStart;
    this.chunks = NO_CHUNKS;
  }

  /** Appends a byte field's content (its length prefix already written): its own chunk when large, else copied. */
  protected appendBytes(b: Uint8Array): void {
    const length = b.length;
    if (length >= this.zeroCopyThresholdBytes) {
      this.endPart();
      this.chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, length));
    } else {
      this.ensure(length);
      this.slab.set(b, this.pos);
      this.pos += length;
    }
  }

  /** Makes room for `bytes` more in the slab, moving the part being written to a fresh slab if needed. */
  protected ensure(bytes: number): void {
    if (this.pos + bytes <= this.slab.length) return;
    const partBytes = this.pos - this.partStart;
    const next = Buffer.allocUnsafeSlow(Math.max(this.slabBytes, 2 * (partBytes + bytes)));
    this.slab.copy(next, 0, this.partStart, this.pos);
    this.slab = next;
    this.partStart = 0;
    this.pos = partBytes;
  }

  /** Closes the part being written (if non-empty) as a chunk. */
  private endPart(): void {
    if (this.pos > this.partStart) this.chunks.push(this.slab.subarray(this.partStart, this.pos));
    this.partStart = this.pos;
  }
}
