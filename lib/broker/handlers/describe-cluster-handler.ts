/** DescribeCluster: cluster id, controller and live brokers from the metadata cache. */
import { ErrorCode } from '../../common/error-codes.js';
import type { DescribeClusterRequest, DescribeClusterResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleDescribeCluster(
  s: BrokerServices,
  _req: DescribeClusterRequest,
): Promise<DescribeClusterResponse> {
  const c = s.metadataCache;
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    clusterId: c.clusterId ?? '',
    controllerId: c.controllerId ?? -1,
    brokers: c.aliveBrokers().map((b) => ({ brokerId: b.id, host: b.host, port: b.port, rack: b.rack ?? null })),
    clusterAuthorizedOperations: -2147483648,
  };
}
