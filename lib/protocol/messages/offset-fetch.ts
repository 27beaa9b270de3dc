/**
 * OffsetFetch (api key 9): a group's committed offsets, for a consumer resuming after a rebalance or for
 * kafka-consumer-groups --describe. Fields follow Kafka 2.8's OffsetFetchRequest/Response (v7).
 *
 * OffsetFetchRequest => groupId topics[name partitionIndexes[]]? requireStable
 * OffsetFetchResponse => throttleTimeMs topics[name partitions[partitionIndex committedOffset committedLeaderEpoch
 *     metadata? errorCode]] errorCode
 *
 * - topics null asks for every partition the group has offsets for.
 * - A partition without a committed offset answers committedOffset -1, metadata '' and no error.
 * - requireStable: with pending transactional offsets, UNSTABLE_OFFSET_COMMIT (retriable) instead of the last
 *   stable value.
 * - The top-level errorCode is for the group (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, ...).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, int64, nullable, string, struct, type Infer } from '../schema.js';

const OffsetFetchRequestSchema = struct({
  groupId: string(),
  topics: nullable(
    array(
      struct({
        name: string(),
        partitionIndexes: array(int32({ min: 0 })),
      }),
    ),
  ),
  requireStable: bool(),
});

const OffsetFetchResponseSchema = struct({
  throttleTimeMs: int32(),
  topics: array(
    struct({
      name: string(),
      partitions: array(
        struct({
          partitionIndex: int32(),
          committedOffset: int64(),
          committedLeaderEpoch: int32(),
          metadata: nullable(string()),
          errorCode: int16(),
        }),
      ),
    }),
  ),
  errorCode: int16(),
});

export type OffsetFetchRequest = Infer<typeof OffsetFetchRequestSchema>;
export type OffsetFetchResponse = Infer<typeof OffsetFetchResponseSchema>;

export const OFFSET_FETCH_API = defineApi({
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  requestSchema: OffsetFetchRequestSchema,
  responseSchema: OffsetFetchResponseSchema,
});
