/**
 * DescribeClientQuotas (api key 48, KIP-546): the quota configs of the user and client-id entities matching a
 * filter. Needs DescribeConfigs on the Cluster. Fields follow Kafka 2.8's DescribeClientQuotasRequest/Response (v1).
 *
 * DescribeClientQuotasRequest => components[entityType matchType match?] strict
 * DescribeClientQuotasResponse => throttleTimeMs errorCode errorMessage? entries[entity[entityType entityName?] values[key value]]?
 *
 * - entityType: `user` or `client-id`; matchType 0 = exactly `match`, 1 = the default entity, 2 = any named entity.
 *   `strict`: only entities with exactly the filtered types. A null entityName is the default entity.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, float64, int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

const EntitySchema = array(struct({ entityType: string(), entityName: nullable(string()) }));

const DescribeClientQuotasRequestSchema = struct({
  components: array(struct({ entityType: string(), matchType: int8(), match: nullable(string()) })),
  strict: bool(),
});

const DescribeClientQuotasResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  errorMessage: nullable(string()),
  entries: nullable(
    array(struct({ entity: EntitySchema, values: array(struct({ key: string(), value: float64() })) })),
  ),
});

export type DescribeClientQuotasRequest = Infer<typeof DescribeClientQuotasRequestSchema>;
export type DescribeClientQuotasResponse = Infer<typeof DescribeClientQuotasResponseSchema>;
export type QuotaEntityData = Infer<typeof EntitySchema>;

export const QuotaMatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

export const DESCRIBE_CLIENT_QUOTAS_API = defineApi({
  apiKey: ApiKey.DescribeClientQuotas,
  name: 'DescribeClientQuotas',
  requestSchema: DescribeClientQuotasRequestSchema,
  responseSchema: DescribeClientQuotasResponseSchema,
});
