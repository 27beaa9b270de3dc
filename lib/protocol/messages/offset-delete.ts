/**
 * OffsetDelete (api key 47): delete a group's committed offsets of some partitions (tombstones in
 * __consumer_offsets), behind kafka-consumer-groups --delete-offsets. Fields follow Kafka 2.8's
 * OffsetDeleteRequest/Response (v0).
 *
 * OffsetDeleteRequest => groupId topics[name partitions[partitionIndex]]
 * OffsetDeleteResponse => errorCode throttleTimeMs topics[name partitions[partitionIndex errorCode]]
 *
 * - Top level: NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS, GROUP_ID_NOT_FOUND for an unknown group,
 *   NON_EMPTY_GROUP for an active group that is not a consumer group.
 * - Per partition: GROUP_SUBSCRIBED_TO_TOPIC while an active consumer group subscribes to its topic.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, string, struct, type Infer } from '../schema.js';

const OffsetDeleteRequestSchema = struct({
  groupId: string(),
  topics: array(
    struct({
      name: string(),
      partitions: array(struct({ partitionIndex: int32() })),
    }),
  ),
});

const OffsetDeleteResponseSchema = struct({
  errorCode: int16(),
  throttleTimeMs: int32(),
  topics: array(
    struct({
      name: string(),
      partitions: array(struct({ partitionIndex: int32(), errorCode: int16() })),
    }),
  ),
});

export type OffsetDeleteRequest = Infer<typeof OffsetDeleteRequestSchema>;
export type OffsetDeleteResponse = Infer<typeof OffsetDeleteResponseSchema>;

export const OFFSET_DELETE_API = defineApi({
  apiKey: ApiKey.OffsetDelete,
  name: 'OffsetDelete',
  requestSchema: OffsetDeleteRequestSchema,
  responseSchema: OffsetDeleteResponseSchema,
});
