/**
 * Offset → timestamp, the lookup Kafka's ListOffsets does not offer (it maps timestamps to offsets): the timestamp of
 * the first record at or after an offset, below the high watermark (what consumers can read), read from the log and
 * decoded from that record's batch. Used to tell how old the oldest record a consumer group has not consumed is.
 *
 * An offset below the log start reads from the log start (older records are gone: the oldest unconsumed one is the
 * first still there); at or past the high watermark there is none (offset and timestamp -1). Control batches
 * (transaction markers) are skipped. A batch with LogAppendTime carries one timestamp for all its records.
 * Concurrency: the read is synchronous; decompressing a zstd batch awaits.
 */
import { CompressionType, TimestampType } from '../record/record-batch.js';
import { iterateBatches } from '../record/record-batch-reader.js';
import type { UnifiedLog } from './unified-log.js';

export interface OffsetTimestamp {
  /** Offset of the record found, -1 when none. */
  offset: number;
  /** Its timestamp, -1 when none. */
  timestamp: number;
  highWatermark: number;
  logStartOffset: number;
}

const READ_BYTES = 64 * 1024;

export async function timestampAtOffset(log: UnifiedLog, offset: number): Promise<OffsetTimestamp> {
  const highWatermark = log.highWatermark;
  const logStartOffset = log.logStartOffset;
  const none = { offset: -1, timestamp: -1, highWatermark, logStartOffset };
  let from = Math.max(offset, logStartOffset);
  while (from < highWatermark) {
    const read = log.read(from, READ_BYTES, { maxOffset: highWatermark, minOneBatch: true });
    if (read.records.length === 0) return none;
    for (const batch of iterateBatches(read.records)) {
      if (batch.isControl || batch.lastOffset < from) continue;
      const records = batch.compression === CompressionType.Zstd ? await batch.recordsAsync() : batch.records();
      for (const r of records) {
        if (r.offset < from) continue;
        const timestamp = batch.timestampType === TimestampType.LogAppendTime ? batch.maxTimestamp : r.timestamp;
        return { offset: r.offset, timestamp, highWatermark, logStartOffset };
      }
    }
    const last = [...iterateBatches(read.records)].pop();
    if (last === undefined || last.nextOffset <= from) return none;
    from = last.nextOffset;
  }
  return none;
}
