/**
 * AlterClientQuotas (api key 49, KIP-546): sets or removes quota configs (producer_byte_rate, consumer_byte_rate,
 * request_percentage) of user, client-id and (user, client-id) entities, stored in /config/users and
 * /config/clients. Needs AlterConfigs on the Cluster. Fields follow Kafka 2.8's AlterClientQuotasRequest/Response
 * (v1).
 *
 * AlterClientQuotasRequest => entries[entity[entityType entityName?] ops[key value remove]] validateOnly
 * AlterClientQuotasResponse => throttleTimeMs entries[errorCode errorMessage? entity[entityType entityName?]]
 *
 * - INVALID_REQUEST: an unknown entity type or a repeated one; INVALID_CONFIG: an unknown key or a value that is
 *   not positive.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, float64, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const EntitySchema = array(struct({ entityType: string(), entityName: nullable(string()) }));

const AlterClientQuotasRequestSchema = struct({
  entries: array(
    struct({ entity: EntitySchema, ops: array(struct({ key: string(), value: float64(), remove: bool() })) }),
  ),
  validateOnly: bool(),
});

const AlterClientQuotasResponseSchema = struct({
  throttleTimeMs: int32(),
  entries: array(struct({ errorCode: int16(), errorMessage: nullable(string()), entity: EntitySchema })),
});

export type AlterClientQuotasRequest = Infer<typeof AlterClientQuotasRequestSchema>;
export type AlterClientQuotasResponse = Infer<typeof AlterClientQuotasResponseSchema>;

export const ALTER_CLIENT_QUOTAS_API = defineApi({
  apiKey: ApiKey.AlterClientQuotas,
  name: 'AlterClientQuotas',
  requestSchema: AlterClientQuotasRequestSchema,
  responseSchema: AlterClientQuotasResponseSchema,
});
