/**
 * DescribeAcls (api key 29): the ACL bindings that match a filter, grouped by resource pattern. Needs Describe on
 * the Cluster. Fields follow Kafka 2.8's DescribeAclsRequest/Response (v2); codes are `lib/common/acl.ts`'s.
 *
 * DescribeAclsRequest => resourceTypeFilter resourceNameFilter? patternTypeFilter principalFilter? hostFilter?
 *     operation permissionType
 * DescribeAclsResponse => throttleTimeMs errorCode errorMessage? resources[resourceType resourceName patternType
 *     acls[principal host operation permissionType]]
 *
 * - SECURITY_DISABLED: the broker has no authorizer (authorizer.class.name is empty).
 * - INVALID_REQUEST: a filter with an UNKNOWN part.
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, int8, nullable, string, struct, type Infer } from '../schema.js';

/** An ACL binding filter: DescribeAcls' request, and each of DeleteAcls' filters. */
export const AclBindingFilterSchema = struct({
  resourceTypeFilter: int8(),
  resourceNameFilter: nullable(string()),
  patternTypeFilter: int8(),
  principalFilter: nullable(string()),
  hostFilter: nullable(string()),
  operation: int8(),
  permissionType: int8(),
});

const DescribeAclsRequestSchema = AclBindingFilterSchema;

const DescribeAclsResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  errorMessage: nullable(string()),
  resources: array(
    struct({
      resourceType: int8(),
      resourceName: string(),
      patternType: int8(),
      acls: array(struct({ principal: string(), host: string(), operation: int8(), permissionType: int8() })),
    }),
  ),
});

export type DescribeAclsRequest = Infer<typeof DescribeAclsRequestSchema>;
export type DescribeAclsResponse = Infer<typeof DescribeAclsResponseSchema>;

export const DESCRIBE_ACLS_API = defineApi({
  apiKey: ApiKey.DescribeAcls,
  name: 'DescribeAcls',
  requestSchema: DescribeAclsRequestSchema,
  responseSchema: DescribeAclsResponseSchema,
});
