/**
 * CreateAcls (api key 30): adds ACL bindings, stored in ZooKeeper by the authorizer (`/kafka-acl/...`) and applied
 * by every broker through the change notifications. Needs Alter on the Cluster. Fields follow Kafka 2.8's
 * CreateAclsRequest/Response (v2).
 *
 * CreateAclsRequest => creations[resourceType resourceName resourcePatternType principal host operation
 *     permissionType]
 * CreateAclsResponse => throttleTimeMs results[errorCode errorMessage?]   (one result per creation, in order)
 *
 * - INVALID_REQUEST: a binding that cannot be stored (a filter value, an empty name, an operation the resource
 *   type does not support, a principal without a type); SECURITY_DISABLED without an authorizer.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

const CreateAclsRequestSchema = struct({
  creations: array(
    struct({
      resourceType: int8(),
      resourceName: string(),
      resourcePatternType: int8(),
      principal: string(),
      host: string(),
      operation: int8(),
      permissionType: int8(),
    }),
  ),
});

const CreateAclsResponseSchema = struct({
  throttleTimeMs: int32(),
  results: array(struct({ errorCode: int16(), errorMessage: nullable(string()) })),
});

export type CreateAclsRequest = Infer<typeof CreateAclsRequestSchema>;
export type CreateAclsResponse = Infer<typeof CreateAclsResponseSchema>;

export const CREATE_ACLS_API = defineApi({
  apiKey: ApiKey.CreateAcls,
  name: 'CreateAcls',
  requestSchema: CreateAclsRequestSchema,
  responseSchema: CreateAclsResponseSchema,
});
