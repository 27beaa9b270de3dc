/**
 * Metadata (3) on a Kafka listener: v0-11, flexible from v9.
 *
 * - v0 has no null topic list: an empty one means all topics, and decodes to null as v1+ says it.
 * - allowAutoTopicCreation exists from v4; before, requests allow it (the field's default, as in Kafka).
 * - Topic ids (v10+) are written as the zero UUID: clients of these versions look topics up by name.
 * - A leader without an endpoint on the request's listener is LISTENER_NOT_FOUND from v6 on and
 *   LEADER_NOT_AVAILABLE before (Kafka's rule; older clients do not know the code).
 */
import { ErrorCode } from '../../../common/error-codes.js';
import { ApiKey } from '../../api-keys.js';
import type { MetadataRequest, MetadataResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

const NO_AUTHORIZED_OPERATIONS = -2147483648;

export const KAFKA_METADATA = defineKafkaApi<MetadataRequest, MetadataResponse>({
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  versions: '0-11',
  flexibleVersions: '9+',
  request: [
    field('topics', [field('topicId', 'uuid', { versions: '10+' }), field('name', 'string', { nullable: '10+' })], {
      nullable: '1+',
    }),
    field('allowAutoTopicCreation', 'bool', { versions: '4+', default: true }),
    field('includeClusterAuthorizedOperations', 'bool', { versions: '8-10' }),
    field('includeTopicAuthorizedOperations', 'bool', { versions: '8+' }),
  ],
  response: [
    field('throttleTimeMs', 'int32', { versions: '3+' }),
    field('brokers', [
      field('nodeId', 'int32'),
      field('host', 'string'),
      field('port', 'int32'),
      field('rack', 'string', { versions: '1+', nullable: '1+' }),
    ]),
    field('clusterId', 'string', { versions: '2+', nullable: '2+' }),
    field('controllerId', 'int32', { versions: '1+', default: -1 }),
    field('topics', [
      field('errorCode', 'int16'),
      field('name', 'string', { nullable: '10+', default: '' }),
      field('topicId', 'uuid', { versions: '10+' }),
      field('isInternal', 'bool', { versions: '1+' }),
      field('partitions', [
        field('errorCode', 'int16'),
        field('partitionIndex', 'int32'),
        field('leaderId', 'int32'),
        field('leaderEpoch', 'int32', { versions: '7+', default: -1 }),
        field('replicaNodes', arrayOf('int32')),
        field('isrNodes', arrayOf('int32')),
        field('offlineReplicas', arrayOf('int32'), { versions: '5+' }),
      ]),
      field('topicAuthorizedOperations', 'int32', { versions: '8+', default: NO_AUTHORIZED_OPERATIONS }),
    ]),
    field('clusterAuthorizedOperations', 'int32', { versions: '8-10', default: NO_AUTHORIZED_OPERATIONS }),
  ],
  adaptRequest(body, version) {
    if (version === 0 && (body['topics'] as unknown[]).length === 0) body['topics'] = null;
  },
  adaptResponse(body, version) {
    if (version >= 6) return body;
    const unknownListener = (p: { errorCode: number }) => p.errorCode === ErrorCode.LISTENER_NOT_FOUND;
    if (!body.topics.some((t) => t.partitions.some(unknownListener))) return body;
    return {
      ...body,
      topics: body.topics.map((t) => ({
        ...t,
        partitions: t.partitions.map((p) =>
          unknownListener(p) ? { ...p, errorCode: ErrorCode.LEADER_NOT_AVAILABLE } : p,
        ),
      })),
    };
  },
});
