/** DescribeCluster (60) on a Kafka listener: v0, flexible (KIP-700, Kafka 2.8). */
import { ApiKey } from '../../api-keys.js';
import type { DescribeClusterRequest, DescribeClusterResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_DESCRIBE_CLUSTER = defineKafkaApi<DescribeClusterRequest, DescribeClusterResponse>({
  apiKey: ApiKey.DescribeCluster,
  name: 'DescribeCluster',
  versions: '0',
  flexibleVersions: '0+',
  request: [field('includeClusterAuthorizedOperations', 'bool')],
  response: [
    field('throttleTimeMs', 'int32'),
    field('errorCode', 'int16'),
    field('errorMessage', 'string', { nullable: '0+' }),
    field('clusterId', 'string'),
    field('controllerId', 'int32', { default: -1 }),
    field('brokers', [
      field('brokerId', 'int32'),
      field('host', 'string'),
      field('port', 'int32'),
      field('rack', 'string', { nullable: '0+' }),
    ]),
    field('clusterAuthorizedOperations', 'int32', { default: -2147483648 }),
  ],
});
