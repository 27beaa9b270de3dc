/** ApiVersions: the api keys and versions served on the listener the request arrived on. */
import { ErrorCode } from '../../common/error-codes.js';
import type { RequestContext } from '../../network/request-context.js';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../../protocol/messages/index.js';

export async function handleApiVersions(ctx: RequestContext, _req: ApiVersionsRequest): Promise<ApiVersionsResponse> {
  return { errorCode: ErrorCode.NONE, apiKeys: [...ctx.listener.apiVersions], throttleTimeMs: 0 };
}
