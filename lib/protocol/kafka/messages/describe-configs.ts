/**
 * DescribeConfigs (32) on a Kafka listener: v1-4, flexible from v4. v0 answered `isDefault` instead of a config
 * source and is not served (librdkafka and KafkaJS negotiate v1+; Kafka 4.0 dropped v0 too). Synonyms from v1,
 * config type and documentation from v3.
 */
import { ApiKey } from '../../api-keys.js';
import type { DescribeConfigsRequest, DescribeConfigsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_DESCRIBE_CONFIGS = defineKafkaApi<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  versions: '1-4',
  flexibleVersions: '4+',
  request: [
    field('resources', [
      field('resourceType', 'int8'),
      field('resourceName', 'string'),
      field('configurationKeys', arrayOf('string'), { nullable: '0+' }),
    ]),
    field('includeSynonyms', 'bool'),
    field('includeDocumentation', 'bool', { versions: '3+' }),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('results', [
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { nullable: '0+' }),
      field('resourceType', 'int8'),
      field('resourceName', 'string'),
      field('configs', [
        field('name', 'string'),
        field('value', 'string', { nullable: '0+' }),
        field('readOnly', 'bool'),
        field('configSource', 'int8', { default: -1 }),
        field('isSensitive', 'bool'),
        field('synonyms', [
          field('name', 'string'),
          field('value', 'string', { nullable: '0+' }),
          field('source', 'int8'),
        ]),
        field('configType', 'int8', { versions: '3+' }),
        field('documentation', 'string', { versions: '3+', nullable: '0+' }),
      ]),
    ]),
  ],
});
