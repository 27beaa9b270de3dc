/** DescribeClientQuotas (48) on a Kafka listener: v0-1, flexible from v1. */
import { ApiKey } from '../../api-keys.js';
import type { DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_DESCRIBE_CLIENT_QUOTAS = defineKafkaApi<DescribeClientQuotasRequest, DescribeClientQuotasResponse>({
  apiKey: ApiKey.DescribeClientQuotas,
  name: 'DescribeClientQuotas',
  versions: '0-1',
  flexibleVersions: '1+',
  request: [
    field('components', [
      field('entityType', 'string'),
      field('matchType', 'int8'),
      field('match', 'string', { nullable: '0+' }),
    ]),
    field('strict', 'bool'),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('errorCode', 'int16'),
    field('errorMessage', 'string', { nullable: '0+' }),
    field(
      'entries',
      [
        field('entity', [field('entityType', 'string'), field('entityName', 'string', { nullable: '0+' })]),
        field('values', [field('key', 'string'), field('value', 'float64')]),
      ],
      { nullable: '0+' },
    ),
  ],
});
