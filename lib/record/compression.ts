/**
 * The record batch codecs, producing and accepting the same byte streams as Kafka 2.8's Java client
 * (`CompressionType.wrapForOutput/wrapForInput`):
 *   - Gzip: a gzip member (node:zlib).
 *   - Snappy: xerial framing as `SnappyOutputStream` writes it: the 8-byte magic 0x82 'SNAPPY' 0x00, int32 version 1,
 *     int32 minimum compatible version 1, then blocks of int32 big-endian compressed length + a raw snappy block,
 *     each holding up to 32 KiB of input. Decompression also accepts a bare raw snappy block (what librdkafka and
 *     other non-Java producers may send), as xerial's `SnappyInputStream` does when the magic is absent.
 *   - Lz4: the LZ4 frame format as `KafkaLZ4BlockOutputStream` writes it (FLG 0x60 = version 1 + independent blocks,
 *     no checksums beyond the descriptor's), via lz4-napi. Kafka always writes 64 KiB blocks (BD 0x40); lz4-napi
 *     does for inputs up to 64 KiB and picks larger blocks (BD 0x50..0x70) for larger ones, which Kafka's
 *     `KafkaLZ4BlockInputStream` reads as well (it accepts every block size the format defines).
 *   - Zstd: a zstd frame at level 3 (zstd-jni's default), via @mongodb-js/zstd, whose API is asynchronous only.
 *
 * `compress`/`decompress` are asynchronous and run the native codecs off the event loop; the `*Sync` variants
 * exist for the codecs that have synchronous APIs and throw `InvalidArgumentError` for zstd. Output buffers are
 * new; inputs are not modified. Bytes that do not decompress are corrupt data: `ApiError('CORRUPT_MESSAGE')`.
 */
import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzip, gzipSync } from 'node:zlib';
import * as lz4 from 'lz4-napi';
import * as snappy from 'snappy';
import * as zstd from '@mongodb-js/zstd';
import { ApiError, InvalidArgumentError } from '../common/errors.js';
import { CompressionType } from './record-batch.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** zstd-jni's default level, which Kafka 2.8 uses. */
export const ZSTD_LEVEL = 3;

/** xerial snappy-java's stream header: magic, version, minimum compatible version. */
export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = XERIAL_MAGIC.length + 8;
const XERIAL_VERSION = 1;
const XERIAL_MIN_COMPATIBLE_VERSION = 1;
/** Input bytes per xerial block (`SnappyOutputStream.DEFAULT_BLOCK_SIZE`). */
export const XERIAL_BLOCK_BYTES = 32 * 1024;

/** Compresses `input` with codec `type`. None returns `input` itself. */
export async function compress(type: CompressionType, input: Buffer): Promise<Buffer> {
  switch (type) {
    case CompressionType.None:
      return input;
    case CompressionType.Gzip:
      return gzipAsync(input);
    case CompressionType.Snappy:
      return xerialFrame(await Promise.all(xerialChunks(input).map((c) => snappy.compress(c))));
    case CompressionType.Lz4:
      return lz4.compressFrame(input);
    case CompressionType.Zstd:
      return zstd.compress(input, ZSTD_LEVEL);
    default:
      throw unsupported(type);
  }
}

/** Decompresses `input` written with codec `type`. None returns `input` itself. */
export async function decompress(type: CompressionType, input: Buffer): Promise<Buffer> {
  try {
    switch (type) {
      case CompressionType.None:
        return input;
      case CompressionType.Gzip:
        return await gunzipAsync(input);
      case CompressionType.Snappy: {
        if (!isXerialFramed(input)) return asBuffer(await snappy.uncompress(input));
        const blocks = await Promise.all(xerialBlocks(input).map((b) => snappy.uncompress(b)));
        return Buffer.concat(blocks.map(asBuffer));
      }
      case CompressionType.Lz4:
        return await lz4.decompressFrame(input);
      case CompressionType.Zstd:
        return await zstd.decompress(input);
      default:
        throw unsupported(type);
    }
  } catch (e) {
    throw corrupt(type, e);
  }
}

/** Synchronous `compress`; throws `InvalidArgumentError` for zstd, whose binding has no synchronous API. */
export function compressSync(type: CompressionType, input: Buffer): Buffer {
  switch (type) {
    case CompressionType.None:
      return input;
    case CompressionType.Gzip:
      return gzipSync(input);
    case CompressionType.Snappy:
      return xerialFrame(xerialChunks(input).map((c) => snappy.compressSync(c)));
    case CompressionType.Lz4:
      return lz4.compressFrameSync(input);
    case CompressionType.Zstd:
      throw noSyncZstd();
    default:
      throw unsupported(type);
  }
}

/** Synchronous `decompress`; throws `InvalidArgumentError` for zstd. */
export function decompressSync(type: CompressionType, input: Buffer): Buffer {
  if (type === CompressionType.Zstd) throw noSyncZstd();
  try {
    switch (type) {
      case CompressionType.None:
        return input;
      case CompressionType.Gzip:
        return gunzipSync(input);
      case CompressionType.Snappy:
        if (!isXerialFramed(input)) return asBuffer(snappy.uncompressSync(input));
        return Buffer.concat(xerialBlocks(input).map((b) => asBuffer(snappy.uncompressSync(b))));
      case CompressionType.Lz4:
        return lz4.decompressFrameSync(input);
      default:
        throw unsupported(type);
    }
  } catch (e) {
    throw corrupt(type, e);
  }
}

/** True when `type` has synchronous codecs (`compressSync`/`decompressSync` work). */
export function hasSyncCodec(type: CompressionType): boolean {
  return type !== CompressionType.Zstd;
}

function isXerialFramed(input: Buffer): boolean {
  return (
    input.length >= XERIAL_HEADER_BYTES &&
    input.compare(XERIAL_MAGIC, 0, XERIAL_MAGIC.length, 0, XERIAL_MAGIC.length) === 0
  );
}

function xerialChunks(input: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let pos = 0; pos < input.length; pos += XERIAL_BLOCK_BYTES) {
    chunks.push(input.subarray(pos, pos + XERIAL_BLOCK_BYTES));
  }
  return chunks;
}

function xerialFrame(blocks: Buffer[]): Buffer {
  let size = XERIAL_HEADER_BYTES;
  for (const b of blocks) size += 4 + b.length;
  const out = Buffer.allocUnsafe(size);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(XERIAL_VERSION, XERIAL_MAGIC.length);
  out.writeInt32BE(XERIAL_MIN_COMPATIBLE_VERSION, XERIAL_MAGIC.length + 4);
  let pos = XERIAL_HEADER_BYTES;
  for (const b of blocks) {
    out.writeInt32BE(b.length, pos);
    pos += 4 + b.copy(out, pos + 4);
  }
  return out;
}

/** Splits a xerial stream into its raw snappy blocks (subarrays, no copy). */
function xerialBlocks(input: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let pos = XERIAL_HEADER_BYTES;
  while (pos < input.length) {
    if (pos + 4 > input.length) throw new InvalidArgumentError(`xerial block length at ${pos} is cut off`);
    const length = input.readInt32BE(pos);
    pos += 4;
    if (length < 0 || pos + length > input.length) {
      throw new InvalidArgumentError(
        `xerial block at ${pos - 4} declares ${length} bytes but ${input.length - pos} remain`,
      );
    }
    blocks.push(input.subarray(pos, pos + length));
    pos += length;
  }
  return blocks;
}

function asBuffer(out: string | Buffer): Buffer {
  return typeof out === 'string' ? Buffer.from(out) : out;
}

function unsupported(type: number): ApiError {
  return new ApiError(
    'UNSUPPORTED_COMPRESSION_TYPE',
    `Compression codec ${type} is unknown; Kafka's codecs are 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd.`,
  );
}

function noSyncZstd(): InvalidArgumentError {
  return new InvalidArgumentError('Zstd has no synchronous codec here; use the asynchronous compress/decompress.');
}

function corrupt(type: CompressionType, cause: unknown): ApiError {
  if (cause instanceof ApiError) return cause;
  return new ApiError(
    'CORRUPT_MESSAGE',
    `Could not decompress ${CompressionType[type] ?? type} data: ${(cause as Error)?.message ?? String(cause)}.`,
    { cause },
  );
}
