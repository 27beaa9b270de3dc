/**
 * AlterReplicaLogDirs (KIP-113): moves replicas of this broker into the log dirs named (ReplicaManager); each
 * partition gets its error code, and those refused are logged with their reason by the ReplicaManager, since
 * Kafka's response carries only the code.
 */
import { groupByTopic } from '../../common/topic-partition.js';
import type { AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleAlterReplicaLogDirs(
  s: BrokerServices,
  req: AlterReplicaLogDirsRequest,
): Promise<AlterReplicaLogDirsResponse> {
  const moves = req.dirs.flatMap((d) =>
    d.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition, dir: d.path }))),
  );
  const results = s.replicaManager.alterReplicaLogDirs(moves);
  return {
    throttleTimeMs: 0,
    results: groupByTopic(results, (r) => ({ partitionIndex: r.partition, errorCode: r.errorCode })).map(
      ({ name, items }) => ({ topicName: name, partitions: items }),
    ),
  };
}
