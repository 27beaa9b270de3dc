/**
 * Kafka's rule for compacted topics (LogValidator's `validateKey`): every record appended to a log with
 * cleanup.policy=compact must have a key, since compaction keeps the last record per key and a keyless record
 * could never be cleaned. This is the one place the broker decodes records on the produce path, and only for
 * compacted topics, as in Kafka; compressed batches are decompressed (off the event loop for every codec).
 *
 * Callers: the produce handler, before handing a compacted topic's batches to the replica manager. Followers
 * never run it: they copy what the leader accepted.
 */
import { iterateBatches } from '../record/record-batch-reader.js';

/** A record without a key: its batch's index in the request and its index inside that batch (Kafka's batchIndex). */
export interface KeylessRecord {
  batchNumber: number;
  batchIndex: number;
}

/** The first keyless non-control record in `records`, or null when every record has a key. */
export async function findKeylessRecord(records: Buffer): Promise<KeylessRecord | null> {
  let batchNumber = 0;
  for (const batch of iterateBatches(records)) {
    if (!batch.isControl) {
      let batchIndex = 0;
      for (const record of await batch.recordsAsync()) {
        if (record.key === null) return { batchNumber, batchIndex };
        batchIndex++;
      }
    }
    batchNumber++;
  }
  return null;
}
