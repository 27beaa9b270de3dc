/**
 * A subscribed consumer's membership in its group (Kafka's ConsumerCoordinator + AbstractCoordinator, eager
 * rebalance protocol): finds the coordinator, joins (repeating the join with the id MEMBER_ID_REQUIRED gives),
 * runs the group's chosen assignor when it is the leader, syncs, hands the assignment to the Consumer, and keeps
 * the membership alive with heartbeats on a timer of their own, independent of how slowly records are processed.
 *
 * Rebalances: a heartbeat answered REBALANCE_IN_PROGRESS (or ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID, which also
 * reset the generation or the member id) marks the member for rejoining; the join loop then revokes every assigned
 * partition first (the Consumer commits their positions and calls the listener), as the eager protocol does, and
 * joins again. FENCED_INSTANCE_ID (another process took this group.instance.id) is fatal and surfaced.
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
import { sleep } from '../retry.js';
import type { PartitionAssignor } from './assignors/partition-assignor.js';
import {
  CONSUMER_PROTOCOL_TYPE, decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription,
} from './consumer-protocol.js';
import type { GroupGeneration } from './group-offsets.js';
import type { TopicPartitionRef } from './subscription-state.js';

export interface ConsumerCoordinatorOptions {
  cluster: ClientCluster;
  groupId: string;
  groupInstanceId: string | null;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  retryBackoffMs: number;
  assignors: readonly PartitionAssignor[];
  topics: readonly string[];
  time: Time;
  logger: Logger;
  /** The new assignment after a completed rebalance. */
  onAssigned: (partitions: TopicPartitionRef[]) => void;
  /** Before rejoining: give up these partitions (commit, listener). */
  onRevoke: (partitions: TopicPartitionRef[]) => Promise<void>;
  /** An error the member cannot recover from (FENCED_INSTANCE_ID, an unknown assignor chosen, ...). */
  onFatal: (error: Error) => void;
}

export class ConsumerCoordinator {
  memberId = '';
  generationId = -1;
  private assigned: TopicPartitionRef[] = [];
  private connection: NetworkClient | null = null;
  private needsJoin = true;
  private running = false;
  private joining = false;
  private wake: (() => void) | null = null;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private heartbeatInFlight = false;
  private loop: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(private readonly opts: ConsumerCoordinatorOptions) {
    this.log = opts.logger.child({ component: 'ConsumerCoordinator', groupId: opts.groupId });
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
    this.loop = this.run();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.opts.heartbeatIntervalMs);
  }

  async close(): Promise<void> {
    this.running = false;
    clearInterval(this.heartbeatTimer);
    this.wake?.();
    await this.loop;
    const conn = this.connection;
    if (conn !== null && this.memberId !== '' && this.opts.groupInstanceId === null) {
      await conn.send(ApiKey.LeaveGroup, 0, { groupId: this.opts.groupId, members: [{ memberId: this.memberId, groupInstanceId: null }] })
        .catch((err: unknown) => this.log.debug({ err }, 'LeaveGroup failed; the coordinator will expire the member'));
    }
    await this.dropConnection();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      if (!this.needsJoin) {
        await new Promise<void>((resolve) => { this.wake = resolve; });
        this.wake = null;
        continue;
      }
      try {
        await this.joinOnce();
        failures = 0;
      } catch (err) {
        if (!this.running) return;
        if (err instanceof ApiError && (err.errorName === 'FENCED_INSTANCE_ID' || !err.retriable)) {
          this.running = false;
          this.opts.onFatal(err);
          return;
        }
        if (err instanceof ConnectionError || err instanceof TimeoutError
          || (err instanceof ApiError && ['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE'].includes(err.errorName))) {
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

  private async joinOnce(): Promise<void> {
    this.joining = true;
    try {
      if (this.assigned.length > 0) {
        const revoked = this.assigned;
        this.assigned = [];
        await this.opts.onRevoke(revoked);
      }
      const conn = await this.coordinatorConnection();
      const metadata = encodeSubscription({ topics: [...this.opts.topics], userData: null, ownedPartitions: [] });
      const join = () => conn.send(ApiKey.JoinGroup, 0, {
        groupId: this.opts.groupId, sessionTimeoutMs: this.opts.sessionTimeoutMs, rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
        memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId, protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: this.opts.assignors.map((a) => ({ name: a.name, metadata })),
      }, { timeoutMs: this.opts.rebalanceTimeoutMs + 5000 });
      let joined = await join();
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = joined.memberId;
        joined = await join();
      }
      if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      if (joined.errorCode !== 0) throw apiErrorFromCode(joined.errorCode);
      this.memberId = joined.memberId;
      this.generationId = joined.generationId;
      const assignments = joined.leader === joined.memberId ? await this.assign(joined.protocolName, joined.members) : [];
      const synced = await conn.send(ApiKey.SyncGroup, 0, {
        groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId,
        groupInstanceId: this.opts.groupInstanceId, protocolType: CONSUMER_PROTOCOL_TYPE, protocolName: joined.protocolName, assignments,
      }, { timeoutMs: this.opts.rebalanceTimeoutMs + 5000 });
      if (synced.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
      if (synced.errorCode !== 0) throw apiErrorFromCode(synced.errorCode);
      this.assigned = decodeAssignment(synced.assignment).partitions;
      this.needsJoin = false;
      this.log.info({ generation: this.generationId, memberId: this.memberId, assigned: this.assigned.length }, 'joined the group');
      this.opts.onAssigned(this.assigned);
    } finally {
      this.joining = false;
    }
  }

  /** The leader's part: every member's subscription through the chosen assignor. */
  private async assign(protocolName: string | null, members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[]) {
    const assignor = this.opts.assignors.find((a) => a.name === protocolName);
    if (assignor === undefined) throw new ApiError('INCONSISTENT_GROUP_PROTOCOL', `The group chose assignor '${protocolName}', which this consumer does not have.`);
    const subscriptions = members.map((m) => {
      const { topics, ownedPartitions, userData } = decodeSubscription(m.metadata);
      return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics, ownedPartitions, userData };
    });
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
    const deadlineMs = this.opts.time.hiResMs() + this.opts.rebalanceTimeoutMs;
    const partitionsPerTopic = new Map<string, number>();
    for (const topic of topics) {
      try {
        partitionsPerTopic.set(topic, (await this.opts.cluster.waitForTopic(topic, deadlineMs)).partitions.length);
      } catch (err) {
        this.log.warn({ topic, err }, 'subscribed topic has no metadata; assigning none of it');
      }
    }
    const result = assignor.assign(partitionsPerTopic, subscriptions);
    return subscriptions.map((s) => ({ memberId: s.memberId,
      assignment: encodeAssignment({ partitions: result.get(s.memberId) ?? [], userData: null }) }));
  }

  private async heartbeat(): Promise<void> {
    if (!this.running || this.joining || this.needsJoin || this.heartbeatInFlight) return;
    this.heartbeatInFlight = true;
    try {
      const conn = await this.coordinatorConnection();
      const res = await conn.send(ApiKey.Heartbeat, 0, { groupId: this.opts.groupId, generationId: this.generationId,
        memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId });
      switch (res.errorCode) {
        case ErrorCode.NONE: break;
        case ErrorCode.REBALANCE_IN_PROGRESS: this.requestRejoin('the group is rebalancing'); break;
        case ErrorCode.ILLEGAL_GENERATION: this.generationId = -1; this.requestRejoin('the generation is no longer current'); break;
        case ErrorCode.UNKNOWN_MEMBER_ID: this.memberId = ''; this.requestRejoin('the coordinator no longer knows this member'); break;
        case ErrorCode.FENCED_INSTANCE_ID:
          this.running = false;
          this.opts.onFatal(apiErrorFromCode(res.errorCode, `Another consumer joined with group.instance.id '${this.opts.groupInstanceId}'.`));
          break;
        default: await this.dropConnection();
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
    if (found.errorCode !== 0) throw apiErrorFromCode(found.errorCode, found.errorMessage ?? undefined);
    const conn: NetworkClient = await NetworkClient.connect({ host: found.host, port: found.port, clientId: this.opts.clientId,
      requestTimeoutMs: this.opts.sessionTimeoutMs, logger: this.opts.logger,
      onDisconnect: () => { if (this.connection === conn) this.connection = null; } });
    this.connection = conn;
    return conn;
  }

  private async dropConnection(): Promise<void> {
    const conn = this.connection;
    this.connection = null;
    await conn?.close().catch(() => undefined);
  }
}
