/** AlterPartitionReassignments (45) on a Kafka listener: v0, flexible (KIP-455, Kafka 2.4+). */
import { ApiKey } from '../../api-keys.js';
import type { AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_ALTER_PARTITION_REASSIGNMENTS = defineKafkaApi<
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse
>({
  apiKey: ApiKey.AlterPartitionReassignments,
  name: 'AlterPartitionReassignments',
  versions: '0',
  flexibleVersions: '0+',
  request: [
    field('timeoutMs', 'int32', { default: 60000 }),
    field('topics', [
      field('name', 'string'),
      field('partitions', [field('partitionIndex', 'int32'), field('replicas', arrayOf('int32'), { nullable: '0+' })]),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('errorCode', 'int16'),
    field('errorMessage', 'string', { nullable: '0+' }),
    field('responses', [
      field('name', 'string'),
      field('partitions', [
        field('partitionIndex', 'int32'),
        field('errorCode', 'int16'),
        field('errorMessage', 'string', { nullable: '0+' }),
      ]),
    ]),
  ],
});
