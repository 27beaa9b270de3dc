/**
 * AddPartitionsToTxn (24) on a Kafka listener: v0-2, none flexible (Kafka 2.8's range). v1 and v2 change only what
 * the broker may answer: v2 may carry PRODUCER_FENCED, which older versions get as INVALID_PRODUCER_EPOCH (per
 * partition here, as every partition of the request carries the request's error).
 */
import { ErrorCode } from '../../../common/error-codes.js';
import { ApiKey } from '../../api-keys.js';
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';
import { withoutProducerFenced } from './producer-fenced.js';

export const KAFKA_ADD_PARTITIONS_TO_TXN = defineKafkaApi<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  apiKey: ApiKey.AddPartitionsToTxn,
  name: 'AddPartitionsToTxn',
  versions: '0-2',
  request: [
    field('transactionalId', 'string'),
    field('producerId', 'int64'),
    field('producerEpoch', 'int16'),
    field('topics', [field('name', 'string'), field('partitions', arrayOf('int32'))]),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('results', [
      field('name', 'string'),
      field('results', [field('partitionIndex', 'int32'), field('errorCode', 'int16')]),
    ]),
  ],
  adaptResponse(body, version) {
    const fenced = (p: { errorCode: number }) => p.errorCode === ErrorCode.PRODUCER_FENCED;
    if (version >= 2 || !body.results.some((t) => t.results.some(fenced))) return body;
    return {
      ...body,
      results: body.results.map((t) => ({ ...t, results: t.results.map(withoutProducerFenced) })),
    };
  },
});
