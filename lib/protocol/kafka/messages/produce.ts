/**
 * Produce (0) on a Kafka listener: v0-9, flexible from v9; transactionalId from v3, logAppendTimeMs in responses
 * from v2, logStartOffset from v5, record errors and the error message from v8.
 *
 * The log stores record batches v2 (magic 2), which clients send from v3 on. v0-2 are served too, because
 * librdkafka 2.0 compresses with gzip, snappy or lz4 only when the broker lists Produce v0; as in Kafka, their
 * records are not checked against the version, and a message set of magic 0 or 1 (which this broker does not
 * convert) is refused per partition with CORRUPT_MESSAGE by the log's validation.
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
  versions: '0-9',
  flexibleVersions: '9+',
  request: [
    field('transactionalId', 'string', { versions: '3+', nullable: '3+' }),
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
