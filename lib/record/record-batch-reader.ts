/**
 * Reading batches back: `iterateBatches` walks the v2 batches laid end to end in a Buffer (a fetch response's
 * record set, a segment slice) and yields a `BatchView` per batch without copying or decoding anything. A
 * trailing partial batch, which fetch responses may end with (they are cut at `max.bytes`), ends the walk
 * quietly, as in Kafka's `ByteBufferLogInputStream`; a batch whose length field cannot be right, or whose magic
 * is not 2, throws `ApiError('CORRUPT_MESSAGE')`.
 *
 * A `BatchView` reads header fields in place. Its records are decoded lazily by `records()` (synchronous,
 * decompressing first with the synchronous codecs; zstd has none) or `recordsAsync()` (any codec). Nothing
 * checks the CRC unless `validate()` is called, as a consumer with `check.crcs` does. Views borrow the
 * Buffer: they are valid while it is.
 */
import { ApiError } from '../common/errors.js';
import { decompress, decompressSync } from './compression.js';
import { ControlRecordType } from './record-batch-builder.js';
import {
  attributesOf,
  baseOffsetOf,
  baseSequenceOf,
  baseTimestampOf,
  batchSizeAt,
  CompressionType,
  compressionOf,
  CURRENT_MAGIC,
  isControl,
  isTransactional,
  lastOffsetDeltaOf,
  LOG_OVERHEAD,
  magicOf,
  MAGIC_OFFSET,
  maxTimestampOf,
  partitionLeaderEpochOf,
  producerEpochOf,
  producerIdOf,
  RECORD_BATCH_OVERHEAD,
  recordCountOf,
  RECORDS_OFFSET,
  TimestampType,
  timestampTypeOf,
  validateBatch,
  type BatchInfo,
} from './record-batch.js';
import { RecordIterator, type RecordContext } from './record.js';

/** Yields a view of each complete batch in `buf[pos, end)`; stops at a trailing partial batch. */
export function* iterateBatches(buf: Buffer, pos = 0, end = buf.length): Generator<BatchView, void, undefined> {
  while (end - pos >= LOG_OVERHEAD) {
    const size = batchSizeAt(buf, pos);
    if (size < RECORD_BATCH_OVERHEAD) {
      throw new ApiError(
        'CORRUPT_MESSAGE',
        `Record batch at position ${pos} declares a size of ${size} bytes, less than the ${RECORD_BATCH_OVERHEAD}-byte header.`,
      );
    }
    if (end - pos > MAGIC_OFFSET && magicOf(buf, pos) !== CURRENT_MAGIC) {
      throw new ApiError(
        'CORRUPT_MESSAGE',
        `Record batch at position ${pos} has magic ${magicOf(buf, pos)}; only magic ${CURRENT_MAGIC} batches are supported.`,
      );
    }
    if (size > end - pos) return;
    yield new BatchView(buf, pos, size);
    pos += size;
  }
}

/** A transaction marker's content (`EndTransactionMarker`). */
export interface ControlRecord {
  type: ControlRecordType;
  coordinatorEpoch: number;
}

export class BatchView {
  constructor(
    readonly buffer: Buffer,
    readonly position: number,
    readonly size = batchSizeAt(buffer, position),
  ) {}

  /** The batch's bytes (a subarray, no copy). */
  get bytes(): Buffer {
    return this.buffer.subarray(this.position, this.position + this.size);
  }

  get baseOffset(): number {
    return baseOffsetOf(this.buffer, this.position);
  }
  get lastOffsetDelta(): number {
    return lastOffsetDeltaOf(this.buffer, this.position);
  }
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  get nextOffset(): number {
    return this.lastOffset + 1;
  }
  get partitionLeaderEpoch(): number {
    return partitionLeaderEpochOf(this.buffer, this.position);
  }
  get attributes(): number {
    return attributesOf(this.buffer, this.position);
  }
  get compression(): CompressionType {
    return compressionOf(this.buffer, this.position);
  }
  get timestampType(): TimestampType {
    return timestampTypeOf(this.buffer, this.position);
  }
  get isTransactional(): boolean {
    return isTransactional(this.buffer, this.position);
  }
  get isControl(): boolean {
    return isControl(this.buffer, this.position);
  }
  get baseTimestamp(): number {
    return baseTimestampOf(this.buffer, this.position);
  }
  get maxTimestamp(): number {
    return maxTimestampOf(this.buffer, this.position);
  }
  get producerId(): bigint {
    return producerIdOf(this.buffer, this.position);
  }
  get producerEpoch(): number {
    return producerEpochOf(this.buffer, this.position);
  }
  get baseSequence(): number {
    return baseSequenceOf(this.buffer, this.position);
  }
  get recordCount(): number {
    return recordCountOf(this.buffer, this.position);
  }

  /** Checks size, magic, CRC and counts (`validateBatch`); throws `ApiError` when the batch is corrupt. */
  validate(): BatchInfo {
    return validateBatch(this.buffer, this.position, this.position + this.size);
  }

  /** The records, decoded one per step; decompresses synchronously first (throws for zstd: use `recordsAsync`). */
  records(): RecordIterator {
    return this.iterator(decompressSync(this.compression, this.compressedRecords()));
  }

  /** The records, after decompressing off the event loop when the batch is compressed. */
  async recordsAsync(): Promise<RecordIterator> {
    return this.iterator(await decompress(this.compression, this.compressedRecords()));
  }

  /** The marker in a control batch. Throws `ApiError('CORRUPT_MESSAGE')` if this is not a well-formed one. */
  controlRecord(): ControlRecord {
    const record = this.isControl ? this.records().next() : undefined;
    const key = record && !record.done ? record.value.key : null;
    const value = record && !record.done ? record.value.value : null;
    if (key === null || key.length < 4 || value === null || value.length < 6) {
      throw new ApiError(
        'CORRUPT_MESSAGE',
        `Batch at offset ${this.baseOffset} is not a well-formed control batch (control flag ${this.isControl}).`,
      );
    }
    const type = key.readInt16BE(2);
    if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) {
      throw new ApiError(
        'CORRUPT_MESSAGE',
        `Control batch at offset ${this.baseOffset} has unknown marker type ${type}.`,
      );
    }
    return { type, coordinatorEpoch: value.readInt32BE(2) };
  }

  private compressedRecords(): Buffer {
    return this.buffer.subarray(this.position + RECORDS_OFFSET, this.position + this.size);
  }

  private iterator(section: Buffer): RecordIterator {
    const ctx: RecordContext = {
      baseOffset: this.baseOffset,
      baseTimestamp: this.baseTimestamp,
      logAppendTime: this.timestampType === TimestampType.LogAppendTime ? this.maxTimestamp : null,
      recordCount: this.recordCount,
    };
    return new RecordIterator(section, ctx);
  }
}
