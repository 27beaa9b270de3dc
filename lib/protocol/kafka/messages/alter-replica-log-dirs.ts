/** AlterReplicaLogDirs (34) on a Kafka listener: v0-2 (v1 only changed throttling), flexible from v2. */
import { ApiKey } from '../../api-keys.js';
import type { AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_ALTER_REPLICA_LOG_DIRS = defineKafkaApi<AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse>({
  apiKey: ApiKey.AlterReplicaLogDirs,
  name: 'AlterReplicaLogDirs',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [
    field('dirs', [
      field('path', 'string'),
      field('topics', [field('name', 'string'), field('partitions', arrayOf('int32'))]),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('results', [
      field('topicName', 'string'),
      field('partitions', [field('partitionIndex', 'int32'), field('errorCode', 'int16')]),
    ]),
  ],
});
