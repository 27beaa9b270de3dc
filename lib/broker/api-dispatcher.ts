/**
 * The API dispatcher: one table from api key to handler (Kafka's `KafkaApis.handle` without the god file).
 * The socket server has already checked the key, the version and the body's shape, so each handler receives a
 * typed, validated body. Requests that arrive before the broker finished starting wait for it (Kafka delays
 * request processing to the end of startup the same way).
 */
import { ApiKey } from '../protocol/api-keys.js';
import type { RequestHeader } from '../protocol/request-header.js';
import type { RequestContext } from '../network/request-context.js';
import type { RequestHandler } from '../network/server-connection.js';
import { ApiError } from '../common/errors.js';
import type { BrokerServices } from './handlers/broker-services.js';
import { requestMetricName, type RequestMetrics } from './request-metrics.js';
import { handleApiVersions } from './handlers/api-versions-handler.js';
import { handleMetadata } from './handlers/metadata-handler.js';
import { handleProduce } from './handlers/produce-handler.js';
import { handleFetch } from './handlers/fetch-handler.js';
import { handleListOffsets } from './handlers/list-offsets-handler.js';
import { handleDeleteRecords } from './handlers/delete-records-handler.js';
import { handleOffsetForLeaderEpoch } from './handlers/offset-for-leader-epoch-handler.js';
import { handleCreatePartitions, handleCreateTopics, handleDeleteTopics } from './handlers/topic-admin-handlers.js';
import { handleAlterConfigs, handleIncrementalAlterConfigs } from './handlers/alter-configs-handlers.js';
import { handleDescribeConfigs } from './handlers/describe-configs-handler.js';
import { handleDescribeCluster } from './handlers/describe-cluster-handler.js';
import { handleDescribeLogDirs } from './handlers/describe-log-dirs-handler.js';
import { handleControlledShutdown } from './handlers/controlled-shutdown-handler.js';
import { handleElectLeaders } from './handlers/elect-leaders-handler.js';
import {
  handleAlterPartitionReassignments,
  handleListPartitionReassignments,
} from './handlers/reassignment-handlers.js';
import { handleInitProducerId } from './handlers/init-producer-id-handler.js';
import {
  handleAddOffsetsToTxn,
  handleAddPartitionsToTxn,
  handleDescribeProducers,
  handleDescribeTransactions,
  handleEndTxn,
  handleListTransactions,
  handleTxnOffsetCommit,
  handleWriteTxnMarkers,
} from './handlers/transaction-handlers.js';
import {
  handleDeleteGroups,
  handleDescribeGroups,
  handleFindCoordinator,
  handleHeartbeat,
  handleJoinGroup,
  handleLeaveGroup,
  handleListGroups,
  handleOffsetCommit,
  handleOffsetDelete,
  handleOffsetFetch,
  handleSyncGroup,
} from './handlers/group-handlers.js';

type Handler = (s: BrokerServices, ctx: RequestContext, body: never) => Promise<object | null>;

const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [ApiKey.ApiVersions, (_s, ctx, b) => handleApiVersions(ctx, b)],
  [ApiKey.Metadata, (s, ctx, b) => handleMetadata(s, ctx, b)],
  [ApiKey.Produce, (s, ctx, b) => handleProduce(s, ctx, b)],
  [ApiKey.Fetch, (s, _ctx, b) => handleFetch(s, b)],
  [ApiKey.ListOffsets, (s, _ctx, b) => handleListOffsets(s, b)],
  [ApiKey.DeleteRecords, (s, _ctx, b) => handleDeleteRecords(s, b)],
  [ApiKey.OffsetForLeaderEpoch, (s, _ctx, b) => handleOffsetForLeaderEpoch(s, b)],
  [ApiKey.CreateTopics, (s, _ctx, b) => handleCreateTopics(s, b)],
  [ApiKey.DeleteTopics, (s, _ctx, b) => handleDeleteTopics(s, b)],
  [ApiKey.CreatePartitions, (s, _ctx, b) => handleCreatePartitions(s, b)],
  [ApiKey.DescribeConfigs, (s, _ctx, b) => handleDescribeConfigs(s, b)],
  [ApiKey.AlterConfigs, (s, _ctx, b) => handleAlterConfigs(s, b)],
  [ApiKey.IncrementalAlterConfigs, (s, _ctx, b) => handleIncrementalAlterConfigs(s, b)],
  [ApiKey.DescribeCluster, (s, ctx, b) => handleDescribeCluster(s, ctx, b)],
  [ApiKey.ControlledShutdown, (s, _ctx, b) => handleControlledShutdown(s, b)],
  [ApiKey.ElectLeaders, (s, _ctx, b) => handleElectLeaders(s, b)],
  [ApiKey.AlterPartitionReassignments, (s, _ctx, b) => handleAlterPartitionReassignments(s, b)],
  [ApiKey.ListPartitionReassignments, (s, _ctx, b) => handleListPartitionReassignments(s, b)],
  [ApiKey.FindCoordinator, (s, ctx, b) => handleFindCoordinator(s, ctx, b)],
  [ApiKey.OffsetCommit, (s, _ctx, b) => handleOffsetCommit(s, b)],
  [ApiKey.OffsetFetch, (s, _ctx, b) => handleOffsetFetch(s, b)],
  [ApiKey.JoinGroup, (s, ctx, b) => handleJoinGroup(s, ctx, b)],
  [ApiKey.SyncGroup, (s, _ctx, b) => handleSyncGroup(s, b)],
  [ApiKey.Heartbeat, (s, _ctx, b) => handleHeartbeat(s, b)],
  [ApiKey.LeaveGroup, (s, _ctx, b) => handleLeaveGroup(s, b)],
  [ApiKey.DescribeGroups, (s, _ctx, b) => handleDescribeGroups(s, b)],
  [ApiKey.ListGroups, (s, _ctx, b) => handleListGroups(s, b)],
  [ApiKey.DeleteGroups, (s, _ctx, b) => handleDeleteGroups(s, b)],
  [ApiKey.OffsetDelete, (s, _ctx, b) => handleOffsetDelete(s, b)],
  [ApiKey.DescribeLogDirs, (s, _ctx, b) => handleDescribeLogDirs(s, b)],
  [ApiKey.InitProducerId, (s, _ctx, b) => handleInitProducerId(s, b)],
  [ApiKey.AddPartitionsToTxn, (s, _ctx, b) => handleAddPartitionsToTxn(s, b)],
  [ApiKey.AddOffsetsToTxn, (s, _ctx, b) => handleAddOffsetsToTxn(s, b)],
  [ApiKey.EndTxn, (s, _ctx, b) => handleEndTxn(s, b)],
  [ApiKey.WriteTxnMarkers, (s, _ctx, b) => handleWriteTxnMarkers(s, b)],
  [ApiKey.TxnOffsetCommit, (s, _ctx, b) => handleTxnOffsetCommit(s, b)],
  [ApiKey.DescribeProducers, (s, _ctx, b) => handleDescribeProducers(s, b)],
  [ApiKey.DescribeTransactions, (s, _ctx, b) => handleDescribeTransactions(s, b)],
  [ApiKey.ListTransactions, (s, _ctx, b) => handleListTransactions(s, b)],
]);

/** The api keys this broker serves: what ApiVersions advertises. */
export const SERVED_API_KEYS: ReadonlySet<number> = new Set(HANDLERS.keys());

/**
 * Builds the socket server's handler; `ready` resolves with the services once startup is complete. Every request
 * served is reported to `requestMetrics` with its time from arrival to answer (waiting for startup included).
 */
export function createApiDispatcher(ready: Promise<BrokerServices>, requestMetrics?: RequestMetrics): RequestHandler {
  return async (ctx: RequestContext, header: RequestHeader, body: unknown) => {
    const handler = HANDLERS.get(header.apiKey);
    if (!handler) throw new ApiError('UNSUPPORTED_VERSION', `This broker does not serve api key ${header.apiKey}.`);
    const started = performance.now();
    requestMetrics?.started();
    try {
      const services = await ready;
      return await handler(services, ctx, body as never);
    } finally {
      requestMetrics?.finished(requestMetricName(header.apiKey, body), performance.now() - started);
    }
  };
}
