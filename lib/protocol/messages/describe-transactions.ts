/**
 * DescribeTransactions (api key 65, KIP-664): a transaction coordinator's state of some transactional ids — for
 * `mq-admin transactions describe`. Fields follow Kafka's DescribeTransactionsRequest/Response (v0).
 *
 * DescribeTransactionsRequest => transactionalIds[]
 * DescribeTransactionsResponse => throttleTimeMs transactionStates[errorCode transactionalId transactionState
 *     transactionTimeoutMs transactionStartTimeMs producerId producerEpoch topics[topic partitions[]]]
 *
 * - transactionState: Kafka's state names (Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit,
 *   CompleteAbort, Dead, PrepareEpochFence). transactionStartTimeMs -1 when no transaction was started.
 * - Per id: NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS (ask its coordinator), TRANSACTIONAL_ID_NOT_FOUND.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int64, string, struct, type Infer } from '../schema.js';

const DescribeTransactionsRequestSchema = struct({
  transactionalIds: array(string()),
});

const DescribeTransactionsResponseSchema = struct({
  throttleTimeMs: int32(),
  transactionStates: array(
    struct({
      errorCode: int16(),
      transactionalId: string(),
      transactionState: string(),
      transactionTimeoutMs: int32(),
      transactionStartTimeMs: int64(),
      producerId: int64(),
      producerEpoch: int16(),
      topics: array(struct({ topic: string(), partitions: array(int32()) })),
    }),
  ),
});

export type DescribeTransactionsRequest = Infer<typeof DescribeTransactionsRequestSchema>;
export type DescribeTransactionsResponse = Infer<typeof DescribeTransactionsResponseSchema>;

export const DESCRIBE_TRANSACTIONS_API = defineApi({
  apiKey: ApiKey.DescribeTransactions,
  name: 'DescribeTransactions',
  requestSchema: DescribeTransactionsRequestSchema,
  responseSchema: DescribeTransactionsResponseSchema,
});
