/**
 * ListOffsetTimestamps (api key 10001, mq's own): the reverse of ListOffsets — for an offset, the timestamp of the
 * first record at or after it that consumers can read (below the high watermark), with the partition's high
 * watermark and log start offset. Answered by the partition's leader (NOT_LEADER_OR_FOLLOWER elsewhere); the group
 * coordinator asks it to tell how old the oldest record a group has not consumed is.
 *
 * ListOffsetTimestampsRequest => topics[name partitions[partitionIndex offset]]
 * ListOffsetTimestampsResponse => throttleTimeMs topics[name partitions[partitionIndex errorCode offset timestamp
 *   highWatermark logStartOffset]]
 *
 * - offset in the response: of the record found (at or after the one asked; the log start when that was deleted),
 *   -1 with timestamp -1 when there is none below the high watermark.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, string, struct, type Infer } from '../schema.js';

const ListOffsetTimestampsRequestSchema = struct({
  topics: array(
    struct({
      name: string(),
      partitions: array(struct({ partitionIndex: int32({ min: 0 }), offset: int64({ min: 0 }) })),
    }),
  ),
});

const ListOffsetTimestampsResponseSchema = struct({
  throttleTimeMs: int32(),
  topics: array(
    struct({
      name: string(),
      partitions: array(
        struct({
          partitionIndex: int32(),
          errorCode: int16(),
          offset: int64(),
          timestamp: int64(),
          highWatermark: int64(),
          logStartOffset: int64(),
        }),
      ),
    }),
  ),
});

export type ListOffsetTimestampsRequest = Infer<typeof ListOffsetTimestampsRequestSchema>;
export type ListOffsetTimestampsResponse = Infer<typeof ListOffsetTimestampsResponseSchema>;

export const LIST_OFFSET_TIMESTAMPS_API = defineApi({
  apiKey: ApiKey.ListOffsetTimestamps,
  name: 'ListOffsetTimestamps',
  requestSchema: ListOffsetTimestampsRequestSchema,
  responseSchema: ListOffsetTimestampsResponseSchema,
});
