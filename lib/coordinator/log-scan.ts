/**
 * Reading a coordinator's internal topic partition back (`__consumer_offsets`, `__transaction_state`) when this
 * broker becomes its leader: every batch from the log start to the log end as it is now — the end, not the high
 * watermark, as Kafka's loaders do: a new leader's HW may trail its log by a fetch round, and everything in a
 * leader's log is what its followers will hold.
 *
 * Reads go `readBytes` at a time (whole batches, at least one); batches are views of the mapped segments, valid while
 * the caller walks them. Synchronous per read; a caller that awaits between batches (decompression) sees the log
 * as it was when each read was made.
 */
import { iterateBatches, type BatchView } from '../record/record-batch-reader.js';
import type { UnifiedLog } from '../log/unified-log.js';

const DEFAULT_READ_BYTES = 1024 * 1024;

/** The batches of `log` from its start to its current end (the first may start below the log start offset). */
export function* batchesToLogEnd(log: UnifiedLog, readBytes = DEFAULT_READ_BYTES): Generator<BatchView> {
  const end = log.logEndOffset;
  for (let offset = log.logStartOffset; offset < end;) {
    const read = log.read(offset, readBytes, { maxOffset: end, minOneBatch: true });
    if (read.records.length === 0) return;
    for (const batch of iterateBatches(read.records)) {
      yield batch;
      offset = batch.nextOffset;
    }
  }
}
