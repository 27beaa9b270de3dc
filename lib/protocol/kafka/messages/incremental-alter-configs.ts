/** IncrementalAlterConfigs (44) on a Kafka listener: v0-1, flexible from v1. */
import { ApiKey } from '../../api-keys.js';
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_INCREMENTAL_ALTER_CONFIGS = defineKafkaApi<
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse
>({
  apiKey: ApiKey.IncrementalAlterConfigs,
  name: 'IncrementalAlterConfigs',
  versions: '0-1',
  flexibleVersions: '1+',
  request: [
    field('resources', [
      field('resourceType', 'int8'),
      field('resourceName', 'string'),
      field('configs', [
        field('name', 'string'),
        field('configOperation', 'int8'),
        field('value', 'string', { nullable: '0+' }),
      ]),
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
