/**
 * DescribeLogDirs: this broker's log dirs with the size and offset lag of every replica it hosts (or those asked),
 * including replicas moving into a dir (isFutureKey).
 */
import { groupByTopic, tpKey } from '../../common/topic-partition.js';
import type { DescribeLogDirsRequest, DescribeLogDirsResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleDescribeLogDirs(
  s: BrokerServices,
  req: DescribeLogDirsRequest,
): Promise<DescribeLogDirsResponse> {
  const wanted =
    req.topics === null ? null : new Set(req.topics.flatMap((t) => t.partitionIndex.map((p) => tpKey(t.topic, p))));
  return {
    throttleTimeMs: 0,
    results: s.replicaManager.describeLogDirs(wanted).map(({ logDir, errorCode, partitions }) => ({
      errorCode,
      logDir,
      topics: groupByTopic(partitions, (p) => ({
        partitionIndex: p.partition,
        partitionSize: p.size,
        offsetLag: p.offsetLag,
        isFutureKey: p.isFuture,
      })).map(({ name, items }) => ({ name, partitions: items })),
    })),
  };
}
