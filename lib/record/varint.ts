/**
 * Kafka's variable-length integers (`ByteUtils.writeVarint/readVarint/writeVarlong/readVarlong`): zig-zag
 * encoding (protobuf `sint32`/`sint64`: 0→0, -1→1, 1→2, -2→3, ...) followed by 7-bit groups, least significant
 * first, the high bit of each byte set when another byte follows. A varint (int32) takes 1 to 5 bytes, a
 * varlong (int64) 1 to 10.
 *
 * Varlongs are JS numbers: exact for every safe integer (|v| ≤ 2^53 − 1), which covers timestamps and their
 * deltas. The arithmetic for them avoids bitwise operators (which truncate to 32 bits) and never allocates.
 *
 * Writers take a Buffer and a position and return the position after the value; the caller guarantees room
 * (`sizeOfVarint`/`sizeOfVarlong`). Reading goes through a `VarintReader`, a cursor over a Buffer reused across
 * values so that decoding allocates nothing. A varint longer than its type allows, or one running past the
 * readable end, is corrupt data: `ApiError('CORRUPT_MESSAGE')`.
 */
import { ApiError } from '../common/errors.js';

const MAX_VARINT_BYTES = 5;
const MAX_VARLONG_BYTES = 10;

/** Writes `value` (an int32) as a zig-zag varint at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  while (raw > 0x7f) {
    buf[pos++] = (raw & 0x7f) | 0x80;
    raw >>>= 7;
  }
  buf[pos++] = raw;
  return pos;
}

/** Writes `value` (a safe integer) as a zig-zag varlong at `pos`; returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  if ((value | 0) === value) return writeVarint(buf, pos, value); // same bytes for int32 values, faster
  // raw = 2m + sign with m = |value| or |value|-1; split so that nothing exceeds 2^53.
  const negative = value < 0;
  const magnitude = negative ? -value - 1 : value;
  let rest = Math.floor(magnitude / 64);
  buf[pos++] = ((magnitude % 64) * 2 + (negative ? 1 : 0)) | (rest > 0 ? 0x80 : 0);
  while (rest > 0x7f) {
    buf[pos++] = (rest % 128) | 0x80;
    rest = Math.floor(rest / 128);
  }
  if (rest > 0) buf[pos++] = rest;
  return pos;
}

/** Bytes `writeVarint(value)` takes. */
export function sizeOfVarint(value: number): number {
  let raw = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (raw > 0x7f) {
    size++;
    raw >>>= 7;
  }
  return size;
}

/** Bytes `writeVarlong(value)` takes. */
export function sizeOfVarlong(value: number): number {
  if ((value | 0) === value) return sizeOfVarint(value);
  const magnitude = value < 0 ? -value - 1 : value;
  let rest = Math.floor(magnitude / 64);
  let size = 1;
  while (rest > 0) {
    size++;
    rest = Math.floor(rest / 128);
  }
  return size;
}

/**
 * A cursor reading varints (and the occasional fixed-width field) from `buf` between `pos` and `end`.
 * Mutable and reusable: `reset()` points it at new bytes.
 */
export class VarintReader {
  constructor(
    public buf: Buffer = EMPTY,
    public pos = 0,
    public end = buf.length,
  ) {}

  reset(buf: Buffer, pos = 0, end = buf.length): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Reads a zig-zag varint (int32), as Kafka's `ByteUtils.readVarint`. */
  readVarint(): number {
    const { buf, end } = this;
    let pos = this.pos;
    let raw = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= end) throw truncated(this.pos, end);
      const b = buf[pos++]!;
      raw |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      if (shift === 7 * (MAX_VARINT_BYTES - 1)) throw tooLong('varint', this.pos, MAX_VARINT_BYTES);
    }
    this.pos = pos;
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Reads a zig-zag varlong (int64) as a number, exact for safe integers. */
  readVarlong(): number {
    const { buf, end } = this;
    let pos = this.pos;
    if (pos >= end) throw truncated(this.pos, end);
    let b = buf[pos++]!;
    const negative = (b & 1) === 1;
    // magnitude = raw >>> 1, accumulated with multiplications so that it never passes through int32.
    let magnitude = (b & 0x7f) >>> 1;
    let weight = 64;
    for (let n = 1; b >= 0x80; n++) {
      if (n === MAX_VARLONG_BYTES) throw tooLong('varlong', this.pos, MAX_VARLONG_BYTES);
      if (pos >= end) throw truncated(this.pos, end);
      b = buf[pos++]!;
      magnitude += (b & 0x7f) * weight;
      weight *= 128;
    }
    this.pos = pos;
    return negative ? -magnitude - 1 : magnitude;
  }
}

const EMPTY = Buffer.alloc(0);

function truncated(start: number, end: number): ApiError {
  return new ApiError(
    'CORRUPT_MESSAGE',
    `Varint at position ${start} runs past the end of the data at ${end}; the record or batch is truncated.`,
  );
}

function tooLong(kind: string, start: number, maxBytes: number): ApiError {
  return new ApiError(
    'CORRUPT_MESSAGE',
    `Malformed ${kind} at position ${start}: longer than ${maxBytes} bytes; the data is corrupt.`,
  );
}
