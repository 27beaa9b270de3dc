/**
 * ListOffsets (api key 2): the offset for a timestamp in each partition, or the earliest/latest offset. Fields
 * follow Kafka 2.8's ListOffsetsRequest/ListOffsetsResponse (v6 field set).
 *
 * ListOffsetsRequest => replicaId isolationLevel topics[name partitions[partitionIndex currentLeaderEpoch
 *     timestamp]]
 * ListOffsetsResponse => throttleTimeMs topics[name partitions[partitionIndex errorCode timestamp offset
 *     leaderEpoch]]
 *
 * - replicaId: -1 from clients; isolationLevel as in Fetch (READ_COMMITTED answers LATEST with the LSO).
 * - timestamp: a time in ms, or LATEST_TIMESTAMP (-1) / EARLIEST_TIMESTAMP (-2).
 * - The response gives the offset of the first record whose timestamp is >= the one asked, with that record's
 *   timestamp (-1 for LATEST/EARLIEST) and the leader epoch of the batch; offset -1 when there is none.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, int8, string, struct, type Infer } from '../schema.js';

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

const ListOffsetsRequestSchema = struct({
  replicaId: int32(),
  isolationLevel: int8({ min: 0, max: 1 }),
  topics: array(
    struct({
      name: string(),
      partitions: array(
        struct({
          partitionIndex: int32({ min: 0 }),
          currentLeaderEpoch: int32({ min: -1 }),
          timestamp: int64({ min: EARLIEST_TIMESTAMP }),
        }),
      ),
    }),
  ),
});

const ListOffsetsResponseSchema = struct({
  throttleTimeMs: int32(),
  topics: array(
    struct({
      name: string(),
      partitions: array(
        struct({
          partitionIndex: int32(),
          errorCode: int16(),
          timestamp: int64(),
          offset: int64(),
          leaderEpoch: int32(),
        }),
      ),
    }),
  ),
});

export type ListOffsetsRequest = Infer<typeof ListOffsetsRequestSchema>;
export type ListOffsetsResponse = Infer<typeof ListOffsetsResponseSchema>;

export const LIST_OFFSETS_API = defineApi({
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  requestSchema: ListOffsetsRequestSchema,
  responseSchema: ListOffsetsResponseSchema,
});

export const validateListOffsetsRequest = LIST_OFFSETS_API.validateRequest;
