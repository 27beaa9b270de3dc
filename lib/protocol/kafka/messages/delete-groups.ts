/** DeleteGroups (42) on a Kafka listener: v0-2, flexible from v2. */
import { ApiKey } from '../../api-keys.js';
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { arrayOf, field } from '../kafka-schema.js';

export const KAFKA_DELETE_GROUPS = defineKafkaApi<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [field('groupsNames', arrayOf('string'))],
  response: [
    field('throttleTimeMs', 'int32'),
    field('results', [field('groupId', 'string'), field('errorCode', 'int16')]),
  ],
});
