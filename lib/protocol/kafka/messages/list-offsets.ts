/**
 * ListOffsets (2) on a Kafka listener: v1-6, flexible from v6. v0 (a list of offsets per partition, maxNumOffsets)
 * is not served: every client negotiates v1+ (librdkafka needs v1 for offsets by time; Kafka 4.0 dropped v0 too).
 * isolationLevel exists from v2 (read uncommitted before), currentLeaderEpoch from v4, leaderEpoch in responses
 * from v4.
 */
import { ApiKey } from '../../api-keys.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_LIST_OFFSETS = defineKafkaApi<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  versions: '1-6',
  flexibleVersions: '6+',
  request: [
    field('replicaId', 'int32'),
    field('isolationLevel', 'int8', { versions: '2+' }),
    field('topics', [
      field('name', 'string'),
      field('partitions', [
        field('partitionIndex', 'int32'),
        field('currentLeaderEpoch', 'int32', { versions: '4+', default: -1 }),
        field('timestamp', 'int64'),
      ]),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32', { versions: '2+' }),
    field('topics', [
      field('name', 'string'),
      field('partitions', [
        field('partitionIndex', 'int32'),
        field('errorCode', 'int16'),
        field('timestamp', 'int64', { default: -1 }),
        field('offset', 'int64', { default: -1 }),
        field('leaderEpoch', 'int32', { versions: '4+', default: -1 }),
      ]),
    ]),
  ],
});
