/**
 * The group coordinator (Kafka's GroupCoordinator): membership and rebalances of the consumer groups whose
 * `__consumer_offsets` partition this broker leads, and the rules that fence offset commits by generation. The
 * committed offsets themselves live in the GroupMetadataManager.
 *
 * JoinGroup: a dynamic member without an id gets MEMBER_ID_REQUIRED with `${clientId}-${uuid}` and rejoins with it;
 * a new member or changed protocols move the group to PreparingRebalance; the rebalance completes when every member
 * has rejoined (after group.initial.rebalance.delay.ms, extended by new joiners, when the group was Empty) or when
 * the longest rebalance timeout expires, dropping members that did not rejoin. Completion bumps the generation,
 * picks the protocol by vote, answers every joiner (the leader with all members' metadata) and moves to
 * CompletingRebalance; the leader's SyncGroup carries the assignments and makes the group Stable. A static member
 * (group.instance.id) rejoining while Stable with unchanged protocols gets a new member id and its old assignment
 * without a rebalance; its previous id is fenced (FENCED_INSTANCE_ID). Members that send no heartbeat within their
 * session timeout (and are not waiting on a join or sync) are removed, which starts a rebalance.
 *
 * Concurrency: every operation on a group runs to completion on the event loop before the next (no await between
 * reading and changing a group); the appends (offsets, and the group itself when the leader's SyncGroup completes a
 * rebalance) are awaited after the checks, and what follows them re-checks that the group is still in the same
 * generation. A new coordinator loads stored groups as Stable (or Empty) with their generation, members and
 * assignments, so members keep going after a coordinator move. Timers: one periodic task (`tick`) completes
 * delayed joins and expires sessions. Owned by the Broker.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, type ErrorName } from '../../common/error-codes.js';
import type { Logger } from '../../common/logger.js';
import type { ScheduledTask, Scheduler } from '../../common/scheduler.js';
import type { Time } from '../../common/time.js';
import type {
  DescribeGroupsResponse,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../protocol/messages/index.js';
import { CONSUMER_PROTOCOL_TYPE } from '../../protocol/consumer-protocol.js';
import type { Partition } from '../../replication/partition.js';
import { GroupMetadata, MemberMetadata } from './group-metadata.js';
import type { GroupMetadataManager, OffsetCommitEntry } from './group-metadata-manager.js';
import { OFFSETS_TOPIC, type GroupMetadataRecord } from './offsets-record-codec.js';

export interface GroupCoordinatorConfig {
  offsetsRetentionMs: number;
  offsetsRetentionCheckIntervalMs: number;
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  groupInitialRebalanceDelayMs: number;
  groupMaxSize: number;
}

const TICK_MS = 100;

export class GroupCoordinator {
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly log: Logger;
  private ticker: ScheduledTask | undefined;
  private retentionTask: ScheduledTask | undefined;

  constructor(
    readonly offsets: GroupMetadataManager,
    private readonly config: GroupCoordinatorConfig,
    private readonly time: Time,
    private readonly scheduler: Scheduler,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'GroupCoordinator' });
    offsets.onGroupLoaded = (groupId, record) => this.loadGroup(groupId, record);
  }

  startup(): void {
    this.ticker = this.scheduler.schedule('group-coordinator-tick', () => this.tick(), TICK_MS, TICK_MS);
    const every = this.config.offsetsRetentionCheckIntervalMs;
    this.retentionTask = this.scheduler.schedule(
      'delete-expired-group-metadata',
      () => this.expireOffsets(),
      every,
      every,
    );
  }

  /** offsets.retention.minutes: expires the offsets of groups without members (KIP-211, see expiredOffsets). */
  expireOffsets(): Promise<number> {
    return this.offsets.expireOffsets(this.config.offsetsRetentionMs, (groupId) => {
      const group = this.groups.get(groupId);
      if (group === undefined) return 0;
      return group.isEmpty ? group.emptySinceMs : null;
    });
  }

  shutdown(): void {
    this.ticker?.cancel();
    this.retentionTask?.cancel();
    for (const group of this.groups.values()) this.failPending(group, 'NOT_COORDINATOR');
    this.groups.clear();
  }

  /** Leadership of offsets partitions moved: load/unload offsets, and drop the groups of partitions now followed. */
  onLeadershipChange(leaders: readonly Partition[], followers: readonly Partition[]): void {
    this.offsets.onLeadershipChange(leaders, followers);
    const lost = new Set(followers.filter((p) => p.topic === OFFSETS_TOPIC).map((p) => p.partition));
    if (lost.size === 0) return;
    for (const [groupId, group] of this.groups) {
      if (!lost.has(this.offsets.partitionFor(groupId))) continue;
      this.failPending(group, 'NOT_COORDINATOR');
      this.groups.delete(groupId);
    }
  }

  // ---- JoinGroup ----

  /**
   * `requireKnownMemberId`: a dynamic member joining without an id gets MEMBER_ID_REQUIRED and rejoins with it
   * (KIP-394, JoinGroup v4+); false admits it at once, as Kafka does for older JoinGroup versions.
   */
  joinGroup(
    req: JoinGroupRequest,
    clientId: string,
    clientHost: string,
    requireKnownMemberId = true,
  ): Promise<JoinGroupResponse> {
    const fail = (name: ErrorName, memberId = req.memberId) => Promise.resolve(joinError(ErrorCode[name], memberId));
    const coordinatorError = this.offsets.coordinatorError(req.groupId);
    if (req.groupId === '') return fail('INVALID_GROUP_ID');
    if (coordinatorError !== null) return fail(coordinatorError);
    if (
      req.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs ||
      req.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs
    ) {
      return fail('INVALID_SESSION_TIMEOUT');
    }
    let group = this.groups.get(req.groupId);
    if (group === undefined) {
      if (req.memberId !== '') return fail('UNKNOWN_MEMBER_ID');
      group = new GroupMetadata(req.groupId);
      this.groups.set(req.groupId, group);
    }
    if (group.state === 'Dead') return fail('COORDINATOR_NOT_AVAILABLE');
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return fail('INCONSISTENT_GROUP_PROTOCOL');
    const nowMs = this.time.hiResMs();

    if (req.memberId === '') {
      if (req.groupInstanceId !== null && group.staticMembers.has(req.groupInstanceId))
        return this.rejoinStatic(group, req);
      if (group.members.size + group.pendingMembers.size >= this.config.groupMaxSize)
        return fail('GROUP_MAX_SIZE_REACHED');
      const memberId = `${req.groupInstanceId ?? clientId}-${randomUUID()}`;
      if (req.groupInstanceId === null && requireKnownMemberId) {
        group.pendingMembers.add(memberId);
        return fail('MEMBER_ID_REQUIRED', memberId);
      }
      return this.addMember(group, memberId, req, clientId, clientHost, nowMs);
    }
    if (group.pendingMembers.has(req.memberId)) {
      group.pendingMembers.delete(req.memberId);
      return this.addMember(group, req.memberId, req, clientId, clientHost, nowMs);
    }
    const member = group.members.get(req.memberId);
    if (member === undefined) return fail('UNKNOWN_MEMBER_ID');
    if (req.groupInstanceId !== null && group.staticMembers.get(req.groupInstanceId) !== req.memberId)
      return fail('FENCED_INSTANCE_ID');
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.heartbeatDeadlineMs = nowMs + member.sessionTimeoutMs;
    const unchanged = member.matches(req.protocols);
    if (
      (group.state === 'Stable' && unchanged && group.leaderId !== member.memberId) ||
      (group.state === 'CompletingRebalance' && unchanged)
    ) {
      return Promise.resolve(this.joinResponse(group, member));
    }
    member.protocols = req.protocols;
    const answer = this.awaitJoin(member);
    if (group.state !== 'PreparingRebalance') this.prepareRebalance(group, `member ${member.memberId} rejoined`);
    this.maybeCompleteJoin(group);
    return answer;
  }

  private addMember(
    group: GroupMetadata,
    memberId: string,
    req: JoinGroupRequest,
    clientId: string,
    clientHost: string,
    nowMs: number,
  ): Promise<JoinGroupResponse> {
    if (group.members.size === 0) group.protocolType = req.protocolType;
    const member = new MemberMetadata(
      memberId,
      req.groupInstanceId,
      clientId,
      clientHost,
      req.rebalanceTimeoutMs,
      req.sessionTimeoutMs,
      req.protocols,
    );
    member.isNew = true;
    member.heartbeatDeadlineMs = nowMs + req.sessionTimeoutMs;
    group.add(member);
    const answer = this.awaitJoin(member);
    if (group.state === 'PreparingRebalance') {
      if (group.initialDelayUntilMs > nowMs) {
        group.initialDelayUntilMs = Math.min(
          nowMs + this.config.groupInitialRebalanceDelayMs,
          group.rebalanceDeadlineMs,
        );
      }
    } else {
      this.prepareRebalance(group, `member ${memberId} joined`);
    }
    this.maybeCompleteJoin(group);
    return answer;
  }

  /** A known group.instance.id joins with no member id: it takes over (and fences) the previous member id. */
  private rejoinStatic(group: GroupMetadata, req: JoinGroupRequest): Promise<JoinGroupResponse> {
    const oldId = group.staticMembers.get(req.groupInstanceId!)!;
    const member = group.members.get(oldId)!;
    const newId = `${req.groupInstanceId}-${randomUUID()}`;
    member.awaitingJoin?.(joinError(ErrorCode.FENCED_INSTANCE_ID, oldId));
    member.awaitingJoin = null;
    member.awaitingSync?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    member.awaitingSync = null;
    group.members.delete(oldId);
    member.memberId = newId;
    group.members.set(newId, member);
    group.staticMembers.set(req.groupInstanceId!, newId);
    if (group.leaderId === oldId) group.leaderId = newId;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.heartbeatDeadlineMs = this.time.hiResMs() + req.sessionTimeoutMs;
    this.log.info(
      { group: group.groupId, groupInstanceId: req.groupInstanceId, oldId, newId },
      'static member rejoined',
    );
    if (group.state === 'Stable' && member.matches(req.protocols))
      return Promise.resolve(this.joinResponse(group, member));
    member.protocols = req.protocols;
    const answer = this.awaitJoin(member);
    if (group.state !== 'PreparingRebalance')
      this.prepareRebalance(group, `static member ${req.groupInstanceId} changed`);
    this.maybeCompleteJoin(group);
    return answer;
  }

  private awaitJoin(member: MemberMetadata): Promise<JoinGroupResponse> {
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    return new Promise((resolve) => {
      member.awaitingJoin = resolve;
    });
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    const nowMs = this.time.hiResMs();
    if (group.state === 'CompletingRebalance') {
      for (const m of group.members.values()) {
        m.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        m.awaitingSync = null;
      }
    }
    const fromEmpty = group.state === 'Empty';
    group.transitionTo('PreparingRebalance');
    group.rebalanceDeadlineMs = nowMs + group.rebalanceTimeoutMs;
    group.initialDelayUntilMs = fromEmpty
      ? Math.min(nowMs + this.config.groupInitialRebalanceDelayMs, group.rebalanceDeadlineMs)
      : 0;
    this.log.info({ group: group.groupId, generation: group.generationId, reason }, 'preparing to rebalance');
  }

  private maybeCompleteJoin(group: GroupMetadata): void {
    if (group.state !== 'PreparingRebalance') return;
    const nowMs = this.time.hiResMs();
    if (nowMs >= group.rebalanceDeadlineMs) {
      for (const m of [...group.members.values()]) {
        if (m.awaitingJoin === null) {
          this.log.info({ group: group.groupId, memberId: m.memberId }, 'member did not rejoin in time; removed');
          group.remove(m.memberId);
        }
      }
    } else if (!group.allMembersJoined || nowMs < group.initialDelayUntilMs) {
      return;
    }
    group.generationId++;
    if (group.isEmpty) {
      group.transitionTo('Empty');
      group.protocolName = null;
      group.emptySinceMs = this.time.milliseconds();
      void this.offsets.storeGroup(group.groupId, this.snapshot(group)).then((code) => {
        if (code !== ErrorCode.NONE)
          this.log.warn({ group: group.groupId, errorCode: code }, 'could not store the empty group');
      });
      return;
    }
    group.protocolName = group.selectProtocol();
    if (group.leaderId === null || !group.members.has(group.leaderId))
      group.leaderId = group.members.keys().next().value!;
    group.transitionTo('CompletingRebalance');
    for (const m of group.members.values()) {
      const respond = m.awaitingJoin;
      m.awaitingJoin = null;
      m.isNew = false;
      m.heartbeatDeadlineMs = nowMs + m.sessionTimeoutMs;
      respond?.(this.joinResponse(group, m));
    }
    this.log.info(
      {
        group: group.groupId,
        generation: group.generationId,
        protocol: group.protocolName,
        members: group.members.size,
        leader: group.leaderId,
      },
      'rebalance: join phase complete',
    );
  }

  private joinResponse(group: GroupMetadata, member: MemberMetadata): JoinGroupResponse {
    const isLeader = group.leaderId === member.memberId;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.metadataFor(group.protocolName!),
          }))
        : [],
    };
  }

  // ---- SyncGroup, Heartbeat, LeaveGroup ----

  syncGroup(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    const checked = this.checkMember(req.groupId, req.memberId, req.groupInstanceId, req.generationId);
    if (typeof checked === 'number') return Promise.resolve(syncError(checked));
    const { group, member } = checked;
    if (
      (req.protocolType !== null && req.protocolType !== group.protocolType) ||
      (req.protocolName !== null && req.protocolName !== group.protocolName)
    ) {
      return Promise.resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    member.heartbeatDeadlineMs = this.time.hiResMs() + member.sessionTimeoutMs;
    switch (group.state) {
      case 'PreparingRebalance':
        return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'Stable':
        return Promise.resolve(this.syncResponse(group, member));
      case 'CompletingRebalance': {
        const answer = new Promise<SyncGroupResponse>((resolve) => {
          member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
          member.awaitingSync = resolve;
        });
        if (member.memberId === group.leaderId) {
          void this.completeSync(group, new Map(req.assignments.map((a) => [a.memberId, a.assignment])));
        }
        return answer;
      }
      default:
        return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  /**
   * The leader's assignments: stored with the group in `__consumer_offsets` first (so that a new coordinator knows
   * the generation), then applied, and every member answered. A failed store answers its error and rebalances.
   */
  private async completeSync(group: GroupMetadata, assignments: ReadonlyMap<string, Buffer>): Promise<void> {
    const generation = group.generationId;
    const code = await this.offsets.storeGroup(group.groupId, this.snapshot(group, assignments));
    if (
      this.groups.get(group.groupId) !== group ||
      group.state !== 'CompletingRebalance' ||
      group.generationId !== generation
    )
      return;
    if (code !== ErrorCode.NONE) {
      for (const m of group.members.values()) {
        m.awaitingSync?.(syncError(code));
        m.awaitingSync = null;
      }
      this.prepareRebalance(group, `storing the group failed (error ${code})`);
      return;
    }
    for (const m of group.members.values()) m.assignment = assignments.get(m.memberId) ?? Buffer.alloc(0);
    group.transitionTo('Stable');
    for (const m of group.members.values()) {
      m.awaitingSync?.(this.syncResponse(group, m));
      m.awaitingSync = null;
    }
    this.log.info({ group: group.groupId, generation: group.generationId }, 'rebalance complete: group is stable');
  }

  private snapshot(group: GroupMetadata, assignments?: ReadonlyMap<string, Buffer>): GroupMetadataRecord {
    return {
      protocolType: group.protocolType ?? '',
      generationId: group.generationId,
      protocolName: group.protocolName,
      leaderId: group.leaderId,
      currentStateTimestamp: this.time.milliseconds(),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: group.protocolName !== null ? m.metadataFor(group.protocolName) : Buffer.alloc(0),
        assignment: assignments?.get(m.memberId) ?? m.assignment,
      })),
    };
  }

  /** A group read back from `__consumer_offsets` by a new coordinator: Stable with its members, or Empty. */
  private loadGroup(groupId: string, record: GroupMetadataRecord): void {
    if (this.groups.has(groupId)) return;
    const group = new GroupMetadata(groupId);
    group.generationId = record.generationId;
    group.protocolType = record.protocolType === '' ? null : record.protocolType;
    group.protocolName = record.protocolName;
    const nowMs = this.time.hiResMs();
    for (const m of record.members) {
      const member = new MemberMetadata(
        m.memberId,
        m.groupInstanceId,
        m.clientId,
        m.clientHost,
        m.rebalanceTimeoutMs,
        m.sessionTimeoutMs,
        record.protocolName !== null ? [{ name: record.protocolName, metadata: m.subscription }] : [],
      );
      member.assignment = m.assignment;
      member.heartbeatDeadlineMs = nowMs + m.sessionTimeoutMs;
      group.add(member);
    }
    group.leaderId = record.leaderId !== null && group.members.has(record.leaderId) ? record.leaderId : group.leaderId;
    group.state = group.isEmpty ? 'Empty' : 'Stable';
    if (group.isEmpty) group.emptySinceMs = record.currentStateTimestamp;
    this.groups.set(groupId, group);
  }

  private syncResponse(group: GroupMetadata, member: MemberMetadata): SyncGroupResponse {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment: member.assignment,
    };
  }

  heartbeat(req: HeartbeatRequest): number {
    const checked = this.checkMember(req.groupId, req.memberId, req.groupInstanceId, req.generationId);
    if (typeof checked === 'number') return checked;
    const { group, member } = checked;
    member.heartbeatDeadlineMs = this.time.hiResMs() + member.sessionTimeoutMs;
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leaveGroup(req: LeaveGroupRequest): LeaveGroupResponse {
    const coordinatorError = this.offsets.coordinatorError(req.groupId);
    const group = this.groups.get(req.groupId);
    if (coordinatorError !== null || group === undefined) {
      return { throttleTimeMs: 0, errorCode: ErrorCode[coordinatorError ?? 'UNKNOWN_MEMBER_ID'], members: [] };
    }
    let left = 0;
    const members = req.members.map(({ memberId, groupInstanceId }) => {
      const id = groupInstanceId !== null ? group.staticMembers.get(groupInstanceId) : memberId;
      let errorCode: number = ErrorCode.NONE;
      if (groupInstanceId !== null && memberId !== '' && id !== memberId) errorCode = ErrorCode.FENCED_INSTANCE_ID;
      else if (id === undefined || !group.members.has(id)) errorCode = ErrorCode.UNKNOWN_MEMBER_ID;
      else {
        this.removeMember(group, id, 'left the group');
        left++;
      }
      return { memberId, groupInstanceId, errorCode };
    });
    if (left > 0) this.onMembersRemoved(group);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, members };
  }

  private removeMember(group: GroupMetadata, memberId: string, why: string): void {
    const m = group.members.get(memberId)!;
    m.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    m.awaitingSync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(memberId);
    this.log.info({ group: group.groupId, memberId, why }, 'member removed');
  }

  private onMembersRemoved(group: GroupMetadata): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance')
      this.prepareRebalance(group, 'a member left');
    this.maybeCompleteJoin(group);
  }

  /** The group and member, or the error code: NOT_COORDINATOR..., UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ILLEGAL_GENERATION. */
  private checkMember(
    groupId: string,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
  ): { group: GroupMetadata; member: MemberMetadata } | number {
    const coordinatorError = this.offsets.coordinatorError(groupId);
    if (coordinatorError !== null) return ErrorCode[coordinatorError];
    const group = this.groups.get(groupId);
    if (
      group !== undefined &&
      groupInstanceId !== null &&
      group.staticMembers.has(groupInstanceId) &&
      group.staticMembers.get(groupInstanceId) !== memberId
    )
      return ErrorCode.FENCED_INSTANCE_ID;
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return { group, member };
  }

  // ---- offsets ----

  /**
   * OffsetCommit's fencing: a group without members takes commits with generation -1 and member id '' (a consumer
   * using assign()); otherwise the member and generation must be current, and not while CompletingRebalance.
   * A valid commit also counts as a heartbeat.
   */
  async commitOffsets(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null,
    entries: readonly OffsetCommitEntry[],
  ): Promise<number[]> {
    const coordinatorError = this.offsets.coordinatorError(groupId);
    if (coordinatorError !== null) return entries.map(() => ErrorCode[coordinatorError]);
    const group = this.groups.get(groupId);
    if (generationId < 0 && memberId === '' && (group === undefined || group.isEmpty)) {
      return this.offsets.commitOffsets(groupId, entries);
    }
    const checked = this.checkMember(groupId, memberId, groupInstanceId, generationId);
    if (typeof checked === 'number') return entries.map(() => checked);
    if (checked.group.state === 'CompletingRebalance') return entries.map(() => ErrorCode.REBALANCE_IN_PROGRESS);
    checked.member.heartbeatDeadlineMs = this.time.hiResMs() + checked.member.sessionTimeoutMs;
    return this.offsets.commitOffsets(groupId, entries);
  }

  /**
   * TxnOffsetCommit (Kafka's handleTxnCommitOffsets, KIP-447): offsets committed in producer `producerId`'s
   * transaction, pending until its marker. The member, instance id and generation are checked only as far as they are
   * given (member id '' and generation -1 skip their checks): a member that lost its partitions in a rebalance cannot
   * commit for them. Unlike OffsetCommit, a rebalance in progress does not refuse it.
   */
  async commitTxnOffsets(
    groupId: string,
    producerId: number,
    producerEpoch: number,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
    entries: readonly OffsetCommitEntry[],
  ): Promise<number[]> {
    const coordinatorError = this.offsets.coordinatorError(groupId);
    if (coordinatorError !== null) return entries.map(() => ErrorCode[coordinatorError]);
    const group = this.groups.get(groupId);
    const fail = (code: number) => entries.map(() => code);
    if (
      group !== undefined &&
      groupInstanceId !== null &&
      group.staticMembers.has(groupInstanceId) &&
      group.staticMembers.get(groupInstanceId) !== memberId
    )
      return fail(ErrorCode.FENCED_INSTANCE_ID);
    if (memberId !== '' && group?.members.has(memberId) !== true) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (generationId >= 0 && generationId !== (group?.generationId ?? 0)) return fail(ErrorCode.ILLEGAL_GENERATION);
    return this.offsets.commitTxnOffsets(groupId, producerId, producerEpoch, entries);
  }

  // ---- admin ----

  describeGroups(groupIds: readonly string[]): DescribeGroupsResponse['groups'] {
    return groupIds.map((groupId) => {
      const coordinatorError = this.offsets.coordinatorError(groupId);
      const group = this.groups.get(groupId);
      const base = {
        groupId,
        protocolType: group?.protocolType ?? '',
        protocolData: group?.protocolName ?? '',
        authorizedOperations: -2147483648,
      };
      if (coordinatorError !== null)
        return { ...base, errorCode: ErrorCode[coordinatorError], groupState: 'Dead', members: [] };
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        groupState: this.visibleState(groupId),
        members: [...(group?.members.values() ?? [])].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: group!.protocolName !== null ? m.metadataFor(group!.protocolName) : Buffer.alloc(0),
          memberAssignment: group!.state === 'Stable' ? m.assignment : Buffer.alloc(0),
        })),
      };
    });
  }

  /**
   * The state Describe/ListGroups report: the group's own while it has members; Empty for a group known only by its
   * offsets (or empty with offsets); Dead for one with neither, which Kafka would have removed.
   */
  private visibleState(groupId: string): string {
    const group = this.groups.get(groupId);
    if (group !== undefined && !group.isEmpty) return group.state;
    return this.offsets.hasGroup(groupId) ? 'Empty' : 'Dead';
  }

  listGroups(statesFilter: readonly string[]): ListGroupsResponse {
    const wanted = new Set(statesFilter.map((s) => s.toLowerCase()));
    const ids = new Set([...this.offsets.groupIds(), ...this.groups.keys()]);
    const groups = [...ids]
      .filter((id) => this.offsets.coordinatorError(id) === null)
      .map((groupId) => ({
        groupId,
        protocolType: this.groups.get(groupId)?.protocolType ?? '',
        groupState: this.visibleState(groupId),
      }))
      .filter((g) => g.groupState !== 'Dead' && (wanted.size === 0 || wanted.has(g.groupState.toLowerCase())));
    return {
      throttleTimeMs: 0,
      errorCode: this.offsets.isLoading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : 0,
      groups,
    };
  }

  async deleteGroups(groupIds: readonly string[]): Promise<{ groupId: string; errorCode: number }[]> {
    const results: { groupId: string; errorCode: number }[] = [];
    for (const groupId of groupIds) {
      const coordinatorError = this.offsets.coordinatorError(groupId);
      const group = this.groups.get(groupId);
      let errorCode: number;
      if (coordinatorError !== null) errorCode = ErrorCode[coordinatorError];
      else if (group !== undefined && !group.isEmpty) errorCode = ErrorCode.NON_EMPTY_GROUP;
      else if (group === undefined && !this.offsets.hasGroup(groupId)) errorCode = ErrorCode.GROUP_ID_NOT_FOUND;
      else {
        errorCode = await this.offsets.deleteGroup(groupId);
        if (errorCode === ErrorCode.NONE) {
          group?.transitionTo('Dead');
          this.groups.delete(groupId);
        }
      }
      results.push({ groupId, errorCode });
    }
    return results;
  }

  /**
   * OffsetDelete (Kafka's handleDeleteOffsets): removes committed offsets of an empty group, or of topics an
   * active consumer group does not subscribe to (GROUP_SUBSCRIBED_TO_TOPIC for those it does).
   */
  async deleteOffsets(groupId: string, topics: OffsetDeleteRequest['topics']): Promise<OffsetDeleteResponse> {
    const fail = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });
    const coordinatorError = this.offsets.coordinatorError(groupId);
    if (coordinatorError !== null) return fail(ErrorCode[coordinatorError]);
    const group = this.groups.get(groupId);
    if ((group === undefined || group.state === 'Dead') && !this.offsets.hasGroup(groupId))
      return fail(ErrorCode.GROUP_ID_NOT_FOUND);
    let subscribed: Set<string> | null = new Set();
    if (group !== undefined && !group.isEmpty) {
      if (group.protocolType !== CONSUMER_PROTOCOL_TYPE) return fail(ErrorCode.NON_EMPTY_GROUP);
      subscribed = group.subscribedTopics();
    }
    const isSubscribed = (topic: string) => subscribed === null || subscribed.has(topic);
    const deletable = topics
      .filter((t) => !isSubscribed(t.name))
      .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    const code = await this.offsets.deleteOffsets(groupId, deletable);
    return {
      errorCode: ErrorCode.NONE,
      throttleTimeMs: 0,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: isSubscribed(t.name) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : code,
        })),
      })),
    };
  }

  // ---- timers ----

  /** Completes delayed joins and expires members whose session ran out. Public for unit specs with MockScheduler. */
  tick(): void {
    const nowMs = this.time.hiResMs();
    for (const group of this.groups.values()) {
      let removed = 0;
      for (const m of [...group.members.values()]) {
        if (m.awaitingJoin === null && m.awaitingSync === null && nowMs > m.heartbeatDeadlineMs) {
          this.removeMember(group, m.memberId, `no heartbeat within session.timeout.ms (${m.sessionTimeoutMs})`);
          removed++;
        }
      }
      if (removed > 0) this.onMembersRemoved(group);
      else this.maybeCompleteJoin(group);
    }
  }

  private failPending(group: GroupMetadata, name: ErrorName): void {
    for (const m of group.members.values()) {
      m.awaitingJoin?.(joinError(ErrorCode[name], m.memberId));
      m.awaitingJoin = null;
      m.awaitingSync?.(syncError(ErrorCode[name]));
      m.awaitingSync = null;
    }
  }
}

function joinError(errorCode: number, memberId: string): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    members: [],
  };
}

function syncError(errorCode: number): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}
