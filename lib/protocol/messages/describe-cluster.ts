/**
 * DescribeCluster (api key 60): the cluster id, the controller and the live brokers, for admin clients. Fields
 * follow Kafka 2.8's DescribeClusterRequest/DescribeClusterResponse (v0).
 *
 * DescribeClusterRequest => includeClusterAuthorizedOperations
 * DescribeClusterResponse => throttleTimeMs errorCode errorMessage? clusterId controllerId brokers[brokerId host
 *     port rack?] clusterAuthorizedOperations
 *
 * - controllerId: -1 when no controller is known. clusterAuthorizedOperations: -2^31 (not requested / no ACLs).
 */
import { ApiKey } from '../api-keys.js';
import { defineApi } from '../api-definition.js';
import { array, bool, int16, int32, nullable, string, struct, type Infer } from '../schema.js';

const DescribeClusterRequestSchema = struct({
  includeClusterAuthorizedOperations: bool(),
});

const DescribeClusterResponseSchema = struct({
  throttleTimeMs: int32(),
  errorCode: int16(),
  errorMessage: nullable(string()),
  clusterId: string(),
  controllerId: int32(),
  brokers: array(
    struct({
      brokerId: int32(),
      host: string(),
      port: int32(),
      rack: nullable(string()),
    }),
  ),
  clusterAuthorizedOperations: int32(),
});

export type DescribeClusterRequest = Infer<typeof DescribeClusterRequestSchema>;
export type DescribeClusterResponse = Infer<typeof DescribeClusterResponseSchema>;

export const DESCRIBE_CLUSTER_API = defineApi({
  apiKey: ApiKey.DescribeCluster,
  name: 'DescribeCluster',
  requestSchema: DescribeClusterRequestSchema,
  responseSchema: DescribeClusterResponseSchema,
});

export const validateDescribeClusterRequest = DESCRIBE_CLUSTER_API.validateRequest;
