/** ListPartitionReassignments (46) on a Kafka listener: v0, flexible (KIP-455, Kafka 2.4+). */
import { ApiKey } from '../../api-keys.js';
import type { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_LIST_PARTITION_REASSIGNMENTS = defineKafkaApi<
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse
>({
  apiKey: ApiKey.ListPartitionReassignments,
  name: 'ListPartitionReassignments',
  versions: '0',
  flexibleVersions: '0+',
  request: [
    field('timeoutMs', 'int32', { default: 60000 }),
    field('topics', [field('name', 'string'), field('partitionIndexes', arrayOf('int32'))], { nullable: '0+' }),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('errorCode', 'int16'),
    field('errorMessage', 'string', { nullable: '0+' }),
    field('topics', [
      field('name', 'string'),
      field('partitions', [
        field('partitionIndex', 'int32'),
        field('replicas', arrayOf('int32')),
        field('addingReplicas', arrayOf('int32')),
        field('removingReplicas', arrayOf('int32')),
      ]),
    ]),
  ],
});
