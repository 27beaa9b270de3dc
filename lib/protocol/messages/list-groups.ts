/**
 * ListGroups (api key 16): the groups this broker coordinates, optionally only those in given states. An admin
 * client asks every broker and merges. Fields follow Kafka 2.8's ListGroupsRequest/Response (v4).
 *
 * ListGroupsRequest => statesFilter[]
 * ListGroupsResponse => throttleTimeMs errorCode groups[groupId protocolType groupState]
 *
 * - statesFilter: empty for all groups, else Kafka's state names (case-insensitive).
 * - errorCode COORDINATOR_LOAD_IN_PROGRESS while any offsets partition led here is still loading.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, string, struct, type Infer } from '../schema.js';

const ListGroupsRequestSchema = struct({
  statesFilter: array(string()),
});

const ListGroupsResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  groups: array(
    struct({
      groupId: string(),
      protocolType: string(),
      groupState: string(),
    }),
  ),
});

export type ListGroupsRequest = Infer<typeof ListGroupsRequestSchema>;
export type ListGroupsResponse = Infer<typeof ListGroupsResponseSchema>;

export const LIST_GROUPS_API = defineApi({
  apiKey: ApiKey.ListGroups,
  name: 'ListGroups',
  requestSchema: ListGroupsRequestSchema,
  responseSchema: ListGroupsResponseSchema,
});
