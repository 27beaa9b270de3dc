/**
 * FindCoordinator (api key 10): which broker coordinates a consumer group (keyType 0) or a transactional id
 * (keyType 1). Fields follow Kafka 2.8's FindCoordinatorRequest/Response (v3).
 *
 * FindCoordinatorRequest => key keyType
 * FindCoordinatorResponse => throttleTimeMs errorCode errorMessage? nodeId host port
 *
 * - The coordinator of group g is the leader of __consumer_offsets partition abs(javaHash(g)) % partitions; the
 *   internal topic is created on the first lookup. COORDINATOR_NOT_AVAILABLE while it has no leader (retriable).
 * - nodeId/host/port are -1/''/-1 with an error.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

export const CoordinatorType = { Group: 0, Transaction: 1 } as const;

const FindCoordinatorRequestSchema = struct({
  key: string(),
  keyType: int8({ min: 0, max: 1 }),
});

const FindCoordinatorResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  errorMessage: nullable(string()),
  nodeId: int32(),
  host: string(),
  port: int32(),
});

export type FindCoordinatorRequest = Infer<typeof FindCoordinatorRequestSchema>;
export type FindCoordinatorResponse = Infer<typeof FindCoordinatorResponseSchema>;

export const FIND_COORDINATOR_API = defineApi({
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  requestSchema: FindCoordinatorRequestSchema,
  responseSchema: FindCoordinatorResponseSchema,
});
