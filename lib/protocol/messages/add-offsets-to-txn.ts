/**
 * AddOffsetsToTxn (api key 25): a transactional producer adds a consumer group's offsets to its transaction
 * (`sendOffsetsToTransaction`): the coordinator adds the group's `__consumer_offsets` partition, so that the
 * transaction's marker is also written there and the offsets the producer then commits with TxnOffsetCommit become
 * visible (commit) or are dropped (abort) with the rest. Fields follow Kafka 2.8's AddOffsetsToTxnRequest/Response
 * (v3 field set).
 *
 * AddOffsetsToTxnRequest => transactionalId producerId producerEpoch groupId
 * AddOffsetsToTxnResponse => throttleTimeMs errorCode
 *
 * - Errors as AddPartitionsToTxn's.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { int16, int32, int64, string, struct, type Infer } from '../schema.js';

const AddOffsetsToTxnRequestSchema = struct({
  transactionalId: string(),
  producerId: int64(),
  producerEpoch: int16(),
  groupId: string(),
});

const AddOffsetsToTxnResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
});

export type AddOffsetsToTxnRequest = Infer<typeof AddOffsetsToTxnRequestSchema>;
export type AddOffsetsToTxnResponse = Infer<typeof AddOffsetsToTxnResponseSchema>;

export const ADD_OFFSETS_TO_TXN_API = defineApi({
  apiKey: ApiKey.AddOffsetsToTxn,
  name: 'AddOffsetsToTxn',
  requestSchema: AddOffsetsToTxnRequestSchema,
  responseSchema: AddOffsetsToTxnResponseSchema,
});
