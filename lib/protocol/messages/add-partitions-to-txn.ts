/**
 * AddPartitionsToTxn (api key 24): a transactional producer tells its transaction coordinator which partitions it is
 * about to write in the current transaction, before its first batch to each. Fields follow Kafka 2.8's
 * AddPartitionsToTxnRequest/Response (v3 field set).
 *
 * AddPartitionsToTxnRequest => transactionalId producerId producerEpoch topics[name partitions[]]
 * AddPartitionsToTxnResponse => throttleTimeMs results[name results[partitionIndex errorCode]]
 *
 * - The first partition of a transaction moves it from Empty/Complete* to Ongoing; partitions already in it answer
 *   NONE at once.
 * - PRODUCER_FENCED (a newer epoch exists), INVALID_PRODUCER_ID_MAPPING (the id is not the transactional id's),
 *   CONCURRENT_TRANSACTIONS (the previous transaction is still completing: retry), NOT_COORDINATOR /
 *   COORDINATOR_LOAD_IN_PROGRESS / COORDINATOR_NOT_AVAILABLE (find the coordinator again, or retry); a partition
 *   that does not exist answers UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, string, struct, type Infer } from '../schema.js';

const AddPartitionsToTxnRequestSchema = struct({
  transactionalId: string(),
  producerId: int64(),
  producerEpoch: int16(),
  topics: array(struct({ name: string(), partitions: array(int32({ min: 0 })) })),
});

const AddPartitionsToTxnResponseSchema = struct({
  throttleTimeMs: int32(),
  results: array(
    struct({
      name: string(),
      results: array(struct({ partitionIndex: int32(), errorCode: int16() })),
    }),
  ),
});

export type AddPartitionsToTxnRequest = Infer<typeof AddPartitionsToTxnRequestSchema>;
export type AddPartitionsToTxnResponse = Infer<typeof AddPartitionsToTxnResponseSchema>;

export const ADD_PARTITIONS_TO_TXN_API = defineApi({
  apiKey: ApiKey.AddPartitionsToTxn,
  name: 'AddPartitionsToTxn',
  requestSchema: AddPartitionsToTxnRequestSchema,
  responseSchema: AddPartitionsToTxnResponseSchema,
});
