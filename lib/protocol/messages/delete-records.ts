/**
 * DeleteRecords (api key 21, KIP-107): move partitions' log start offsets forward, making the records before them
 * unreadable and their segments deletable. Sent to each partition's leader. Fields follow Kafka 2.8's
 * DeleteRecordsRequest/DeleteRecordsResponse (v2 field set).
 *
 * DeleteRecordsRequest => topics[name partitions[partitionIndex offset]] timeoutMs
 * DeleteRecordsResponse => throttleTimeMs topics[name partitions[partitionIndex lowWatermark errorCode]]
 *
 * - offset: the new log start offset; -1 means the high watermark (delete everything readable).
 * - timeoutMs: how long the leader waits for every live replica's log start offset to reach the new one.
 * - lowWatermark: the smallest log start offset among the leader and its followers on live brokers once done
 *   (-1 on error). Per partition: OFFSET_OUT_OF_RANGE (above the high watermark, or below -1),
 *   NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, POLICY_VIOLATION (cleanup.policy without delete),
 *   REQUEST_TIMED_OUT (a replica's log start offset did not follow in time; the leader's did move).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, string, struct, type Infer } from '../schema.js';

/** The `offset` that deletes every record below the high watermark. */
export const DELETE_RECORDS_TO_HIGH_WATERMARK = -1;

const DeleteRecordsRequestSchema = struct({
  topics: array(
    struct({
      name: string(),
      partitions: array(
        struct({
          partitionIndex: int32({ min: 0 }),
          offset: int64(),
        }),
      ),
    }),
  ),
  timeoutMs: int32(),
});

const DeleteRecordsResponseSchema = struct({
  throttleTimeMs: int32(),
  topics: array(
    struct({
      name: string(),
      partitions: array(
        struct({
          partitionIndex: int32(),
          lowWatermark: int64(),
          errorCode: int16(),
        }),
      ),
    }),
  ),
});

export type DeleteRecordsRequest = Infer<typeof DeleteRecordsRequestSchema>;
export type DeleteRecordsResponse = Infer<typeof DeleteRecordsResponseSchema>;

export const DELETE_RECORDS_API = defineApi({
  apiKey: ApiKey.DeleteRecords,
  name: 'DeleteRecords',
  requestSchema: DeleteRecordsRequestSchema,
  responseSchema: DeleteRecordsResponseSchema,
});

export const validateDeleteRecordsRequest = DELETE_RECORDS_API.validateRequest;
