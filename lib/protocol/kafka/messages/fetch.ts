/**
 * Fetch (1) on a Kafka listener: v4-12, flexible from v12. v4 is the first version whose responses carry record
 * batches v2 as stored (older ones would need down-conversion to message sets v0/v1, which this broker does not do).
 *
 * Fetch sessions (KIP-227, v7+): this broker keeps none. A full fetch (sessionEpoch 0, asking for a session, or
 * -1, sessionless) is answered with sessionId 0, which tells the client that no session was created and its next
 * fetch must be full again; an incremental fetch (any other epoch) is answered FETCH_SESSION_ID_NOT_FOUND, as
 * Kafka answers one for a session it does not have. forgottenTopicsData only matters to sessions and is ignored.
 *
 * The response's record data are the slices of mapped segments the fetch handler returns, written to the socket
 * as their own chunks (`KafkaWriter`), never copied.
 */
import { ApiError } from '../../../common/errors.js';
import { ApiKey } from '../../api-keys.js';
import type { FetchRequest, FetchResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;

export const KAFKA_FETCH = defineKafkaApi<FetchRequest, FetchResponse>({
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  versions: '4-12',
  flexibleVersions: '12+',
  request: [
    field('replicaId', 'int32'),
    field('maxWaitMs', 'int32'),
    field('minBytes', 'int32'),
    field('maxBytes', 'int32'),
    field('isolationLevel', 'int8'),
    field('sessionId', 'int32', { versions: '7+' }),
    field('sessionEpoch', 'int32', { versions: '7+', default: FINAL_EPOCH }),
    field('topics', [
      field('topic', 'string'),
      field('partitions', [
        field('partition', 'int32'),
        field('currentLeaderEpoch', 'int32', { versions: '9+', default: -1 }),
        field('fetchOffset', 'int64'),
        field('lastFetchedEpoch', 'int32', { versions: '12+', default: -1 }),
        field('logStartOffset', 'int64', { versions: '5+', default: -1 }),
        field('partitionMaxBytes', 'int32'),
      ]),
    ]),
    field('forgottenTopicsData', [field('topic', 'string'), field('partitions', arrayOf('int32'))], {
      versions: '7+',
    }),
    field('rackId', 'string', { versions: '11+' }),
  ],
  response: [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    field('errorCode', 'int16', { versions: '7+' }),
    field('sessionId', 'int32', { versions: '7+' }),
    field('responses', [
      field('topic', 'string'),
      field('partitions', [
        field('partitionIndex', 'int32'),
        field('errorCode', 'int16'),
        field('highWatermark', 'int64'),
        field('lastStableOffset', 'int64', { default: -1 }),
        field('logStartOffset', 'int64', { versions: '5+', default: -1 }),
        field('abortedTransactions', [field('producerId', 'int64'), field('firstOffset', 'int64')], {
          nullable: '4+',
        }),
        field('preferredReadReplica', 'int32', { versions: '11+', default: -1 }),
        field('records', 'records', { nullable: '0+' }),
      ]),
    ]),
  ],
  adaptRequest(body) {
    const epoch = body['sessionEpoch'];
    if (epoch !== INITIAL_EPOCH && epoch !== FINAL_EPOCH) {
      throw new ApiError(
        'FETCH_SESSION_ID_NOT_FOUND',
        `Fetch session ${String(body['sessionId'])} (epoch ${String(epoch)}) is not known: this broker keeps no ` +
          'fetch sessions and answers every fetch in full; send sessionEpoch 0 or -1.',
      );
    }
  },
});
