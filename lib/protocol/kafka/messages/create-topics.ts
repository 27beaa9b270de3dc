/**
 * CreateTopics (19) on a Kafka listener: v0-7, flexible from v5. validateOnly from v1; from v5 the response
 * carries each topic's partition count, replication factor and configs (written empty: clients read configs with
 * DescribeConfigs), from v7 its topic id (the zero UUID here).
 */
import { ApiKey } from '../../api-keys.js';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_CREATE_TOPICS = defineKafkaApi<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  versions: '0-7',
  flexibleVersions: '5+',
  request: [
    field('topics', [
      field('name', 'string'),
      field('numPartitions', 'int32'),
      field('replicationFactor', 'int16'),
      field('assignments', [field('partitionIndex', 'int32'), field('brokerIds', arrayOf('int32'))]),
      field('configs', [field('name', 'string'), field('value', 'string', { nullable: '0+' })]),
    ]),
    field('timeoutMs', 'int32'),
    field('validateOnly', 'bool', { versions: '1+' }),
  ],
  response: [
    field('throttleTimeMs', 'int32', { versions: '2+' }),
    field('topics', [
      field('name', 'string'),
      field('topicId', 'uuid', { versions: '7+' }),
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { versions: '1+', nullable: '0+' }),
      field('numPartitions', 'int32', { versions: '5+', default: -1 }),
      field('replicationFactor', 'int16', { versions: '5+', default: -1 }),
      field(
        'configs',
        [
          field('name', 'string'),
          field('value', 'string', { nullable: '5+' }),
          field('readOnly', 'bool'),
          field('configSource', 'int8', { default: -1 }),
          field('isSensitive', 'bool'),
        ],
        { versions: '5+', nullable: '5+', default: [] },
      ),
    ]),
  ],
});
