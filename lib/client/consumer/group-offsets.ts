/**
 * A consumer's committed offsets at its group coordinator (the offsets half of Kafka's ConsumerCoordinator): finds
 * the coordinator with FindCoordinator, commits with OffsetCommit and reads back with OffsetFetch, retrying what
 * Kafka retries — COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, lost connections and
 * request timeouts — until `default.api.timeout.ms`. Every one of them but COORDINATOR_LOAD_IN_PROGRESS also
 * forgets the coordinator (Kafka's markCoordinatorUnknown), so the next try looks it up again; so does a
 * coordinator that has left the client's metadata (a dead broker is dropped from it once its session expires, and
 * resending to its id could never succeed).
 *
 * Requests go on the client's coordinator connection to the broker (ClientCluster.sendToCoordinator), never behind
 * a fetch long-poll. A subscribed consumer's commits carry its generation and member id (`generation`); without
 * membership they carry generation -1 and member id '' (Kafka's "simple" consumer with a group.id).
 *
 * Fencing across rebalances: a commit is fenced with the generation it began in, for every retry. Offsets belong to
 * the assignment they were read under; once the member is in another generation (or none: it was removed and its
 * partitions lost) another member may own those partitions and have moved them on, so the commit fails with
 * CommitFailedError instead of being sent again under the new generation, which the coordinator would accept and
 * which would move the committed offset back. A subscribed consumer outside any generation cannot commit either.
 * Kafka's consumer gets the same from its threading (a rebalance completes only inside poll(), never during a
 * commitSync) and from failing a commit without a stable generation.
 *
 * Owned by one Consumer (or an Admin call); calls may overlap (each is its own request).
 */
import { computeIfAbsent } from '../../common/collections.js';
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError, apiErrorFromCode, ConnectionError, TimeoutError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { OffsetCommitRequest } from '../../protocol/messages/index.js';
import type { ClientCluster } from '../client-cluster.js';
import { CommitFailedError } from '../errors.js';
import { ExponentialBackoff, retry } from '../retry.js';
import type { TopicPartitionRef } from './subscription-state.js';

export interface OffsetToCommit extends TopicPartitionRef {
  /** The next offset to read. */
  offset: number;
  /** @default -1 (unknown) */
  leaderEpoch?: number;
  /** @default '' */
  metadata?: string;
}

export interface CommittedOffset extends TopicPartitionRef {
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

/** The member and generation a commit is fenced with (generation -1 and member '' without membership). */
export interface GroupGeneration {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/**
 * A consumer's group and its membership as `Consumer.groupMetadata()` returns it (Kafka's ConsumerGroupMetadata):
 * what `Producer.sendOffsetsToTransaction()` needs so that the group's coordinator refuses a member that lost its
 * partitions (KIP-447).
 */
export interface ConsumerGroupMetadata extends GroupGeneration {
  groupId: string;
}

export interface GroupOffsetsOptions {
  cluster: ClientCluster;
  groupId: string;
  /**
   * A subscribed consumer's member and generation now, which its commits are fenced with; absent, or undefined for a
   * consumer without a subscription (generation -1, member '').
   */
  generation?: () => GroupGeneration | undefined;
  time: Time;
  retryBackoffMs: number;
  apiTimeoutMs: number;
  /** Retries are logged at debug. @default none */
  logger?: Logger;
  /**
   * Ask for stable offsets (KIP-447, a read_committed consumer): while a transaction holds a partition's offset
   * pending, the coordinator answers UNSTABLE_OFFSET_COMMIT, retried until the transaction ends. @default false
   */
  requireStable?: boolean;
}

/** Retriable errors after which the coordinator is looked up again. */
const FORGETS_COORDINATOR = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE']);

export class GroupOffsets {
  private coordinatorId: number | null = null;
  private readonly backoff: ExponentialBackoff;

  constructor(private readonly opts: GroupOffsetsOptions) {
    this.backoff = new ExponentialBackoff(opts.retryBackoffMs, Math.max(opts.retryBackoffMs, 1000));
  }

  /**
   * Commits `offsets` for the group; rejects with the first non-retriable partition error, CommitFailedError when
   * the member's generation is over (see the header), or TimeoutError.
   */
  async commit(offsets: readonly OffsetToCommit[]): Promise<void> {
    if (offsets.length === 0) return;
    const topics = offsetCommitTopics(offsets);
    const generationNow = this.opts.generation ?? (() => undefined);
    const fence = generationNow();
    await this.withCoordinator('OffsetCommit', async (nodeId) => {
      const { generationId, memberId, groupInstanceId } =
        fence === undefined
          ? { generationId: -1, memberId: '', groupInstanceId: null }
          : stillCurrent(fence, generationNow());
      const res = await this.opts.cluster.sendToCoordinator(nodeId, ApiKey.OffsetCommit, {
        groupId: this.opts.groupId,
        generationId,
        memberId,
        groupInstanceId,
        topics,
      });
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE)
            throw withPartition(apiErrorFromCode(p.errorCode), `${t.name}-${p.partitionIndex}`);
        }
      }
    });
  }

  /**
   * The group's committed offsets of `partitions` (offset -1 where nothing was committed), or with `'all'` every
   * offset the group has, in the coordinator's order.
   */
  async fetch(partitions: readonly TopicPartitionRef[] | 'all'): Promise<CommittedOffset[]> {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions === 'all' ? [] : partitions) {
      const list = computeIfAbsent(byTopic, topic, () => []);
      list.push(partition);
    }
    return this.withCoordinator('OffsetFetch', async (nodeId) => {
      const res = await this.opts.cluster.sendToCoordinator(nodeId, ApiKey.OffsetFetch, {
        groupId: this.opts.groupId,
        requireStable: this.opts.requireStable === true,
        topics:
          partitions === 'all' ? null : [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
      });
      if (res.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(res.errorCode);
      const found = new Map<string, CommittedOffset>();
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE)
            throw withPartition(apiErrorFromCode(p.errorCode), `${t.name}-${p.partitionIndex}`);
          found.set(`${t.name}\u0000${p.partitionIndex}`, {
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.metadata ?? '',
          });
        }
      }
      if (partitions === 'all') return [...found.values()];
      return partitions.map(
        ({ topic, partition }) =>
          found.get(`${topic}\u0000${partition}`) ?? { topic, partition, offset: -1, leaderEpoch: -1, metadata: '' },
      );
    });
  }

  /**
   * Runs `fn` against the group's coordinator, finding it first, retrying retriable errors (and finding the
   * coordinator again after NOT_COORDINATOR or a lost connection) until `apiTimeoutMs`. Also for the admin client's
   * group operations.
   */
  async withCoordinator<T>(what: string, fn: (nodeId: number) => Promise<T>): Promise<T> {
    const { time } = this.opts;
    return retry(async () => fn(this.coordinatorId ?? (this.coordinatorId = await this.findCoordinator())), {
      what: `${what} for group '${this.opts.groupId}'`,
      time,
      deadlineMs: time.hiResMs() + this.opts.apiTimeoutMs,
      backoff: this.backoff,
      onRetriableError: (error, attempt) => {
        this.opts.logger?.debug(
          { err: error, coordinatorId: this.coordinatorId, attempt, groupId: this.opts.groupId },
          `${what} failed; retrying`,
        );
        if (
          error instanceof ConnectionError ||
          error instanceof TimeoutError ||
          (error instanceof ApiError && FORGETS_COORDINATOR.has(error.errorName))
        ) {
          this.coordinatorId = null;
        }
      },
    });
  }

  private async findCoordinator(): Promise<number> {
    const res = await this.opts.cluster.sendToAny(ApiKey.FindCoordinator, { key: this.opts.groupId, keyType: 0 });
    if (res.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(res.errorCode, res.errorMessage ?? undefined);
    return res.nodeId;
  }
}

/**
 * The generation a subscribed member's commit began in (`fence`), if the member is still in it (`now`); else
 * CommitFailedError: the member left the group or rejoined since, or never joined. Kafka's consumer refuses the same
 * commits (no stable generation, or UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION from the coordinator).
 */
export function stillCurrent(fence: GroupGeneration, now: GroupGeneration | undefined): GroupGeneration {
  if (fence.generationId < 0) {
    throw new CommitFailedError(
      'the consumer is not part of an active group (it has not joined yet, or was removed and is rejoining)',
    );
  }
  if (now === undefined || now.generationId !== fence.generationId || now.memberId !== fence.memberId) {
    const where =
      now === undefined || now.generationId < 0 ? 'no generation now' : `now generation ${now.generationId}`;
    throw new CommitFailedError(
      `the group rebalanced since this commit began (generation ${fence.generationId}, ${where})`,
    );
  }
  return fence;
}

/** Offsets as an OffsetCommit or TxnOffsetCommit request carries them: per topic, then per partition. */
export function offsetCommitTopics(offsets: readonly OffsetToCommit[]): OffsetCommitRequest['topics'] {
  const byTopic = new Map<string, OffsetToCommit[]>();
  for (const o of offsets) computeIfAbsent(byTopic, o.topic, () => []).push(o);
  return [...byTopic].map(([name, list]) => ({
    name,
    partitions: list.map((o) => ({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: o.leaderEpoch ?? -1,
      committedMetadata: o.metadata ?? '',
    })),
  }));
}

function withPartition(error: ApiError, partition: string): ApiError {
  return apiErrorFromCode(error.errorCode, `${error.message} (partition ${partition})`);
}
