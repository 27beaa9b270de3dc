/**
 * ApiVersions (api key 18): which API keys and versions the broker serves; a client asks first and picks, per
 * API, the highest version both sides support. Fields follow Kafka 2.8's ApiVersionsRequest/Response (v3 field
 * set, without the tagged feature fields).
 *
 * ApiVersionsRequest => clientSoftwareName clientSoftwareVersion
 * ApiVersionsResponse => errorCode apiKeys[apiKey minVersion maxVersion] throttleTimeMs
 *
 * - A request whose own version is unsupported is still answered: errorCode UNSUPPORTED_VERSION with the full
 *   apiKeys list, so the client can retry with a version the broker knows (Kafka's behaviour).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, int16, int32, string, struct, type Infer } from '../schema.js';

const ApiVersionsRequestSchema = struct({
  clientSoftwareName: string(),
  clientSoftwareVersion: string(),
});

const ApiVersionsResponseSchema = struct({
  errorCode: int16(),
  apiKeys: array(
    struct({
      apiKey: int16(),
      minVersion: int16(),
      maxVersion: int16(),
    }),
  ),
  throttleTimeMs: int32(),
});

export type ApiVersionsRequest = Infer<typeof ApiVersionsRequestSchema>;
export type ApiVersionsResponse = Infer<typeof ApiVersionsResponseSchema>;

export const API_VERSIONS_API = defineApi({
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  requestSchema: ApiVersionsRequestSchema,
  responseSchema: ApiVersionsResponseSchema,
});

export const validateApiVersionsRequest = API_VERSIONS_API.validateRequest;
