/**
 * CreateTopics (api key 19): create topics with a partition count and replication factor, or an explicit
 * replica assignment, plus topic config overrides. Sent to the controller. Fields follow Kafka 2.8's
 * CreateTopicsRequest/CreateTopicsResponse (v5 field set, without the echoed configs).
 *
 * CreateTopicsRequest => topics[name numPartitions replicationFactor assignments[partitionIndex brokerIds[]]
 *     configs[name value?]] timeoutMs validateOnly
 * CreateTopicsResponse => throttleTimeMs topics[name errorCode errorMessage? numPartitions replicationFactor]
 *
 * - numPartitions / replicationFactor: -1 means the broker default (num.partitions, default.replication.factor);
 *   both must be -1 when assignments are given. Out-of-range values are answered per topic
 *   (INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR), not by rejecting the request.
 * - assignments: partitionIndex → brokerIds, the first broker being the preferred leader.
 * - timeoutMs: how long to wait for the topics to be created on the brokers (0: return at once).
 * - validateOnly: check the request, create nothing.
 * - The response echoes the partition count and replication factor used (-1 on error).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const CreateTopicsRequestSchema = struct({
  topics: array(
    struct({
      name: string(),
      numPartitions: int32(),
      replicationFactor: int16(),
      assignments: array(
        struct({
          partitionIndex: int32({ min: 0 }),
          brokerIds: array(int32()),
        }),
      ),
      configs: array(
        struct({
          name: string(),
          value: nullable(string()),
        }),
      ),
    }),
  ),
  timeoutMs: int32(),
  validateOnly: bool(),
});

const CreateTopicsResponseSchema = struct({
  throttleTimeMs: int32(),
  topics: array(
    struct({
      name: string(),
      errorCode: int16(),
      errorMessage: nullable(string()),
      numPartitions: int32(),
      replicationFactor: int16(),
    }),
  ),
});

export type CreateTopicsRequest = Infer<typeof CreateTopicsRequestSchema>;
export type CreateTopicsResponse = Infer<typeof CreateTopicsResponseSchema>;

export const CREATE_TOPICS_API = defineApi({
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  requestSchema: CreateTopicsRequestSchema,
  responseSchema: CreateTopicsResponseSchema,
});

export const validateCreateTopicsRequest = CREATE_TOPICS_API.validateRequest;
