/**
 * OffsetForLeaderEpoch (api key 23): for each partition, the end offset of the given leader epoch on the
 * leader, i.e. the start offset of the next higher epoch (or the log end offset if it is the latest). A follower
 * truncates to it before fetching (KIP-101/KIP-279). Fields follow Kafka 2.8's
 * OffsetForLeaderEpochRequest/Response (v4 field set).
 *
 * OffsetForLeaderEpochRequest => replicaId topics[topic partitions[partition currentLeaderEpoch leaderEpoch]]
 * OffsetForLeaderEpochResponse => throttleTimeMs topics[topic partitions[errorCode partition leaderEpoch
 *     endOffset]]
 *
 * - replicaId: the follower's broker id; -1 from consumers, -2 for debugging.
 * - currentLeaderEpoch: the requester's view of the current epoch, -1 to skip fencing.
 * - Response: the largest epoch <= the one asked that the leader knows, and its end offset; -1/-1 with
 *   UNDEFINED_EPOCH semantics when there is none.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, string, struct, type Infer } from '../schema.js';

const OffsetForLeaderEpochRequestSchema = struct({
  replicaId: int32(),
  topics: array(
    struct({
      topic: string(),
      partitions: array(
        struct({
          partition: int32({ min: 0 }),
          currentLeaderEpoch: int32({ min: -1 }),
          leaderEpoch: int32({ min: 0 }),
        }),
      ),
    }),
  ),
});

const OffsetForLeaderEpochResponseSchema = struct({
  throttleTimeMs: int32(),
  topics: array(
    struct({
      topic: string(),
      partitions: array(
        struct({
          errorCode: int16(),
          partition: int32(),
          leaderEpoch: int32(),
          endOffset: int64(),
        }),
      ),
    }),
  ),
});

export type OffsetForLeaderEpochRequest = Infer<typeof OffsetForLeaderEpochRequestSchema>;
export type OffsetForLeaderEpochResponse = Infer<typeof OffsetForLeaderEpochResponseSchema>;

export const OFFSET_FOR_LEADER_EPOCH_API = defineApi({
  apiKey: ApiKey.OffsetForLeaderEpoch,
  name: 'OffsetForLeaderEpoch',
  requestSchema: OffsetForLeaderEpochRequestSchema,
  responseSchema: OffsetForLeaderEpochResponseSchema,
});

export const validateOffsetForLeaderEpochRequest = OFFSET_FOR_LEADER_EPOCH_API.validateRequest;
