/**
 * DescribeGroups (api key 15): state, protocol and members (with their metadata and assignment) of groups, as
 * kafka-consumer-groups --describe shows them. Fields follow Kafka 2.8's DescribeGroupsRequest/Response (v5).
 *
 * DescribeGroupsRequest => groups[] includeAuthorizedOperations
 * DescribeGroupsResponse => throttleTimeMs groups[errorCode groupId groupState protocolType protocolData
 *     members[memberId groupInstanceId? clientId clientHost memberMetadata memberAssignment] authorizedOperations]
 *
 * - groupState: Kafka's names (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead); an unknown group
 *   is described as Dead with no error, as in Kafka.
 * - authorizedOperations: -2^31 (not requested / no ACLs).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, bytes, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const DescribeGroupsRequestSchema = struct({
  groups: array(string()),
  includeAuthorizedOperations: bool(),
});

const DescribeGroupsResponseSchema = struct({
  throttleTimeMs: int32(),
  groups: array(
    struct({
      errorCode: int16(),
      groupId: string(),
      groupState: string(),
      protocolType: string(),
      protocolData: string(),
      members: array(
        struct({
          memberId: string(),
          groupInstanceId: nullable(string()),
          clientId: string(),
          clientHost: string(),
          memberMetadata: bytes(),
          memberAssignment: bytes(),
        }),
      ),
      authorizedOperations: int32(),
    }),
  ),
});

export type DescribeGroupsRequest = Infer<typeof DescribeGroupsRequestSchema>;
export type DescribeGroupsResponse = Infer<typeof DescribeGroupsResponseSchema>;

export const DESCRIBE_GROUPS_API = defineApi({
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  requestSchema: DescribeGroupsRequestSchema,
  responseSchema: DescribeGroupsResponseSchema,
});
