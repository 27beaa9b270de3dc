/** OffsetDelete (47) on a Kafka listener: v0, not flexible (KIP-496). */
import { ApiKey } from '../../api-keys.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_OFFSET_DELETE = defineKafkaApi<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: ApiKey.OffsetDelete,
  name: 'OffsetDelete',
  versions: '0',
  request: [
    field('groupId', 'string'),
    field('topics', [field('name', 'string'), field('partitions', [field('partitionIndex', 'int32')])]),
  ],
  response: [
    field('errorCode', 'int16'),
    field('throttleTimeMs', 'int32'),
    field('topics', [
      field('name', 'string'),
      field('partitions', [field('partitionIndex', 'int32'), field('errorCode', 'int16')]),
    ]),
  ],
});
