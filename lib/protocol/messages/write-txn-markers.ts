/**
 * WriteTxnMarkers (api key 27): a transaction coordinator (or `mq-admin transactions --abort`, KIP-664) has a
 * partition leader append a transaction marker — COMMIT or ABORT, a control batch with the producer's id and epoch
 * and the coordinator's epoch — to each listed partition it leads. Fields follow Kafka 2.8's
 * WriteTxnMarkersRequest/Response (v1 field set).
 *
 * WriteTxnMarkersRequest => markers[producerId producerEpoch transactionResult topics[name partitionIndexes[]]
 *     coordinatorEpoch]
 * WriteTxnMarkersResponse => markers[producerId topics[name partitions[partitionIndex errorCode]]]
 *
 * - transactionResult: true COMMIT, false ABORT.
 * - Per partition: NOT_LEADER_OR_FOLLOWER / UNKNOWN_TOPIC_OR_PARTITION / NOT_ENOUGH_REPLICAS(_AFTER_APPEND) /
 *   REQUEST_TIMED_OUT (the coordinator retries, with the leader it finds then), INVALID_PRODUCER_EPOCH (a newer
 *   epoch wrote here) or TRANSACTION_COORDINATOR_FENCED (a newer coordinator wrote here): the coordinator gives up
 *   the markers. Markers are appended with acks=all; the answer comes once replicated.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, int64, string, struct, type Infer } from '../schema.js';

const WriteTxnMarkersRequestSchema = struct({
  markers: array(
    struct({
      producerId: int64(),
      producerEpoch: int16(),
      transactionResult: bool(),
      topics: array(struct({ name: string(), partitionIndexes: array(int32({ min: 0 })) })),
      coordinatorEpoch: int32(),
    }),
  ),
});

const WriteTxnMarkersResponseSchema = struct({
  markers: array(
    struct({
      producerId: int64(),
      topics: array(
        struct({
          name: string(),
          partitions: array(struct({ partitionIndex: int32(), errorCode: int16() })),
        }),
      ),
    }),
  ),
});

export type WriteTxnMarkersRequest = Infer<typeof WriteTxnMarkersRequestSchema>;
export type WriteTxnMarkersResponse = Infer<typeof WriteTxnMarkersResponseSchema>;

export const WRITE_TXN_MARKERS_API = defineApi({
  apiKey: ApiKey.WriteTxnMarkers,
  name: 'WriteTxnMarkers',
  requestSchema: WriteTxnMarkersRequestSchema,
  responseSchema: WriteTxnMarkersResponseSchema,
});
