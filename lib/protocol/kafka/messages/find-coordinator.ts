/** FindCoordinator (10) on a Kafka listener: v0-3, flexible from v3; keyType from v1 (groups before). */
import { ApiKey } from '../../api-keys.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_FIND_COORDINATOR = defineKafkaApi<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  versions: '0-3',
  flexibleVersions: '3+',
  request: [field('key', 'string'), field('keyType', 'int8', { versions: '1+' })],
  response: [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    field('errorCode', 'int16'),
    field('errorMessage', 'string', { versions: '1+', nullable: '1+' }),
    field('nodeId', 'int32'),
    field('host', 'string'),
    field('port', 'int32'),
  ],
});
