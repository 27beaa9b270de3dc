/**
 * AddOffsetsToTxn (25) on a Kafka listener: v0-2, none flexible (Kafka 2.8's range); below v2 PRODUCER_FENCED is
 * answered INVALID_PRODUCER_EPOCH, as Kafka does.
 */
import { ApiKey } from '../../api-keys.js';
import type { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';
import { withoutProducerFenced } from './producer-fenced.js';

export const KAFKA_ADD_OFFSETS_TO_TXN = defineKafkaApi<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  apiKey: ApiKey.AddOffsetsToTxn,
  name: 'AddOffsetsToTxn',
  versions: '0-2',
  request: [
    field('transactionalId', 'string'),
    field('producerId', 'int64'),
    field('producerEpoch', 'int16'),
    field('groupId', 'string'),
  ],
  response: [field('throttleTimeMs', 'int32'), field('errorCode', 'int16')],
  adaptResponse: (body, version) => (version < 2 ? withoutProducerFenced(body) : body),
});
