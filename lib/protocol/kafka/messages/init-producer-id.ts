/**
 * InitProducerId (22) on a Kafka listener: v0-4, flexible from v2. producerId/producerEpoch (v3+, KIP-360) let a
 * producer ask for an epoch bump of the id it has; older versions always ask for a fresh one (-1, -1).
 * Versions below 4 do not know PRODUCER_FENCED (KIP-588): as Kafka does, they are answered INVALID_PRODUCER_EPOCH.
 */
import { ApiKey } from '../../api-keys.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';
import { withoutProducerFenced } from './producer-fenced.js';

export const KAFKA_INIT_PRODUCER_ID = defineKafkaApi<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  versions: '0-4',
  flexibleVersions: '2+',
  request: [
    field('transactionalId', 'string', { nullable: '0+' }),
    field('transactionTimeoutMs', 'int32'),
    field('producerId', 'int64', { versions: '3+', default: -1 }),
    field('producerEpoch', 'int16', { versions: '3+', default: -1 }),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('errorCode', 'int16'),
    field('producerId', 'int64', { default: -1 }),
    field('producerEpoch', 'int16'),
  ],
  adaptResponse: (body, version) => (version < 4 ? withoutProducerFenced(body) : body),
});
