/**
 * InitProducerId (api key 22): a producer id and epoch for an idempotent producer, or, with a transactional id, for
 * a transactional one. Fields follow Kafka 2.8's InitProducerIdRequest/Response (v4 field set).
 *
 * InitProducerIdRequest => transactionalId? transactionTimeoutMs producerId producerEpoch
 * InitProducerIdResponse => throttleTimeMs errorCode producerId producerEpoch
 *
 * - transactionalId: null for an idempotent producer, which any broker serves: a new producer id, epoch 0.
 * - transactionTimeoutMs: the transaction timeout; ignored without a transactional id.
 * - producerId/producerEpoch (KIP-360): the id and epoch the producer has now (-1/-1 when it has none), so that a
 *   transactional producer keeps its id across an epoch bump; an idempotent producer bumps its epoch itself and
 *   asks for a new id only when it has none.
 * - The response's producerId is -1 and producerEpoch -1 with an error.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { int16, int32, int64, nullable, string, struct, type Infer } from '../schema.js';

const InitProducerIdRequestSchema = struct({
  transactionalId: nullable(string()),
  transactionTimeoutMs: int32(),
  producerId: int64(),
  producerEpoch: int16(),
});

const InitProducerIdResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  producerId: int64(),
  producerEpoch: int16(),
});

export type InitProducerIdRequest = Infer<typeof InitProducerIdRequestSchema>;
export type InitProducerIdResponse = Infer<typeof InitProducerIdResponseSchema>;

export const INIT_PRODUCER_ID_API = defineApi({
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  requestSchema: InitProducerIdRequestSchema,
  responseSchema: InitProducerIdResponseSchema,
});
