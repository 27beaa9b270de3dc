/**
 * Kafka's `LogValidator`: what a leader checks in a client's record batches before appending them, beyond the
 * header sanity every append gets (`validateBatch`: size, magic, CRC, codec).
 *
 * Batch checks (`checkClientBatches`, synchronous, header fields only, on every client append):
 *   - each batch holds at least one record and its record count matches its offset range
 *     (lastOffsetDelta + 1), since a client's batches are never compacted;
 *   - clients may not write control batches (transaction markers are the coordinator's);
 *   - a batch with a producer id has a base sequence >= 0, and is the only batch of its partition in the request
 *     (Kafka requires one batch per partition of every request; mq requires it of idempotent batches, whose
 *     duplicate and sequence checks are per batch);
 *   - a transactional batch carries a producer id.
 * Coordinator batches (`checkCoordinatorBatches`): a coordinator writes its own records (offsets, transactional
 * offsets of a producer) and transaction markers; a control batch from it must be a marker — transactional, with a
 * producer id and one record.
 * Record checks and rewrites (`validateRecords`, asynchronous because they decompress and compress, off the event
 * loop): on a log with cleanup.policy=compact every record must have a key, since compaction keeps the last record
 * per key and a keyless one could never be cleaned; on a log whose compression.type names a codec (anything but
 * `producer`), batches in another codec are rewritten in it (`recompressBatches`: per batch, never per record).
 * Only logs that ask for one of them pay; it returns null for the others.
 * Failures are ApiError INVALID_RECORD (RecordValidationError naming the records for keyless ones) or
 * CORRUPT_MESSAGE (a batch to rewrite that fails its CRC or does not decompress); nothing of the partition's request
 * is appended then.
 */
import { ApiError, RecordValidationError } from '../common/errors.js';
import { tpKey, type TopicPartition } from '../common/topic-partition.js';
import { recompressBatches, targetCompression } from '../record/batch-recompression.js';
import { iterateBatches } from '../record/record-batch-reader.js';
import type { BatchInfo } from '../record/record-batch.js';
import { hasCompactPolicy, type LogConfig } from './log-config.js';

/** Throws INVALID_RECORD when a client's `batches` (already header-validated) break a batch rule above. */
export function checkClientBatches(batches: readonly BatchInfo[], tp: TopicPartition): void {
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i]!;
    const where = `batch ${i} of the append to ${tpKey(tp.topic, tp.partition)}`;
    if (b.recordCount <= 0 || b.recordCount !== b.lastOffsetDelta + 1) {
      throw new ApiError(
        'INVALID_RECORD',
        `The ${where} has record count ${b.recordCount} and offset range [0, ${b.lastOffsetDelta}], which disagree.`,
      );
    }
    if (b.isControl) {
      throw new ApiError('INVALID_RECORD', `Clients are not allowed to write control records (the ${where}).`);
    }
    if (b.isTransactional && b.producerId < 0) {
      throw new ApiError(
        'INVALID_RECORD',
        `The ${where} is transactional but has no producer id; a transactional producer sends its id and epoch.`,
      );
    }
    if (b.producerId >= 0) {
      if (b.baseSequence < 0) {
        throw new ApiError(
          'INVALID_RECORD',
          `Invalid sequence number ${b.baseSequence} in the ${where}, which has producer id ${b.producerId}.`,
        );
      }
      if (batches.length > 1) {
        throw new ApiError(
          'INVALID_RECORD',
          `The ${where} has producer id ${b.producerId}, so it must be the only record batch of its partition in ` +
            `the request; the request carries ${batches.length}.`,
        );
      }
    }
  }
}

/** Throws INVALID_RECORD when a control batch among a coordinator's `batches` is not a marker (see the header). */
export function checkCoordinatorBatches(batches: readonly BatchInfo[], tp: TopicPartition): void {
  for (const b of batches) {
    if (!b.isControl || (b.isTransactional && b.producerId >= 0 && b.recordCount === 1)) continue;
    throw new ApiError(
      'INVALID_RECORD',
      `A control batch a coordinator appends to ${tpKey(tp.topic, tp.partition)} must be a transaction marker (a ` +
        `transactional control batch with a producer id and one record); found one with producer id ` +
        `${b.producerId}, transactional ${b.isTransactional} and ${b.recordCount} record(s).`,
    );
  }
}

/**
 * The record checks and rewrite `config` asks for (see the header): null when there are none, else a promise of the
 * bytes to append — `records` itself, or its batches rewritten in the topic's codec — that rejects with
 * RecordValidationError naming the first keyless record, or CORRUPT_MESSAGE.
 */
export function validateRecords(records: Buffer, config: LogConfig, tp: TopicPartition): Promise<Buffer> | null {
  const target = targetCompression(config.compressionType);
  const compacted = hasCompactPolicy(config);
  if (target === null && !compacted) return null;
  return (async () => {
    if (compacted) await checkKeys(records, tp);
    return (target === null ? null : await recompressBatches(records, target)) ?? records;
  })();
}

async function checkKeys(records: Buffer, tp: TopicPartition): Promise<void> {
  let batchNumber = 0;
  for (const batch of iterateBatches(records)) {
    if (!batch.isControl) {
      let batchIndex = 0;
      for (const record of await batch.recordsAsync()) {
        if (record.key === null) {
          const message =
            `Compacted topic cannot accept message without key in topic partition ${tpKey(tp.topic, tp.partition)} ` +
            `(batch ${batchNumber}, record ${batchIndex}). Give every record a key, or use cleanup.policy=delete.`;
          throw new RecordValidationError(message, [{ batchIndex, message }]);
        }
        batchIndex++;
      }
    }
    batchNumber++;
  }
}
