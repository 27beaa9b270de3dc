/**
 * LeaveGroup (api key 13): members leave a group at once instead of waiting for their session to time out, which
 * starts a rebalance for those who stay. Fields follow Kafka 2.8's LeaveGroupRequest/Response (v4, batch form).
 *
 * LeaveGroupRequest => groupId members[memberId groupInstanceId?]
 * LeaveGroupResponse => throttleTimeMs errorCode members[memberId groupInstanceId? errorCode]
 *
 * - Each member is named by memberId, or by groupInstanceId for a static member (memberId may then be '').
 * - The top-level errorCode is for the group (NOT_COORDINATOR, ...); members[].errorCode per member
 *   (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const LeaveGroupRequestSchema = struct({
  groupId: string(),
  members: array(
    struct({
      memberId: string(),
      groupInstanceId: nullable(string()),
    }),
  ),
});

const LeaveGroupResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  members: array(
    struct({
      memberId: string(),
      groupInstanceId: nullable(string()),
      errorCode: int16(),
    }),
  ),
});

export type LeaveGroupRequest = Infer<typeof LeaveGroupRequestSchema>;
export type LeaveGroupResponse = Infer<typeof LeaveGroupResponseSchema>;

export const LEAVE_GROUP_API = defineApi({
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  requestSchema: LeaveGroupRequestSchema,
  responseSchema: LeaveGroupResponseSchema,
});
