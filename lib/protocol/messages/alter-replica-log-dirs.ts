/**
 * AlterReplicaLogDirs (api key 34, KIP-113): move replicas of the broker asked into other log dirs of that broker
 * (JBOD), behind `reassign-partitions` with "log_dirs". Sent to the broker holding (or about to hold) the replicas.
 * Fields follow Kafka 2.8's AlterReplicaLogDirsRequest/Response.
 *
 * AlterReplicaLogDirsRequest => dirs[path topics[name partitions[]]]
 * AlterReplicaLogDirsResponse => throttleTimeMs results[topicName partitions[partitionIndex errorCode]]
 *
 * - path: the target log dir, as named in the broker's log.dirs (absolute).
 * - Per partition: NONE once the move has started (or the replica is already there); REPLICA_NOT_AVAILABLE when
 *   the broker does not host the replica yet (the dir is remembered: the replica is created in it, e.g. by a
 *   reassignment, and the caller retries); LOG_DIR_NOT_FOUND for a path that is not one of its log.dirs;
 *   KAFKA_STORAGE_ERROR when that dir, or the replica's current one, is offline (or any is, for a new move);
 *   CLUSTER_AUTHORIZATION_FAILED without Alter on the Cluster.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, string, struct, type Infer } from '../schema.js';

const AlterReplicaLogDirsRequestSchema = struct({
  dirs: array(
    struct({
      path: string(),
      topics: array(struct({ name: string(), partitions: array(int32({ min: 0 })) })),
    }),
  ),
});

const AlterReplicaLogDirsResponseSchema = struct({
  throttleTimeMs: int32(),
  results: array(
    struct({
      topicName: string(),
      partitions: array(struct({ partitionIndex: int32(), errorCode: int16() })),
    }),
  ),
});

export type AlterReplicaLogDirsRequest = Infer<typeof AlterReplicaLogDirsRequestSchema>;
export type AlterReplicaLogDirsResponse = Infer<typeof AlterReplicaLogDirsResponseSchema>;

export const ALTER_REPLICA_LOG_DIRS_API = defineApi({
  apiKey: ApiKey.AlterReplicaLogDirs,
  name: 'AlterReplicaLogDirs',
  requestSchema: AlterReplicaLogDirsRequestSchema,
  responseSchema: AlterReplicaLogDirsResponseSchema,
});
