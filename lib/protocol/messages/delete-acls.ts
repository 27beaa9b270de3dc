/**
 * DeleteAcls (api key 31): removes every ACL binding matching each filter and lists what it removed. Needs Alter on
 * the Cluster. Fields follow Kafka 2.8's DeleteAclsRequest/Response (v2).
 *
 * DeleteAclsRequest => filters[resourceTypeFilter resourceNameFilter? patternTypeFilter principalFilter? hostFilter?
 *     operation permissionType]
 * DeleteAclsResponse => throttleTimeMs filterResults[errorCode errorMessage? matchingAcls[errorCode errorMessage?
 *     resourceType resourceName patternType principal host operation permissionType]]
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { AclBindingFilterSchema } from './describe-acls.js';
import { array, int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

const DeleteAclsRequestSchema = struct({
  filters: array(AclBindingFilterSchema),
});

const DeleteAclsResponseSchema = struct({
  throttleTimeMs: int32(),
  filterResults: array(
    struct({
      errorCode: int16(),
      errorMessage: nullable(string()),
      matchingAcls: array(
        struct({
          errorCode: int16(),
          errorMessage: nullable(string()),
          resourceType: int8(),
          resourceName: string(),
          patternType: int8(),
          principal: string(),
          host: string(),
          operation: int8(),
          permissionType: int8(),
        }),
      ),
    }),
  ),
});

export type DeleteAclsRequest = Infer<typeof DeleteAclsRequestSchema>;
export type DeleteAclsResponse = Infer<typeof DeleteAclsResponseSchema>;

export const DELETE_ACLS_API = defineApi({
  apiKey: ApiKey.DeleteAcls,
  name: 'DeleteAcls',
  requestSchema: DeleteAclsRequestSchema,
  responseSchema: DeleteAclsResponseSchema,
});
