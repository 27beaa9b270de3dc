/**
 * ListTransactions (api key 66, KIP-664): the transactional ids a broker coordinates — for `mq-admin transactions
 * list`, which asks every broker. Fields follow Kafka's ListTransactionsRequest/Response (v0).
 *
 * ListTransactionsRequest => stateFilters[] producerIdFilters[]
 * ListTransactionsResponse => throttleTimeMs errorCode unknownStateFilters[] transactionStates[transactionalId
 *     producerId transactionState]
 *
 * - Empty filters match everything; a state filter that is not a state name is listed in unknownStateFilters.
 * - errorCode: COORDINATOR_LOAD_IN_PROGRESS while a partition of `__transaction_state` led here is loading.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, string, struct, type Infer } from '../schema.js';

const ListTransactionsRequestSchema = struct({
  stateFilters: array(string()),
  producerIdFilters: array(int64()),
});

const ListTransactionsResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  unknownStateFilters: array(string()),
  transactionStates: array(
    struct({
      transactionalId: string(),
      producerId: int64(),
      transactionState: string(),
    }),
  ),
});

export type ListTransactionsRequest = Infer<typeof ListTransactionsRequestSchema>;
export type ListTransactionsResponse = Infer<typeof ListTransactionsResponseSchema>;

export const LIST_TRANSACTIONS_API = defineApi({
  apiKey: ApiKey.ListTransactions,
  name: 'ListTransactions',
  requestSchema: ListTransactionsRequestSchema,
  responseSchema: ListTransactionsResponseSchema,
});
