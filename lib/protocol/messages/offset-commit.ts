/**
 * OffsetCommit (api key 8): a group member stores its position per partition in __consumer_offsets. Fields
 * follow Kafka 2.8's OffsetCommitRequest/Response (v8).
 *
 * OffsetCommitRequest => groupId generationId memberId groupInstanceId? topics[name partitions[partitionIndex
 *     committedOffset committedLeaderEpoch committedMetadata?]]
 * OffsetCommitResponse => throttleTimeMs topics[name partitions[partitionIndex errorCode]]
 *
 * - generationId -1 with memberId '' commits for a group used without membership (manual assignment); any
 *   other generation must be the group's current one (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 *   REBALANCE_IN_PROGRESS otherwise), which fences members that were replaced.
 * - committedMetadata longer than offset.metadata.max.bytes gets OFFSET_METADATA_TOO_LARGE.
 * - The commit is acknowledged once written with acks=all to the offsets partition.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, nullable, string, struct, type Infer } from '../schema.js';

/** The offsets of a commit, per topic and partition (TxnOffsetCommit carries the same). */
export const OFFSET_COMMIT_TOPICS = array(
  struct({
    name: string(),
    partitions: array(
      struct({
        partitionIndex: int32({ min: 0 }),
        committedOffset: int64(),
        committedLeaderEpoch: int32(),
        committedMetadata: nullable(string()),
      }),
    ),
  }),
);

/** A commit's answer per topic and partition (TxnOffsetCommit's too). */
export const OFFSET_COMMIT_RESPONSE_TOPICS = array(
  struct({
    name: string(),
    partitions: array(
      struct({
        partitionIndex: int32(),
        errorCode: int16(),
      }),
    ),
  }),
);

const OffsetCommitRequestSchema = struct({
  groupId: string(),
  generationId: int32(),
  memberId: string(),
  groupInstanceId: nullable(string()),
  topics: OFFSET_COMMIT_TOPICS,
});

const OffsetCommitResponseSchema = struct({
  throttleTimeMs: int32(),
  topics: OFFSET_COMMIT_RESPONSE_TOPICS,
});

export type OffsetCommitRequest = Infer<typeof OffsetCommitRequestSchema>;
export type OffsetCommitResponse = Infer<typeof OffsetCommitResponseSchema>;

export const OFFSET_COMMIT_API = defineApi({
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  requestSchema: OffsetCommitRequestSchema,
  responseSchema: OffsetCommitResponseSchema,
});
