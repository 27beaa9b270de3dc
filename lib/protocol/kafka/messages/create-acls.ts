/** CreateAcls (30) on a Kafka listener: v0-2, flexible from v2; the pattern type from v1 (LITERAL before). */
import { PatternType } from '../../../common/acl.js';
import { ApiKey } from '../../api-keys.js';
import type { CreateAclsRequest, CreateAclsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_CREATE_ACLS = defineKafkaApi<CreateAclsRequest, CreateAclsResponse>({
  apiKey: ApiKey.CreateAcls,
  name: 'CreateAcls',
  versions: '0-2',
  flexibleVersions: '2+',
  request: [
    field('creations', [
      field('resourceType', 'int8'),
      field('resourceName', 'string'),
      field('resourcePatternType', 'int8', { versions: '1+', default: PatternType.LITERAL }),
      field('principal', 'string'),
      field('host', 'string'),
      field('operation', 'int8'),
      field('permissionType', 'int8'),
    ]),
  ],
  response: [
    field('throttleTimeMs', 'int32'),
    field('results', [field('errorCode', 'int16'), field('errorMessage', 'string', { nullable: '0+' })]),
  ],
});
