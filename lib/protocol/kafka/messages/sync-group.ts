/** SyncGroup (14) on a Kafka listener: v0-5, flexible from v4; groupInstanceId from v3, protocol type and name from v5. */
import { ApiKey } from '../../api-keys.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_SYNC_GROUP = defineKafkaApi<SyncGroupRequest, SyncGroupResponse>({
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  versions: '0-5',
  flexibleVersions: '4+',
  request: [
    field('groupId', 'string'),
    field('generationId', 'int32'),
    field('memberId', 'string'),
    field('groupInstanceId', 'string', { versions: '3+', nullable: '3+' }),
    field('protocolType', 'string', { versions: '5+', nullable: '5+' }),
    field('protocolName', 'string', { versions: '5+', nullable: '5+' }),
    field('assignments', [field('memberId', 'string'), field('assignment', 'bytes')]),
  ],
  response: [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    field('errorCode', 'int16'),
    field('protocolType', 'string', { versions: '5+', nullable: '5+' }),
    field('protocolName', 'string', { versions: '5+', nullable: '5+' }),
    field('assignment', 'bytes'),
  ],
});
