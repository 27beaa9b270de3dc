/**
 * JoinGroup (api key 11): a member joins (or rejoins) a group and offers the protocols (assignors) it supports.
 * The coordinator answers every member once the rebalance completes; the leader's answer lists all members with
 * their subscription metadata. Fields follow Kafka 2.8's JoinGroupRequest/Response (v7).
 *
 * JoinGroupRequest => groupId sessionTimeoutMs rebalanceTimeoutMs memberId groupInstanceId? protocolType
 *     protocols[name metadata]
 * JoinGroupResponse => throttleTimeMs errorCode generationId protocolType? protocolName? leader memberId
 *     members[memberId groupInstanceId? metadata]
 *
 * - memberId '' on a first join: a dynamic member gets MEMBER_ID_REQUIRED with its new id in memberId and
 *   rejoins with it; a static member (groupInstanceId set) is given its id at once.
 * - protocols: the member's assignors in order of preference, each with opaque metadata (the consumer's
 *   subscription); the coordinator picks the first protocol every member supports.
 * - sessionTimeoutMs must lie within group.min/max.session.timeout.ms (INVALID_SESSION_TIMEOUT otherwise).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bytes, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const JoinGroupRequestSchema = struct({
  groupId: string(),
  sessionTimeoutMs: int32(),
  rebalanceTimeoutMs: int32(),
  memberId: string(),
  groupInstanceId: nullable(string()),
  protocolType: string(),
  protocols: array(
    struct({
      name: string(),
      metadata: bytes(),
    }),
  ),
});

const JoinGroupResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  generationId: int32(),
  protocolType: nullable(string()),
  protocolName: nullable(string()),
  leader: string(),
  memberId: string(),
  members: array(
    struct({
      memberId: string(),
      groupInstanceId: nullable(string()),
      metadata: bytes(),
    }),
  ),
});

export type JoinGroupRequest = Infer<typeof JoinGroupRequestSchema>;
export type JoinGroupResponse = Infer<typeof JoinGroupResponseSchema>;

export const JOIN_GROUP_API = defineApi({
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  requestSchema: JoinGroupRequestSchema,
  responseSchema: JoinGroupResponseSchema,
});
