/**
 * DeleteGroups (api key 42): delete empty groups with their committed offsets (tombstones in
 * __consumer_offsets). Fields follow Kafka 2.8's DeleteGroupsRequest/Response (v2).
 *
 * DeleteGroupsRequest => groupsNames[]
 * DeleteGroupsResponse => throttleTimeMs results[groupId errorCode]
 *
 * - Per group: NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when unknown, NOT_COORDINATOR when
 *   another broker coordinates it.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, string, struct, type Infer } from '../schema.js';

const DeleteGroupsRequestSchema = struct({
  groupsNames: array(string()),
});

const DeleteGroupsResponseSchema = struct({
  throttleTimeMs: int32(),
  results: array(
    struct({
      groupId: string(),
      errorCode: int16(),
    }),
  ),
});

export type DeleteGroupsRequest = Infer<typeof DeleteGroupsRequestSchema>;
export type DeleteGroupsResponse = Infer<typeof DeleteGroupsResponseSchema>;

export const DELETE_GROUPS_API = defineApi({
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  requestSchema: DeleteGroupsRequestSchema,
  responseSchema: DeleteGroupsResponseSchema,
});
