/** ListGroups (16) on a Kafka listener: v0-4, flexible from v3; the states filter and group states from v4 (KIP-518). */
import { ApiKey } from '../../api-keys.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_LIST_GROUPS = defineKafkaApi<ListGroupsRequest, ListGroupsResponse>({
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  versions: '0-4',
  flexibleVersions: '3+',
  request: [field('statesFilter', arrayOf('string'), { versions: '4+' })],
  response: [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    field('errorCode', 'int16'),
    field('groups', [
      field('groupId', 'string'),
      field('protocolType', 'string'),
      field('groupState', 'string', { versions: '4+' }),
    ]),
  ],
});
