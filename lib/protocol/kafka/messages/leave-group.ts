/**
 * LeaveGroup (13) on a Kafka listener: v0-4, flexible from v4. v0-2 name one member by id and answer with one
 * error code; v3+ (KIP-345) list members and answer per member. An old request becomes a one-member list, and an
 * old response carries the member's error when the request as a whole succeeded, as Kafka does.
 */
import { ErrorCode } from '../../../common/error-codes.js';
import { ApiKey } from '../../api-keys.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_LEAVE_GROUP = defineKafkaApi<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  versions: '0-4',
  flexibleVersions: '4+',
  request: [
    field('groupId', 'string'),
    field('memberId', 'string', { versions: '0-2' }),
    field('members', [field('memberId', 'string'), field('groupInstanceId', 'string', { nullable: '3+' })], {
      versions: '3+',
    }),
  ],
  response: [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    field('errorCode', 'int16'),
    field(
      'members',
      [
        field('memberId', 'string'),
        field('groupInstanceId', 'string', { nullable: '3+' }),
        field('errorCode', 'int16'),
      ],
      { versions: '3+' },
    ),
  ],
  adaptRequest(body, version) {
    if (version < 3) body['members'] = [{ memberId: body['memberId'], groupInstanceId: null }];
  },
  adaptResponse(body, version) {
    if (version >= 3 || body.errorCode !== ErrorCode.NONE) return body;
    return { ...body, errorCode: body.members[0]?.errorCode ?? ErrorCode.NONE };
  },
});
