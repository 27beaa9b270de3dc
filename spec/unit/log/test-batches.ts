/**
 * Header-level batches for storage specs: a valid v2 header (CRC over the rest) with `recordCount` records'
 * worth of offsets and an opaque payload of `payloadBytes`. The log never decodes records, so these exercise
 * every path that reads only headers; specs that need real records use lib/record's builder.
 */
import {
  ATTRIBUTES_OFFSET, BASE_TIMESTAMP_OFFSET, BATCH_LENGTH_OFFSET, LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET, PRODUCER_ID_OFFSET, RECORD_BATCH_OVERHEAD, RECORD_COUNT_OFFSET, stampBatch, writeBatchCrc,
} from '../../../lib/record/record-batch.js';

export const T0 = 1_700_000_000_000;

export interface TestBatchOptions {
  baseOffset?: number;
  recordCount?: number;
  maxTimestamp?: number;
  payloadBytes?: number;
  partitionLeaderEpoch?: number;
}

export function testBatch(opts: TestBatchOptions = {}): Buffer {
  const recordCount = opts.recordCount ?? 1;
  const size = RECORD_BATCH_OVERHEAD + (opts.payloadBytes ?? 0);
  const b = Buffer.alloc(size, 0x5a);
  b.fill(0, 0, RECORD_BATCH_OVERHEAD);
  b.writeInt32BE(size - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  b.writeInt8(2, MAGIC_OFFSET);
  b.writeInt16BE(0, ATTRIBUTES_OFFSET);
  b.writeInt32BE(recordCount - 1, LAST_OFFSET_DELTA_OFFSET);
  b.writeBigInt64BE(BigInt(opts.maxTimestamp ?? T0), BASE_TIMESTAMP_OFFSET);
  b.writeBigInt64BE(BigInt(opts.maxTimestamp ?? T0), MAX_TIMESTAMP_OFFSET);
  b.writeBigInt64BE(-1n, PRODUCER_ID_OFFSET);
  b.writeInt32BE(recordCount, RECORD_COUNT_OFFSET);
  stampBatch(b, 0, opts.baseOffset ?? 0, opts.partitionLeaderEpoch ?? -1);
  writeBatchCrc(b);
  return b;
}
