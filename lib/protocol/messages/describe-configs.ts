/**
 * DescribeConfigs (api key 32): the effective configs of topics and brokers, with where each value comes from.
 * Fields follow Kafka 2.8's DescribeConfigsRequest/DescribeConfigsResponse (v4 field set).
 *
 * DescribeConfigsRequest => resources[resourceType resourceName configurationKeys[]?] includeSynonyms
 *     includeDocumentation
 * DescribeConfigsResponse => throttleTimeMs results[errorCode errorMessage? resourceType resourceName configs[name
 *     value? readOnly configSource isSensitive synonyms[name value? source] configType documentation?]]
 *
 * - resourceType: ConfigResourceType (TOPIC 2, BROKER 4); resourceName: the topic, or the broker id as a
 *   string ("" for the cluster-wide broker default).
 * - configurationKeys: null for all keys.
 * - configSource / synonyms[].source: ConfigSource; configType: ConfigType.
 * - value: null when the config is sensitive or unset.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

/** Kafka's `ConfigResource.Type` ids. */
export const ConfigResourceType = {
  Unknown: 0,
  Any: 1,
  Topic: 2,
  Group: 3,
  Broker: 4,
  BrokerLogger: 8,
} as const;

/** Kafka's `DescribeConfigsResponse.ConfigSource` ids. */
export const ConfigSource = {
  Unknown: 0,
  DynamicTopicConfig: 1,
  DynamicBrokerConfig: 2,
  DynamicDefaultBrokerConfig: 3,
  StaticBrokerConfig: 4,
  DefaultConfig: 5,
  DynamicBrokerLoggerConfig: 6,
} as const;

/** Kafka's `DescribeConfigsResponse.ConfigType` ids. */
export const ConfigType = {
  Unknown: 0,
  Boolean: 1,
  String: 2,
  Int: 3,
  Short: 4,
  Long: 5,
  Double: 6,
  List: 7,
  Class: 8,
  Password: 9,
} as const;

const DescribeConfigsRequestSchema = struct({
  resources: array(
    struct({
      resourceType: int8(),
      resourceName: string(),
      configurationKeys: nullable(array(string())),
    }),
  ),
  includeSynonyms: bool(),
  includeDocumentation: bool(),
});

const DescribeConfigsResponseSchema = struct({
  throttleTimeMs: int32(),
  results: array(
    struct({
      errorCode: int16(),
      errorMessage: nullable(string()),
      resourceType: int8(),
      resourceName: string(),
      configs: array(
        struct({
          name: string(),
          value: nullable(string()),
          readOnly: bool(),
          configSource: int8(),
          isSensitive: bool(),
          synonyms: array(
            struct({
              name: string(),
              value: nullable(string()),
              source: int8(),
            }),
          ),
          configType: int8(),
          documentation: nullable(string()),
        }),
      ),
    }),
  ),
});

export type DescribeConfigsRequest = Infer<typeof DescribeConfigsRequestSchema>;
export type DescribeConfigsResponse = Infer<typeof DescribeConfigsResponseSchema>;

export const DESCRIBE_CONFIGS_API = defineApi({
  apiKey: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  requestSchema: DescribeConfigsRequestSchema,
  responseSchema: DescribeConfigsResponseSchema,
});

export const validateDescribeConfigsRequest = DESCRIBE_CONFIGS_API.validateRequest;
