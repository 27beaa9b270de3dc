/**
 * One replica of a partition on this broker (Kafka's `Partition`): its log, its role, and — while it leads — what
 * it knows of the followers, from which it advances the high watermark and maintains the ISR.
 *
 * State: role (Leader / Follower / None before the first decision), leaderId, leaderEpoch, the ISR and replicas
 * and the state znode's zkVersion and controller_epoch as last applied, leaderEpochStartOffset (the log end offset
 * when this replica became leader of the current epoch). The high watermark lives in the log
 * (`UnifiedLog.highWatermark`, which retention respects); the manager checkpoints it.
 * While the replica moves to another log dir of this broker (AlterReplicaLogDirs), it also holds that dir's future
 * log (Kafka's futureLog), which the ReplicaAlterLogDirsManager fills from the current log; a truncation of the
 * current log truncates the future log with it, and `replaceCurrentWithFutureLog` makes the caught-up future log
 * the current one in one synchronous step, so no append or read sees a half-done swap.
 * Leader-side follower state, per remote replica: log end offset (the follower's fetch offset, -1 until its first
 * fetch of this epoch), log start offset, lastCaughtUpTimeMs and the leader LEO/time at its previous fetch.
 *
 * Invariants:
 * - The leader's HW never moves backwards; it is the smallest LEO among the leader and the remote replicas that
 *   are in the maximal ISR (current ISR plus a pending change) or caught up within replica.lag.time.max.ms
 *   (Kafka's rule, so a rejoining follower is not outrun). A follower's HW is min(leader HW, own LEO), also only
 *   moving up except when truncation takes it down.
 * - ISR changes are written by the leader with a conditional setData at the cached zkVersion, same leader and
 *   leader_epoch; at most one write is in flight. On BAD_VERSION the old ISR stays until the next state is read
 *   (Kafka's "Cached zkVersion not equal" case). The in-memory ISR changes only once ZooKeeper has it; meanwhile
 *   the HW is computed over old ∪ new ISR so that neither an expand nor a shrink can commit too early.
 * - leader_epoch only changes through a state read from ZooKeeper, never through the leader's own ISR writes.
 * Concurrency: everything is synchronous except the ISR write and a leader append whose records the log must
 * validate first (compacted logs; see LogValidator). While the ISR write awaits, appends, fetches and new states may
 * interleave, which is why its result is applied only if the leader epoch and zkVersion are unchanged. Leader
 * appends happen in the order they were requested: one that waits for its validation holds back the later ones,
 * and the leadership and min.insync.replicas checks run at the moment of the append itself.
 * Ownership: the ReplicaManager creates a Partition when this broker is assigned a replica and drops it when the
 * topic is deleted or the replica moves away; the LogManager owns the log's files.
 * Crash: nothing here is persisted except through the log (epoch cache) and the manager's HW checkpoint; a
 * restarted broker re-reads its role from ZooKeeper.
 */
import { ApiError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Time } from '../common/time.js';
import { tpKey, type TopicPartition } from '../common/topic-partition.js';
import type { EpochEntry } from '../log/leader-epoch-cache.js';
import { hasDeletePolicy } from '../log/log-config.js';
import type { TimestampOffset } from '../log/time-index.js';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type LogAppendInfo,
  type LogReadInfo,
  type UnifiedLog,
} from '../log/unified-log.js';
import type { LeaderIsrAndControllerEpoch } from '../zk/zk-paths.js';
import type { ErrorName } from '../common/error-codes.js';
import { batchSizeAt, lastOffsetOf } from '../record/record-batch.js';
import type { PartitionState } from './metadata-cache.js';

export type PartitionRole = 'Leader' | 'Follower' | 'None';

/** Conditional write of a state znode; the new zkVersion, or null on BAD_VERSION (KafkaZkClient.updatePartitionState). */
export type IsrWriter = (
  tp: TopicPartition,
  state: LeaderIsrAndControllerEpoch,
  expectedZkVersion: number,
) => Promise<number | null>;

/** What the owner hears from a partition. Called synchronously; must not throw. */
export interface PartitionListener {
  /** The leader's high watermark moved up: delayed produce and consumer fetches may complete. */
  onHighWatermarkIncreased(partition: Partition): void;
  /** The leader wrote a new ISR to ZooKeeper. */
  onIsrChanged(partition: Partition, change: 'Shrink' | 'Expand'): void;
  /** The leader's or a follower's log start offset rose: a waiting DeleteRecords may complete. */
  onLogStartOffsetIncreased(partition: Partition): void;
}

export interface PartitionOptions {
  topic: string;
  partition: number;
  localBrokerId: number;
  log: UnifiedLog;
  replicaLagTimeMaxMs: number;
  writeIsr: IsrWriter;
  /**
   * The replicas a reassignment in progress is removing (the assignment's removing_replicas): never added back to
   * the ISR, since the controller is about to drop them and a leader that re-adds one holds the HW on it.
   */
  removingReplicas: () => readonly number[];
  listener: PartitionListener;
  time: Time;
  logger: Logger;
}

/** The leader's view of one follower. */
export interface ReplicaState {
  /** The follower's fetch offset; -1 until it fetched in this leader epoch. */
  logEndOffset: number;
  logStartOffset: number;
  lastCaughtUpTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
}

/**
 * How far a read may go (Kafka's FetchIsolation): a follower to the log end, a read_uncommitted consumer to the
 * high watermark, a read_committed one to the last stable offset.
 */
export type FetchIsolation = 'LogEnd' | 'HighWatermark' | 'TxnCommitted';

/** An aborted transaction as a Fetch response lists it: the consumer drops that producer's batches from firstOffset. */
export interface FetchAbortedTransaction {
  producerId: number;
  firstOffset: number;
}

/** A read for a fetch, with the offsets the response reports. */
export interface PartitionReadInfo extends LogReadInfo {
  lastStableOffset: number;
  /** With read_committed, the aborted transactions overlapping the records read (null otherwise). */
  abortedTransactions: FetchAbortedTransaction[] | null;
}

export class Partition implements TopicPartition {
  readonly topic: string;
  readonly partition: number;
  /** `topic-partition`: the purgatory key. */
  readonly key: string;
  private currentLog: UnifiedLog;
  private futureLogValue: UnifiedLog | undefined;
  private readonly localBrokerId: number;
  private readonly replicaLagTimeMaxMs: number;
  private readonly writeIsrToZk: IsrWriter;
  private readonly removingReplicas: () => readonly number[];
  private readonly listener: PartitionListener;
  private readonly time: Time;
  private readonly logger: Logger;
  private roleValue: PartitionRole = 'None';
  private leaderIdValue = -1;
  private leaderEpochValue = -1;
  private leaderEpochStartOffsetValue = -1;
  private isrValue: readonly number[] = [];
  private replicasValue: readonly number[] = [];
  private zkVersionValue = -1;
  private controllerEpochValue = -1;
  private pendingIsr: readonly number[] | undefined;
  private readonly remoteReplicas = new Map<number, ReplicaState>();
  /** Settles when the last leader append waiting for its records' validation is done; undefined when none waits. */
  private appendTail: Promise<unknown> | undefined;

  constructor(opts: PartitionOptions) {
    this.topic = opts.topic;
    this.partition = opts.partition;
    this.key = tpKey(opts.topic, opts.partition);
    this.currentLog = opts.log;
    this.localBrokerId = opts.localBrokerId;
    this.replicaLagTimeMaxMs = opts.replicaLagTimeMaxMs;
    this.writeIsrToZk = opts.writeIsr;
    this.removingReplicas = opts.removingReplicas;
    this.listener = opts.listener;
    this.time = opts.time;
    this.logger = opts.logger.child({ component: 'Partition', topicPartition: this.key });
  }

  /** The current log: the one every append, read and offset of this replica is served from. */
  get log(): UnifiedLog {
    return this.currentLog;
  }

  /** The log being filled in another log dir of this broker, while the replica moves there. */
  get futureLog(): UnifiedLog | undefined {
    return this.futureLogValue;
  }

  /** Starts a move: `log` (empty, in the target dir) follows the current log from now on. */
  setFutureLog(log: UnifiedLog): void {
    this.futureLogValue = log;
  }

  /** Forgets the future log (the move was cancelled or its dir failed); returns it. */
  removeFutureLog(): UnifiedLog | undefined {
    const log = this.futureLogValue;
    this.futureLogValue = undefined;
    return log;
  }

  /**
   * Ends a move: `swap` (the LogManager's replaceCurrentWithFutureLog) runs and the log it returns becomes current,
   * when the future log holds everything the current one does. Returns false, changing nothing, when it does not.
   */
  replaceCurrentWithFutureLog(swap: () => UnifiedLog): boolean {
    const future = this.futureLogValue;
    if (future === undefined || future.logEndOffset !== this.currentLog.logEndOffset) return false;
    for (const e of this.currentLog.leaderEpochCache.epochEntries)
      if (e.epoch > future.leaderEpochCache.latestEpoch) future.assignEpochStartOffset(e.epoch, e.startOffset);
    this.currentLog = swap();
    this.futureLogValue = undefined;
    return true;
  }

  get role(): PartitionRole {
    return this.roleValue;
  }

  get isLeader(): boolean {
    return this.roleValue === 'Leader';
  }

  /** The leader's broker id, -1 when there is none. */
  get leaderId(): number {
    return this.leaderIdValue;
  }

  get leaderEpoch(): number {
    return this.leaderEpochValue;
  }

  /** Log end offset when this replica became leader of the current epoch; -1 when not leader. */
  get leaderEpochStartOffset(): number {
    return this.leaderEpochStartOffsetValue;
  }

  get isr(): readonly number[] {
    return this.isrValue;
  }

  get replicas(): readonly number[] {
    return this.replicasValue;
  }

  get zkVersion(): number {
    return this.zkVersionValue;
  }

  get controllerEpoch(): number {
    return this.controllerEpochValue;
  }

  get highWatermark(): number {
    return this.log.highWatermark;
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get minInsyncReplicas(): number {
    return this.log.config.minInsyncReplicas;
  }

  /** Led here with fewer in-sync replicas than assigned. */
  get isUnderReplicated(): boolean {
    return this.isLeader && this.isrValue.length < this.replicasValue.length;
  }

  /** The leader's view of a follower (undefined when not leader or not a replica). */
  replicaState(brokerId: number): Readonly<ReplicaState> | undefined {
    return this.remoteReplicas.get(brokerId);
  }

  // ---- role changes (from partition states read in ZooKeeper) ----

  /**
   * Becomes (or stays) leader with `state`. For a new leader epoch: registers (epoch, LEO) in the leader epoch
   * cache, remembers the LEO as the epoch start offset and resets every follower's state (in-ISR followers count
   * as caught up now, others never). Returns true when this starts a new leadership or leader epoch.
   */
  makeLeader(state: PartitionState, replicas: readonly number[]): boolean {
    const nowMs = this.time.milliseconds();
    const isNewEpoch = !this.isLeader || state.leaderEpoch !== this.leaderEpochValue;
    this.applyState(state, replicas);
    if (isNewEpoch) {
      const leo = this.log.logEndOffset;
      this.log.assignEpochStartOffset(state.leaderEpoch, leo);
      this.leaderEpochStartOffsetValue = leo;
      this.remoteReplicas.clear();
      for (const id of replicas) {
        if (id === this.localBrokerId) continue;
        this.remoteReplicas.set(id, {
          logEndOffset: -1,
          logStartOffset: -1,
          lastCaughtUpTimeMs: state.isr.includes(id) ? nowMs : 0,
          lastFetchLeaderLogEndOffset: leo,
          lastFetchTimeMs: nowMs,
        });
      }
      this.logger.info(
        { leaderEpoch: state.leaderEpoch, isr: state.isr, startOffset: leo, highWatermark: this.highWatermark },
        'became leader',
      );
    } else {
      this.syncRemoteReplicas(replicas);
    }
    this.roleValue = 'Leader';
    this.leaderIdValue = this.localBrokerId;
    this.maybeIncrementLeaderHighWatermark(nowMs);
    return isNewEpoch;
  }

  /**
   * Becomes (or stays) a follower of `state.leader` (-1: no leader for now). Returns true when the leader or the
   * leader epoch changed, i.e. fetching must (re)start with truncation by leader epoch.
   */
  makeFollower(state: PartitionState, replicas: readonly number[]): boolean {
    const changed =
      this.roleValue !== 'Follower' ||
      state.leader !== this.leaderIdValue ||
      state.leaderEpoch !== this.leaderEpochValue;
    this.applyState(state, replicas);
    this.roleValue = 'Follower';
    this.leaderIdValue = state.leader;
    this.leaderEpochStartOffsetValue = -1;
    this.remoteReplicas.clear();
    if (changed) this.logger.info({ leader: state.leader, leaderEpoch: state.leaderEpoch }, 'became follower');
    return changed;
  }

  // ---- leader: produce ----

  /**
   * Appends a producer's batches as leader (or, with origin 'Coordinator', a transaction marker): offsets and leader
   * epoch are stamped in place. Rejects with NOT_LEADER_OR_FOLLOWER when not leader and, for acks=all,
   * NOT_ENOUGH_REPLICAS (nothing written) while the ISR is smaller than min.insync.replicas; plus the log's validation
   * and producer state errors. May advance the HW (ISR of one). Without record validation and with no append
   * waiting, the append happens before this returns.
   */
  async appendRecordsToLeader(
    records: Buffer,
    requiredAcks: number,
    origin: 'Client' | 'Coordinator' = 'Client',
  ): Promise<LogAppendInfo> {
    const validation = origin === 'Client' ? this.log.validateRecords(records) : null;
    // An async function runs synchronously up to its first await: this append happens during the call.
    if (validation === null && this.appendTail === undefined) return this.appendNow(records, requiredAcks, origin);
    // Validation (and recompression) runs now, in parallel with the appends ahead; its failure is read once their
    // turn has come, and what it gives is what is appended.
    validation?.catch(() => undefined);
    const appended = (this.appendTail ?? Promise.resolve())
      .then(() => validation)
      .then((validated) => this.appendNow(validated ?? records, requiredAcks, origin));
    const tail = appended.catch(() => undefined);
    this.appendTail = tail;
    void tail.then(() => {
      if (this.appendTail === tail) this.appendTail = undefined;
    });
    return await appended;
  }

  private appendNow(records: Buffer, requiredAcks: number, origin: 'Client' | 'Coordinator'): LogAppendInfo {
    this.requireLeader();
    const minIsr = this.minInsyncReplicas;
    if (requiredAcks === -1 && this.isrValue.length < minIsr) {
      throw new ApiError(
        'NOT_ENOUGH_REPLICAS',
        `The in-sync replicas of ${this.key} are ${JSON.stringify(this.isrValue)}, ` +
          `fewer than min.insync.replicas (${minIsr}); nothing was written. Wait for followers to catch up, or produce ` +
          `with fewer acks.`,
      );
    }
    const info = this.log.append(records, { assignOffsets: true, leaderEpoch: this.leaderEpochValue, origin });
    this.maybeIncrementLeaderHighWatermark(this.time.milliseconds());
    return info;
  }

  /**
   * Whether an acks=all append ending before `requiredOffset` is replicated: NONE once the HW reached it (or
   * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas meanwhile),
   * NOT_LEADER_OR_FOLLOWER when this replica no longer leads `leaderEpoch`, undefined while waiting.
   */
  checkEnoughReplicasReachOffset(requiredOffset: number, leaderEpoch: number): ErrorName | undefined {
    if (!this.isLeader || this.leaderEpochValue !== leaderEpoch) return 'NOT_LEADER_OR_FOLLOWER';
    if (this.highWatermark < requiredOffset) return undefined;
    return this.isrValue.length < this.minInsyncReplicas ? 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' : 'NONE';
  }

  // ---- leader: fetch, offsets ----

  /** The last stable offset: min(first offset of the oldest unfinished transaction, HW); see UnifiedLog. */
  get lastStableOffset(): number {
    return this.log.lastStableOffset;
  }

  /** The exclusive upper bound of what `isolation` may read. */
  fetchBound(isolation: FetchIsolation): number {
    switch (isolation) {
      case 'LogEnd':
        return this.log.logEndOffset;
      case 'HighWatermark':
        return this.log.highWatermark;
      case 'TxnCommitted':
        return this.lastStableOffset;
    }
  }

  /**
   * Reads for a fetch from the leader, up to the bound of `isolation`. Throws NOT_LEADER_OR_FOLLOWER,
   * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH when `currentLeaderEpoch` (>= 0) is older / newer than ours,
   * OFFSET_OUT_OF_RANGE outside the log.
   */
  readRecords(
    fetchOffset: number,
    currentLeaderEpoch: number,
    maxBytes: number,
    minOneBatch: boolean,
    isolation: FetchIsolation,
  ): PartitionReadInfo {
    this.requireLeader(currentLeaderEpoch);
    const read = this.log.read(fetchOffset, maxBytes, { maxOffset: this.fetchBound(isolation), minOneBatch });
    let abortedTransactions: FetchAbortedTransaction[] | null = null;
    if (isolation === 'TxnCommitted') {
      // The aborted transactions overlapping what was read: up to the offset after its last batch.
      const upperBound = read.records.length > 0 ? lastOffsetOf(read.records, lastBatchPosition(read.records)) + 1 : -1;
      abortedTransactions =
        upperBound < 0
          ? []
          : this.log
              .collectAbortedTransactions(fetchOffset, upperBound)
              .map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
    }
    // Named fields rather than a spread of `read`: one object of a fixed shape per partition read.
    return {
      records: read.records,
      firstBatchOffset: read.firstBatchOffset,
      logStartOffset: read.logStartOffset,
      logEndOffset: read.logEndOffset,
      highWatermark: read.highWatermark,
      lastStableOffset: this.lastStableOffset,
      abortedTransactions,
    };
  }

  /** Bytes a fetch at `fetchOffset` could read now, up to `maxBytes` (for a delayed fetch's minBytes check). */
  availableBytes(fetchOffset: number, maxBytes: number, isolation: FetchIsolation): number {
    const bound = this.fetchBound(isolation);
    if (fetchOffset >= bound || fetchOffset < this.log.logStartOffset) return 0;
    return this.log.read(fetchOffset, maxBytes, { maxOffset: bound, minOneBatch: true }).records.length;
  }

  /**
   * ListOffsets on the leader (Kafka's fetchOffsetForTimestamp): latest = the bound of `isolation` (the log end
   * for a follower), earliest = log start, else the first offset with a timestamp >= `timestamp` below that bound.
   * A new leader whose HW is still below its epoch start offset answers clients OFFSET_NOT_AVAILABLE for latest,
   * and for a lookup it cannot answer below the HW.
   */
  fetchOffsetForTimestamp(
    timestamp: number,
    currentLeaderEpoch: number,
    isolation: FetchIsolation,
  ): TimestampOffset | undefined {
    this.requireLeader(currentLeaderEpoch);
    const lastFetchable = this.fetchBound(isolation);
    const notAvailable =
      isolation !== 'LogEnd' && this.leaderEpochStartOffsetValue > this.log.highWatermark
        ? new ApiError(
            'OFFSET_NOT_AVAILABLE',
            `The high watermark ${this.log.highWatermark} of ${this.key} has not yet reached ` +
              `the start offset ${this.leaderEpochStartOffsetValue} of leader epoch ${this.leaderEpochValue}; retry shortly.`,
          )
        : undefined;
    if (timestamp === LATEST_TIMESTAMP) {
      if (notAvailable) throw notAvailable;
      return { timestamp: -1, offset: lastFetchable };
    }
    if (timestamp === EARLIEST_TIMESTAMP) return this.log.offsetForTimestamp(timestamp);
    const found = this.log.offsetForTimestamp(timestamp);
    if (found !== undefined && found.offset < lastFetchable) return found;
    if (notAvailable) throw notAvailable;
    return undefined;
  }

  /** The leader epoch of the batch holding `offset`, from the epoch cache; -1 when unknown. */
  epochForOffset(offset: number): number {
    let epoch = -1;
    for (const e of this.log.leaderEpochCache.epochEntries) {
      if (e.startOffset > offset) break;
      epoch = e.epoch;
    }
    return epoch;
  }

  /** OffsetForLeaderEpoch on the leader: the end offset of `leaderEpoch` (or of the largest epoch below it). */
  lastOffsetForLeaderEpoch(leaderEpoch: number, currentLeaderEpoch = -1): EpochEntry {
    this.requireLeader(currentLeaderEpoch);
    return this.log.endOffsetForEpoch(leaderEpoch);
  }

  // ---- leader: DeleteRecords ----

  /**
   * DeleteRecords on the leader (Kafka's deleteRecordsOnLeader, KIP-107): raises the log start offset to `offset`
   * (-1: the high watermark) and deletes the segments wholly below it; followers follow from their next fetch.
   * Returns the offset the log starts at now. Throws NOT_LEADER_OR_FOLLOWER, POLICY_VIOLATION when cleanup.policy
   * does not include delete, OFFSET_OUT_OF_RANGE for an offset below -1 or above the high watermark.
   */
  deleteRecordsOnLeader(offset: number): number {
    this.requireLeader();
    const policy = this.log.config.cleanupPolicy;
    if (!hasDeletePolicy(this.log.config)) {
      throw new ApiError(
        'POLICY_VIOLATION',
        `Records of ${this.key} cannot be deleted: its cleanup.policy is ${policy.join(',')}. ` +
          `DeleteRecords needs a policy that includes delete (e.g. cleanup.policy=compact,delete).`,
      );
    }
    const target = offset === -1 ? this.log.highWatermark : offset;
    if (target < 0) {
      throw new ApiError(
        'OFFSET_OUT_OF_RANGE',
        `The offset ${offset} for ${this.key} is not valid: give an offset >= 0, or -1 for the high watermark.`,
      );
    }
    const before = this.log.logStartOffset;
    this.log.deleteRecordsBefore(target);
    if (this.log.logStartOffset > before) this.listener.onLogStartOffsetIncreased(this);
    return target;
  }

  /**
   * The smallest log start offset of this leader and its followers on live brokers (Kafka's lowWatermarkIfLeader):
   * what DeleteRecords waits for. A follower that has not fetched in this leader epoch counts with -1.
   */
  lowWatermarkIfLeader(isLive: (brokerId: number) => boolean): number {
    this.requireLeader();
    let lowWatermark = this.log.logStartOffset;
    for (const [id, r] of this.remoteReplicas) {
      if (isLive(id) && r.logStartOffset < lowWatermark) lowWatermark = r.logStartOffset;
    }
    return lowWatermark;
  }

  // ---- leader: follower progress, HW, ISR ----

  /**
   * Records a follower's fetch (its fetch offset is its LEO), then maybe expands the ISR and advances the HW
   * (Kafka's updateFollowerFetchState). Returns false when `replicaId` is not a replica of this partition.
   */
  updateFollowerFetchState(
    replicaId: number,
    fetchOffset: number,
    followerLogStartOffset: number,
    fetchTimeMs: number,
    leaderEndOffset: number,
  ): boolean {
    const replica = this.remoteReplicas.get(replicaId);
    if (replica === undefined) return false;
    if (fetchOffset >= leaderEndOffset) {
      replica.lastCaughtUpTimeMs = Math.max(replica.lastCaughtUpTimeMs, fetchTimeMs);
    } else if (fetchOffset >= replica.lastFetchLeaderLogEndOffset) {
      replica.lastCaughtUpTimeMs = Math.max(replica.lastCaughtUpTimeMs, replica.lastFetchTimeMs);
    }
    const logStartIncreased = followerLogStartOffset > replica.logStartOffset;
    replica.logStartOffset = followerLogStartOffset;
    replica.logEndOffset = fetchOffset;
    replica.lastFetchLeaderLogEndOffset = leaderEndOffset;
    replica.lastFetchTimeMs = fetchTimeMs;
    this.maybeExpandIsr(replicaId, replica);
    this.maybeIncrementLeaderHighWatermark(fetchTimeMs);
    if (logStartIncreased) this.listener.onLogStartOffsetIncreased(this);
    return true;
  }

  /**
   * Removes from the ISR the followers that are behind the leader's LEO and have not caught up for
   * replica.lag.time.max.ms (stuck or slow). The write goes to ZooKeeper; the ISR changes once it succeeded.
   */
  maybeShrinkIsr(): void {
    if (!this.isLeader || this.pendingIsr !== undefined) return;
    const nowMs = this.time.milliseconds();
    const leo = this.log.logEndOffset;
    const outOfSync = this.isrValue.filter((id) => {
      if (id === this.localBrokerId) return false;
      const r = this.remoteReplicas.get(id);
      return r === undefined || (r.logEndOffset !== leo && nowMs - r.lastCaughtUpTimeMs > this.replicaLagTimeMaxMs);
    });
    if (outOfSync.length === 0) return;
    this.logger.info(
      {
        outOfSync,
        isr: this.isrValue,
        leaderEndOffset: leo,
        lagMs: outOfSync.map((id) => nowMs - (this.remoteReplicas.get(id)?.lastCaughtUpTimeMs ?? 0)),
      },
      'shrinking ISR',
    );
    void this.writeIsr(
      this.isrValue.filter((id) => !outOfSync.includes(id)),
      'Shrink',
    );
  }

  // ---- follower ----

  /** Appends batches fetched from the leader, offsets and epochs as the leader assigned them. */
  appendRecordsAsFollower(records: Buffer): LogAppendInfo {
    return this.log.append(records, { assignOffsets: false, leaderEpoch: this.leaderEpochValue });
  }

  /** After a fetch: HW := min(leader HW, own LEO) if that is higher; log start rises to the leader's. */
  updateFollowerOffsets(leaderHighWatermark: number, leaderLogStartOffset: number): void {
    const hw = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (hw > this.log.highWatermark) this.log.updateHighWatermark(hw);
    const logStart = Math.min(leaderLogStartOffset, this.log.highWatermark);
    if (logStart > this.log.logStartOffset) this.log.deleteRecordsBefore(logStart);
  }

  /** Truncates to `offset` (a follower aligning with its leader); the HW is clamped by the log. */
  truncateTo(offset: number): void {
    this.log.truncateTo(offset);
    this.futureLogValue?.truncateTo(offset);
  }

  /** Empties the log and restarts it at `offset` (the leader no longer has what this replica would fetch). */
  truncateFullyAndStartAt(offset: number): void {
    this.log.truncateFullyAndStartAt(offset);
    this.futureLogValue?.truncateFullyAndStartAt(offset);
  }

  // ---- internals ----

  /** Same leader epoch, newer zkVersion (an ISR change, possibly our own write coming back) or new replicas. */
  private applyState(state: PartitionState, replicas: readonly number[]): void {
    this.leaderEpochValue = state.leaderEpoch;
    this.isrValue = state.isr;
    this.zkVersionValue = state.zkVersion;
    this.controllerEpochValue = state.controllerEpoch;
    this.replicasValue = replicas;
  }

  /** Keeps follower states for current replicas only (a reassignment changed the list at the same epoch). */
  private syncRemoteReplicas(replicas: readonly number[]): void {
    for (const id of [...this.remoteReplicas.keys()]) if (!replicas.includes(id)) this.remoteReplicas.delete(id);
    for (const id of replicas) {
      if (id === this.localBrokerId || this.remoteReplicas.has(id)) continue;
      this.remoteReplicas.set(id, {
        logEndOffset: -1,
        logStartOffset: -1,
        lastCaughtUpTimeMs: 0,
        lastFetchLeaderLogEndOffset: this.log.logEndOffset,
        lastFetchTimeMs: this.time.milliseconds(),
      });
    }
  }

  private maybeExpandIsr(replicaId: number, replica: ReplicaState): void {
    if (this.pendingIsr !== undefined || this.isrValue.includes(replicaId) || !this.replicasValue.includes(replicaId))
      return;
    if (this.removingReplicas().includes(replicaId)) return;
    if (replica.logEndOffset < this.log.highWatermark || replica.logEndOffset < this.leaderEpochStartOffsetValue)
      return;
    this.logger.info({ replicaId, logEndOffset: replica.logEndOffset, isr: this.isrValue }, 'expanding ISR');
    void this.writeIsr([...this.isrValue, replicaId], 'Expand');
  }

  private maybeIncrementLeaderHighWatermark(nowMs: number): void {
    if (!this.isLeader) return;
    let newHw = this.log.logEndOffset;
    for (const [id, r] of this.remoteReplicas) {
      if (r.logEndOffset >= newHw) continue;
      const inMaximalIsr = this.isrValue.includes(id) || (this.pendingIsr?.includes(id) ?? false);
      if (inMaximalIsr || nowMs - r.lastCaughtUpTimeMs <= this.replicaLagTimeMaxMs) newHw = r.logEndOffset;
    }
    if (newHw > this.log.highWatermark) {
      this.log.updateHighWatermark(newHw);
      this.listener.onHighWatermarkIncreased(this);
    }
  }

  /** Writes a new ISR at the cached zkVersion; applies it only if nothing changed meanwhile. */
  private async writeIsr(newIsr: readonly number[], change: 'Shrink' | 'Expand'): Promise<void> {
    const expectedZkVersion = this.zkVersionValue;
    const leaderEpoch = this.leaderEpochValue;
    this.pendingIsr = newIsr;
    try {
      const newZkVersion = await this.writeIsrToZk(
        { topic: this.topic, partition: this.partition },
        { leader: this.localBrokerId, leaderEpoch, isr: newIsr, controllerEpoch: this.controllerEpochValue },
        expectedZkVersion,
      );
      if (!this.isLeader || this.leaderEpochValue !== leaderEpoch) return;
      if (newZkVersion === null) {
        this.logger.info(
          { cachedZkVersion: expectedZkVersion, isr: this.isrValue },
          'cached zkVersion not equal to that in ZooKeeper; skipped ISR update and wait for the new state',
        );
        return;
      }
      if (this.zkVersionValue === expectedZkVersion) {
        this.isrValue = newIsr;
        this.zkVersionValue = newZkVersion;
      }
      this.listener.onIsrChanged(this, change);
    } catch (e) {
      this.logger.warn({ err: e, isr: newIsr }, 'ISR update in ZooKeeper failed; retried on the next check');
    } finally {
      this.pendingIsr = undefined;
      // The maximal ISR is back to the applied one: an expand that did not happen no longer holds the HW back.
      this.maybeIncrementLeaderHighWatermark(this.time.milliseconds());
    }
  }

  private requireLeader(currentLeaderEpoch = -1): void {
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch !== this.leaderEpochValue && this.roleValue !== 'None') {
      if (currentLeaderEpoch < this.leaderEpochValue) {
        throw new ApiError(
          'FENCED_LEADER_EPOCH',
          `Leader epoch ${currentLeaderEpoch} in the request for ${this.key} is ` +
            `older than the current ${this.leaderEpochValue}; refresh metadata.`,
        );
      }
      throw new ApiError(
        'UNKNOWN_LEADER_EPOCH',
        `Leader epoch ${currentLeaderEpoch} in the request for ${this.key} is ` +
          `newer than the current ${this.leaderEpochValue}; this broker has not seen it yet, retry.`,
      );
    }
    if (!this.isLeader) {
      throw new ApiError(
        'NOT_LEADER_OR_FOLLOWER',
        `Broker ${this.localBrokerId} is not the leader of ${this.key} ` +
          `(leader: ${this.leaderIdValue}); refresh metadata.`,
      );
    }
  }
}

/** Position of the last batch in `records` (whole batches, at least one). */
function lastBatchPosition(records: Buffer): number {
  let pos = 0;
  for (let next = batchSizeAt(records, 0); next < records.length; next += batchSizeAt(records, next)) pos = next;
  return pos;
}
