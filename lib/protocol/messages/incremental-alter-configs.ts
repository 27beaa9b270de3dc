/**
 * IncrementalAlterConfigs (api key 44, KIP-339): change some config keys of topics and brokers, leaving the others
 * as they are. Fields follow Kafka 2.8's IncrementalAlterConfigsRequest/IncrementalAlterConfigsResponse (v1 field
 * set).
 *
 * IncrementalAlterConfigsRequest => resources[resourceType resourceName configs[name configOperation value?]]
 *     validateOnly
 * IncrementalAlterConfigsResponse => throttleTimeMs responses[errorCode errorMessage? resourceType resourceName]
 *
 * - resourceType / resourceName: as in DescribeConfigs (topic 2; broker 4 with its id, or "" for the cluster-wide
 *   default; a broker's resource goes to that broker).
 * - configOperation: `AlterConfigOp` (SET 0, DELETE 1, APPEND 2 and SUBTRACT 3 for list-valued keys).
 * - Per resource: INVALID_CONFIG (a bad value, or a broker key that is not dynamic), INVALID_REQUEST (a key named
 *   twice, APPEND/SUBTRACT on a key that is not a list, a broker id that is not this broker's),
 *   UNKNOWN_TOPIC_OR_PARTITION.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

/** Kafka's `AlterConfigOp.OpType` ids. */
export const AlterConfigOp = { Set: 0, Delete: 1, Append: 2, Subtract: 3 } as const;

const IncrementalAlterConfigsRequestSchema = struct({
  resources: array(
    struct({
      resourceType: int8(),
      resourceName: string(),
      configs: array(
        struct({
          name: string(),
          configOperation: int8({ min: 0, max: 3 }),
          value: nullable(string()),
        }),
      ),
    }),
  ),
  validateOnly: bool(),
});

const IncrementalAlterConfigsResponseSchema = struct({
  throttleTimeMs: int32(),
  responses: array(
    struct({
      errorCode: int16(),
      errorMessage: nullable(string()),
      resourceType: int8(),
      resourceName: string(),
    }),
  ),
});

export type IncrementalAlterConfigsRequest = Infer<typeof IncrementalAlterConfigsRequestSchema>;
export type IncrementalAlterConfigsResponse = Infer<typeof IncrementalAlterConfigsResponseSchema>;

export const INCREMENTAL_ALTER_CONFIGS_API = defineApi({
  apiKey: ApiKey.IncrementalAlterConfigs,
  name: 'IncrementalAlterConfigs',
  requestSchema: IncrementalAlterConfigsRequestSchema,
  responseSchema: IncrementalAlterConfigsResponseSchema,
});

export const validateIncrementalAlterConfigsRequest = INCREMENTAL_ALTER_CONFIGS_API.validateRequest;
