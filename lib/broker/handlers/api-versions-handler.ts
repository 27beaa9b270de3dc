/** ApiVersions: the api keys and versions this broker serves. */
import { ErrorCode } from '../../common/error-codes.js';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleApiVersions(s: BrokerServices, _req: ApiVersionsRequest): Promise<ApiVersionsResponse> {
  return { errorCode: ErrorCode.NONE, apiKeys: s.apiVersions.ranges(), throttleTimeMs: 0 };
}
