/**
 * Produce (0) on a Kafka listener: v3-9, flexible from v9. From v3 a request carries record batches in the v2
 * format (magic 2), which is what the log stores; v0-2 would carry message sets v0/v1, which this broker does not
 * convert, so they are not served (clients negotiate v3+; Kafka 4.0 made v3 its minimum too).
 *
 * The record bytes are a zero-copy slice of the request frame, appended as they are.
 */
import { ApiKey } from '../../api-keys.js';
import type { ProduceRequest, ProduceResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_PRODUCE = defineKafkaApi<ProduceRequest, ProduceResponse>({
  apiKey: ApiKey.Produce,
  name: 'Produce',
  versions: '3-9',
  flexibleVersions: '9+',
  request: [
    field('transactionalId', 'string', { nullable: '3+' }),
    field('acks', 'int16'),
    field('timeoutMs', 'int32'),
    field('topicData', [
      field('name', 'string'),
      field('partitionData', [field('index', 'int32'), field('records', 'records', { nullable: '0+' })]),
    ]),
  ],
  response: [
    field('responses', [
      field('name', 'string'),
      field('partitionResponses', [
        field('index', 'int32'),
        field('errorCode', 'int16'),
        field('baseOffset', 'int64'),
        field('logAppendTimeMs', 'int64', { versions: '2+', default: -1 }),
        field('logStartOffset', 'int64', { versions: '5+', default: -1 }),
        field(
          'recordErrors',
          [field('batchIndex', 'int32'), field('batchIndexErrorMessage', 'string', { nullable: '8+' })],
          { versions: '8+' },
        ),
        field('errorMessage', 'string', { versions: '8+', nullable: '8+' }),
      ]),
    ]),
    field('throttleTimeMs', 'int32', { versions: '1+' }),
  ],
});
