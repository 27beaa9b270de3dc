/**
 * Frame encoder: turns one value into the chunks of one frame (4-byte big-endian length + one msgpack value),
 * ready for `socket.cork(); write(chunk)...; socket.uncork()` (a single writev).
 *
 * Layout of the output (`ChunkedFrameWriter`): `[length prefix + first part, bigBuffer, next part, ...]`. Every
 * Buffer of at least `zeroCopyThresholdBytes` (record batches) is emitted as its OWN chunk, by identity, after its
 * msgpack `bin` header; its bytes are never copied. Everything else is written into a scratch slab.
 *
 * The msgpack written is plain and standard, readable by any msgpack library: nil, bool, the smallest int
 * format for integers (int64/uint64 for safe integers beyond 32 bits, float64 for integers beyond 2^53),
 * float64 for other numbers (and -0), str (utf8), bin, array, map. `bigint` becomes int64/uint64. In maps, keys
 * whose value is `undefined` are skipped (as JSON does); `undefined` elsewhere is nil. Only plain objects are
 * encoded as maps; anything else (Date, Map, class instances, symbols, functions) throws InvalidArgumentError.
 *
 * Invariants: the concatenated chunks are exactly one frame (see ChunkedFrameWriter for their lifetime).
 * Concurrency: `encode()` is synchronous, so one encoder may serve every connection of a process.
 * Ownership: owns its current slab only. No crash state.
 */
import { InvalidArgumentError } from '../common/errors.js';
import { ChunkedFrameWriter, type ChunkedFrameOptions } from './chunked-frame-writer.js';

export type FrameEncoderOptions = ChunkedFrameOptions;

const MAX_DEPTH = 64;
const TWO_POW_32 = 0x100000000;

export class FrameEncoder extends ChunkedFrameWriter {
  constructor(options: FrameEncoderOptions = {}) {
    super('FrameEncoder', options);
  }

  /** Encodes `value` as one frame; returns its chunks in write order (the first starts with the length prefix). */
  encode(value: unknown): Buffer[] {
    this.beginFrame();
    try {
      this.write(value, 0);
    } catch (e) {
      this.abortFrame();
      throw e;
    }
    return this.endFrame();
  }

  private write(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        return this.writeString(value);
      case 'number':
        return this.writeNumber(value);
      case 'boolean':
        this.ensure(1);
        this.slab[this.pos++] = value ? 0xc3 : 0xc2;
        return;
      case 'bigint':
        return this.writeBigInt(value);
      case 'undefined':
        this.ensure(1);
        this.slab[this.pos++] = 0xc0;
        return;
      case 'object':
        if (value === null) {
          this.ensure(1);
          this.slab[this.pos++] = 0xc0;
          return;
        }
        if (depth >= MAX_DEPTH) {
          throw new InvalidArgumentError(`Cannot encode a value nested deeper than ${MAX_DEPTH} levels (a cycle?).`);
        }
        if (Array.isArray(value)) return this.writeArray(value, depth);
        if (value instanceof Uint8Array) return this.writeBin(value);
        return this.writeMap(value, depth);
      default:
        throw new InvalidArgumentError(`Cannot encode a ${typeof value} as msgpack; send plain data only.`);
    }
  }

  private writeNumber(n: number): void {
    this.ensure(9);
    const slab = this.slab;
    let p = this.pos;
    if (Number.isInteger(n) && !Object.is(n, -0)) {
      if (n >= 0) {
        if (n < 0x80) {
          slab[p++] = n;
        } else if (n < 0x100) {
          slab[p++] = 0xcc;
          slab[p++] = n;
        } else if (n < 0x10000) {
          slab[p++] = 0xcd;
          slab[p++] = n >>> 8;
          slab[p++] = n;
        } else if (n < TWO_POW_32) {
          slab[p++] = 0xce;
          p = slab.writeUInt32BE(n, p);
        } else if (n <= Number.MAX_SAFE_INTEGER) {
          slab[p++] = 0xcf;
          p = slab.writeUInt32BE(Math.floor(n / TWO_POW_32), p);
          p = slab.writeUInt32BE(n >>> 0, p);
        } else {
          p = this.writeFloat64(n, p);
        }
      } else if (n >= -32) {
        slab[p++] = n & 0xff;
      } else if (n >= -0x80) {
        slab[p++] = 0xd0;
        slab[p++] = n & 0xff;
      } else if (n >= -0x8000) {
        slab[p++] = 0xd1;
        slab[p++] = (n >> 8) & 0xff;
        slab[p++] = n & 0xff;
      } else if (n >= -0x80000000) {
        slab[p++] = 0xd2;
        p = slab.writeInt32BE(n, p);
      } else if (n >= Number.MIN_SAFE_INTEGER) {
        slab[p++] = 0xd3;
        const high = Math.floor(n / TWO_POW_32);
        p = slab.writeInt32BE(high, p);
        p = slab.writeUInt32BE(n - high * TWO_POW_32, p);
      } else {
        p = this.writeFloat64(n, p);
      }
    } else {
      p = this.writeFloat64(n, p);
    }
    this.pos = p;
  }

  private writeFloat64(n: number, p: number): number {
    this.slab[p] = 0xcb;
    return this.slab.writeDoubleBE(n, p + 1);
  }

  private writeBigInt(n: bigint): void {
    this.ensure(9);
    if (n >= 0n && n <= 0xffffffffffffffffn) {
      this.slab[this.pos] = 0xcf;
      this.pos = this.slab.writeBigUInt64BE(n, this.pos + 1);
    } else if (n < 0n && n >= -0x8000000000000000n) {
      this.slab[this.pos] = 0xd3;
      this.pos = this.slab.writeBigInt64BE(n, this.pos + 1);
    } else {
      throw new InvalidArgumentError(`Cannot encode bigint ${n}: msgpack integers hold 64 bits.`);
    }
  }

  private writeString(s: string): void {
    const length = s.length;
    if (length < 32) {
      // Short strings (keys, names) are nearly always ASCII: copy the char codes, fall back to utf8 if not.
      this.ensure(2 + length * 3);
      const slab = this.slab;
      const start = this.pos;
      let p = start + 1;
      for (let i = 0; i < length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          p = -1;
          break;
        }
        slab[p++] = c;
      }
      if (p >= 0) {
        slab[start] = 0xa0 | length;
        this.pos = p;
        return;
      }
    }
    const byteLength = Buffer.byteLength(s, 'utf8');
    this.ensure(5 + byteLength);
    const slab = this.slab;
    let p = this.pos;
    if (byteLength < 32) {
      slab[p++] = 0xa0 | byteLength;
    } else if (byteLength < 0x100) {
      slab[p++] = 0xd9;
      slab[p++] = byteLength;
    } else if (byteLength < 0x10000) {
      slab[p++] = 0xda;
      p = slab.writeUInt16BE(byteLength, p);
    } else {
      slab[p++] = 0xdb;
      p = slab.writeUInt32BE(byteLength, p);
    }
    this.pos = p + slab.write(s, p, 'utf8');
  }

  private writeBin(b: Uint8Array): void {
    const length = b.length;
    this.ensure(5);
    const slab = this.slab;
    let p = this.pos;
    if (length < 0x100) {
      slab[p++] = 0xc4;
      slab[p++] = length;
    } else if (length < 0x10000) {
      slab[p++] = 0xc5;
      p = slab.writeUInt16BE(length, p);
    } else {
      slab[p++] = 0xc6;
      p = slab.writeUInt32BE(length, p);
    }
    this.pos = p;
    this.appendBytes(b);
  }

  private writeArray(a: unknown[], depth: number): void {
    this.writeContainerHeader(a.length, 0x90, 0xdc, 0xdd);
    for (let i = 0; i < a.length; i++) this.write(a[i], depth + 1);
  }

  private writeMap(value: object, depth: number): void {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidArgumentError(
        `Cannot encode a ${value.constructor?.name ?? 'non-plain'} object as msgpack; ` +
          'send plain objects, arrays, strings, numbers, booleans, null and Buffers only.',
      );
    }
    const map = value as Record<string, unknown>;
    let size = 0;
    for (const key in map) if (map[key] !== undefined) size++;
    this.writeContainerHeader(size, 0x80, 0xde, 0xdf);
    for (const key in map) {
      const v = map[key];
      if (v === undefined) continue;
      this.writeString(key);
      this.write(v, depth + 1);
    }
  }

  private writeContainerHeader(size: number, fixBase: number, code16: number, code32: number): void {
    this.ensure(5);
    const slab = this.slab;
    if (size < 16) {
      slab[this.pos++] = fixBase | size;
    } else if (size < 0x10000) {
      slab[this.pos] = code16;
      this.pos = slab.writeUInt16BE(size, this.pos + 1);
    } else {
      slab[this.pos] = code32;
      this.pos = slab.writeUInt32BE(size, this.pos + 1);
    }
  }
}
