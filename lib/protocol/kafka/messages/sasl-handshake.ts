/**
 * SaslHandshake (17) on a Kafka listener: v0-1. After v1 the exchange is carried by SaslAuthenticate requests; after
 * v0 (clients before Kafka 1.0) the SASL tokens follow as raw length-prefixed frames outside Kafka's request
 * framing, which the connection's authenticator takes (lib/network/security/sasl-server.ts). librdkafka needs v0 in
 * the range to use SASL at all, and picks v1.
 */
import { ApiKey } from '../../api-keys.js';
import type { SaslHandshakeRequest, SaslHandshakeResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_SASL_HANDSHAKE = defineKafkaApi<SaslHandshakeRequest, SaslHandshakeResponse>({
  apiKey: ApiKey.SaslHandshake,
  name: 'SaslHandshake',
  versions: '0-1',
  request: [field('mechanism', 'string')],
  response: [field('errorCode', 'int16'), field('mechanisms', arrayOf('string'))],
});
