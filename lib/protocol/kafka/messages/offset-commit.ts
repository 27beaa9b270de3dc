/**
 * OffsetCommit (8) on a Kafka listener: v2-8, flexible from v8. v0 stored offsets in ZooKeeper and v1 took a
 * timestamp per partition; neither is served (Kafka 4.0 made v2 its minimum too; librdkafka's group consumer
 * needs v1 or v2 and negotiates v7). retentionTimeMs (v2-4) is decoded and not used: committed offsets expire
 * after offsets.retention.minutes, as for v5+.
 */
import { ApiKey } from '../../api-keys.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_OFFSET_COMMIT = defineKafkaApi<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  versions: '2-8',
  flexibleVersions: '8+',
  request: [
    field('groupId', 'string'),
    field('generationId', 'int32'),
    field('memberId', 'string'),
    field('groupInstanceId', 'string', { versions: '7+', nullable: '7+' }),
    field('retentionTimeMs', 'int64', { versions: '2-4', default: -1 }),
    field('topics', [
      field('name', 'string'),
      field('partitions', [
        field('partitionIndex', 'int32'),
        field('committedOffset', 'int64'),
        field('committedLeaderEpoch', 'int32', { versions: '6+', default: -1 }),
        field('committedMetadata', 'string', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32', { versions: '3+' }),
    field('topics', [
      field('name', 'string'),
      field('partitions', [field('partitionIndex', 'int32'), field('errorCode', 'int16')]),
    ]),
  ],
});
