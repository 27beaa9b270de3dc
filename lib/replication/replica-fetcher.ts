/**
 * One follower fetcher (Kafka's `ReplicaFetcherThread` / `AbstractFetcherThread`): fetches, for every partition
 * this broker follows from one leader (and that hashes to this fetcher), in ONE Fetch request at a time, and
 * appends the leader's batches as they are.
 *
 * Per partition state: the leader epoch followed, the fetch offset (= this replica's log end offset), and a phase:
 * - Truncating: before fetching as a new follower (or in a new leader epoch) the replica asks the leader for the
 *   end offset of its own latest epoch (OffsetForLeaderEpoch) and truncates by KIP-101/279: if it knows the epoch
 *   the leader answered, to min(leader's end offset, its own end offset of that epoch, its LEO); if it does not,
 *   to the end of its largest smaller epoch, then asks again. Never to its high watermark: a follower's HW lags,
 *   and truncating to it can lose acknowledged data (KAFKA-1211). An empty epoch cache (empty log) or an
 *   undefined answer keeps the log end offset; a mismatch then shows as OFFSET_OUT_OF_RANGE.
 * - Fetching: the response's batches are appended (offsets and epochs as the leader assigned them; the epoch
 *   cache learns new epochs from them), then HW := min(leader HW, own LEO) and the log start offset rises to the
 *   leader's. OFFSET_OUT_OF_RANGE (Kafka's follower rule): leader LEO below ours → truncate to it; our LEO below the
 *   leader's log start → empty the log and restart at the leader's log start.
 * Throttle: a partition whose replica here is listed in follower.replication.throttled.replicas and is not in the
 * ISR is left out of a request while the follower quota is used up, and otherwise asks for at most what it allows
 * (replication-quota.ts); when only such partitions are ready, the fetcher sleeps until the quota allows bytes again.
 * Errors: a failed request (connection, timeout) closes the end point and backs off replica.fetch.backoff.ms for
 * the whole fetcher; a partition error backs off that partition only. FENCED_LEADER_EPOCH / NOT_LEADER_OR_FOLLOWER
 * mean a newer state is coming from ZooKeeper: the partition waits for it (backoff) rather than fail.
 *
 * Concurrency: one loop per fetcher; while it awaits the leader, partitions may be added or removed and their
 * roles may change. A response is applied to a partition only if its state object is still the one the request
 * was built from (same epoch, same fetch offset) and the partition still follows that epoch.
 * Ownership: the ReplicaFetcherManager creates, feeds and shuts down fetchers; the fetcher owns its end point.
 */
import { ErrorCode } from '../common/error-codes.js';
import type { Logger } from '../common/logger.js';
import type { Time } from '../common/time.js';
import { UNDEFINED_EPOCH } from '../log/leader-epoch-cache.js';
import type { LeaderEndPoint, LeaderEndPointFactory } from './leader-end-point.js';
import type { MetadataCache } from './metadata-cache.js';
import type { Partition } from './partition.js';
import type { EpochEndOffsetResult, FetchPartitionResult } from './replica-reads.js';
import type { ReplicaManagerConfig } from './replica-manager-config.js';
import type { ReplicationQuota } from './replication-quota.js';

export type FetchPhase = 'Truncating' | 'Fetching';

/** What the fetcher tracks for one partition. Replaced (not mutated) when the partition is re-added. */
export interface PartitionFetchState {
  readonly partition: Partition;
  readonly leaderEpoch: number;
  fetchOffset: number;
  phase: FetchPhase;
  /** No request for this partition before this time (hiResMs), after an error. */
  delayedUntilMs: number;
}

export type FetcherConfig = Pick<
  ReplicaManagerConfig,
  | 'replicaFetchWaitMaxMs'
  | 'replicaFetchMinBytes'
  | 'replicaFetchMaxBytes'
  | 'replicaFetchResponseMaxBytes'
  | 'replicaFetchBackoffMs'
>;

export interface ReplicaFetcherOptions {
  localBrokerId: number;
  leaderId: number;
  fetcherId: number;
  config: FetcherConfig;
  metadataCache: Pick<MetadataCache, 'broker'>;
  /** The follower replication throttle of this broker (shared by its fetchers). */
  quota: ReplicationQuota;
  connect: LeaderEndPointFactory;
  time: Time;
  logger: Logger;
}

export class ReplicaFetcher {
  readonly leaderId: number;
  readonly fetcherId: number;
  private readonly opts: ReplicaFetcherOptions;
  private readonly logger: Logger;
  private readonly states = new Map<string, PartitionFetchState>();
  private endPoint: LeaderEndPoint | undefined;
  private running = true;
  private wakeUp: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(opts: ReplicaFetcherOptions) {
    this.opts = opts;
    this.leaderId = opts.leaderId;
    this.fetcherId = opts.fetcherId;
    this.logger = opts.logger.child({
      component: 'ReplicaFetcher',
      leaderId: opts.leaderId,
      fetcherId: opts.fetcherId,
    });
    this.loop = this.run();
  }

  get partitionCount(): number {
    return this.states.size;
  }

  /** The state of a partition fetched here (for specs and metrics). */
  fetchState(key: string): Readonly<PartitionFetchState> | undefined {
    return this.states.get(key);
  }

  /** The states of every partition fetched here. */
  fetchStates(): IterableIterator<Readonly<PartitionFetchState>> {
    return this.states.values();
  }

  /** Starts following `partition` in `leaderEpoch`: truncation by epoch first, then fetching. */
  addPartition(partition: Partition, leaderEpoch: number): void {
    this.states.set(partition.key, {
      partition,
      leaderEpoch,
      fetchOffset: partition.logEndOffset,
      phase: 'Truncating',
      delayedUntilMs: 0,
    });
    this.wake();
  }

  removePartition(key: string): void {
    this.states.delete(key);
  }

  /** Stops the loop and closes the connection; resolves when the loop has ended. */
  async shutdown(): Promise<void> {
    this.running = false;
    this.wake();
    await this.closeEndPoint();
    await this.loop;
  }

  // ---- the loop ----

  private async run(): Promise<void> {
    while (this.running) {
      // One macrotask turn per round: a leader that answers at once (nothing to wait for, or shutting down) must
      // not starve timers and I/O with a chain of resolved promises.
      await new Promise((resolve) => setImmediate(resolve));
      if (!this.running) break;
      try {
        const now = this.opts.time.hiResMs();
        const ready = [...this.states.values()].filter((s) => s.delayedUntilMs <= now);
        if (ready.length === 0) {
          await this.sleep(this.nextDelayMs(now));
          continue;
        }
        const endPoint = await this.connect();
        if (endPoint === undefined) continue;
        const truncating = ready.filter((s) => s.phase === 'Truncating');
        if (truncating.length > 0) await this.truncate(endPoint, truncating);
        else await this.fetch(endPoint, ready);
      } catch (e) {
        if (!this.running) break;
        this.logger.warn({ err: e }, 'request to the leader failed; backing off');
        await this.closeEndPoint();
        await this.sleep(this.opts.config.replicaFetchBackoffMs);
      }
    }
    // shutdown() closes the end point it sees; one connected while it ran (a connect in flight) is closed here, or
    // its socket would keep the process alive after a clean shutdown.
    await this.closeEndPoint();
  }

  /** The open end point, or a new one; undefined (after a backoff) while the leader cannot be reached. */
  private async connect(): Promise<LeaderEndPoint | undefined> {
    if (this.endPoint !== undefined) return this.endPoint;
    const leader = this.opts.metadataCache.broker(this.leaderId);
    if (leader === undefined) {
      this.logger.debug('leader broker is not registered (yet); backing off');
      await this.sleep(this.opts.config.replicaFetchBackoffMs);
      return undefined;
    }
    this.endPoint = await this.opts.connect(leader, this.fetcherId);
    return this.endPoint;
  }

  private async fetch(endPoint: LeaderEndPoint, ready: PartitionFetchState[]): Promise<void> {
    const c = this.opts.config;
    // The follower side of a replication throttle: a throttled partition out of the ISR is left out of the request
    // while the quota is used up, else asks for at most what the quota allows.
    let allowance = this.opts.quota.allowance();
    const sending: Array<{ s: PartitionFetchState; maxBytes: number }> = [];
    for (const s of ready) {
      if (!this.throttled(s)) {
        sending.push({ s, maxBytes: c.replicaFetchMaxBytes });
      } else if (allowance > 0) {
        const maxBytes = Math.min(c.replicaFetchMaxBytes, Math.ceil(allowance));
        allowance -= maxBytes;
        sending.push({ s, maxBytes });
      }
    }
    if (sending.length === 0) {
      await this.sleep(this.opts.quota.delayMs());
      return;
    }
    const results = await endPoint.fetch({
      replicaId: this.opts.localBrokerId,
      maxWaitMs: c.replicaFetchWaitMaxMs,
      minBytes: c.replicaFetchMinBytes,
      maxBytes: c.replicaFetchResponseMaxBytes,
      isolationLevel: 0,
      partitions: sending.map(({ s, maxBytes }) => ({
        topic: s.partition.topic,
        partition: s.partition.partition,
        fetchOffset: s.fetchOffset,
        partitionMaxBytes: maxBytes,
        currentLeaderEpoch: s.leaderEpoch,
        logStartOffset: s.partition.log.logStartOffset,
      })),
    });
    const outOfRange: PartitionFetchState[] = [];
    results.forEach((result, i) => {
      const s = sending[i]!.s;
      if (!this.isCurrent(s)) return;
      if (result.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) outOfRange.push(s);
      else this.processFetchedPartition(s, result);
    });
    for (const s of outOfRange) await this.handleOutOfRange(endPoint, s);
  }

  /** Kafka's follower throttle condition, less the quota check: a throttled replica that is not in the ISR. */
  private throttled(s: PartitionFetchState): boolean {
    const p = s.partition;
    return this.opts.quota.throttles(p.partition, p.log.config) && !p.isr.includes(this.opts.localBrokerId);
  }

  private processFetchedPartition(s: PartitionFetchState, result: FetchPartitionResult): void {
    const p = s.partition;
    if (result.errorCode !== ErrorCode.NONE) {
      this.logger.info(
        { topicPartition: p.key, errorCode: result.errorCode, leaderEpoch: s.leaderEpoch },
        'fetch error for a partition; backing off until the leader or a new state answers',
      );
      this.delay(s);
      return;
    }
    try {
      if (result.records !== null && result.records.length > 0) {
        const info = p.appendRecordsAsFollower(result.records);
        if (info.lastOffset >= 0) s.fetchOffset = p.logEndOffset;
        if (this.opts.quota.throttles(p.partition, p.log.config)) this.opts.quota.record(result.records.length);
      }
      p.updateFollowerOffsets(result.highWatermark, result.logStartOffset);
    } catch (e) {
      this.logger.error(
        { err: e, topicPartition: p.key, fetchOffset: s.fetchOffset },
        'appending fetched records failed',
      );
      this.delay(s);
    }
  }

  /** Kafka's fetchOffsetAndTruncate: align with the leader's log end or log start. */
  private async handleOutOfRange(endPoint: LeaderEndPoint, s: PartitionFetchState): Promise<void> {
    const p = s.partition;
    const tp = { topic: p.topic, partition: p.partition };
    const latest = await endPoint.fetchOffset(tp, s.leaderEpoch, -1);
    if (!this.isCurrent(s)) return;
    if (latest.errorCode !== ErrorCode.NONE) return this.delay(s);
    const replicaEndOffset = p.logEndOffset;
    if (latest.offset < replicaEndOffset) {
      this.logger.warn(
        { topicPartition: p.key, leaderEndOffset: latest.offset, replicaEndOffset },
        "leader log end is below this replica's: truncating to it",
      );
      p.truncateTo(latest.offset);
      s.fetchOffset = p.logEndOffset;
      return;
    }
    const earliest = await endPoint.fetchOffset(tp, s.leaderEpoch, -2);
    if (!this.isCurrent(s)) return;
    if (earliest.errorCode !== ErrorCode.NONE) return this.delay(s);
    if (earliest.offset > replicaEndOffset) {
      this.logger.warn(
        { topicPartition: p.key, leaderStartOffset: earliest.offset, replicaEndOffset },
        "this replica is below the leader's log start: restarting the log there",
      );
      p.truncateFullyAndStartAt(earliest.offset);
    }
    s.fetchOffset = Math.max(earliest.offset, p.logEndOffset);
  }

  /** One OffsetForLeaderEpoch round for the partitions still truncating. */
  private async truncate(endPoint: LeaderEndPoint, truncating: PartitionFetchState[]): Promise<void> {
    const asking: PartitionFetchState[] = [];
    for (const s of truncating) {
      if (s.partition.log.leaderEpochCache.latestEpoch === UNDEFINED_EPOCH)
        this.completeTruncation(s, s.partition.logEndOffset);
      else asking.push(s);
    }
    if (asking.length === 0) return;
    const answers = await endPoint.fetchEpochEndOffsets(
      asking.map((s) => ({
        topic: s.partition.topic,
        partition: s.partition.partition,
        currentLeaderEpoch: s.leaderEpoch,
        leaderEpoch: s.partition.log.leaderEpochCache.latestEpoch,
      })),
    );
    answers.forEach((answer, i) => {
      const s = asking[i]!;
      if (!this.isCurrent(s)) return;
      if (answer.errorCode !== ErrorCode.NONE) {
        this.logger.info(
          { topicPartition: s.partition.key, errorCode: answer.errorCode },
          'OffsetForLeaderEpoch failed; backing off',
        );
        this.delay(s);
        return;
      }
      const decision = truncationOffset(s.partition, answer);
      if (decision.complete) this.completeTruncation(s, decision.offset);
      else s.partition.truncateTo(decision.offset);
    });
  }

  private completeTruncation(s: PartitionFetchState, offset: number): void {
    const p = s.partition;
    if (offset < p.logEndOffset) {
      this.logger.info(
        { topicPartition: p.key, from: p.logEndOffset, to: offset, leaderEpoch: s.leaderEpoch },
        'truncating by leader epoch',
      );
      p.truncateTo(offset);
    }
    s.fetchOffset = p.logEndOffset;
    s.phase = 'Fetching';
  }

  // ---- helpers ----

  /** True while `s` is still this partition's state here and the partition still follows that epoch. */
  private isCurrent(s: PartitionFetchState): boolean {
    return (
      this.running &&
      this.states.get(s.partition.key) === s &&
      s.partition.role === 'Follower' &&
      s.partition.leaderEpoch === s.leaderEpoch
    );
  }

  private delay(s: PartitionFetchState): void {
    s.delayedUntilMs = this.opts.time.hiResMs() + this.opts.config.replicaFetchBackoffMs;
  }

  private nextDelayMs(now: number): number {
    let next = Infinity;
    for (const s of this.states.values()) next = Math.min(next, s.delayedUntilMs - now);
    return next === Infinity ? this.opts.config.replicaFetchBackoffMs : Math.max(0, next);
  }

  private async closeEndPoint(): Promise<void> {
    const endPoint = this.endPoint;
    this.endPoint = undefined;
    try {
      await endPoint?.close();
    } catch (e) {
      this.logger.debug({ err: e }, 'closing the end point failed');
    }
  }

  /** Waits `ms` or until woken (a partition added, shutdown). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms).unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  private wake(): void {
    this.wakeUp?.();
  }
}

/**
 * KIP-101/279 truncation decision for a follower that asked for the end offset of its latest epoch (Kafka's
 * getOffsetTruncationState). `complete: false` means: truncate to `offset`, then ask again.
 */
export function truncationOffset(
  partition: Pick<Partition, 'log'>,
  answer: EpochEndOffsetResult,
): { offset: number; complete: boolean } {
  const log = partition.log;
  const replicaEndOffset = log.logEndOffset;
  if (answer.endOffset < 0 || answer.leaderEpoch === UNDEFINED_EPOCH) {
    // The leader knows no epoch at or below ours: keep our log end; out-of-range handling aligns what differs.
    return { offset: replicaEndOffset, complete: true };
  }
  const ours = log.leaderEpochCache.endOffsetFor(answer.leaderEpoch, replicaEndOffset);
  if (ours.epoch === UNDEFINED_EPOCH) {
    // We have no epoch at or below the leader's answer: the leader's end offset is the safe bound.
    return { offset: Math.min(answer.endOffset, replicaEndOffset), complete: true };
  }
  if (ours.epoch !== answer.leaderEpoch) {
    // We do not know the epoch the leader answered: cut back to the end of our largest smaller epoch, ask again.
    return { offset: Math.min(ours.startOffset, replicaEndOffset), complete: false };
  }
  return { offset: Math.min(ours.startOffset, answer.endOffset, replicaEndOffset), complete: true };
}
