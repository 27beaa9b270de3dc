/**
 * OffsetForLeaderEpoch (23) on a Kafka listener: v0-4, flexible from v4. leaderEpoch in responses from v1,
 * currentLeaderEpoch (fencing, KIP-320) from v2, replicaId from v3 (-2, "not given", before, as Kafka decodes it).
 */
import { ApiKey } from '../../api-keys.js';
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_OFFSET_FOR_LEADER_EPOCH = defineKafkaApi<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  apiKey: ApiKey.OffsetForLeaderEpoch,
  name: 'OffsetForLeaderEpoch',
  versions: '0-4',
  flexibleVersions: '4+',
  request: [
    field('replicaId', 'int32', { versions: '3+', default: -2 }),
    field('topics', [
      field('topic', 'string'),
      field('partitions', [
        field('partition', 'int32'),
        field('currentLeaderEpoch', 'int32', { versions: '2+', default: -1 }),
        field('leaderEpoch', 'int32'),
      ]),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32', { versions: '2+' }),
    field('topics', [
      field('topic', 'string'),
      field('partitions', [
        field('errorCode', 'int16'),
        field('partition', 'int32'),
        field('leaderEpoch', 'int32', { versions: '1+', default: -1 }),
        field('endOffset', 'int64', { default: -1 }),
      ]),
    ]),
  ],
});
