/**
 * ListPartitionReassignments (api key 46, KIP-455): the reassignments in progress. Sent to the controller. Fields
 * follow Kafka 2.8's ListPartitionReassignmentsRequest/Response (v0).
 *
 * ListPartitionReassignmentsRequest => timeoutMs topics[name partitionIndexes[]]?
 * ListPartitionReassignmentsResponse => throttleTimeMs errorCode errorMessage? topics[name partitions[partitionIndex
 *     replicas[] addingReplicas[] removingReplicas[]]]
 *
 * - topics: null lists every partition that is moving; otherwise the named partitions that are (the others are
 *   left out of the answer, as Kafka leaves them).
 * - replicas: the whole current set (targets first, then those being removed); addingReplicas and removingReplicas
 *   are KIP-455's AR and RR.
 * - Top level: NOT_CONTROLLER (retry at the controller Metadata names).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const ListPartitionReassignmentsRequestSchema = struct({
  timeoutMs: int32(),
  topics: nullable(
    array(
      struct({
        name: string(),
        partitionIndexes: array(int32({ min: 0 })),
      }),
    ),
  ),
});

const ListPartitionReassignmentsResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  errorMessage: nullable(string()),
  topics: array(
    struct({
      name: string(),
      partitions: array(
        struct({
          partitionIndex: int32(),
          replicas: array(int32()),
          addingReplicas: array(int32()),
          removingReplicas: array(int32()),
        }),
      ),
    }),
  ),
});

export type ListPartitionReassignmentsRequest = Infer<typeof ListPartitionReassignmentsRequestSchema>;
export type ListPartitionReassignmentsResponse = Infer<typeof ListPartitionReassignmentsResponseSchema>;

export const LIST_PARTITION_REASSIGNMENTS_API = defineApi({
  apiKey: ApiKey.ListPartitionReassignments,
  name: 'ListPartitionReassignments',
  requestSchema: ListPartitionReassignmentsRequestSchema,
  responseSchema: ListPartitionReassignmentsResponseSchema,
});
