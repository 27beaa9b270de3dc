/**
 * The API dispatcher: one table from api key to handler and access rule (Kafka's `KafkaApis.handle` without the god
 * file). The socket server has already checked the key, the version and the body's shape, so each handler receives
 * a typed, validated body. Requests that arrive before the broker finished starting wait for it (Kafka delays
 * request processing to the end of startup the same way).
 *
 * Per request, in order: with an authorizer, the API's access rule (api-access.ts, the one authorization seam)
 * admits the body, a filtered copy, or refuses it; the handler runs on what was admitted; the rule completes the
 * answer with what it refused; client quotas (request-quotas.ts) may throttle it. Without an authorizer and
 * without quotas configured, both steps cost a null check and a map lookup.
 */
import { AclOperation } from '../common/acl.js';
import { ApiKey } from '../protocol/api-keys.js';
import type { ApiMessages, RequestOf, ResponseOf } from '../protocol/messages/index.js';
import type { RequestHeader } from '../protocol/request-header.js';
import type { RequestContext } from '../network/request-context.js';
import type { RequestHandler } from '../network/server-connection.js';
import { ApiError } from '../common/errors.js';
import { principalString } from '../network/security/kafka-principal.js';
import type { BrokerServices } from './handlers/broker-services.js';
import * as access from './api-access.js';
import type { Access, AccessRule, Admission } from './api-access.js';
import { applyQuotas } from './request-quotas.js';
import { handleCreateAcls, handleDeleteAcls, handleDescribeAcls } from './handlers/acl-handlers.js';
import { handleAlterClientQuotas, handleDescribeClientQuotas } from './handlers/client-quota-handlers.js';
import { handleSaslAuthenticate, handleSaslHandshake } from './handlers/sasl-handlers.js';
import {
  handleAlterUserScramCredentials,
  handleDescribeUserScramCredentials,
} from './handlers/scram-credential-handlers.js';
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
import { handleAlterReplicaLogDirs } from './handlers/alter-replica-log-dirs-handler.js';
import { handleControlledShutdown } from './handlers/controlled-shutdown-handler.js';
import { handleDescribeDelayedRecords } from './handlers/delayed-records-handler.js';
import { handleDescribeGroupLag, handleListOffsetTimestamps } from './handlers/lag-handlers.js';
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

interface Api {
  readonly handle: Handler;
  readonly access: AccessRule<never, never>;
}

/** Pairs the handler of api key `key` with its access rule, both typed by the key's request and response. */
function api<K extends keyof ApiMessages>(
  key: K,
  handle: (s: BrokerServices, ctx: RequestContext, body: RequestOf<K>) => Promise<ResponseOf<K> | null>,
  rule: AccessRule<RequestOf<K>, ResponseOf<K> | null>,
): [number, Api] {
  return [key, { handle, access: rule as unknown as AccessRule<never, never> }];
}

const HANDLERS: ReadonlyMap<number, Api> = new Map<number, Api>([
  api(ApiKey.ApiVersions, (_s, ctx, b) => handleApiVersions(ctx, b), access.open()),
  api(ApiKey.SaslHandshake, (_s, ctx, b) => handleSaslHandshake(ctx, b), access.open()),
  api(ApiKey.SaslAuthenticate, (_s, ctx, b) => handleSaslAuthenticate(ctx, b), access.open()),
  api(ApiKey.Metadata, handleMetadata, access.metadataAccess),
  api(ApiKey.Produce, handleProduce, access.produceAccess),
  api(ApiKey.Fetch, (s, _ctx, b) => handleFetch(s, b), access.fetchAccess),
  api(ApiKey.ListOffsets, (s, _ctx, b) => handleListOffsets(s, b), access.listOffsetsAccess),
  api(ApiKey.DeleteRecords, (s, _ctx, b) => handleDeleteRecords(s, b), access.deleteRecordsAccess),
  api(ApiKey.OffsetForLeaderEpoch, (s, _ctx, b) => handleOffsetForLeaderEpoch(s, b), access.offsetForLeaderEpochAccess),
  api(ApiKey.CreateTopics, (s, _ctx, b) => handleCreateTopics(s, b), access.createTopicsAccess),
  api(ApiKey.DeleteTopics, (s, _ctx, b) => handleDeleteTopics(s, b), access.deleteTopicsAccess),
  api(ApiKey.CreatePartitions, (s, _ctx, b) => handleCreatePartitions(s, b), access.createPartitionsAccess),
  api(ApiKey.DescribeConfigs, (s, _ctx, b) => handleDescribeConfigs(s, b), access.describeConfigsAccess),
  api(ApiKey.AlterConfigs, (s, _ctx, b) => handleAlterConfigs(s, b), access.alterConfigsAccess),
  api(
    ApiKey.IncrementalAlterConfigs,
    (s, _ctx, b) => handleIncrementalAlterConfigs(s, b),
    access.incrementalAlterConfigsAccess,
  ),
  api(ApiKey.DescribeCluster, handleDescribeCluster, access.open()),
  api(
    ApiKey.ControlledShutdown,
    (s, _ctx, b) => handleControlledShutdown(s, b),
    access.requireCluster(AclOperation.CLUSTER_ACTION),
  ),
  api(ApiKey.ElectLeaders, (s, _ctx, b) => handleElectLeaders(s, b), access.electLeadersAccess),
  api(
    ApiKey.AlterPartitionReassignments,
    (s, _ctx, b) => handleAlterPartitionReassignments(s, b),
    access.requireCluster(AclOperation.ALTER),
  ),
  api(
    ApiKey.ListPartitionReassignments,
    (s, _ctx, b) => handleListPartitionReassignments(s, b),
    access.requireCluster(AclOperation.DESCRIBE),
  ),
  api(ApiKey.FindCoordinator, handleFindCoordinator, access.findCoordinatorAccess),
  api(ApiKey.OffsetCommit, (s, _ctx, b) => handleOffsetCommit(s, b), access.offsetCommitAccess),
  api(ApiKey.OffsetFetch, (s, _ctx, b) => handleOffsetFetch(s, b), access.offsetFetchAccess),
  api(ApiKey.JoinGroup, handleJoinGroup, access.requireGroup(AclOperation.READ)),
  api(ApiKey.SyncGroup, (s, _ctx, b) => handleSyncGroup(s, b), access.requireGroup(AclOperation.READ)),
  api(ApiKey.Heartbeat, (s, _ctx, b) => handleHeartbeat(s, b), access.requireGroup(AclOperation.READ)),
  api(ApiKey.LeaveGroup, (s, _ctx, b) => handleLeaveGroup(s, b), access.requireGroup(AclOperation.READ)),
  api(ApiKey.DescribeGroups, (s, _ctx, b) => handleDescribeGroups(s, b), access.describeGroupsAccess),
  api(ApiKey.ListGroups, (s, _ctx, b) => handleListGroups(s, b), access.listGroupsAccess),
  api(ApiKey.DeleteGroups, (s, _ctx, b) => handleDeleteGroups(s, b), access.deleteGroupsAccess),
  api(ApiKey.OffsetDelete, (s, _ctx, b) => handleOffsetDelete(s, b), access.offsetDeleteAccess),
  api(ApiKey.DescribeLogDirs, (s, _ctx, b) => handleDescribeLogDirs(s, b), access.describeLogDirsAccess),
  api(ApiKey.AlterReplicaLogDirs, (s, _ctx, b) => handleAlterReplicaLogDirs(s, b), access.alterReplicaLogDirsAccess),
  api(
    ApiKey.DescribeDelayedRecords,
    (s, _ctx, b) => handleDescribeDelayedRecords(s, b),
    access.requireCluster(AclOperation.DESCRIBE),
  ),
  api(ApiKey.ListOffsetTimestamps, (s, _ctx, b) => handleListOffsetTimestamps(s, b), access.listOffsetTimestampsAccess),
  api(
    ApiKey.DescribeGroupLag,
    (s, _ctx, b) => handleDescribeGroupLag(s, b),
    access.requireGroup(AclOperation.DESCRIBE),
  ),
  api(ApiKey.InitProducerId, (s, _ctx, b) => handleInitProducerId(s, b), access.initProducerIdAccess),
  api(ApiKey.AddPartitionsToTxn, (s, _ctx, b) => handleAddPartitionsToTxn(s, b), access.addPartitionsToTxnAccess),
  api(ApiKey.AddOffsetsToTxn, (s, _ctx, b) => handleAddOffsetsToTxn(s, b), access.addOffsetsToTxnAccess),
  api(ApiKey.EndTxn, (s, _ctx, b) => handleEndTxn(s, b), access.endTxnAccess),
  api(
    ApiKey.WriteTxnMarkers,
    (s, _ctx, b) => handleWriteTxnMarkers(s, b),
    access.requireCluster(AclOperation.CLUSTER_ACTION),
  ),
  api(ApiKey.TxnOffsetCommit, (s, _ctx, b) => handleTxnOffsetCommit(s, b), access.txnOffsetCommitAccess),
  api(ApiKey.DescribeProducers, (s, _ctx, b) => handleDescribeProducers(s, b), access.describeProducersAccess),
  api(ApiKey.DescribeTransactions, (s, _ctx, b) => handleDescribeTransactions(s, b), access.describeTransactionsAccess),
  api(ApiKey.ListTransactions, (s, _ctx, b) => handleListTransactions(s, b), access.listTransactionsAccess),
  api(ApiKey.DescribeAcls, (s, _ctx, b) => handleDescribeAcls(s, b), access.requireCluster(AclOperation.DESCRIBE)),
  api(ApiKey.CreateAcls, (s, _ctx, b) => handleCreateAcls(s, b), access.createAclsAccess),
  api(ApiKey.DeleteAcls, (s, _ctx, b) => handleDeleteAcls(s, b), access.deleteAclsAccess),
  api(
    ApiKey.DescribeClientQuotas,
    (s, _ctx, b) => handleDescribeClientQuotas(s, b),
    access.requireCluster(AclOperation.DESCRIBE_CONFIGS),
  ),
  api(ApiKey.AlterClientQuotas, (s, _ctx, b) => handleAlterClientQuotas(s, b), access.alterClientQuotasAccess),
  api(
    ApiKey.DescribeUserScramCredentials,
    (s, _ctx, b) => handleDescribeUserScramCredentials(s, b),
    access.requireCluster(AclOperation.DESCRIBE),
  ),
  api(
    ApiKey.AlterUserScramCredentials,
    (s, _ctx, b) => handleAlterUserScramCredentials(s, b),
    access.alterUserScramCredentialsAccess,
  ),
]);

/** The api keys this broker serves: what ApiVersions advertises. */
export const SERVED_API_KEYS: ReadonlySet<number> = new Set(HANDLERS.keys());

/**
 * Builds the socket server's handler; `ready` resolves with the services once startup is complete. Every request
 * served is reported to `requestMetrics` with its time from arrival to answer (waiting for startup included).
 */
export function createApiDispatcher(ready: Promise<BrokerServices>, requestMetrics?: RequestMetrics): RequestHandler {
  return async (ctx: RequestContext, header: RequestHeader, body: unknown) => {
    const entry = HANDLERS.get(header.apiKey);
    if (!entry) throw new ApiError('UNSUPPORTED_VERSION', `This broker does not serve api key ${header.apiKey}.`);
    const arrived = performance.now();
    requestMetrics?.started();
    try {
      const services = await ready;
      const admission: Admission<unknown, object | null> =
        services.authorizer === null ? { body } : entry.access(accessFor(services, ctx), body as never, services, ctx);
      const started = performance.now();
      const pending =
        admission.answer === undefined
          ? entry.handle(services, ctx, admission.body as never)
          : Promise.resolve(admission.answer);
      const handlerMs = performance.now() - started;
      const response = await pending;
      const answer = admission.finish === undefined ? response : admission.finish(response);
      return applyQuotas(services, ctx, admission.body, answer, handlerMs);
    } finally {
      requestMetrics?.finished(requestMetricName(header.apiKey, body), performance.now() - arrived);
    }
  };
}

/** The authorizer bound to the request's principal and client host. */
function accessFor(s: BrokerServices, ctx: RequestContext): Access {
  const authorizer = s.authorizer!;
  const principal = principalString(ctx.principal);
  const host = ctx.clientHost;
  return {
    allowed: (op, type, name) => authorizer.authorize(principal, host, op, type, name),
    allowedOnSome: (op, type) => authorizer.authorizeByResourceType(principal, host, op, type),
  };
}
