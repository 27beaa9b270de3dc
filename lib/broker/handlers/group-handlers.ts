/**
 * The group APIs, answered by the GroupCoordinator of the broker leading the group's `__consumer_offsets`
 * partition: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch,
 * DescribeGroups, ListGroups, DeleteGroups, OffsetDelete.
 *
 * - FindCoordinator for a group (keyType 0) creates `__consumer_offsets` on first use (offsets.topic.num.partitions,
 *   replication factor offsets.topic.replication.factor capped by the live brokers, compacted,
 *   offsets.topic.segment.bytes); for a transactional id (keyType 1) `__transaction_state`
 *   (transaction.state.log.num.partitions, replication factor transaction.state.log.replication.factor — not created
 *   while fewer brokers are alive, as Kafka — min.insync.replicas transaction.state.log.min.isr, compacted,
 *   transaction.state.log.segment.bytes, no unclean election). Both answer COORDINATOR_NOT_AVAILABLE until the key's
 *   partition has a leader, named as Metadata names it (this broker only once its replica leads).
 * - OffsetFetch with requireStable (read_committed consumers, KIP-447) answers UNSTABLE_OFFSET_COMMIT for a partition
 *   whose offsets a transaction holds pending, so that the consumer waits for the marker instead of reading an offset
 *   that is about to change.
 * - OffsetCommit is fenced by the group's generation (GroupCoordinator.commitOffsets); a group without members
 *   takes commits with generation -1, as a consumer using assign() with a group.id sends.
 * - Every group request for a group coordinated elsewhere gets NOT_COORDINATOR; while its partition loads,
 *   COORDINATOR_LOAD_IN_PROGRESS.
 */
import { ErrorCode } from '../../common/error-codes.js';
import type { OffsetCommitEntry } from '../../coordinator/group/group-metadata-manager.js';
import { groupByTopic } from '../../common/topic-partition.js';
import { OFFSETS_TOPIC } from '../../coordinator/group/offsets-record-codec.js';
import { TRANSACTION_STATE_TOPIC } from '../../coordinator/transaction/transaction-log-codec.js';
import type { RequestContext } from '../../network/request-context.js';
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../protocol/messages/index.js';
import { CoordinatorType } from '../../protocol/messages/index.js';
import { advertisedLeader, endpointOn, type BrokerServices } from './broker-services.js';

const unavailable = (errorCode: number, errorMessage: string): FindCoordinatorResponse => ({
  throttleTimeMs: 0,
  errorCode,
  errorMessage,
  nodeId: -1,
  host: '',
  port: -1,
});

export async function handleFindCoordinator(
  s: BrokerServices,
  ctx: RequestContext,
  req: FindCoordinatorRequest,
): Promise<FindCoordinatorResponse> {
  const transactional = req.keyType === CoordinatorType.Transaction;
  if (req.key === '')
    return transactional
      ? unavailable(ErrorCode.INVALID_REQUEST, 'The transactional id must not be empty.')
      : unavailable(ErrorCode.INVALID_GROUP_ID, 'The group id must not be empty.');
  const topic = transactional ? TRANSACTION_STATE_TOPIC : OFFSETS_TOPIC;
  const cache = s.metadataCache;
  if (!cache.hasTopic(topic)) return createInternalTopic(s, transactional);
  const partition = transactional
    ? s.transactionCoordinator.stateManager.partitionFor(req.key)
    : s.groupCoordinator.offsets.partitionFor(req.key);
  // Named as Metadata names it: this broker only once its replica leads (a group request before that would get
  // NOT_COORDINATOR), and a fenced broker not at all, since it does not know whether it still leads.
  const leaderId = advertisedLeader(s, topic, partition);
  const fenced = s.replicaManager.leadershipFenced && leaderId === s.brokerId;
  const leader = leaderId >= 0 && !fenced ? cache.broker(leaderId) : undefined;
  if (!leader)
    return unavailable(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${topic}-${partition} has no live leader yet; retry.`);
  const endpoint = endpointOn(leader, ctx.listener.name);
  if (!endpoint)
    return unavailable(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      `The coordinator, broker ${leader.id}, has no ${ctx.listener.name} listener; give every broker the same listeners.`,
    );
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    nodeId: leader.id,
    host: endpoint.host,
    port: endpoint.port,
  };
}

/** Creates `__consumer_offsets` or `__transaction_state` (see the header); the answer is to retry. */
async function createInternalTopic(s: BrokerServices, transactional: boolean): Promise<FindCoordinatorResponse> {
  const c = s.config;
  const live = s.metadataCache.aliveBrokers().length;
  if (transactional && live < c.transactionStateLogReplicationFactor) {
    return unavailable(
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      `${live} broker(s) are alive, fewer than transaction.state.log.replication.factor ` +
        `(${c.transactionStateLogReplicationFactor}), so ${TRANSACTION_STATE_TOPIC} cannot be created; start more ` +
        'brokers or lower that setting (and transaction.state.log.min.isr).',
    );
  }
  const topic = transactional ? TRANSACTION_STATE_TOPIC : OFFSETS_TOPIC;
  await s.topicAdmin.createTopics([
    transactional
      ? {
          name: topic,
          numPartitions: c.transactionStateLogNumPartitions,
          replicationFactor: c.transactionStateLogReplicationFactor,
          assignments: [],
          configs: {
            'cleanup.policy': 'compact',
            'min.insync.replicas': String(c.transactionStateLogMinIsr),
            'segment.bytes': String(c.transactionStateLogSegmentBytes),
            'unclean.leader.election.enable': 'false',
          },
        }
      : {
          name: topic,
          numPartitions: c.offsetsTopicNumPartitions,
          replicationFactor: Math.min(c.offsetsTopicReplicationFactor, Math.max(live, 1)),
          assignments: [],
          configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(c.offsetsTopicSegmentBytes) },
        },
  ]);
  return unavailable(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${topic} is being created; retry.`);
}

export async function handleOffsetCommit(s: BrokerServices, req: OffsetCommitRequest): Promise<OffsetCommitResponse> {
  const entries = offsetCommitEntries(req.topics);
  const codes = await s.groupCoordinator.commitOffsets(
    req.groupId,
    req.generationId,
    req.memberId,
    req.groupInstanceId,
    entries,
  );
  return offsetCommitResponse(entries, codes);
}

/** The partitions of an OffsetCommit or TxnOffsetCommit request, flat. */
export function offsetCommitEntries(topics: OffsetCommitRequest['topics']): OffsetCommitEntry[] {
  return topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      leaderEpoch: p.committedLeaderEpoch,
      metadata: p.committedMetadata,
    })),
  );
}

/** The answer to an OffsetCommit or TxnOffsetCommit: each entry with its error code, grouped by topic. */
export function offsetCommitResponse(
  entries: readonly OffsetCommitEntry[],
  codes: readonly number[],
): OffsetCommitResponse {
  const results = entries.map((e, i) => ({ topic: e.topic, partitionIndex: e.partition, errorCode: codes[i]! }));
  return {
    throttleTimeMs: 0,
    topics: groupByTopic(results, ({ partitionIndex, errorCode }) => ({ partitionIndex, errorCode })).map(
      ({ name, items }) => ({ name, partitions: items }),
    ),
  };
}

export async function handleOffsetFetch(s: BrokerServices, req: OffsetFetchRequest): Promise<OffsetFetchResponse> {
  const groupError = s.groupCoordinator.offsets.coordinatorError(req.groupId);
  if (groupError !== null) return { throttleTimeMs: 0, topics: [], errorCode: ErrorCode[groupError] };
  const asked =
    req.topics === null
      ? null
      : req.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
  const offsets = s.groupCoordinator.offsets.fetchOffsets(req.groupId, asked);
  const unstable = (o: { topic: string; partition: number }) =>
    req.requireStable && s.groupCoordinator.offsets.hasPendingTxnOffsets(req.groupId, o.topic, o.partition);
  return {
    throttleTimeMs: 0,
    topics: groupByTopic(offsets, (o) =>
      unstable(o)
        ? {
            partitionIndex: o.partition,
            committedOffset: -1,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
          }
        : {
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: o.leaderEpoch,
            metadata: o.metadata,
            errorCode: ErrorCode.NONE,
          },
    ).map(({ name, items }) => ({ name, partitions: items })),
    errorCode: ErrorCode.NONE,
  };
}

/** KIP-394: a new member must rejoin with the id it is given, except on the Kafka listener before JoinGroup v4. */
export function handleJoinGroup(
  s: BrokerServices,
  ctx: RequestContext,
  req: JoinGroupRequest,
): Promise<JoinGroupResponse> {
  const requireKnownMemberId = ctx.listener.wireProtocol === 'MQ' || ctx.apiVersion >= 4;
  return s.groupCoordinator.joinGroup(
    req,
    ctx.header.clientId ?? '',
    ctx.clientAddress.replace(/:\d+$/, ''),
    requireKnownMemberId,
  );
}

export function handleSyncGroup(s: BrokerServices, req: SyncGroupRequest): Promise<SyncGroupResponse> {
  return s.groupCoordinator.syncGroup(req);
}

export async function handleHeartbeat(s: BrokerServices, req: HeartbeatRequest): Promise<HeartbeatResponse> {
  return { throttleTimeMs: 0, errorCode: s.groupCoordinator.heartbeat(req) };
}

export async function handleLeaveGroup(s: BrokerServices, req: LeaveGroupRequest): Promise<LeaveGroupResponse> {
  return s.groupCoordinator.leaveGroup(req);
}

export async function handleDescribeGroups(
  s: BrokerServices,
  req: DescribeGroupsRequest,
): Promise<DescribeGroupsResponse> {
  return { throttleTimeMs: 0, groups: s.groupCoordinator.describeGroups(req.groups) };
}

export async function handleListGroups(s: BrokerServices, req: ListGroupsRequest): Promise<ListGroupsResponse> {
  return s.groupCoordinator.listGroups(req.statesFilter);
}

export async function handleDeleteGroups(s: BrokerServices, req: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
  return { throttleTimeMs: 0, results: await s.groupCoordinator.deleteGroups(req.groupsNames) };
}

export async function handleOffsetDelete(s: BrokerServices, req: OffsetDeleteRequest): Promise<OffsetDeleteResponse> {
  return s.groupCoordinator.deleteOffsets(req.groupId, req.topics);
}
