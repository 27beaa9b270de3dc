/**
 * Incremental frame decoder: fed the chunks a socket delivers, it hands out whole frames.
 *
 * Layout: a frame is a 4-byte big-endian signed length N (1 <= N <= maxFrameBytes) followed by N bytes (one
 * msgpack value; decoding it is the caller's business).
 *
 * Invariants:
 * - Each frame is handed out as ONE contiguous Buffer: a zero-copy `subarray` of the chunk when the frame lies
 *   within one chunk, otherwise a buffer of exactly N bytes that the pieces are copied into once.
 * - A declared length out of range throws InvalidFrameError as soon as the 4 length bytes are read, before any
 *   of the body is buffered; the decoder is then unusable and the caller closes the connection.
 * - Between chunks it keeps at most one partial frame: up to 3 length bytes, or one body being filled.
 *
 * Concurrency: synchronous; `onFrame` runs inside `push()`, in frame order. A frame buffer that is a subarray
 * keeps the socket's chunk alive for as long as it (or a `bin` decoded from it) is referenced.
 * Ownership: one per connection, created and dropped with it. No crash state.
 */
import { InvalidFrameError } from './invalid-frame-error.js';

export interface FrameDecoderOptions {
  /** Largest frame body accepted, in bytes (Kafka's socket.request.max.bytes). @default 104857600 */
  maxFrameBytes?: number;
}

export const DEFAULT_MAX_FRAME_BYTES = 104857600;
const LENGTH_BYTES = 4;

export class FrameDecoder {
  /** May be changed between chunks: a SASL listener caps frames lower until the client is authenticated. */
  maxFrameBytes: number;
  /** Length prefix bytes of the next frame, when a chunk ended inside them. */
  private readonly lengthBytes = Buffer.alloc(LENGTH_BYTES);
  private lengthFilled = 0;
  /** The frame being assembled across chunks, and how much of it is filled. */
  private partial: Buffer | null = null;
  private partialFilled = 0;

  constructor(
    private readonly onFrame: (frame: Buffer) => void,
    options: FrameDecoderOptions = {},
  ) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.partial !== null ? this.partialFilled + LENGTH_BYTES : this.lengthFilled;
  }

  /** Consumes a chunk, calling `onFrame` for every frame it completes. Throws InvalidFrameError (see header). */
  push(chunk: Buffer): void {
    const end = chunk.length;
    let pos = 0;
    if (this.partial !== null) {
      pos = this.fillPartial(chunk);
      if (this.partial !== null) return;
    } else if (this.lengthFilled > 0) {
      while (this.lengthFilled < LENGTH_BYTES && pos < end) this.lengthBytes[this.lengthFilled++] = chunk[pos++]!;
      if (this.lengthFilled < LENGTH_BYTES) return;
      this.lengthFilled = 0;
      pos = this.startFrame(chunk, pos, this.checkedLength(this.lengthBytes.readInt32BE(0)));
    }
    while (pos < end) {
      if (end - pos < LENGTH_BYTES) {
        chunk.copy(this.lengthBytes, 0, pos, end);
        this.lengthFilled = end - pos;
        return;
      }
      const length = this.checkedLength(chunk.readInt32BE(pos));
      pos = this.startFrame(chunk, pos + LENGTH_BYTES, length);
    }
  }

  /** Emits the frame starting at `pos` if the chunk holds all of it, else starts assembling it. Returns the new position. */
  private startFrame(chunk: Buffer, pos: number, length: number): number {
    if (chunk.length - pos >= length) {
      this.onFrame(chunk.subarray(pos, pos + length));
      return pos + length;
    }
    this.partial = Buffer.allocUnsafe(length);
    this.partialFilled = chunk.copy(this.partial, 0, pos);
    return chunk.length;
  }

  private fillPartial(chunk: Buffer): number {
    const frame = this.partial!;
    const copied = chunk.copy(frame, this.partialFilled, 0, Math.min(chunk.length, frame.length - this.partialFilled));
    this.partialFilled += copied;
    if (this.partialFilled === frame.length) {
      this.partial = null;
      this.partialFilled = 0;
      this.onFrame(frame);
    }
    return copied;
  }

  private checkedLength(length: number): number {
    if (length < 1 || length > this.maxFrameBytes) {
      throw new InvalidFrameError(
        `Frame length ${length} is outside 1..${this.maxFrameBytes} bytes` +
          (length > this.maxFrameBytes
            ? '; the peer must send smaller requests or raise socket.request.max.bytes.'
            : "; the peer is not speaking this listener's protocol."),
      );
    }
    return length;
  }
}
