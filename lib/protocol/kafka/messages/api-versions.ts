/**
 * ApiVersions (18) on a Kafka listener: v0-3, flexible from v3. The response header is always v0 (see
 * `kafka-api.ts`), and a version this table does not serve is answered by `KafkaServerCodec` in v0 with
 * UNSUPPORTED_VERSION and the list, as Kafka answers it.
 *
 * Request v3+: clientSoftwareName clientSoftwareVersion (KIP-511). Response: errorCode apiKeys[apiKey minVersion
 * maxVersion] throttleTimeMs (v1+); the v3 tagged feature fields are not written.
 */
import { ApiKey } from '../../api-keys.js';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../messages/index.js';
import { defineKafkaApi } from '../kafka-api.js';
import { field } from '../kafka-schema.js';

export const KAFKA_API_VERSIONS = defineKafkaApi<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  versions: '0-3',
  flexibleVersions: '3+',
  request: [
    field('clientSoftwareName', 'string', { versions: '3+' }),
    field('clientSoftwareVersion', 'string', { versions: '3+' }),
  ],
  response: [
    field('errorCode', 'int16'),
    field('apiKeys', [field('apiKey', 'int16'), field('minVersion', 'int16'), field('maxVersion', 'int16')]),
    field('throttleTimeMs', 'int32', { versions: '1+' }),
  ],
});
