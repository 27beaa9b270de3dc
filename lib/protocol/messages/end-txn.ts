/**
 * EndTxn (api key 26): a transactional producer commits or aborts its transaction. The coordinator stores
 * PrepareCommit/PrepareAbort in `__transaction_state`, answers, then has every partition of the transaction write
 * the marker (WriteTxnMarkers) and stores CompleteCommit/CompleteAbort. Fields follow Kafka 2.8's
 * EndTxnRequest/Response (v3 field set).
 *
 * EndTxnRequest => transactionalId producerId producerEpoch committed
 * EndTxnResponse => throttleTimeMs errorCode
 *
 * - committed: true to commit, false to abort.
 * - A retry of an end already done answers NONE; while it is being done, CONCURRENT_TRANSACTIONS; an end that does
 *   not match the state (commit after an abort, end of an Empty transaction) INVALID_TXN_STATE; a fenced epoch
 *   PRODUCER_FENCED.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { bool, int16, int32, int64, string, struct, type Infer } from '../schema.js';

const EndTxnRequestSchema = struct({
  transactionalId: string(),
  producerId: int64(),
  producerEpoch: int16(),
  committed: bool(),
});

const EndTxnResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
});

export type EndTxnRequest = Infer<typeof EndTxnRequestSchema>;
export type EndTxnResponse = Infer<typeof EndTxnResponseSchema>;

export const END_TXN_API = defineApi({
  apiKey: ApiKey.EndTxn,
  name: 'EndTxn',
  requestSchema: EndTxnRequestSchema,
  responseSchema: EndTxnResponseSchema,
});
