/** AlterClientQuotas (49) on a Kafka listener: v0-1, flexible from v1. */
import { ApiKey } from '../../api-keys.js';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

const ENTITY = field('entity', [field('entityType', 'string'), field('entityName', 'string', { nullable: '0+' })]);

export const KAFKA_ALTER_CLIENT_QUOTAS = defineKafkaApi<AlterClientQuotasRequest, AlterClientQuotasResponse>({
  apiKey: ApiKey.AlterClientQuotas,
  name: 'AlterClientQuotas',
  versions: '0-1',
  flexibleVersions: '1+',
  request: [
    field('entries', [
      ENTITY,
      field('ops', [field('key', 'string'), field('value', 'float64'), field('remove', 'bool')]),
    ]),
    field('validateOnly', 'bool'),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('entries', [field('errorCode', 'int16'), field('errorMessage', 'string', { nullable: '0+' }), ENTITY]),
  ],
});
