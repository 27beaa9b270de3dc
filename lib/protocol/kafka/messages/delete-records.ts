/** DeleteRecords (21) on a Kafka listener: v0-2 (v1 only changed throttling), flexible from v2. */
import { ApiKey } from '../../api-keys.js';
import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_DELETE_RECORDS = defineKafkaApi<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: ApiKey.DeleteRecords,
  name: 'DeleteRecords',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [
    field('topics', [
      field('name', 'string'),
      field('partitions', [field('partitionIndex', 'int32'), field('offset', 'int64')]),
    ]),
    field('timeoutMs', 'int32'),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('topics', [
      field('name', 'string'),
      field('partitions', [
        field('partitionIndex', 'int32'),
        field('lowWatermark', 'int64'),
        field('errorCode', 'int16'),
      ]),
    ]),
  ],
});
