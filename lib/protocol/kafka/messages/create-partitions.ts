/** CreatePartitions (37) on a Kafka listener: v0-3, flexible from v2. */
import { ApiKey } from '../../api-keys.js';
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_CREATE_PARTITIONS = defineKafkaApi<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  versions: '0-3',
  flexibleVersions: '2+',
  request: [
    field('topics', [
      field('name', 'string'),
      field('count', 'int32'),
      field('assignments', [field('brokerIds', arrayOf('int32'))], { nullable: '0+' }),
    ]),
    field('timeoutMs', 'int32'),
    field('validateOnly', 'bool'),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('results', [
      field('name', 'string'),
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { nullable: '0+' }),
    ]),
  ],
});
