/** SaslAuthenticate (36) on a Kafka listener: v0-2, flexible from v2; sessionLifetimeMs from v1 (KIP-368). */
import { ApiKey } from '../../api-keys.js';
import type { SaslAuthenticateRequest, SaslAuthenticateResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_SASL_AUTHENTICATE = defineKafkaApi<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  apiKey: ApiKey.SaslAuthenticate,
  name: 'SaslAuthenticate',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [field('authBytes', 'bytes')],
  response: [
    field('errorCode', 'int16'),
    field('errorMessage', 'string', { nullable: '0+' }),
    field('authBytes', 'bytes'),
    field('sessionLifetimeMs', 'int64', { versions: '1+' }),
  ],
});
