/**
 * Kafka's record batch v2 header, byte for byte, read and written in place on a Buffer.
 *
 * Layout (big-endian; offsets from the start of the batch):
 *   0  baseOffset int64         | 8  batchLength int32 (bytes after this field) | 12 partitionLeaderEpoch int32
 *   16 magic int8 (=2)          | 17 crc uint32 (CRC-32C of bytes 21..end)       | 21 attributes int16
 *   23 lastOffsetDelta int32    | 27 baseTimestamp int64 | 35 maxTimestamp int64 | 43 producerId int64
 *   51 producerEpoch int16      | 53 baseSequence int32  | 57 recordCount int32  | 61 records...
 * Attributes: bits 0-2 compression codec, bit 3 timestamp type (1 = LogAppendTime), bit 4 transactional,
 * bit 5 control.
 *
 * The broker works only at this level: it validates a batch (size, magic, CRC), stamps base offset and leader
 * epoch (both outside the CRC) and appends the bytes as they are. It never decodes single records.
 * Idempotence: producer id, epoch and base sequence identify a producer's batch; sequences count records per
 * partition and wrap from MAX_SEQUENCE to 0, so a batch's last sequence is its base plus the last offset delta, wrapped.
 * Pure functions on Buffers; no allocation except the error on failure.
 */
import { crc32c } from '@node-rs/crc32';
import { ApiError } from '../common/errors.js';

export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;

/** Size of the header; also the smallest valid batch. */
export const RECORD_BATCH_OVERHEAD = RECORDS_OFFSET;
/** Bytes before and including the length field: a batch occupies `LOG_OVERHEAD + batchLength` bytes. */
export const LOG_OVERHEAD = 12;
export const CURRENT_MAGIC = 2;

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;
export const NO_TIMESTAMP = -1n;
/** Largest sequence number; the next one is 0 (Kafka's sequences wrap at Integer.MAX_VALUE). */
export const MAX_SEQUENCE = 0x7fffffff;
const TWO_POW_32 = 4294967296;

export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

/** Kafka's name of a timestamp type, as tools print it (`CreateTime:<ms>`). */
export const timestampTypeName = (t: TimestampType): 'CreateTime' | 'LogAppendTime' =>
  t === TimestampType.LogAppendTime ? 'LogAppendTime' : 'CreateTime';

/** Total size in bytes of the batch starting at `pos`, from its length field. */
export function batchSizeAt(buf: Buffer, pos = 0): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
}

export const baseOffsetOf = (b: Buffer, pos = 0): number => Number(b.readBigInt64BE(pos + BASE_OFFSET_OFFSET));
export const lastOffsetDeltaOf = (b: Buffer, pos = 0): number => b.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
export const lastOffsetOf = (b: Buffer, pos = 0): number => baseOffsetOf(b, pos) + lastOffsetDeltaOf(b, pos);
export const partitionLeaderEpochOf = (b: Buffer, pos = 0): number =>
  b.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET);
export const magicOf = (b: Buffer, pos = 0): number => b.readInt8(pos + MAGIC_OFFSET);
export const crcOf = (b: Buffer, pos = 0): number => b.readUInt32BE(pos + CRC_OFFSET);
export const attributesOf = (b: Buffer, pos = 0): number => b.readInt16BE(pos + ATTRIBUTES_OFFSET);
export const compressionOf = (b: Buffer, pos = 0): CompressionType => attributesOf(b, pos) & COMPRESSION_CODEC_MASK;
export const timestampTypeOf = (b: Buffer, pos = 0): TimestampType =>
  attributesOf(b, pos) & TIMESTAMP_TYPE_MASK ? TimestampType.LogAppendTime : TimestampType.CreateTime;
export const isTransactional = (b: Buffer, pos = 0): boolean => (attributesOf(b, pos) & TRANSACTIONAL_FLAG_MASK) !== 0;
export const isControl = (b: Buffer, pos = 0): boolean => (attributesOf(b, pos) & CONTROL_FLAG_MASK) !== 0;
export const baseTimestampOf = (b: Buffer, pos = 0): number => Number(b.readBigInt64BE(pos + BASE_TIMESTAMP_OFFSET));
export const maxTimestampOf = (b: Buffer, pos = 0): number => Number(b.readBigInt64BE(pos + MAX_TIMESTAMP_OFFSET));
export const producerIdOf = (b: Buffer, pos = 0): bigint => b.readBigInt64BE(pos + PRODUCER_ID_OFFSET);
export const producerEpochOf = (b: Buffer, pos = 0): number => b.readInt16BE(pos + PRODUCER_EPOCH_OFFSET);
export const baseSequenceOf = (b: Buffer, pos = 0): number => b.readInt32BE(pos + BASE_SEQUENCE_OFFSET);
/** The last sequence of the batch at `pos` (base sequence + last offset delta, wrapping), or NO_SEQUENCE. */
export const lastSequenceOf = (b: Buffer, pos = 0): number => {
  const base = baseSequenceOf(b, pos);
  return base === NO_SEQUENCE ? NO_SEQUENCE : incrementSequence(base, lastOffsetDeltaOf(b, pos));
};
export const recordCountOf = (b: Buffer, pos = 0): number => b.readInt32BE(pos + RECORD_COUNT_OFFSET);

/** Signed int64 at `pos` as a number (exact below 2^53: offsets, timestamps, producer ids), without a BigInt. */
export function readInt64(b: Buffer, pos: number): number {
  return b.readInt32BE(pos) * TWO_POW_32 + b.readUInt32BE(pos + 4);
}

/** Writes `value` (an integer below 2^53 in magnitude) as a signed int64 at `pos`, without a BigInt. */
export function writeInt64(b: Buffer, pos: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  b.writeInt32BE(high, pos);
  b.writeUInt32BE(value - high * TWO_POW_32, pos + 4);
}

/** `sequence + increment`, wrapping past MAX_SEQUENCE to 0 (Kafka's `DefaultRecordBatch.incrementSequence`). */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > MAX_SEQUENCE - increment) return increment - (MAX_SEQUENCE - sequence) - 1;
  return sequence + increment;
}

/** `sequence - decrement`, wrapping below 0 to MAX_SEQUENCE (Kafka's `DefaultRecordBatch.decrementSequence`). */
export function decrementSequence(sequence: number, decrement: number): number {
  if (sequence < decrement) return MAX_SEQUENCE - (decrement - sequence) + 1;
  return sequence - decrement;
}

/**
 * Rewrites the producer id, epoch and base sequence of the built batch at `pos` and its CRC (the client re-sequences
 * a batch it retries after an epoch bump).
 */
export function writeProducerState(
  b: Buffer,
  pos: number,
  producerId: number,
  epoch: number,
  baseSequence: number,
): void {
  writeInt64(b, pos + PRODUCER_ID_OFFSET, producerId);
  b.writeInt16BE(epoch, pos + PRODUCER_EPOCH_OFFSET);
  b.writeInt32BE(baseSequence, pos + BASE_SEQUENCE_OFFSET);
  writeBatchCrc(b, pos);
}

/** CRC-32C over attributes..end of the batch at `pos` of size `size`. */
export function computeBatchCrc(b: Buffer, pos = 0, size = batchSizeAt(b, pos)): number {
  return crc32c(b.subarray(pos + ATTRIBUTES_OFFSET, pos + size));
}

/** Recomputes and writes the CRC field; for builders and for the broker after it rewrites LogAppendTime. */
export function writeBatchCrc(b: Buffer, pos = 0, size = batchSizeAt(b, pos)): void {
  b.writeUInt32BE(computeBatchCrc(b, pos, size), pos + CRC_OFFSET);
}

/** Stamps base offset and partition leader epoch in place; neither is covered by the CRC. */
export function stampBatch(b: Buffer, pos: number, baseOffset: number, partitionLeaderEpoch: number): void {
  b.writeBigInt64BE(BigInt(baseOffset), pos + BASE_OFFSET_OFFSET);
  b.writeInt32BE(partitionLeaderEpoch, pos + PARTITION_LEADER_EPOCH_OFFSET);
}

/**
 * Sets timestamp type LogAppendTime and max timestamp, and recomputes the CRC (these fields are covered).
 * Used by a broker whose topic has `message.timestamp.type=LogAppendTime`.
 */
export function stampLogAppendTime(b: Buffer, pos: number, timestampMs: number): void {
  b.writeInt16BE(attributesOf(b, pos) | TIMESTAMP_TYPE_MASK, pos + ATTRIBUTES_OFFSET);
  b.writeBigInt64BE(BigInt(timestampMs), pos + MAX_TIMESTAMP_OFFSET);
  writeBatchCrc(b, pos);
}

/** Summary of one valid batch, as `validateBatch` sees it. */
export interface BatchInfo {
  position: number;
  size: number;
  baseOffset: number;
  lastOffsetDelta: number;
  recordCount: number;
  maxTimestamp: number;
  compression: CompressionType;
  /** -1 when the batch carries no producer id (not idempotent). */
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  isControl: boolean;
}

/**
 * Checks the batch at `pos` of `buf` (up to `end`): the length fits, magic is 2, the CRC matches, the record
 * count agrees with the offset delta, the codec is known. Throws an `ApiError` with CORRUPT_MESSAGE (size or
 * CRC) or INVALID_RECORD (header fields that cannot be right) naming the problem. No allocation on success
 * beyond the returned summary.
 */
export function validateBatch(buf: Buffer, pos = 0, end = buf.length): BatchInfo {
  const remaining = end - pos;
  if (remaining < RECORD_BATCH_OVERHEAD) {
    throw new ApiError(
      'CORRUPT_MESSAGE',
      `Record batch at position ${pos} is truncated: ${remaining} bytes left, a batch header needs ${RECORD_BATCH_OVERHEAD}.`,
    );
  }
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
  const size = LOG_OVERHEAD + batchLength;
  if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) {
    throw new ApiError(
      'CORRUPT_MESSAGE',
      `Record batch at position ${pos} declares length ${batchLength}, smaller than the header (${RECORD_BATCH_OVERHEAD - LOG_OVERHEAD}).`,
    );
  }
  if (size > remaining) {
    throw new ApiError(
      'CORRUPT_MESSAGE',
      `Record batch at position ${pos} declares ${size} bytes but only ${remaining} are present.`,
    );
  }
  const magic = buf.readInt8(pos + MAGIC_OFFSET);
  if (magic !== CURRENT_MAGIC) {
    throw new ApiError(
      'CORRUPT_MESSAGE',
      `Record batch at position ${pos} has magic ${magic}; only magic 2 is supported.`,
    );
  }
  const stored = buf.readUInt32BE(pos + CRC_OFFSET);
  const computed = computeBatchCrc(buf, pos, size);
  if (stored !== computed) {
    throw new ApiError(
      'CORRUPT_MESSAGE',
      `Record batch at position ${pos} failed its CRC check: stored ${stored.toString(16)}, computed ${computed.toString(16)}.`,
    );
  }
  const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
  const compression = attributes & COMPRESSION_CODEC_MASK;
  if (compression > CompressionType.Zstd) {
    throw new ApiError(
      'UNSUPPORTED_COMPRESSION_TYPE',
      `Record batch at position ${pos} uses unknown compression codec ${compression}.`,
    );
  }
  const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
  const recordCount = buf.readInt32BE(pos + RECORD_COUNT_OFFSET);
  if (recordCount < 0 || lastOffsetDelta < 0 || (recordCount > 0 && lastOffsetDelta + 1 < recordCount)) {
    throw new ApiError(
      'INVALID_RECORD',
      `Record batch at position ${pos} has record count ${recordCount} and last offset delta ${lastOffsetDelta}, which disagree.`,
    );
  }
  return {
    position: pos,
    size,
    baseOffset: readInt64(buf, pos + BASE_OFFSET_OFFSET),
    lastOffsetDelta,
    recordCount,
    maxTimestamp: readInt64(buf, pos + MAX_TIMESTAMP_OFFSET),
    compression,
    producerId: readInt64(buf, pos + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET),
    isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControl: (attributes & CONTROL_FLAG_MASK) !== 0,
  };
}
