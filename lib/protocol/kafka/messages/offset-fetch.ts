/**
 * OffsetFetch (9) on a Kafka listener: v1-7, flexible from v6. v0 read offsets from ZooKeeper and is not served.
 * A null topic list (all the group's offsets) exists from v2, as does the top-level errorCode; in v1 a group-level
 * error is reported on every partition asked for, as Kafka does.
 */
import { ErrorCode } from '../../../common/error-codes.js';
import { ApiKey } from '../../api-keys.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_OFFSET_FETCH = defineKafkaApi<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  versions: '1-7',
  flexibleVersions: '6+',
  request: [
    field('groupId', 'string'),
    field('topics', [field('name', 'string'), field('partitionIndexes', arrayOf('int32'))], { nullable: '2+' }),
    field('requireStable', 'bool', { versions: '7+' }),
  ],
  response: [
    field('throttleTimeMs', 'int32', { versions: '3+' }),
    field('topics', [
      field('name', 'string'),
      field('partitions', [
        field('partitionIndex', 'int32'),
        field('committedOffset', 'int64'),
        field('committedLeaderEpoch', 'int32', { versions: '5+', default: -1 }),
        field('metadata', 'string', { nullable: '0+' }),
        field('errorCode', 'int16'),
      ]),
    ]),
    field('errorCode', 'int16', { versions: '2+' }),
  ],
  adaptResponse(body, version, request) {
    if (version >= 2 || body.errorCode === ErrorCode.NONE) return body;
    const errorCode = body.errorCode;
    return {
      ...body,
      topics: (request.topics ?? []).map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({
          partitionIndex,
          committedOffset: -1,
          committedLeaderEpoch: -1,
          metadata: '',
          errorCode,
        })),
      })),
    };
  },
});
