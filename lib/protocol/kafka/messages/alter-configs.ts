/** AlterConfigs (33) on a Kafka listener: v0-2, flexible from v2. */
import { ApiKey } from '../../api-keys.js';
import type { AlterConfigsRequest, AlterConfigsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_ALTER_CONFIGS = defineKafkaApi<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: ApiKey.AlterConfigs,
  name: 'AlterConfigs',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [
    field('resources', [
      field('resourceType', 'int8'),
      field('resourceName', 'string'),
      field('configs', [field('name', 'string'), field('value', 'string', { nullable: '0+' })]),
    ]),
    field('validateOnly', 'bool'),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('responses', [
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { nullable: '0+' }),
      field('resourceType', 'int8'),
      field('resourceName', 'string'),
    ]),
  ],
});
