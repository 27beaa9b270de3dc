/**
 * DescribeDelayedRecords (api key 10000, mq's own): what a broker's delayed delivery holds, for each
 * `__delayed_records` partition it leads — pending records per target partition with their earliest due time, the
 * next due slots, and how far delivery got. The admin client asks every broker and merges the answers; a partition
 * that no broker reports is leaderless (or its leader is still starting).
 *
 * DescribeDelayedRecordsRequest => partitions[]? (null: every partition led by the broker asked)
 * DescribeDelayedRecordsResponse => throttleTimeMs errorCode partitions[partitionIndex leaderEpoch state pending
 *   delivered alreadyDelivered dropped lastDropReason? invalid logStartOffset indexedUpTo highWatermark
 *   deliveredBeforeMs indexBytes nextDue[dueMs records] targets[topic partition pending earliestDueMs]]
 *
 * - state: 'Loading' while the leader reads the partition's backlog after taking it over (delivering what falls due
 *   among what it has read), then 'Running'.
 * - nextDue: dueMs -1 counts overdue records waiting for the next round; other entries are the starts of due slots.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, nullable, string, struct, type Infer } from '../schema.js';

const DescribeDelayedRecordsRequestSchema = struct({
  partitions: nullable(array(int32({ min: 0 }))),
});

const DescribeDelayedRecordsResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  partitions: array(
    struct({
      partitionIndex: int32(),
      leaderEpoch: int32(),
      state: string(),
      pending: int64(),
      delivered: int64(),
      alreadyDelivered: int64(),
      dropped: int64(),
      lastDropReason: nullable(string()),
      invalid: int64(),
      logStartOffset: int64(),
      indexedUpTo: int64(),
      highWatermark: int64(),
      deliveredBeforeMs: int64(),
      indexBytes: int64(),
      nextDue: array(struct({ dueMs: int64(), records: int64() })),
      targets: array(struct({ topic: string(), partition: int32(), pending: int64(), earliestDueMs: int64() })),
    }),
  ),
});

export type DescribeDelayedRecordsRequest = Infer<typeof DescribeDelayedRecordsRequestSchema>;
export type DescribeDelayedRecordsResponse = Infer<typeof DescribeDelayedRecordsResponseSchema>;

export const DESCRIBE_DELAYED_RECORDS_API = defineApi({
  apiKey: ApiKey.DescribeDelayedRecords,
  name: 'DescribeDelayedRecords',
  requestSchema: DescribeDelayedRecordsRequestSchema,
  responseSchema: DescribeDelayedRecordsResponseSchema,
});
