/**
 * Heartbeat (api key 12): a member tells the coordinator it is alive, and learns that a rebalance has begun
 * (REBALANCE_IN_PROGRESS) so that it rejoins. Fields follow Kafka 2.8's HeartbeatRequest/Response (v4).
 *
 * HeartbeatRequest => groupId generationId memberId groupInstanceId?
 * HeartbeatResponse => throttleTimeMs errorCode
 *
 * - ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID tell the member that it is no longer part of
 *   the generation it names.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const HeartbeatRequestSchema = struct({
  groupId: string(),
  generationId: int32(),
  memberId: string(),
  groupInstanceId: nullable(string()),
});

const HeartbeatResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
});

export type HeartbeatRequest = Infer<typeof HeartbeatRequestSchema>;
export type HeartbeatResponse = Infer<typeof HeartbeatResponseSchema>;

export const HEARTBEAT_API = defineApi({
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  requestSchema: HeartbeatRequestSchema,
  responseSchema: HeartbeatResponseSchema,
});
