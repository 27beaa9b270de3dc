/**
 * What each API requires of the principal, checked before its handler acts (Kafka's per-handler `authorize` calls in
 * KafkaApis, gathered in one table): the single authorization seam of the broker. The dispatcher runs an API's rule
 * with the request's `Access` (the authorizer bound to the principal and client host); the rule either lets the
 * request through, lets a filtered copy through and adds answers for what it removed (`finish`), or refuses the
 * whole request (throws ApiError, answered by the codec). Handlers therefore only ever see what the principal may
 * touch, and every API served has a rule: the dispatcher's table pairs each handler with its rule.
 *
 * Kafka's rules, kept here: topics the principal may not describe are answered TOPIC_AUTHORIZATION_FAILED before
 * anyone checks that they exist, and left out of all-topics Metadata, so a client learns nothing about them; groups
 * GROUP_AUTHORIZATION_FAILED; cluster actions CLUSTER_AUTHORIZATION_FAILED; follower fetches need ClusterAction
 * (CVE-2018-1288). Topic operations: Produce Write, Fetch/OffsetCommit/OffsetDelete Read, ListOffsets/Metadata/
 * OffsetFetch/OffsetForLeaderEpoch Describe, CreateTopics Create (on the Cluster or the topic; also what lets
 * Metadata auto-create), DeleteTopics/DeleteRecords Delete, CreatePartitions Alter, DescribeConfigs DescribeConfigs,
 * AlterConfigs/IncrementalAlterConfigs AlterConfigs (a broker's configs: on the Cluster).
 * Groups: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit Read; FindCoordinator, OffsetFetch,
 * DescribeGroups Describe; DeleteGroups, OffsetDelete Delete. Cluster: ControlledShutdown ClusterAction,
 * DescribeAcls/DescribeLogDirs/DescribeUserScramCredentials Describe, CreateAcls/DeleteAcls/
 * AlterUserScramCredentials/ElectLeaders/AlterReplicaLogDirs Alter, WriteTxnMarkers ClusterAction (brokers only). Transactional ids: Write for
 * Produce, InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit; Describe for
 * FindCoordinator, DescribeTransactions and ListTransactions (which lists only those). DescribeProducers: Read on the
 * topic; AddPartitionsToTxn: Write on each topic; AddOffsetsToTxn, TxnOffsetCommit: Read on the group. DescribeClientQuotas DescribeConfigs, AlterClientQuotas AlterConfigs.
 * mq's own APIs, by their nearest Kafka kin: ListOffsetTimestamps Describe on each topic (as ListOffsets),
 * DescribeGroupLag Describe on the group (as DescribeGroups), DescribeDelayedRecords Describe on the Cluster (it names
 * targets across the cluster, as DescribeLogDirs does). Produce to `__delayed_records` also needs Write on each target
 * its records name (produceAccess).
 *
 * Cost: one cached decision per topic or group a request names (AclAuthorizer); nothing per partition or record.
 * With no authorizer configured the dispatcher skips this table altogether.
 */
import {
  AclOperation,
  CLUSTER_RESOURCE_NAME,
  ResourceType,
  type AclOperation as Op,
  type ResourceType as Type,
} from '../common/acl.js';
import { ErrorCode } from '../common/error-codes.js';
import { ApiError } from '../common/errors.js';
import type { RequestContext } from '../network/request-context.js';
import type {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  AlterClientQuotasRequest,
  AlterClientQuotasResponse,
  AlterConfigsRequest,
  AlterConfigsResponse,
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  CreateAclsRequest,
  CreateAclsResponse,
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  AlterReplicaLogDirsRequest,
  AlterReplicaLogDirsResponse,
  DescribeProducersRequest,
  DescribeProducersResponse,
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  ElectLeadersRequest,
  ElectLeadersResponse,
  EndTxnRequest,
  EndTxnResponse,
  FetchRequest,
  FetchResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  ListOffsetTimestampsRequest,
  ListOffsetTimestampsResponse,
  ListTransactionsRequest,
  ListTransactionsResponse,
  MetadataRequest,
  MetadataResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  ProduceRequest,
  ProduceResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
} from '../protocol/messages/index.js';
import { CoordinatorType } from '../protocol/messages/index.js';
import { DELAYED_TOPIC, delayedTargetTopics } from '../record/delayed-record.js';
import type { BrokerServices } from './handlers/broker-services.js';

/** The authorizer bound to one request's principal and client host. */
export interface Access {
  allowed(operation: Op, resourceType: Type, name: string): boolean;
  /** Whether some resource of the type allows the operation (KIP-679's authorizeByResourceType). */
  allowedOnSome(operation: Op, resourceType: Type): boolean;
}

/** A rule's verdict: the body the handler gets, and how to complete its response with what was refused. */
export interface Admission<Req = unknown, Res = unknown> {
  readonly body: Req;
  /** Completes the handler's response with the answers for what was refused. */
  finish?(response: Res): Res;
  /** The whole answer, when nothing of the request may happen: the handler is not called. */
  readonly answer?: Res;
}

export type AccessRule<Req = never, Res = never> = (
  a: Access,
  body: Req,
  s: BrokerServices,
  ctx: RequestContext,
) => Admission<Req, Res>;

/** Nothing to check (ApiVersions, SASL, DescribeCluster). */
export function open<Req, Res>(): AccessRule<Req, Res> {
  return (_a, body) => ({ body });
}

const TOPIC_DENIED = ErrorCode.TOPIC_AUTHORIZATION_FAILED;

function cluster(a: Access, op: Op): boolean {
  return a.allowed(op, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
}

/** A whole-request refusal when the principal may not do `op` on the Cluster. */
export function requireCluster<Req, Res>(op: Op): AccessRule<Req, Res> {
  return (a, body) => {
    if (!cluster(a, op)) throw clusterDenied(op);
    return { body };
  };
}

function clusterDenied(op: Op): ApiError {
  return new ApiError(
    'CLUSTER_AUTHORIZATION_FAILED',
    `Cluster authorization failed: the principal may not ${opName(op)} the cluster.`,
  );
}

/** A whole-request refusal when the principal may not do `op` on the transactional id. */
function requireTransactionalId(a: Access, transactionalId: string, op: Op = AclOperation.WRITE): void {
  if (!a.allowed(op, ResourceType.TRANSACTIONAL_ID, transactionalId))
    throw new ApiError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'Transactional Id authorization failed.');
}

function groupDenied(groupId: string): ApiError {
  return new ApiError('GROUP_AUTHORIZATION_FAILED', `Not authorized to access group: ${groupId}`);
}

const opName = (op: Op): string =>
  Object.entries(AclOperation)
    .find(([, code]) => code === op)![0]
    .toLowerCase()
    .replace(/_/g, ' ');

/** Splits items by whether the principal may do `op` on the topic each names. */
function byTopic<T>(a: Access, op: Op, items: readonly T[], name: (t: T) => string): { allowed: T[]; denied: T[] } {
  const allowed: T[] = [];
  const denied: T[] = [];
  for (const item of items) (a.allowed(op, ResourceType.TOPIC, name(item)) ? allowed : denied).push(item);
  return { allowed, denied };
}

/** A whole-request refusal when the principal may not do `op` on the group. */
export function requireGroup<Req extends { groupId: string }, Res>(op: Op): AccessRule<Req, Res> {
  return (a, body) => {
    if (!a.allowed(op, ResourceType.GROUP, body.groupId)) throw groupDenied(body.groupId);
    return { body };
  };
}

/**
 * Produce: Write on each topic. Records for `__delayed_records` also need Write on every target they name (the broker
 * delivers them as itself, so Write on the delay topic alone would be Write on every topic); a cursor record or a batch
 * the check cannot read refuses the delay topic's data (delayed-record.ts `delayedTargetTopics`).
 */
export const produceAccess: AccessRule<ProduceRequest, ProduceResponse | null> = (a, req, _s, ctx) => {
  if (req.transactionalId !== null) requireTransactionalId(a, req.transactionalId);
  const { allowed, denied } = byTopic(a, AclOperation.WRITE, req.topicData, (t) => t.name);
  const delayed = allowed.findIndex((t) => t.name === DELAYED_TOPIC);
  if (delayed >= 0 && !delayedTargetsWritable(a, allowed[delayed]!)) denied.push(...allowed.splice(delayed, 1));
  if (denied.length === 0) return { body: req };
  if (req.acks === 0) ctx.closeConnectionAfterResponse = true;
  return {
    body: { ...req, topicData: allowed },
    finish: (res) =>
      res === null
        ? null
        : {
            ...res,
            responses: [
              ...res.responses,
              ...denied.map((t) => ({
                name: t.name,
                partitionResponses: t.partitionData.map((p) => ({
                  index: p.index,
                  errorCode: TOPIC_DENIED,
                  baseOffset: -1,
                  logAppendTimeMs: -1,
                  logStartOffset: -1,
                  recordErrors: [],
                  errorMessage: null,
                })),
              })),
            ],
          },
  };
};

/** Whether the principal may write every target that the delayed records of `t` name. */
function delayedTargetsWritable(a: Access, t: ProduceRequest['topicData'][number]): boolean {
  for (const p of t.partitionData) {
    const targets = delayedTargetTopics(p.records);
    if (targets === null) return false;
    for (const topic of targets) if (!a.allowed(AclOperation.WRITE, ResourceType.TOPIC, topic)) return false;
  }
  return true;
}

export const fetchAccess: AccessRule<FetchRequest, FetchResponse> = (a, req) => {
  const follower = req.replicaId >= 0;
  const { allowed, denied } = follower
    ? cluster(a, AclOperation.CLUSTER_ACTION)
      ? { allowed: req.topics, denied: [] }
      : { allowed: [], denied: req.topics }
    : byTopic(a, AclOperation.READ, req.topics, (t) => t.topic);
  if (denied.length === 0) return { body: req };
  return {
    body: { ...req, topics: allowed },
    finish: (res) => ({
      ...res,
      responses: [
        ...res.responses,
        ...denied.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partition,
            errorCode: TOPIC_DENIED,
            highWatermark: -1,
            lastStableOffset: -1,
            logStartOffset: -1,
            abortedTransactions: null,
            preferredReadReplica: -1,
            records: EMPTY,
          })),
        })),
      ],
    }),
  };
};

const EMPTY = Buffer.alloc(0);

/**
 * InitProducerId: Write on the transactional id for a transactional producer; for an idempotent one IdempotentWrite
 * on the Cluster, or Write on some topic (Kafka 2.8, KIP-679).
 */
export const initProducerIdAccess: AccessRule<InitProducerIdRequest, InitProducerIdResponse> = (a, req) => {
  if (req.transactionalId !== null) requireTransactionalId(a, req.transactionalId);
  else if (!cluster(a, AclOperation.IDEMPOTENT_WRITE) && !a.allowedOnSome(AclOperation.WRITE, ResourceType.TOPIC)) {
    throw clusterDenied(AclOperation.IDEMPOTENT_WRITE);
  }
  return { body: req };
};

export const listOffsetsAccess = topicOperation<
  ListOffsetsRequest,
  ListOffsetsResponse,
  ListOffsetsRequest['topics'][number],
  ListOffsetsResponse['topics'][number]
>(
  AclOperation.DESCRIBE,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => t.name,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      errorCode: TOPIC_DENIED,
      timestamp: -1,
      offset: -1,
      leaderEpoch: -1,
    })),
  }),
);

/** ListOffsetTimestamps (mq's own): Describe on each topic, as ListOffsets. */
export const listOffsetTimestampsAccess = topicOperation<
  ListOffsetTimestampsRequest,
  ListOffsetTimestampsResponse,
  ListOffsetTimestampsRequest['topics'][number],
  ListOffsetTimestampsResponse['topics'][number]
>(
  AclOperation.DESCRIBE,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => t.name,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      errorCode: TOPIC_DENIED,
      offset: -1,
      timestamp: -1,
      highWatermark: -1,
      logStartOffset: -1,
    })),
  }),
);

export const deleteRecordsAccess = topicOperation<
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  DeleteRecordsRequest['topics'][number],
  DeleteRecordsResponse['topics'][number]
>(
  AclOperation.DELETE,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => t.name,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      lowWatermark: -1,
      errorCode: TOPIC_DENIED,
    })),
  }),
);

/** OffsetForLeaderEpoch: Describe on each topic, or ClusterAction (followers ask for every topic they replicate). */
export const offsetForLeaderEpochAccess = topicOperation<
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  OffsetForLeaderEpochRequest['topics'][number],
  OffsetForLeaderEpochResponse['topics'][number]
>(
  AclOperation.DESCRIBE,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => t.topic,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => ({
      errorCode: TOPIC_DENIED,
      partition: p.partition,
      leaderEpoch: -1,
      endOffset: -1,
    })),
  }),
  AclOperation.CLUSTER_ACTION,
);

/**
 * Metadata (Kafka's handleTopicMetadataRequest): all-topics requests lose the topics the principal may not describe;
 * named ones it may not describe, or that do not exist and it may not create, are TOPIC_AUTHORIZATION_FAILED.
 */
export const metadataAccess: AccessRule<MetadataRequest, MetadataResponse> = (a, req, s) => {
  if (req.topics === null) {
    return {
      body: req,
      finish: (res) => ({
        ...res,
        topics: res.topics.filter((t) => a.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)),
      }),
    };
  }
  const { allowed, denied } = byTopic(a, AclOperation.DESCRIBE, req.topics, (t) => t.name);
  const uncreatable =
    req.allowAutoTopicCreation && s.config.autoCreateTopicsEnable && !cluster(a, AclOperation.CREATE)
      ? allowed.filter(
          (t) => !s.metadataCache.hasTopic(t.name) && !a.allowed(AclOperation.CREATE, ResourceType.TOPIC, t.name),
        )
      : [];
  if (denied.length === 0 && uncreatable.length === 0) return { body: req };
  const refused = [...uncreatable, ...denied];
  return {
    body: { ...req, topics: allowed.filter((t) => !uncreatable.includes(t)) },
    finish: (res) => ({
      ...res,
      topics: [
        ...res.topics,
        ...refused.map((t) => ({ errorCode: TOPIC_DENIED, name: t.name, isInternal: false, partitions: [] })),
      ],
    }),
  };
};

export const offsetCommitAccess: AccessRule<OffsetCommitRequest, OffsetCommitResponse> = (a, req) => {
  if (!a.allowed(AclOperation.READ, ResourceType.GROUP, req.groupId)) {
    return {
      body: { ...req, topics: [] },
      finish: (res) => ({ ...res, topics: partitionErrors(req.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED) }),
    };
  }
  const { allowed, denied } = byTopic(a, AclOperation.READ, req.topics, (t) => t.name);
  if (denied.length === 0) return { body: req };
  return {
    body: { ...req, topics: allowed },
    finish: (res) => ({ ...res, topics: [...res.topics, ...partitionErrors(denied, TOPIC_DENIED)] }),
  };
};

function partitionErrors(
  topics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[],
  errorCode: number,
): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] {
  return topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  }));
}

export const offsetFetchAccess: AccessRule<OffsetFetchRequest, OffsetFetchResponse> = (a, req) => {
  if (!a.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, req.groupId)) throw groupDenied(req.groupId);
  const mayDescribe = (name: string) => a.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name);
  if (req.topics === null) {
    return { body: req, finish: (res) => ({ ...res, topics: res.topics.filter((t) => mayDescribe(t.name)) }) };
  }
  const { allowed, denied } = byTopic(a, AclOperation.DESCRIBE, req.topics, (t) => t.name);
  if (denied.length === 0) return { body: req };
  return {
    body: { ...req, topics: allowed },
    finish: (res) => ({
      ...res,
      topics: [
        ...res.topics,
        ...denied.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1,
            committedLeaderEpoch: -1,
            metadata: null,
            errorCode: TOPIC_DENIED,
          })),
        })),
      ],
    }),
  };
};

export const findCoordinatorAccess: AccessRule<FindCoordinatorRequest, FindCoordinatorResponse> = (a, req) => {
  if (req.keyType === CoordinatorType.Transaction) requireTransactionalId(a, req.key, AclOperation.DESCRIBE);
  else if (!a.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, req.key)) {
    throw groupDenied(req.key);
  }
  return { body: req };
};

export const describeGroupsAccess: AccessRule<DescribeGroupsRequest, DescribeGroupsResponse> = (a, req) => {
  const denied = req.groups.filter((g) => !a.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, g));
  if (denied.length === 0) return { body: req };
  return {
    body: { ...req, groups: req.groups.filter((g) => !denied.includes(g)) },
    finish: (res) => ({
      ...res,
      groups: [
        ...res.groups,
        ...denied.map((groupId) => ({
          errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
          groupId,
          groupState: '',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: -2147483648,
        })),
      ],
    }),
  };
};

/** ListGroups: everything with Describe on the Cluster, else only the groups the principal may describe. */
export const listGroupsAccess: AccessRule<ListGroupsRequest, ListGroupsResponse> = (a, req) =>
  cluster(a, AclOperation.DESCRIBE)
    ? { body: req }
    : {
        body: req,
        finish: (res) => ({
          ...res,
          groups: res.groups.filter((g) => a.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId)),
        }),
      };

export const deleteGroupsAccess: AccessRule<DeleteGroupsRequest, DeleteGroupsResponse> = (a, req) => {
  const denied = req.groupsNames.filter((g) => !a.allowed(AclOperation.DELETE, ResourceType.GROUP, g));
  if (denied.length === 0) return { body: req };
  return {
    body: { ...req, groupsNames: req.groupsNames.filter((g) => !denied.includes(g)) },
    finish: (res) => ({
      ...res,
      results: [
        ...res.results,
        ...denied.map((groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED })),
      ],
    }),
  };
};

export const offsetDeleteAccess: AccessRule<OffsetDeleteRequest, OffsetDeleteResponse> = (a, req) => {
  if (!a.allowed(AclOperation.DELETE, ResourceType.GROUP, req.groupId)) throw groupDenied(req.groupId);
  const { allowed, denied } = byTopic(a, AclOperation.READ, req.topics, (t) => t.name);
  if (denied.length === 0) return { body: req };
  return {
    body: { ...req, topics: allowed },
    finish: (res) => ({ ...res, topics: [...res.topics, ...partitionErrors(denied, TOPIC_DENIED)] }),
  };
};

/**
 * A per-topic rule: the request's items that name a topic the principal may not `op` are taken out and answered by
 * `refusal(item)` beside the handler's results; `op` allowed on the Cluster as `clusterOverride` admits everything.
 */
function topicOperation<Req, Res, T, R>(
  op: Op,
  get: (req: Req) => readonly T[],
  set: (req: Req, items: T[]) => Req,
  name: (t: T) => string,
  results: (res: Res) => R[],
  withResults: (res: Res, items: R[]) => Res,
  refusal: (item: T) => R,
  clusterOverride?: Op,
): AccessRule<Req, Res> {
  return (a, req) => {
    if (clusterOverride !== undefined && cluster(a, clusterOverride)) return { body: req };
    const { allowed, denied } = byTopic(a, op, get(req), name);
    if (denied.length === 0) return { body: req };
    return {
      body: set(req, allowed),
      finish: (res) => withResults(res, [...results(res), ...denied.map(refusal)]),
    };
  };
}

const topicRefusal = (name: string) => ({
  name,
  errorCode: TOPIC_DENIED,
  errorMessage: 'Authorization failed.',
});

export const createTopicsAccess = topicOperation<
  CreateTopicsRequest,
  CreateTopicsResponse,
  CreateTopicsRequest['topics'][number],
  CreateTopicsResponse['topics'][number]
>(
  AclOperation.CREATE,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => t.name,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => ({ ...topicRefusal(t.name), numPartitions: -1, replicationFactor: -1 }),
  AclOperation.CREATE,
);

export const deleteTopicsAccess = topicOperation<
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  string,
  DeleteTopicsResponse['responses'][number]
>(
  AclOperation.DELETE,
  (r) => r.topicNames,
  (r, topicNames) => ({ ...r, topicNames }),
  (t) => t,
  (r) => r.responses,
  (r, responses) => ({ ...r, responses }),
  topicRefusal,
);

export const createPartitionsAccess = topicOperation<
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreatePartitionsRequest['topics'][number],
  CreatePartitionsResponse['results'][number]
>(
  AclOperation.ALTER,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => t.name,
  (r) => r.results,
  (r, results) => ({ ...r, results }),
  (t) => topicRefusal(t.name),
);

/** Config resources: a topic (type 2) needs `op` on it, a broker (4) `op` on the Cluster. */
function configResources<Req, Res, T extends { resourceType: number; resourceName: string }, R>(
  op: Op,
  get: (req: Req) => readonly T[],
  set: (req: Req, items: T[]) => Req,
  results: (res: Res) => R[],
  withResults: (res: Res, items: R[]) => Res,
  refusal: (t: T, errorCode: number) => R,
): AccessRule<Req, Res> {
  return (a, req) => {
    const allowed: T[] = [];
    const denied: { t: T; errorCode: number }[] = [];
    for (const t of get(req)) {
      if (t.resourceType === RESOURCE_TOPIC) {
        if (a.allowed(op, ResourceType.TOPIC, t.resourceName)) allowed.push(t);
        else denied.push({ t, errorCode: TOPIC_DENIED });
      } else if (t.resourceType === RESOURCE_BROKER && !cluster(a, op)) {
        denied.push({ t, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
      } else allowed.push(t);
    }
    if (denied.length === 0) return { body: req };
    return {
      body: set(req, allowed),
      finish: (res) => withResults(res, [...results(res), ...denied.map((d) => refusal(d.t, d.errorCode))]),
    };
  };
}

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;

export const describeConfigsAccess = configResources<
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  DescribeConfigsRequest['resources'][number],
  DescribeConfigsResponse['results'][number]
>(
  AclOperation.DESCRIBE_CONFIGS,
  (r) => r.resources,
  (r, resources) => ({ ...r, resources }),
  (r) => r.results,
  (r, results) => ({ ...r, results }),
  (t, errorCode) => ({
    errorCode,
    errorMessage: 'Authorization failed.',
    resourceType: t.resourceType,
    resourceName: t.resourceName,
    configs: [],
  }),
);

/** AlterConfigs and IncrementalAlterConfigs: AlterConfigs on each topic named, on the Cluster for broker configs. */
function alterConfigsRule<
  Req extends { resources: { resourceType: number; resourceName: string }[] },
  Res extends {
    responses: { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }[];
  },
>(): AccessRule<Req, Res> {
  return configResources<Req, Res, Req['resources'][number], Res['responses'][number]>(
    AclOperation.ALTER_CONFIGS,
    (r) => r.resources,
    (r, resources) => ({ ...r, resources }),
    (r) => r.responses,
    (r, responses) => ({ ...r, responses }),
    (t, errorCode) => ({
      errorCode,
      errorMessage: 'Authorization failed.',
      resourceType: t.resourceType,
      resourceName: t.resourceName,
    }),
  );
}

export const alterConfigsAccess = alterConfigsRule<AlterConfigsRequest, AlterConfigsResponse>();
export const incrementalAlterConfigsAccess = alterConfigsRule<
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse
>();

/** DescribeLogDirs without Describe on the Cluster: an empty answer, as Kafka's versions 0-2 give. */
export const describeLogDirsAccess: AccessRule<DescribeLogDirsRequest, DescribeLogDirsResponse> = (a, req) =>
  cluster(a, AclOperation.DESCRIBE) ? { body: req } : { body: req, finish: (res) => ({ ...res, results: [] }) };

const CLUSTER_DENIED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
const clusterDeniedMessage = 'Cluster authorization failed.';

/**
 * A cluster-level request whose items each get an answer: without `op` on the Cluster its items are emptied (the
 * handler acts on none) and `refuse` answers every one with CLUSTER_AUTHORIZATION_FAILED.
 */
function refusedItems<Req, Res>(op: Op, empty: (req: Req) => Req, refuse: (req: Req) => Res): AccessRule<Req, Res> {
  return (a, req) => (cluster(a, op) ? { body: req } : { body: empty(req), finish: () => refuse(req) });
}

/** AlterReplicaLogDirs without Alter on the Cluster: every partition CLUSTER_AUTHORIZATION_FAILED, nothing moved. */
export const alterReplicaLogDirsAccess = refusedItems<AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse>(
  AclOperation.ALTER,
  (r) => ({ ...r, dirs: [] }),
  (r) => ({
    throttleTimeMs: 0,
    results: r.dirs.flatMap((d) =>
      d.topics.map((t) => ({
        topicName: t.name,
        partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode: CLUSTER_DENIED })),
      })),
    ),
  }),
);

export const createAclsAccess = refusedItems<CreateAclsRequest, CreateAclsResponse>(
  AclOperation.ALTER,
  (r) => ({ ...r, creations: [] }),
  (r) => ({
    throttleTimeMs: 0,
    results: r.creations.map(() => ({ errorCode: CLUSTER_DENIED, errorMessage: clusterDeniedMessage })),
  }),
);

export const deleteAclsAccess = refusedItems<DeleteAclsRequest, DeleteAclsResponse>(
  AclOperation.ALTER,
  (r) => ({ ...r, filters: [] }),
  (r) => ({
    throttleTimeMs: 0,
    filterResults: r.filters.map(() => ({
      errorCode: CLUSTER_DENIED,
      errorMessage: clusterDeniedMessage,
      matchingAcls: [],
    })),
  }),
);

export const alterClientQuotasAccess = refusedItems<AlterClientQuotasRequest, AlterClientQuotasResponse>(
  AclOperation.ALTER_CONFIGS,
  (r) => ({ ...r, entries: [] }),
  (r) => ({
    throttleTimeMs: 0,
    entries: r.entries.map((e) => ({
      errorCode: CLUSTER_DENIED,
      errorMessage: clusterDeniedMessage,
      entity: e.entity,
    })),
  }),
);

export const alterUserScramCredentialsAccess = refusedItems<
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse
>(
  AclOperation.ALTER,
  (r) => ({ ...r, deletions: [], upsertions: [] }),
  (r) => ({
    throttleTimeMs: 0,
    results: [...new Set([...r.deletions, ...r.upsertions].map((c) => c.name))].map((user) => ({
      user,
      errorCode: CLUSTER_DENIED,
      errorMessage: clusterDeniedMessage,
    })),
  }),
);

/** ElectLeaders without Alter on the Cluster: refused as a whole and for every partition named (Kafka 2.8). */
export const electLeadersAccess = refusedItems<ElectLeadersRequest, ElectLeadersResponse>(
  AclOperation.ALTER,
  (r) => ({ ...r, topicPartitions: [] }),
  (r) => ({
    throttleTimeMs: 0,
    errorCode: CLUSTER_DENIED,
    replicaElectionResults: (r.topicPartitions ?? []).map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((partitionId) => ({
        partitionId,
        errorCode: CLUSTER_DENIED,
        errorMessage: clusterDeniedMessage,
      })),
    })),
  }),
);

/**
 * AddPartitionsToTxn: Write on the transactional id, and on every topic; when a topic is refused nothing is added
 * (Kafka's answer: TOPIC_AUTHORIZATION_FAILED for its partitions, OPERATION_NOT_ATTEMPTED for the others).
 */
export const addPartitionsToTxnAccess: AccessRule<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse> = (a, req) => {
  requireTransactionalId(a, req.transactionalId);
  const { denied } = byTopic(a, AclOperation.WRITE, req.topics, (t) => t.name);
  if (denied.length === 0) return { body: req };
  return {
    body: req,
    answer: {
      throttleTimeMs: 0,
      results: req.topics.map((t) => ({
        name: t.name,
        results: t.partitions.map((partitionIndex) => ({
          partitionIndex,
          errorCode: denied.includes(t) ? TOPIC_DENIED : ErrorCode.OPERATION_NOT_ATTEMPTED,
        })),
      })),
    },
  };
};

/** AddOffsetsToTxn: Write on the transactional id, Read on the group whose offsets join the transaction. */
export const addOffsetsToTxnAccess: AccessRule<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse> = (a, req) => {
  requireTransactionalId(a, req.transactionalId);
  if (!a.allowed(AclOperation.READ, ResourceType.GROUP, req.groupId)) throw groupDenied(req.groupId);
  return { body: req };
};

export const endTxnAccess: AccessRule<EndTxnRequest, EndTxnResponse> = (a, req) => {
  requireTransactionalId(a, req.transactionalId);
  return { body: req };
};

/** TxnOffsetCommit: Write on the transactional id, Read on the group, Read on each topic (refused ones answered). */
export const txnOffsetCommitAccess: AccessRule<TxnOffsetCommitRequest, TxnOffsetCommitResponse> = (a, req) => {
  requireTransactionalId(a, req.transactionalId);
  if (!a.allowed(AclOperation.READ, ResourceType.GROUP, req.groupId)) throw groupDenied(req.groupId);
  const { allowed, denied } = byTopic(a, AclOperation.READ, req.topics, (t) => t.name);
  if (denied.length === 0) return { body: req };
  return {
    body: { ...req, topics: allowed },
    finish: (res) => ({ ...res, topics: [...res.topics, ...partitionErrors(denied, TOPIC_DENIED)] }),
  };
};

/** DescribeProducers: Read on each topic. */
export const describeProducersAccess = topicOperation<
  DescribeProducersRequest,
  DescribeProducersResponse,
  DescribeProducersRequest['topics'][number],
  DescribeProducersResponse['topics'][number]
>(
  AclOperation.READ,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => t.name,
  (r) => r.topics,
  (r, topics) => ({ ...r, topics }),
  (t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({
      partitionIndex,
      errorCode: TOPIC_DENIED,
      errorMessage: null,
      activeProducers: [],
    })),
  }),
);

/** DescribeTransactions: Describe on each transactional id; refused ones are answered without their state. */
export const describeTransactionsAccess: AccessRule<DescribeTransactionsRequest, DescribeTransactionsResponse> = (
  a,
  req,
) => {
  const mayDescribe = (id: string) => a.allowed(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id);
  const denied = req.transactionalIds.filter((id) => !mayDescribe(id));
  if (denied.length === 0) return { body: req };
  return {
    body: { transactionalIds: req.transactionalIds.filter(mayDescribe) },
    finish: (res) => ({
      ...res,
      transactionStates: [
        ...res.transactionStates,
        ...denied.map((transactionalId) => ({
          errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
          transactionalId,
          transactionState: '',
          transactionTimeoutMs: 0,
          transactionStartTimeMs: -1,
          producerId: -1,
          producerEpoch: -1,
          topics: [],
        })),
      ],
    }),
  };
};

/** ListTransactions: only the transactional ids the principal may describe. */
export const listTransactionsAccess: AccessRule<ListTransactionsRequest, ListTransactionsResponse> = (a, req) => ({
  body: req,
  finish: (res) => ({
    ...res,
    transactionStates: res.transactionStates.filter((t) =>
      a.allowed(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId),
    ),
  }),
});
