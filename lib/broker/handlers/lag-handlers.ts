/**
 * The lag-in-time APIs (mq's own):
 * - ListOffsetTimestamps, answered by a partition's leader: the timestamp of the first readable record at or after an
 *   offset (record-timestamp.ts), with the high watermark; NOT_LEADER_OR_FOLLOWER on a follower,
 *   UNKNOWN_TOPIC_OR_PARTITION where the partition is not hosted.
 * - DescribeGroupLag, answered by the group's coordinator (GroupLag): lag in records and in time per partition.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { timestampAtOffset } from '../../log/record-timestamp.js';
import type {
  DescribeGroupLagRequest,
  DescribeGroupLagResponse,
  ListOffsetTimestampsRequest,
  ListOffsetTimestampsResponse,
} from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

type Answer = ListOffsetTimestampsResponse['topics'][number]['partitions'][number];

async function lookUp(s: BrokerServices, topic: string, partitionIndex: number, offset: number): Promise<Answer> {
  const none = { partitionIndex, offset: -1, timestamp: -1, highWatermark: -1, logStartOffset: -1 };
  const partition = s.replicaManager.getPartition(topic, partitionIndex);
  if (partition === undefined) {
    const exists = (s.metadataCache.partitionCount(topic) ?? 0) > partitionIndex;
    return {
      ...none,
      errorCode: exists ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    };
  }
  if (!partition.isLeader) return { ...none, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
  try {
    return { partitionIndex, errorCode: ErrorCode.NONE, ...(await timestampAtOffset(partition.log, offset)) };
  } catch (err) {
    s.logger.warn({ err, topic, partition: partitionIndex, offset }, 'could not read a record timestamp');
    return { ...none, errorCode: ErrorCode.KAFKA_STORAGE_ERROR };
  }
}

export async function handleListOffsetTimestamps(
  s: BrokerServices,
  req: ListOffsetTimestampsRequest,
): Promise<ListOffsetTimestampsResponse> {
  return {
    throttleTimeMs: 0,
    topics: await Promise.all(
      req.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(t.partitions.map((p) => lookUp(s, t.name, p.partitionIndex, p.offset))),
      })),
    ),
  };
}

export async function handleDescribeGroupLag(
  s: BrokerServices,
  req: DescribeGroupLagRequest,
): Promise<DescribeGroupLagResponse> {
  const { errorCode, partitions } = await s.groupLag.describe(req.groupId, req.includeHistory);
  return { throttleTimeMs: 0, errorCode, nowMs: Date.now(), partitions };
}
