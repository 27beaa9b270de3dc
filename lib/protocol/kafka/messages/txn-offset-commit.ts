/**
 * TxnOffsetCommit (28) on a Kafka listener: v0-3, flexible from v3. v3 (KIP-447) carries the consumer's group
 * metadata (generation, member id, group instance id) so that the group coordinator fences a zombie's commit;
 * older versions carry none (generation -1, no member), which the coordinator does not check, as in Kafka.
 * committedLeaderEpoch from v2.
 */
import { ApiKey } from '../../api-keys.js';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_TXN_OFFSET_COMMIT = defineKafkaApi<TxnOffsetCommitRequest, TxnOffsetCommitResponse>({
  apiKey: ApiKey.TxnOffsetCommit,
  name: 'TxnOffsetCommit',
  versions: '0-3',
  flexibleVersions: '3+',
  request: [
    field('transactionalId', 'string'),
    field('groupId', 'string'),
    field('producerId', 'int64'),
    field('producerEpoch', 'int16'),
    field('generationId', 'int32', { versions: '3+', default: -1 }),
    field('memberId', 'string', { versions: '3+', default: '' }),
    field('groupInstanceId', 'string', { versions: '3+', nullable: '3+', default: null }),
    field('topics', [
      field('name', 'string'),
      field('partitions', [
        field('partitionIndex', 'int32'),
        field('committedOffset', 'int64'),
        field('committedLeaderEpoch', 'int32', { versions: '2+', default: -1 }),
        field('committedMetadata', 'string', { nullable: '0+' }),
      ]),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('topics', [
      field('name', 'string'),
      field('partitions', [field('partitionIndex', 'int32'), field('errorCode', 'int16')]),
    ]),
  ],
});
