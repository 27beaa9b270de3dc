/**
 * JoinGroup (11) on a Kafka listener: v0-7, flexible from v6.
 *
 * - v0 has no rebalance timeout: the session timeout serves as both, as in Kafka.
 * - Members joining with an empty member id get MEMBER_ID_REQUIRED from v4 on only (KIP-394); the JoinGroup
 *   handler reads the version for that.
 * - protocolName is nullable from v7; an error response of an older version carries '' instead of null.
 */
import { ApiKey } from '../../api-keys.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_JOIN_GROUP = defineKafkaApi<JoinGroupRequest, JoinGroupResponse>({
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  versions: '0-7',
  flexibleVersions: '6+',
  request: [
    field('groupId', 'string'),
    field('sessionTimeoutMs', 'int32'),
    field('rebalanceTimeoutMs', 'int32', { versions: '1+', default: -1 }),
    field('memberId', 'string'),
    field('groupInstanceId', 'string', { versions: '5+', nullable: '5+' }),
    field('protocolType', 'string'),
    field('protocols', [field('name', 'string'), field('metadata', 'bytes')]),
  ],
  response: [
    field('throttleTimeMs', 'int32', { versions: '2+' }),
    field('errorCode', 'int16'),
    field('generationId', 'int32', { default: -1 }),
    field('protocolType', 'string', { versions: '7+', nullable: '7+' }),
    field('protocolName', 'string', { nullable: '7+' }),
    field('leader', 'string'),
    field('memberId', 'string'),
    field('members', [
      field('memberId', 'string'),
      field('groupInstanceId', 'string', { versions: '5+', nullable: '5+' }),
      field('metadata', 'bytes'),
    ]),
  ],
  adaptRequest(body, version) {
    if (version === 0) body['rebalanceTimeoutMs'] = body['sessionTimeoutMs'];
  },
  adaptResponse(body, version) {
    return version < 7 && body.protocolName === null ? { ...body, protocolName: '' } : body;
  },
});
