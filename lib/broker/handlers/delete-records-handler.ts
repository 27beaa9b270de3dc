/**
 * DeleteRecords (KIP-107): served by the leaders of the partitions named. The ReplicaManager raises each log start
 * offset and waits for the followers (up to timeoutMs); partitions that fail are logged with their reason, since
 * Kafka's response carries only the error code, and the client prints that code's message.
 */
import { groupByTopic } from '../../common/topic-partition.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleDeleteRecords(
  s: BrokerServices,
  req: DeleteRecordsRequest,
): Promise<DeleteRecordsResponse> {
  const entries = req.topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.offset })),
  );
  const results = await s.replicaManager.deleteRecords(entries, Math.max(0, req.timeoutMs));
  for (const r of results) {
    if (r.errorMessage !== undefined) {
      s.logger.info(
        { topicPartition: `${r.topic}-${r.partition}`, errorCode: r.errorCode, reason: r.errorMessage },
        'DeleteRecords refused for a partition',
      );
    }
  }
  return {
    throttleTimeMs: 0,
    topics: groupByTopic(results, (r) => ({
      partitionIndex: r.partition,
      lowWatermark: r.lowWatermark,
      errorCode: r.errorCode,
    })).map(({ name, items }) => ({ name, partitions: items })),
  };
}
