/**
 * TxnOffsetCommit (api key 28): a transactional producer commits a consumer group's offsets inside its transaction,
 * to the group's coordinator, after AddOffsetsToTxn. The offsets are stored in `__consumer_offsets` as pending; the
 * transaction's COMMIT marker there makes them the group's committed offsets, an ABORT marker drops them. Fields
 * follow Kafka 2.8's TxnOffsetCommitRequest/Response (v3, KIP-447's group fields).
 *
 * TxnOffsetCommitRequest => transactionalId groupId producerId producerEpoch generationId memberId groupInstanceId?
 *     topics[name partitions[partitionIndex committedOffset committedLeaderEpoch committedMetadata?]]
 * TxnOffsetCommitResponse => throttleTimeMs topics[name partitions[partitionIndex errorCode]]
 *
 * - generationId/memberId/groupInstanceId: the consumer's group metadata (`consumer.groupMetadata()`), checked as
 *   OffsetCommit checks them (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID), so that a member that lost
 *   its partitions cannot commit for them (KIP-447); generation -1 and member '' skip the check.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { int16, int32, int64, nullable, string, struct, type Infer } from '../schema.js';
import { OFFSET_COMMIT_RESPONSE_TOPICS, OFFSET_COMMIT_TOPICS } from './offset-commit.js';

const TxnOffsetCommitRequestSchema = struct({
  transactionalId: string(),
  groupId: string(),
  producerId: int64(),
  producerEpoch: int16(),
  generationId: int32(),
  memberId: string(),
  groupInstanceId: nullable(string()),
  topics: OFFSET_COMMIT_TOPICS,
});

const TxnOffsetCommitResponseSchema = struct({
  throttleTimeMs: int32(),
  topics: OFFSET_COMMIT_RESPONSE_TOPICS,
});

export type TxnOffsetCommitRequest = Infer<typeof TxnOffsetCommitRequestSchema>;
export type TxnOffsetCommitResponse = Infer<typeof TxnOffsetCommitResponseSchema>;

export const TXN_OFFSET_COMMIT_API = defineApi({
  apiKey: ApiKey.TxnOffsetCommit,
  name: 'TxnOffsetCommit',
  requestSchema: TxnOffsetCommitRequestSchema,
  responseSchema: TxnOffsetCommitResponseSchema,
});
