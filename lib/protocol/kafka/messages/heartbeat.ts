/** Heartbeat (12) on a Kafka listener: v0-4, flexible from v4; groupInstanceId from v3. */
import { ApiKey } from '../../api-keys.js';
import type { HeartbeatRequest, HeartbeatResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_HEARTBEAT = defineKafkaApi<HeartbeatRequest, HeartbeatResponse>({
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  versions: '0-4',
  flexibleVersions: '4+',
  request: [
    field('groupId', 'string'),
    field('generationId', 'int32'),
    field('memberId', 'string'),
    field('groupInstanceId', 'string', { versions: '3+', nullable: '3+' }),
  ],
  response: [field('throttleTimeMs', 'int32', { versions: '1+' }), field('errorCode', 'int16')],
});
