/** ApiVersions: the api keys and versions this broker serves. */
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleApiVersions(s: BrokerServices, _req: ApiVersionsRequest): Promise<ApiVersionsResponse> {
  return { errorCode: 0, apiKeys: s.apiVersions.ranges(), throttleTimeMs: 0 };
}
