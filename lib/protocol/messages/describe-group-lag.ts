/**
 * DescribeGroupLag (api key 10002, mq's own): a consumer group's lag in offsets and in time, computed by its
 * coordinator, per partition the group has committed an offset for: the committed offset and when it was committed,
 * the partition's high watermark, the lag in records, and the timestamp of the oldest record the group has not
 * consumed (the record at the committed offset) — its age is the lag in time. With `includeHistory`, the last
 * commits kept for each partition, oldest first.
 *
 * DescribeGroupLagRequest => groupId includeHistory
 * DescribeGroupLagResponse => throttleTimeMs errorCode nowMs partitions[topic partition errorCode committedOffset
 *   commitTimestamp highWatermark lag oldestUnconsumedTimestamp lagMs history[offset commitTimestamp]]
 *
 * - errorCode: NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS as for the other group APIs; GROUP_ID_NOT_FOUND when
 *   the group has no committed offsets here.
 * - per partition: the leader's error when its high watermark or timestamp could not be had (then highWatermark,
 *   lag and lagMs are -1); lagMs is 0 when the group is caught up, else nowMs − oldestUnconsumedTimestamp (never
 *   below 0). nowMs is the coordinator's clock when it answered.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, int64, string, struct, type Infer } from '../schema.js';

const DescribeGroupLagRequestSchema = struct({
  groupId: string(),
  includeHistory: bool(),
});

const DescribeGroupLagResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  nowMs: int64(),
  partitions: array(
    struct({
      topic: string(),
      partition: int32(),
      errorCode: int16(),
      committedOffset: int64(),
      commitTimestamp: int64(),
      highWatermark: int64(),
      lag: int64(),
      oldestUnconsumedTimestamp: int64(),
      lagMs: int64(),
      history: array(struct({ offset: int64(), commitTimestamp: int64() })),
    }),
  ),
});

export type DescribeGroupLagRequest = Infer<typeof DescribeGroupLagRequestSchema>;
export type DescribeGroupLagResponse = Infer<typeof DescribeGroupLagResponseSchema>;

export const DESCRIBE_GROUP_LAG_API = defineApi({
  apiKey: ApiKey.DescribeGroupLag,
  name: 'DescribeGroupLag',
  requestSchema: DescribeGroupLagRequestSchema,
  responseSchema: DescribeGroupLagResponseSchema,
});
