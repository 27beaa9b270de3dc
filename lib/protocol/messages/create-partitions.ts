/**
 * CreatePartitions (api key 37): raise the partition count of existing topics. Sent to the controller. Fields
 * follow Kafka 2.8's CreatePartitionsRequest/CreatePartitionsResponse (v3 field set).
 *
 * CreatePartitionsRequest => topics[name count assignments[brokerIds[]]?] timeoutMs validateOnly
 * CreatePartitionsResponse => throttleTimeMs results[name errorCode errorMessage?]
 *
 * - count: the new total number of partitions; not above the current count → INVALID_PARTITIONS for that topic.
 * - assignments: null lets the controller place the new partitions; otherwise one entry per NEW partition,
 *   each the broker ids of its replicas.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const CreatePartitionsRequestSchema = struct({
  topics: array(
    struct({
      name: string(),
      count: int32(),
      assignments: nullable(
        array(
          struct({
            brokerIds: array(int32()),
          }),
        ),
      ),
    }),
  ),
  timeoutMs: int32(),
  validateOnly: bool(),
});

const CreatePartitionsResponseSchema = struct({
  throttleTimeMs: int32(),
  results: array(
    struct({
      name: string(),
      errorCode: int16(),
      errorMessage: nullable(string()),
    }),
  ),
});

export type CreatePartitionsRequest = Infer<typeof CreatePartitionsRequestSchema>;
export type CreatePartitionsResponse = Infer<typeof CreatePartitionsResponseSchema>;

export const CREATE_PARTITIONS_API = defineApi({
  apiKey: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  requestSchema: CreatePartitionsRequestSchema,
  responseSchema: CreatePartitionsResponseSchema,
});

export const validateCreatePartitionsRequest = CREATE_PARTITIONS_API.validateRequest;
