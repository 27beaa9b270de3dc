/**
 * SaslHandshake (17) on a Kafka listener: v1 only. v0 meant that the SASL tokens follow as raw frames outside
 * Kafka's request framing; every client since Kafka 1.0 (librdkafka, KafkaJS, the Java client) sends v1 and then
 * SaslAuthenticate requests when the broker lists v1.
 */
import { ApiKey } from '../../api-keys.js';
import type { SaslHandshakeRequest, SaslHandshakeResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_SASL_HANDSHAKE = defineKafkaApi<SaslHandshakeRequest, SaslHandshakeResponse>({
  apiKey: ApiKey.SaslHandshake,
  name: 'SaslHandshake',
  versions: '1',
  request: [field('mechanism', 'string')],
  response: [field('errorCode', 'int16'), field('mechanisms', arrayOf('string'))],
});
