/**
 * AlterPartitionReassignments (api key 45, KIP-455): start, replace or cancel partition reassignments. Sent to the
 * controller. Fields follow Kafka 2.8's AlterPartitionReassignmentsRequest/Response (v0).
 *
 * AlterPartitionReassignmentsRequest => timeoutMs topics[name partitions[partitionIndex replicas[]?]]
 * AlterPartitionReassignmentsResponse => throttleTimeMs errorCode errorMessage? responses[name
 *     partitions[partitionIndex errorCode errorMessage?]]
 *
 * - replicas: the target replicas, preferred leader first; null cancels the partition's pending reassignment (its
 *   original replicas are restored). A new target for a partition that is moving replaces the old one.
 * - The answer comes once each move is started (the new replicas are assigned), not when it completes:
 *   ListPartitionReassignments shows what is still moving.
 * - Per partition: INVALID_REPLICA_ASSIGNMENT (empty, repeated or negative ids, a new replica on a broker that is
 *   not registered), UNKNOWN_TOPIC_OR_PARTITION (also a topic being deleted), NO_REASSIGNMENT_IN_PROGRESS (a cancel of
 *   a partition that is not moving). Top level: NOT_CONTROLLER (retry at the controller Metadata names).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const AlterPartitionReassignmentsRequestSchema = struct({
  timeoutMs: int32(),
  topics: array(
    struct({
      name: string(),
      partitions: array(
        struct({
          partitionIndex: int32({ min: 0 }),
          replicas: nullable(array(int32())),
        }),
      ),
    }),
  ),
});

const AlterPartitionReassignmentsResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  errorMessage: nullable(string()),
  responses: array(
    struct({
      name: string(),
      partitions: array(
        struct({
          partitionIndex: int32(),
          errorCode: int16(),
          errorMessage: nullable(string()),
        }),
      ),
    }),
  ),
});

export type AlterPartitionReassignmentsRequest = Infer<typeof AlterPartitionReassignmentsRequestSchema>;
export type AlterPartitionReassignmentsResponse = Infer<typeof AlterPartitionReassignmentsResponseSchema>;

export const ALTER_PARTITION_REASSIGNMENTS_API = defineApi({
  apiKey: ApiKey.AlterPartitionReassignments,
  name: 'AlterPartitionReassignments',
  requestSchema: AlterPartitionReassignmentsRequestSchema,
  responseSchema: AlterPartitionReassignmentsResponseSchema,
});
