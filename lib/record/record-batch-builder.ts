/**
 * Builds one Kafka v2 record batch (`MemoryRecordsBuilder` + `DefaultRecord.writeTo`), byte for byte.
 *
 * Layout: the 61-byte header (see record-batch.ts) followed by the records, each
 *   length varint | attributes int8 (0) | timestampDelta varlong | offsetDelta varint |
 *   keyLength varint (−1 = null) | key | valueLength varint (−1 = null) | value |
 *   headerCount varint | per header: keyLength varint | key (UTF-8) | valueLength varint (−1 = null) | value
 * where length counts the bytes after itself, timestampDelta is relative to the first record's timestamp (the
 * batch's baseTimestamp, so it may be negative) and offsetDelta is the record's index in the batch.
 *
 * Records are written straight into one growing Buffer (capacity doubles when needed): strings with
 * `buf.write`, Buffers with `copy`; no per-record objects. The header is left blank until `build()`, which
 * fills it, compresses the records section when a codec is set and writes the CRC. `build()` returns a Buffer the
 * builder no longer uses, so the builder may be `reset()` and reused for the next batch while the previous one is
 * still in flight: an uncompressed batch filling at least half of the builder's buffer is that buffer itself (the
 * header is written in place and the builder takes a fresh buffer: no copy of the records), any other batch is
 * copied into an exactly sized Buffer (so a small batch does not pin a large buffer while in flight).
 *
 * Lifecycle: append* → build (once) → reset → append* → ... Appending to a built batch, or building an empty
 * or already-built one, throws `IllegalStateError`. Not shared between concurrent tasks: `build()` awaits
 * only the codec, and the builder must not be touched until it resolves.
 */
import { IllegalStateError, InvalidArgumentError } from '../common/errors.js';
import { compress, compressSync } from './compression.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  CompressionType,
  CONTROL_FLAG_MASK,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TimestampType,
  TRANSACTIONAL_FLAG_MASK,
  writeBatchCrc,
  writeInt64,
} from './record-batch.js';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js';

/** A record header as the producer gives it. Keys are UTF-8 strings and never null, as in Kafka. */
export interface RecordHeader {
  key: string;
  value: Buffer | string | null;
}

export interface RecordBatchBuilderOptions {
  compression?: CompressionType;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  timestampType?: TimestampType;
  /** Starting size of the buffer in bytes; it doubles as records are appended. */
  initialCapacity?: number;
}

const DEFAULT_INITIAL_CAPACITY = 16 * 1024;
const NO_HEADERS: readonly RecordHeader[] = [];

export class RecordBatchBuilder {
  private readonly compression: CompressionType;
  private readonly baseOffset: number;
  private readonly partitionLeaderEpoch: number;
  private readonly defaultProducerId: number;
  private readonly defaultProducerEpoch: number;
  private readonly defaultBaseSequence: number;
  private producerId: number;
  private producerEpoch: number;
  private baseSequence: number;
  private readonly attributes: number;
  private buf: Buffer;
  private pos = RECORDS_OFFSET;
  private count = 0;
  private baseTimestampMs = 0;
  private maxTimestampMs = 0;
  private built = false;

  constructor(opts: RecordBatchBuilderOptions = {}) {
    this.compression = opts.compression ?? CompressionType.None;
    if (!(this.compression in CompressionType)) {
      throw new InvalidArgumentError(
        `Unknown compression codec ${this.compression}; use a CompressionType value (0..4).`,
      );
    }
    this.baseOffset = opts.baseOffset ?? 0;
    this.partitionLeaderEpoch = opts.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH;
    this.defaultProducerId = Number(opts.producerId ?? NO_PRODUCER_ID);
    this.defaultProducerEpoch = opts.producerEpoch ?? NO_PRODUCER_EPOCH;
    this.defaultBaseSequence = opts.baseSequence ?? NO_SEQUENCE;
    this.producerId = this.defaultProducerId;
    this.producerEpoch = this.defaultProducerEpoch;
    this.baseSequence = this.defaultBaseSequence;
    this.attributes =
      this.compression |
      (opts.timestampType === TimestampType.LogAppendTime ? TIMESTAMP_TYPE_MASK : 0) |
      (opts.isTransactional ? TRANSACTIONAL_FLAG_MASK : 0) |
      (opts.isControl ? CONTROL_FLAG_MASK : 0);
    this.buf = Buffer.allocUnsafe(Math.max(opts.initialCapacity ?? DEFAULT_INITIAL_CAPACITY, RECORDS_OFFSET));
  }

  get recordCount(): number {
    return this.count;
  }

  /** Current size of the batch, uncompressed, header included. */
  get sizeInBytes(): number {
    return this.pos;
  }

  /** Appends a record at the next offset. Strings are written as UTF-8; null key or value is written as −1. */
  append(
    timestampMs: number,
    key: Buffer | string | null,
    value: Buffer | string | null,
    headers: readonly RecordHeader[] = NO_HEADERS,
  ): void {
    if (this.built)
      throw new IllegalStateError('Cannot append to a record batch that has been built; reset() it first.');
    if (this.count === 0) {
      this.baseTimestampMs = timestampMs;
      this.maxTimestampMs = timestampMs;
    } else if (timestampMs > this.maxTimestampMs) {
      this.maxTimestampMs = timestampMs;
    }
    const timestampDelta = timestampMs - this.baseTimestampMs;
    const offsetDelta = this.count;
    const keyBytes = byteLengthOf(key);
    const valueBytes = byteLengthOf(value);
    let bodyBytes =
      1 +
      sizeOfVarlong(timestampDelta) +
      sizeOfVarint(offsetDelta) +
      sizeOfVarint(keyBytes) +
      Math.max(keyBytes, 0) +
      sizeOfVarint(valueBytes) +
      Math.max(valueBytes, 0) +
      sizeOfVarint(headers.length);
    for (const h of headers) {
      const hk = Buffer.byteLength(h.key, 'utf8');
      const hv = byteLengthOf(h.value);
      bodyBytes += sizeOfVarint(hk) + hk + sizeOfVarint(hv) + Math.max(hv, 0);
    }
    this.ensureCapacity(sizeOfVarint(bodyBytes) + bodyBytes);

    const buf = this.buf;
    let pos = writeVarint(buf, this.pos, bodyBytes);
    buf[pos++] = 0; // record attributes: unused
    pos = writeVarlong(buf, pos, timestampDelta);
    pos = writeVarint(buf, pos, offsetDelta);
    pos = writeBytes(buf, writeVarint(buf, pos, keyBytes), key);
    pos = writeBytes(buf, writeVarint(buf, pos, valueBytes), value);
    pos = writeVarint(buf, pos, headers.length);
    for (const h of headers) {
      pos = writeVarint(buf, pos, Buffer.byteLength(h.key, 'utf8'));
      pos += buf.write(h.key, pos, 'utf8');
      pos = writeBytes(buf, writeVarint(buf, pos, byteLengthOf(h.value)), h.value);
    }
    this.pos = pos;
    this.count++;
  }

  /**
   * Sets the producer id, epoch and base sequence written by the next `build()` (an idempotent producer assigns
   * them when the batch is drained); `reset()` restores the values given at construction.
   */
  setProducerState(producerId: number, producerEpoch: number, baseSequence: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
  }

  /** Finishes the batch (header, compression, CRC) and returns it as a new Buffer. */
  async build(): Promise<Buffer> {
    this.checkBuildable();
    const records = this.buf.subarray(RECORDS_OFFSET, this.pos);
    return this.finish(await compress(this.compression, records));
  }

  /** `build()` for codecs with synchronous APIs; throws `InvalidArgumentError` for zstd. */
  buildSync(): Buffer {
    this.checkBuildable();
    return this.finish(compressSync(this.compression, this.buf.subarray(RECORDS_OFFSET, this.pos)));
  }

  /** Empties the builder, keeping its buffer and options, for the next batch. */
  reset(): void {
    this.pos = RECORDS_OFFSET;
    this.count = 0;
    this.built = false;
    this.producerId = this.defaultProducerId;
    this.producerEpoch = this.defaultProducerEpoch;
    this.baseSequence = this.defaultBaseSequence;
  }

  private checkBuildable(): void {
    if (this.built)
      throw new IllegalStateError('This record batch was already built; reset() the builder to start another.');
    if (this.count === 0)
      throw new IllegalStateError('Cannot build an empty record batch; append at least one record.');
    this.built = true;
  }

  private finish(records: Buffer): Buffer {
    const size = RECORDS_OFFSET + records.length;
    const inPlace =
      records.buffer === this.buf.buffer &&
      records.byteOffset === this.buf.byteOffset + RECORDS_OFFSET &&
      size * 2 >= this.buf.length;
    const out = inPlace ? this.buf.subarray(0, size) : Buffer.allocUnsafe(size);
    if (inPlace) this.buf = Buffer.allocUnsafe(this.buf.length);
    out.writeBigInt64BE(BigInt(this.baseOffset), BASE_OFFSET_OFFSET);
    out.writeInt32BE(size - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
    out.writeInt32BE(this.partitionLeaderEpoch, PARTITION_LEADER_EPOCH_OFFSET);
    out.writeInt8(CURRENT_MAGIC, MAGIC_OFFSET);
    out.writeInt16BE(this.attributes, ATTRIBUTES_OFFSET);
    out.writeInt32BE(this.count - 1, LAST_OFFSET_DELTA_OFFSET);
    out.writeBigInt64BE(BigInt(this.baseTimestampMs), BASE_TIMESTAMP_OFFSET);
    out.writeBigInt64BE(BigInt(this.maxTimestampMs), MAX_TIMESTAMP_OFFSET);
    writeInt64(out, PRODUCER_ID_OFFSET, this.producerId);
    out.writeInt16BE(this.producerEpoch, PRODUCER_EPOCH_OFFSET);
    out.writeInt32BE(this.baseSequence, BASE_SEQUENCE_OFFSET);
    out.writeInt32BE(this.count, RECORD_COUNT_OFFSET);
    if (!inPlace) records.copy(out, RECORDS_OFFSET);
    writeBatchCrc(out, 0, size);
    return out;
  }

  private ensureCapacity(extraBytes: number): void {
    const needed = this.pos + extraBytes;
    if (needed <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

/** Kafka's control record types (`ControlRecordType`). */
export enum ControlRecordType {
  Abort = 0,
  Commit = 1,
}

export interface ControlBatchOptions {
  type: ControlRecordType;
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  timestampMs: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}

/**
 * A transaction marker batch (`MemoryRecords.withEndTransactionMarker`): transactional + control, sequence −1,
 * one record whose key is int16 version 0 + int16 type and whose value is int16 version 0 + int32
 * coordinatorEpoch (`EndTransactionMarker`).
 */
export function buildControlBatch(opts: ControlBatchOptions): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(opts.type, 2);
  const value = Buffer.alloc(6);
  value.writeInt32BE(opts.coordinatorEpoch, 2);
  const builder = new RecordBatchBuilder({
    baseOffset: opts.baseOffset,
    partitionLeaderEpoch: opts.partitionLeaderEpoch,
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    isTransactional: true,
    isControl: true,
    initialCapacity: 128,
  });
  builder.append(opts.timestampMs, key, value);
  return builder.buildSync();
}

/** UTF-8 or raw length of a key/value, −1 for null. */
function byteLengthOf(data: Buffer | string | null): number {
  if (data === null) return -1;
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
}

function writeBytes(buf: Buffer, pos: number, data: Buffer | string | null): number {
  if (data === null) return pos;
  return typeof data === 'string' ? pos + buf.write(data, pos, 'utf8') : pos + data.copy(buf, pos);
}
