/**
 * DescribeGroups (15) on a Kafka listener: v0-5, flexible from v5; authorized operations from v3, members'
 * groupInstanceId from v4.
 */
import { ApiKey } from '../../api-keys.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_DESCRIBE_GROUPS = defineKafkaApi<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  versions: '0-5',
  flexibleVersions: '5+',
  request: [field('groups', arrayOf('string')), field('includeAuthorizedOperations', 'bool', { versions: '3+' })],
  response: [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    field('groups', [
      field('errorCode', 'int16'),
      field('groupId', 'string'),
      field('groupState', 'string'),
      field('protocolType', 'string'),
      field('protocolData', 'string'),
      field('members', [
        field('memberId', 'string'),
        field('groupInstanceId', 'string', { versions: '4+', nullable: '4+' }),
        field('clientId', 'string'),
        field('clientHost', 'string'),
        field('memberMetadata', 'bytes'),
        field('memberAssignment', 'bytes'),
      ]),
      field('authorizedOperations', 'int32', { versions: '3+', default: -2147483648 }),
    ]),
  ],
});
