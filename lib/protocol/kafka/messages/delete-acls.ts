/** DeleteAcls (31) on a Kafka listener: v0-2, flexible from v2; pattern types from v1 (v0 filters are LITERAL). */
import { PatternType } from '../../../common/acl.js';
import { ApiKey } from '../../api-keys.js';
import type { DeleteAclsRequest, DeleteAclsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';
import { ACL_BINDING_FILTER_FIELDS } from './describe-acls.js';

export const KAFKA_DELETE_ACLS = defineKafkaApi<DeleteAclsRequest, DeleteAclsResponse>({
  apiKey: ApiKey.DeleteAcls,
  name: 'DeleteAcls',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [field('filters', ACL_BINDING_FILTER_FIELDS)],
  response: [
    field('throttleTimeMs', 'int32'),
    field('filterResults', [
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { nullable: '0+' }),
      field('matchingAcls', [
        field('errorCode', 'int16'),
        field('errorMessage', 'string', { nullable: '0+' }),
        field('resourceType', 'int8'),
        field('resourceName', 'string'),
        field('patternType', 'int8', { versions: '1+', default: PatternType.LITERAL }),
        field('principal', 'string'),
        field('host', 'string'),
        field('operation', 'int8'),
        field('permissionType', 'int8'),
      ]),
    ]),
  ],
});
