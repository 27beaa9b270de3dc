/**
 * AlterConfigs (api key 33): replace the dynamic config overrides of topics and brokers (keys not listed are
 * removed, as in Kafka's non-incremental AlterConfigs). Fields follow Kafka 2.8's
 * AlterConfigsRequest/AlterConfigsResponse (v1 field set).
 *
 * AlterConfigsRequest => resources[resourceType resourceName configs[name value?]] validateOnly
 * AlterConfigsResponse => throttleTimeMs responses[errorCode errorMessage? resourceType resourceName]
 *
 * - resourceType / resourceName: as in DescribeConfigs (`ConfigResourceType`).
 * - validateOnly: check the new configs, change nothing. Per resource: INVALID_CONFIG, INVALID_REQUEST,
 *   UNKNOWN_TOPIC_OR_PARTITION.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

const AlterConfigsRequestSchema = struct({
  resources: array(
    struct({
      resourceType: int8(),
      resourceName: string(),
      configs: array(
        struct({
          name: string(),
          value: nullable(string()),
        }),
      ),
    }),
  ),
  validateOnly: bool(),
});

const AlterConfigsResponseSchema = struct({
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

export type AlterConfigsRequest = Infer<typeof AlterConfigsRequestSchema>;
export type AlterConfigsResponse = Infer<typeof AlterConfigsResponseSchema>;

export const ALTER_CONFIGS_API = defineApi({
  apiKey: ApiKey.AlterConfigs,
  name: 'AlterConfigs',
  requestSchema: AlterConfigsRequestSchema,
  responseSchema: AlterConfigsResponseSchema,
});

export const validateAlterConfigsRequest = ALTER_CONFIGS_API.validateRequest;
