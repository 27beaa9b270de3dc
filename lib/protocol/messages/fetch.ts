/**
 * Fetch (api key 1): read record batches from partitions, by consumers (replicaId -1) and by follower replicas
 * (replicaId = their broker id). Fields follow Kafka 2.8's FetchRequest/FetchResponse without fetch sessions
 * (sessionId, sessionEpoch, forgottenTopicsData) and rackId: every fetch is a full fetch.
 *
 * FetchRequest => replicaId maxWaitMs minBytes maxBytes isolationLevel topics[topic partitions[partition
 *     currentLeaderEpoch fetchOffset logStartOffset partitionMaxBytes]]
 * FetchResponse => throttleTimeMs errorCode responses[topic partitions[partitionIndex errorCode highWatermark
 *     lastStableOffset logStartOffset abortedTransactions[producerId firstOffset]? preferredReadReplica records]]
 *
 * - maxWaitMs/minBytes: the broker parks the request until minBytes are available or maxWaitMs passed.
 * - maxBytes bounds the response, partitionMaxBytes each partition; the first batch is returned even if larger.
 * - isolationLevel: 0 READ_UNCOMMITTED (up to the high watermark), 1 READ_COMMITTED (up to the LSO).
 * - currentLeaderEpoch: the fetcher's view of the leader epoch, -1 when unknown (fencing, KIP-320).
 * - logStartOffset: a follower's log start offset, -1 from consumers.
 * - records: whole record batches as stored (a slice of a segment; empty when there is nothing to return).
 * - preferredReadReplica: -1 (no follower fetching).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bytes, int16, int32, int64, int8, nullable, string, struct, type Infer } from '../schema.js';

/** Kafka's FetchRequest.CONSUMER_REPLICA_ID: the replicaId a consumer (not a follower) sends. */
export const CONSUMER_REPLICA_ID = -1;

export const IsolationLevel = {
  ReadUncommitted: 0,
  ReadCommitted: 1,
} as const;

const FetchRequestSchema = struct({
  replicaId: int32(),
  maxWaitMs: int32({ min: 0 }),
  minBytes: int32({ min: 0 }),
  maxBytes: int32({ min: 0 }),
  isolationLevel: int8({ min: 0, max: 1 }),
  topics: array(
    struct({
      topic: string(),
      partitions: array(
        struct({
          partition: int32({ min: 0 }),
          currentLeaderEpoch: int32({ min: -1 }),
          fetchOffset: int64(),
          logStartOffset: int64({ min: -1 }),
          partitionMaxBytes: int32({ min: 0 }),
        }),
      ),
    }),
  ),
});

const FetchResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  responses: array(
    struct({
      topic: string(),
      partitions: array(
        struct({
          partitionIndex: int32(),
          errorCode: int16(),
          highWatermark: int64(),
          lastStableOffset: int64(),
          logStartOffset: int64(),
          abortedTransactions: nullable(
            array(
              struct({
                producerId: int64(),
                firstOffset: int64(),
              }),
            ),
          ),
          preferredReadReplica: int32(),
          records: bytes(),
        }),
      ),
    }),
  ),
});

export type FetchRequest = Infer<typeof FetchRequestSchema>;
export type FetchResponse = Infer<typeof FetchResponseSchema>;

export const FETCH_API = defineApi({
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  requestSchema: FetchRequestSchema,
  responseSchema: FetchResponseSchema,
});

export const validateFetchRequest = FETCH_API.validateRequest;
