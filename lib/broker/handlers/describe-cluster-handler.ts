/**
 * DescribeCluster: cluster id, controller and live brokers from the metadata cache, each with its endpoint on the
 * listener the request arrived on (brokers without one are left out).
 */
import { ErrorCode } from '../../common/error-codes.js';
import type { RequestContext } from '../../network/request-context.js';
import type { DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/messages/index.js';
import { endpointOn, type BrokerServices } from './broker-services.js';

export async function handleDescribeCluster(
  s: BrokerServices,
  ctx: RequestContext,
  _req: DescribeClusterRequest,
): Promise<DescribeClusterResponse> {
  const c = s.metadataCache;
  const brokers: DescribeClusterResponse['brokers'] = [];
  for (const b of c.aliveBrokers()) {
    const endpoint = endpointOn(b, ctx.listener.name);
    if (endpoint) brokers.push({ brokerId: b.id, host: endpoint.host, port: endpoint.port, rack: b.rack ?? null });
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    clusterId: c.clusterId ?? '',
    controllerId: c.controllerId ?? -1,
    brokers,
    clusterAuthorizedOperations: -2147483648,
  };
}
