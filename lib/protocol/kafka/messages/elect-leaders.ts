/**
 * ElectLeaders (43) on a Kafka listener: v0-2, flexible from v2. v0 has no election type (always the preferred
 * replica, 0) and no top-level error code.
 */
import { ApiKey } from '../../api-keys.js';
import type { ElectLeadersRequest, ElectLeadersResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_ELECT_LEADERS = defineKafkaApi<ElectLeadersRequest, ElectLeadersResponse>({
  apiKey: ApiKey.ElectLeaders,
  name: 'ElectLeaders',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [
    field('electionType', 'int8', { versions: '1+' }),
    field('topicPartitions', [field('topic', 'string'), field('partitions', arrayOf('int32'))], { nullable: '0+' }),
    field('timeoutMs', 'int32', { default: 60000 }),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('errorCode', 'int16', { versions: '1+' }),
    field('replicaElectionResults', [
      field('topic', 'string'),
      field('partitionResult', [
        field('partitionId', 'int32'),
        field('errorCode', 'int16'),
        field('errorMessage', 'string', { nullable: '0+' }),
      ]),
    ]),
  ],
});
