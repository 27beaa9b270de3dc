/**
 * A subscribed consumer's membership in its group (Kafka's ConsumerCoordinator + AbstractCoordinator): finds the
 * coordinator, joins (repeating the join with the id MEMBER_ID_REQUIRED gives), runs the group's chosen assignor when
 * it is the leader, syncs, hands assignment changes to the Consumer, and keeps the membership alive with heartbeats on
 * a timer of their own, independent of how slowly records are processed.
 *
 * Rebalance protocol (Kafka's RebalanceProtocol): cooperative when every configured assignor supports it
 * (cooperative-sticky), else eager.
 * - Eager: before joining, every assigned partition is revoked (the Consumer commits their positions and calls the
 *   listener); the new assignment is then handed out whole.
 * - Cooperative (KIP-429): the member keeps reading while it rejoins and reports what it owns in its subscription.
 *   The leader's assignment withholds, for this round, every partition that another member still owns; the owner sees
 *   it missing from its new assignment, revokes only that, and rejoins at once, and the second round gives it to its
 *   new member. Partitions that stay put are never revoked. Only partitions of topics no longer subscribed are revoked
 *   before a join.
 * - Partitions are *lost* instead (listener onPartitionsLost, nothing committed: another member may own them now)
 *   when the coordinator no longer knows this member or its generation (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION), and
 *   when the reader stalled.
 *
 * Triggers for a rejoin: a heartbeat answered REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID; a change
 * of the subscribed topics (`setTopics`, pattern subscriptions); on the leader, a change of the partition count of any
 * topic the group subscribes to, seen in metadata (Kafka's assignment snapshot check); cooperative revocations.
 * FENCED_INSTANCE_ID (another process took this group.instance.id) and unknown assignors are fatal and surfaced.
 *
 * max.poll.interval.ms: the Consumer calls `poll()` whenever its reader asks for records. When no call came for longer
 * than max.poll.interval.ms (a handler stuck on one batch), the heartbeat timer leaves the group as Kafka's heartbeat
 * thread does (LeaveGroup for a dynamic member; a static one just stops heartbeating), so that the others take over;
 * the next `poll()` hands the partitions over as lost and rejoins.
 *
 * The coordinator is talked to on a connection of its own: responses on a connection come back in request order,
 * so a JoinGroup waiting for the rebalance must not hold back fetches (Kafka's consumer does the same).
 * Lifecycle: `start()` once, `close()` leaves the group (a static member does not, as in Kafka) and closes the
 * connection. One join loop at a time; heartbeats pause while joining.
 */
import { ApiError, apiErrorFromCode, ConnectionError, TimeoutError } from '../../common/errors.js';
import { ErrorCode } from '../../common/error-codes.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { NetworkClient } from '../../network/network-client.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { ClientCluster } from '../client-cluster.js';
import type { ClusterMetadata } from '../cluster-metadata.js';
import { sleep } from '../retry.js';
import {
  rebalanceProtocolOf,
  type MemberSubscription,
  type PartitionAssignor,
  type PreviousAssignment,
  type RebalanceProtocol,
} from './assignors/partition-assignor.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../protocol/consumer-protocol.js';
import type { GroupGeneration } from './group-offsets.js';
import { withoutPartitions, type TopicPartitionRef } from './subscription-state.js';

export interface ConsumerCoordinatorOptions {
  cluster: ClientCluster;
  groupId: string;
  groupInstanceId: string | null;
  clientId: string;
  sessionTimeoutMs: number;
  /** max.poll.interval.ms: the rebalance timeout, and the longest the reader may go without polling. */
  maxPollIntervalMs: number;
  heartbeatIntervalMs: number;
  retryBackoffMs: number;
  assignors: readonly PartitionAssignor[];
  topics: readonly string[];
  time: Time;
  logger: Logger;
  /** After a completed rebalance: the partitions added to this member and its whole assignment now. */
  onAssigned: (added: TopicPartitionRef[], assignment: TopicPartitionRef[]) => void;
  /** Partitions given up in an orderly way (commit their positions, tell the listener, stop reading them). */
  onRevoke: (partitions: TopicPartitionRef[]) => Promise<void>;
  /** Partitions this member no longer owns and must not commit (tell the listener, stop reading them). */
  onLost: (partitions: TopicPartitionRef[]) => Promise<void>;
  /** An error the member cannot recover from (FENCED_INSTANCE_ID, an unknown assignor chosen, ...). */
  onFatal: (error: Error) => void;
}

const tpKey = (tp: TopicPartitionRef) => `${tp.topic}\u0000${tp.partition}`;

/**
 * Join or sync answers that only mean "the group moved on; join again" (Kafka's AbstractCoordinator rejoins on them):
 * not retriable in Kafka's error table, yet not fatal either.
 */
const REJOIN_AT_ONCE = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

export class ConsumerCoordinator {
  private readonly protocol: RebalanceProtocol;
  memberId = '';
  generationId = -1;
  private topics: string[];
  /** The partitions this member owns now. */
  private assigned: TopicPartitionRef[] = [];
  /** The last assignment received, for assignors that remember it (sticky). */
  private previous: PreviousAssignment = { partitions: [], generationId: -1 };
  /** On the leader: the partition count of every group topic its last assignment was computed from. */
  private assignmentSnapshot: Map<string, number> | null = null;
  private connection: NetworkClient | null = null;
  private needsJoin = true;
  private running = false;
  private joining = false;
  /** The reader went longer than max.poll.interval.ms without polling; the member left and waits for a poll. */
  private stalled = false;
  private lastPollMs: number;
  private wake: (() => void) | null = null;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  private loop: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(private readonly opts: ConsumerCoordinatorOptions) {
    this.log = opts.logger.child({ component: 'ConsumerCoordinator', groupId: opts.groupId });
    this.protocol = rebalanceProtocolOf(opts.assignors);
    this.topics = [...new Set(opts.topics)].sort();
    this.lastPollMs = opts.time.hiResMs();
  }

  /**
   * The generation commits are fenced with: the last one joined, which the coordinator still accepts while the
   * group prepares the next rebalance (the commit before revoking relies on it); -1 before the first.
   */
  get generation(): GroupGeneration {
    return { generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId };
  }

  start(): void {
    this.running = true;
    this.lastPollMs = this.opts.time.hiResMs();
    this.loop = this.run();
    this.heartbeatTimer = setInterval(() => this.tick(), this.opts.heartbeatIntervalMs);
    this.opts.cluster.onUpdate((metadata) => this.checkMetadata(metadata));
  }

  /** Replaces the subscribed topics (pattern subscriptions); a change makes the member rejoin. */
  setTopics(topics: Iterable<string>): void {
    const next = [...new Set(topics)].sort();
    if (next.join('\u0000') === this.topics.join('\u0000')) return;
    this.log.info({ from: this.topics, to: next }, 'the subscription changed');
    this.topics = next;
    this.requestRejoin('the subscription changed');
  }

  /**
   * Called by the Consumer whenever its reader asks for records. Resolves at once (undefined) unless the member had
   * left the group for a stalled reader: then its partitions are handed over as lost first and the member rejoins.
   */
  poll(): Promise<void> | undefined {
    this.lastPollMs = this.opts.time.hiResMs();
    if (!this.stalled) return undefined;
    this.stalled = false;
    this.log.info('the reader polls again; rejoining the group');
    return this.loseAssignment().finally(() => this.wake?.());
  }

  async close(): Promise<void> {
    this.running = false;
    clearInterval(this.heartbeatTimer);
    this.wake?.();
    // A JoinGroup in flight can wait out a whole rebalance (up to max.poll.interval.ms): abort it, then leave.
    if (this.joining) await this.dropConnection();
    await this.loop;
    await this.leaveGroup('the consumer is closing');
    await this.dropConnection();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      if (!this.needsJoin || this.stalled) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
        continue;
      }
      try {
        await this.joinOnce();
        failures = 0;
      } catch (err) {
        if (!this.running) return;
        if (err instanceof ApiError && REJOIN_AT_ONCE.has(err.errorName)) {
          this.log.debug({ err }, 'the group moved on during the join; joining again');
          continue;
        }
        if (err instanceof ApiError && (err.errorName === 'FENCED_INSTANCE_ID' || !err.retriable)) {
          this.running = false;
          this.opts.onFatal(err);
          return;
        }
        if (
          err instanceof ConnectionError ||
          err instanceof TimeoutError ||
          (err instanceof ApiError && ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'].includes(err.errorName))
        ) {
          await this.dropConnection();
        }
        this.log.debug({ err }, 'join failed; retrying');
        await sleep(Math.min(this.opts.retryBackoffMs * 2 ** Math.min(failures++, 5), 5000));
      }
    }
  }

  private requestRejoin(why: string): void {
    if (this.needsJoin) return;
    this.log.info({ why }, 'rejoining the group');
    this.needsJoin = true;
    this.wake?.();
  }

  /** Forgets the generation (and for UNKNOWN_MEMBER_ID the member id): owned partitions count as lost. */
  private resetGeneration(why: string, forgetMember: boolean): void {
    this.generationId = -1;
    if (forgetMember) this.memberId = '';
    this.requestRejoin(why);
  }

  private async loseAssignment(): Promise<void> {
    const lost = this.assigned;
    this.assigned = [];
    if (lost.length > 0) await this.opts.onLost(lost);
  }

  /** What to give up before joining (Kafka's onJoinPrepare). */
  private async prepareJoin(): Promise<void> {
    if (this.assigned.length === 0) return;
    if (this.generationId === -1) {
      await this.loseAssignment();
      return;
    }
    const revoked =
      this.protocol === 'eager' ? this.assigned : this.assigned.filter((tp) => !this.topics.includes(tp.topic));
    if (revoked.length === 0) return;
    this.assigned = withoutPartitions(this.assigned, revoked);
    await this.opts.onRevoke(revoked);
  }

  private async joinOnce(): Promise<void> {
    this.joining = true;
    try {
      await this.prepareJoin();
      const conn = await this.coordinatorConnection();
      const owned = this.protocol === 'cooperative' ? this.assigned : [];
      const topics = this.topics;
      const protocols = this.opts.assignors.map((a) => ({
        name: a.name,
        metadata: encodeSubscription({
          topics,
          userData: a.subscriptionUserData?.(this.previous) ?? null,
          ownedPartitions: owned,
        }),
      }));
      const join = () =>
        conn.send(
          ApiKey.JoinGroup,
          0,
          {
            groupId: this.opts.groupId,
            sessionTimeoutMs: this.opts.sessionTimeoutMs,
            rebalanceTimeoutMs: this.opts.maxPollIntervalMs,
            memberId: this.memberId,
            groupInstanceId: this.opts.groupInstanceId,
            protocolType: CONSUMER_PROTOCOL_TYPE,
            protocols,
          },
          { timeoutMs: this.opts.maxPollIntervalMs + 5000 },
        );
      let joined = await join();
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = joined.memberId;
        joined = await join();
      }
      if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      if (joined.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(joined.errorCode);
      this.memberId = joined.memberId;
      this.generationId = joined.generationId;
      this.assignmentSnapshot = null;
      const assignments =
        joined.leader === joined.memberId ? await this.assign(joined.protocolName, joined.members) : [];
      const synced = await conn.send(
        ApiKey.SyncGroup,
        0,
        {
          groupId: this.opts.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: this.opts.groupInstanceId,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: joined.protocolName,
          assignments,
        },
        { timeoutMs: this.opts.maxPollIntervalMs + 5000 },
      );
      if (synced.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      if (synced.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || synced.errorCode === ErrorCode.ILLEGAL_GENERATION)
        this.generationId = -1;
      if (synced.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(synced.errorCode);
      await this.completeRebalance(decodeAssignment(synced.assignment).partitions);
      if (this.topics !== topics) this.requestRejoin('the subscription changed while joining');
    } finally {
      this.joining = false;
    }
  }

  /** Applies a synced assignment: revokes what left (cooperative), hands out what arrived, rejoins after revoking. */
  private async completeRebalance(assignment: TopicPartitionRef[]): Promise<void> {
    this.needsJoin = false;
    this.previous = { partitions: assignment, generationId: this.generationId };
    const revoked = withoutPartitions(this.assigned, assignment);
    const added = withoutPartitions(assignment, this.assigned);
    if (revoked.length > 0) {
      this.assigned = withoutPartitions(this.assigned, revoked);
      await this.opts.onRevoke(revoked);
    }
    this.assigned = assignment;
    this.log.info(
      {
        generation: this.generationId,
        memberId: this.memberId,
        assigned: assignment.length,
        added: added.length,
        revoked: revoked.length,
        protocol: this.protocol,
      },
      'joined the group',
    );
    this.opts.onAssigned(added, assignment);
    if (revoked.length > 0) this.requestRejoin('partitions were revoked for other members (cooperative rebalance)');
  }

  /** The leader's part: every member's subscription through the chosen assignor. */
  private async assign(
    protocolName: string | null,
    members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[],
  ) {
    const assignor = this.opts.assignors.find((a) => a.name === protocolName);
    if (assignor === undefined)
      throw new ApiError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `The group chose assignor '${protocolName}', which this consumer does not have.`,
      );
    const subscriptions: MemberSubscription[] = members.map((m) => {
      const { topics, ownedPartitions, userData } = decodeSubscription(m.metadata);
      return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics, ownedPartitions, userData };
    });
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
    this.opts.cluster.addTopics(topics);
    const deadlineMs = this.opts.time.hiResMs() + this.opts.maxPollIntervalMs;
    const partitionsPerTopic = new Map<string, number>();
    const snapshot = new Map<string, number>();
    for (const topic of topics) {
      try {
        const count = (await this.opts.cluster.waitForTopic(topic, deadlineMs)).partitions.length;
        partitionsPerTopic.set(topic, count);
        snapshot.set(topic, count);
      } catch (err) {
        snapshot.set(topic, 0);
        this.log.warn({ topic, err }, 'subscribed topic has no metadata; assigning none of it');
      }
    }
    const result = assignor.assign(partitionsPerTopic, subscriptions);
    if (this.protocol === 'cooperative') withholdPartitionsOwnedByOthers(result, subscriptions);
    this.assignmentSnapshot = snapshot;
    return subscriptions.map((s) => ({
      memberId: s.memberId,
      assignment: encodeAssignment({ partitions: result.get(s.memberId) ?? [], userData: null }),
    }));
  }

  /** On the leader, a topic of the group that gained partitions, appeared or vanished needs a new assignment. */
  private checkMetadata(metadata: ClusterMetadata): void {
    const snapshot = this.assignmentSnapshot;
    if (snapshot === null || this.needsJoin) return;
    for (const [topic, count] of snapshot) {
      const t = metadata.topic(topic);
      const now =
        t === undefined
          ? undefined
          : t.errorCode === ErrorCode.NONE
            ? t.partitions.length
            : t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
              ? 0
              : undefined;
      if (now !== undefined && now !== count) {
        this.requestRejoin(`topic ${topic} now has ${now} partitions (the assignment used ${count})`);
        return;
      }
    }
  }

  private tick(): void {
    if (!this.running || this.stalled) return;
    const idleMs = this.opts.time.hiResMs() - this.lastPollMs;
    if (idleMs > this.opts.maxPollIntervalMs) {
      this.stalled = true;
      this.log.warn(
        { idleMs, maxPollIntervalMs: this.opts.maxPollIntervalMs },
        'The reader did not ask for records ' +
          'within max.poll.interval.ms, so the member leaves the group and its partitions go to others. Handle records ' +
          'faster (smaller batches: max.partition.fetch.bytes) or raise max.poll.interval.ms.',
      );
      void this.leaveGroup('the reader stalled').then(() =>
        this.resetGeneration('the reader stalled', this.opts.groupInstanceId === null),
      );
      return;
    }
    void this.heartbeat();
  }

  private async leaveGroup(why: string): Promise<void> {
    if (this.memberId === '' || this.opts.groupInstanceId !== null) return;
    const conn = this.connection ?? (await this.coordinatorConnection().catch(() => null));
    if (conn === null) return;
    await conn
      .send(ApiKey.LeaveGroup, 0, {
        groupId: this.opts.groupId,
        members: [{ memberId: this.memberId, groupInstanceId: null }],
      })
      .then(() => this.log.info({ why, memberId: this.memberId }, 'left the group'))
      .catch((err: unknown) => this.log.debug({ err }, 'LeaveGroup failed; the coordinator will expire the member'));
  }

  private async heartbeat(): Promise<void> {
    if (this.joining || this.needsJoin || this.heartbeatInFlight) return;
    this.heartbeatInFlight = true;
    try {
      const conn = await this.coordinatorConnection();
      const res = await conn.send(ApiKey.Heartbeat, 0, {
        groupId: this.opts.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: this.opts.groupInstanceId,
      });
      if (this.stalled) return;
      switch (res.errorCode) {
        case ErrorCode.NONE:
          break;
        case ErrorCode.REBALANCE_IN_PROGRESS:
          this.requestRejoin('the group is rebalancing');
          break;
        case ErrorCode.ILLEGAL_GENERATION:
          this.resetGeneration('the generation is no longer current', false);
          break;
        case ErrorCode.UNKNOWN_MEMBER_ID:
          this.resetGeneration('the coordinator no longer knows this member', true);
          break;
        case ErrorCode.FENCED_INSTANCE_ID:
          this.running = false;
          this.opts.onFatal(
            apiErrorFromCode(
              res.errorCode,
              `Another consumer joined with group.instance.id '${this.opts.groupInstanceId}'.`,
            ),
          );
          break;
        default:
          await this.dropConnection();
      }
    } catch (err) {
      this.log.debug({ err }, 'heartbeat failed; finding the coordinator again');
      await this.dropConnection();
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  private async coordinatorConnection(): Promise<NetworkClient> {
    if (this.connection !== null) return this.connection;
    const found = await this.opts.cluster.sendToAny(ApiKey.FindCoordinator, { key: this.opts.groupId, keyType: 0 });
    if (found.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(found.errorCode, found.errorMessage ?? undefined);
    const conn: NetworkClient = await NetworkClient.connect({
      host: found.host,
      port: found.port,
      clientId: this.opts.clientId,
      requestTimeoutMs: this.opts.sessionTimeoutMs,
      security: this.opts.cluster.security,
      logger: this.opts.logger,
      onDisconnect: () => {
        if (this.connection === conn) this.connection = null;
      },
    });
    this.connection = conn;
    return conn;
  }

  private async dropConnection(): Promise<void> {
    const conn = this.connection;
    this.connection = null;
    await conn?.close().catch(() => undefined);
  }
}

/**
 * The cooperative protocol's first round (Kafka's adjustAssignment): a partition assigned to one member while another
 * still owns it is withheld from the new member, so that the owner revokes it before anyone else reads it.
 */
function withholdPartitionsOwnedByOthers(
  result: Map<string, TopicPartitionRef[]>,
  members: readonly MemberSubscription[],
): void {
  const owner = new Map<string, string>();
  for (const m of members) for (const tp of m.ownedPartitions) owner.set(tpKey(tp), m.memberId);
  for (const [memberId, partitions] of result) {
    result.set(
      memberId,
      partitions.filter((tp) => (owner.get(tpKey(tp)) ?? memberId) === memberId),
    );
  }
}
