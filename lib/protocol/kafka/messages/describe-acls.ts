/**
 * DescribeAcls (29) on a Kafka listener: v0-2, flexible from v2; pattern types from v1 (v0 is LITERAL only: a v0
 * filter matches literal patterns, and the response carries no pattern type).
 */
import { PatternType } from '../../../common/acl.js';
import { ApiKey } from '../../api-keys.js';
import type { DescribeAclsRequest, DescribeAclsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

/** An ACL binding filter's fields, as DescribeAcls' request and each of DeleteAcls' filters carry them. */
export const ACL_BINDING_FILTER_FIELDS = [
  field('resourceTypeFilter', 'int8'),
  field('resourceNameFilter', 'string', { nullable: '0+' }),
  field('patternTypeFilter', 'int8', { versions: '1+', default: PatternType.LITERAL }),
  field('principalFilter', 'string', { nullable: '0+' }),
  field('hostFilter', 'string', { nullable: '0+' }),
  field('operation', 'int8'),
  field('permissionType', 'int8'),
];

export const KAFKA_DESCRIBE_ACLS = defineKafkaApi<DescribeAclsRequest, DescribeAclsResponse>({
  apiKey: ApiKey.DescribeAcls,
  name: 'DescribeAcls',
  versions: '0-2',
  flexibleVersions: '2+',
  request: ACL_BINDING_FILTER_FIELDS,
  response: [
    field('throttleTimeMs', 'int32'),
    field('errorCode', 'int16'),
    field('errorMessage', 'string', { nullable: '0+' }),
    field('resources', [
      field('resourceType', 'int8'),
      field('resourceName', 'string'),
      field('patternType', 'int8', { versions: '1+', default: PatternType.LITERAL }),
      field('acls', [
        field('principal', 'string'),
        field('host', 'string'),
        field('operation', 'int8'),
        field('permissionType', 'int8'),
      ]),
    ]),
  ],
  // v0 knows only literal patterns: it must not see prefixed ones it would take for literal.
  adaptResponse: (body, version) =>
    version >= 1 ? body : { ...body, resources: body.resources.filter((r) => r.patternType === PatternType.LITERAL) },
});
