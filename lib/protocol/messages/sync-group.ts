/**
 * SyncGroup (api key 14): after JoinGroup, the leader sends every member's assignment and every member receives
 * its own. Fields follow Kafka 2.8's SyncGroupRequest/Response (v5).
 *
 * SyncGroupRequest => groupId generationId memberId groupInstanceId? protocolType? protocolName?
 *     assignments[memberId assignment]
 * SyncGroupResponse => throttleTimeMs errorCode protocolType? protocolName? assignment
 *
 * - Only the leader's request carries assignments; followers send an empty array and wait. The coordinator
 *   stores the assignment in __consumer_offsets before answering, so that it survives coordinator failover.
 * - protocolType/protocolName, when given, must match the group's (INCONSISTENT_GROUP_PROTOCOL otherwise).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bytes, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const SyncGroupRequestSchema = struct({
  groupId: string(),
  generationId: int32(),
  memberId: string(),
  groupInstanceId: nullable(string()),
  protocolType: nullable(string()),
  protocolName: nullable(string()),
  assignments: array(
    struct({
      memberId: string(),
      assignment: bytes(),
    }),
  ),
});

const SyncGroupResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  protocolType: nullable(string()),
  protocolName: nullable(string()),
  assignment: bytes(),
});

export type SyncGroupRequest = Infer<typeof SyncGroupRequestSchema>;
export type SyncGroupResponse = Infer<typeof SyncGroupResponseSchema>;

export const SYNC_GROUP_API = defineApi({
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  requestSchema: SyncGroupRequestSchema,
  responseSchema: SyncGroupResponseSchema,
});
