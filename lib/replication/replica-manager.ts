/**
 * The broker's data plane above the log (Kafka's `ReplicaManager`): which partitions this broker hosts and in
 * which role, produce (with acks and min.insync.replicas), fetch (consumers and followers, long polling), list
 * offsets and leader epoch end offsets, ISR maintenance and the high watermark checkpoint.
 *
 * Which replicas are hosted, in which role, is decided by its PartitionStateApplier from what ZooKeeper says (no
 * LeaderAndIsr RPCs in this product); the manager serves them and hosts them through the `HostedPartitions` seam.
 *
 * Failed log dirs (KIP-112, `handleLogDirFailure`): when a disk operation fails in a log dir, every replica in it
 * goes offline here for as long as the broker runs — a leader gives up leadership first, fetchers stop, requests
 * for it answer KAFKA_STORAGE_ERROR — and the broker tells the controller through /log_dir_event_notification
 * (again after each registration and whenever a new controller is elected, which asks it which replicas it still
 * serves), which elects other leaders and drops it from the ISRs. Replicas in other dirs go on. With no dir left
 * the manager emits `allLogDirsFailed` and the broker stops (Kafka halts).
 *
 * Moving a replica between this broker's log dirs (KIP-113, `alterReplicaLogDirs`): a replica hosted here gets a
 * future log in the target dir, filled from its current log by the ReplicaAlterLogDirsManager and swapped in under
 * the partition (Partition.replaceCurrentWithFutureLog) once caught up; a replica not hosted yet has the dir
 * remembered, and its log is created there. A future log found at start resumes when the partition is hosted.
 *
 * Files: `replication-offset-checkpoint` in each log dir (`topic partition highWatermark`), written every
 * replica.high.watermark.checkpoint.interval.ms and at shutdown, read at startup to restore each log's HW.
 * Invariants: every produce and fetch gets an answer, including at shutdown (purgatories expire what is pending);
 * a request waiting on a partition re-checks whenever the partition's state is applied or it stops being hosted.
 * Concurrency: one event loop. Produce and fetch are synchronous up to their purgatory wait (or flush wait); state
 * changes and scheduled tasks (ISR shrink, ISR change notifications, HW checkpoint) run between them. Followers'
 * fetches parked on a partition appended to as leader re-check once per event-loop turn, after its appends.
 * Ownership: the broker creates it with the LogManager, MetadataCache and KafkaZkClient it owns, calls
 * `startup()` after the LogManager has loaded and `shutdown()` before the LogManager shuts down.
 * Crash: the HW checkpoint may lag by one interval; a lower HW after a crash is safe (it only rises again).
 */
import { EventEmitter } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode } from '../common/error-codes.js';
import { ApiError, RecordValidationError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { SystemScheduler, type ScheduledTask, type Scheduler } from '../common/scheduler.js';
import { SystemTime, type Time } from '../common/time.js';
import { parseTpKey, tpKey } from '../common/topic-partition.js';
import { readOffsetCheckpoint, writeOffsetCheckpoint, type TopicPartitionOffset } from '../log/checkpoint-file.js';
import type { LogConfig } from '../log/log-config.js';
import type { LogManager } from '../log/log-manager.js';
import type { UnifiedLog } from '../log/unified-log.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';
import {
  DelayedDeleteRecords,
  type DeleteRecordsPartitionResult,
  type DeleteRecordsStatus,
} from './delayed-delete-records.js';
import { DelayedFetch } from './delayed-fetch.js';
import { DelayedProduce, type ProduceAcksStatus, type ProducePartitionResult } from './delayed-produce.js';
import { IsrChangeNotifier, ISR_CHANGE_PROPAGATION_INTERVAL_MS } from './isr-change-notifier.js';
import type { LeaderEndPointFactory } from './leader-end-point.js';
import type { MetadataCache } from './metadata-cache.js';
import { Partition, type FetchIsolation, type PartitionListener } from './partition.js';
import { PartitionStateApplier, type HostedPartitions } from './partition-state-applier.js';
import { DEFAULT_REPLICA_MANAGER_CONFIG, type ReplicaManagerConfig } from './replica-manager-config.js';
import type {
  EpochEndOffsetResult,
  FetchMessagesRequest,
  FetchPartitionRequest,
  FetchPartitionResult,
  ListOffsetsResult,
} from './replica-reads.js';
import { Purgatory } from './purgatory.js';
import { RemoteLeaderEndPoint } from './remote-leader-end-point.js';
import { ReplicationQuota, type QuotaKind } from './replication-quota.js';
import { ReplicaFetcherManager } from './replica-fetcher-manager.js';
import { ReplicaAlterLogDirsManager } from './replica-alter-log-dirs-manager.js';

export const HIGH_WATERMARK_CHECKPOINT_FILE = 'replication-offset-checkpoint';

/** The ZooKeeper operations replication performs (KafkaZkClient's). */
export type ReplicationZkClient = Pick<
  KafkaZkClient,
  'getEntityConfig' | 'updatePartitionState' | 'createIsrChangeNotification' | 'propagateLogDirEvent'
>;

export interface ReplicaManagerOptions {
  brokerId: number;
  config?: Partial<ReplicaManagerConfig>;
  logManager: LogManager;
  metadataCache: MetadataCache;
  zk: ReplicationZkClient;
  /** How follower fetchers reach a leader. @default a RemoteLeaderEndPoint (NetworkClient) to its inter-broker endpoint */
  leaderEndPointFactory?: LeaderEndPointFactory;
  logger?: Logger;
  time?: Time;
  scheduler?: Scheduler;
}

export interface ProduceEntry {
  topic: string;
  partition: number;
  /** Whole v2 record batches as the producer sent them; stamped in place. */
  records: Buffer;
}

export interface AppendRecordsRequest {
  acks: -1 | 0 | 1;
  timeoutMs: number;
  entries: readonly ProduceEntry[];
  /** A client's batches, or the transaction coordinator's markers (WriteTxnMarkers). @default 'Client' */
  origin?: 'Client' | 'Coordinator';
}

export interface ReplicaManagerEvents {
  /** After a batch of state changes: partitions that became leader or follower in it (for the coordinators). */
  leadershipChange: [leaders: Partition[], followers: Partition[]];
  /** Every log dir has failed: nothing can be served; the broker must stop. */
  allLogDirsFailed: [];
}

/** Pause before telling the controller again when writing /log_dir_event_notification failed. */
const LOG_DIR_EVENT_RETRY_MS = 1000;

const EMPTY = Buffer.alloc(0);

/** One replica in a log dir, as DescribeLogDirs reports it. */
export interface ReplicaLogDirInfo {
  topic: string;
  partition: number;
  size: number;
  offsetLag: number;
  /** A replica moving into this dir (its future log), not yet the one served. */
  isFuture: boolean;
}

export class ReplicaManager extends EventEmitter<ReplicaManagerEvents> {
  readonly brokerId: number;
  readonly config: ReplicaManagerConfig;
  private readonly logManager: LogManager;
  private readonly metadataCache: MetadataCache;
  private readonly zk: ReplicationZkClient;
  private readonly logger: Logger;
  private readonly time: Time;
  private readonly scheduler: Scheduler;
  private readonly partitions = new Map<string, Partition>();
  private readonly producePurgatory: Purgatory<DelayedProduce>;
  private readonly consumerFetchPurgatory: Purgatory<DelayedFetch>;
  private readonly followerFetchPurgatory: Purgatory<DelayedFetch>;
  private readonly deleteRecordsPurgatory: Purgatory<DelayedDeleteRecords>;
  private readonly isrChangeNotifier: IsrChangeNotifier;
  private readonly fetcherManager: ReplicaFetcherManager;
  private readonly partitionListener: PartitionListener;
  private readonly getPartitionFn = (topic: string, partition: number): Partition | undefined =>
    this.partitions.get(tpKey(topic, partition));
  /** HWs read from the checkpoints at startup, for logs that have no Partition yet. */
  private readonly checkpointedHw = new Map<string, number>();
  private readonly stateApplier: PartitionStateApplier;
  private readonly tasks: ScheduledTask[] = [];
  private isrShrinks = 0;
  private isrExpands = 0;
  private stopped = false;
  /** Partitions appended to as leader since the followers' waiting fetches last re-checked (see appendEntry). */
  private readonly appendedSinceFollowerCheck = new Set<string>();
  /** What this broker serves, as leader, of throttled replicas to out-of-sync followers (replication-quota.ts). */
  readonly leaderQuota: ReplicationQuota;
  /** What this broker fetches, as follower, of throttled replicas while out of sync. */
  readonly followerQuota: ReplicationQuota;
  /** What this broker copies between its own log dirs (replica.alter.log.dirs.io.max.bytes.per.second). */
  readonly alterLogDirsQuota: ReplicationQuota;
  private readonly alterLogDirsManager: ReplicaAlterLogDirsManager;

  constructor(opts: ReplicaManagerOptions) {
    super();
    this.brokerId = opts.brokerId;
    this.config = { ...DEFAULT_REPLICA_MANAGER_CONFIG, ...opts.config };
    this.logManager = opts.logManager;
    this.metadataCache = opts.metadataCache;
    this.zk = opts.zk;
    this.logger = (opts.logger ?? silentLogger).child({ component: 'ReplicaManager', brokerId: opts.brokerId });
    this.time = opts.time ?? SystemTime;
    this.scheduler = opts.scheduler ?? new SystemScheduler();
    this.producePurgatory = new Purgatory('Produce', this.time);
    this.consumerFetchPurgatory = new Purgatory('ConsumerFetch', this.time);
    this.followerFetchPurgatory = new Purgatory('FollowerFetch', this.time);
    this.deleteRecordsPurgatory = new Purgatory('DeleteRecords', this.time);
    this.isrChangeNotifier = new IsrChangeNotifier(
      (tps) => this.zk.createIsrChangeNotification(tps),
      this.time,
      this.logger,
    );
    const quota = (kind: QuotaKind, rate: number): ReplicationQuota =>
      new ReplicationQuota({
        kind,
        localBrokerId: this.brokerId,
        rate,
        windowNum: this.config.replicationQuotaWindowNum,
        windowSizeMs: this.config.replicationQuotaWindowSizeSeconds * 1000,
        time: this.time,
      });
    this.leaderQuota = quota('leader', this.config.leaderReplicationThrottledRate);
    this.followerQuota = quota('follower', this.config.followerReplicationThrottledRate);
    this.alterLogDirsQuota = quota('alterLogDirs', this.config.replicaAlterLogDirsIoMaxBytesPerSecond);
    this.alterLogDirsManager = new ReplicaAlterLogDirsManager({
      maxBytesPerPass: this.config.replicaFetchMaxBytes,
      quota: this.alterLogDirsQuota,
      complete: (p) => this.completeLogDirMove(p),
      scheduler: this.scheduler,
      logger: this.logger,
    });
    this.fetcherManager = new ReplicaFetcherManager({
      localBrokerId: this.brokerId,
      config: this.config,
      quota: this.followerQuota,
      metadataCache: this.metadataCache,
      time: this.time,
      logger: this.logger,
      connect:
        opts.leaderEndPointFactory ??
        ((leader, fetcherId) =>
          RemoteLeaderEndPoint.connect(leader, { localBrokerId: this.brokerId, fetcherId, logger: this.logger })),
    });
    this.partitionListener = {
      onHighWatermarkIncreased: (p) => {
        this.producePurgatory.checkAndComplete(p.key);
        this.consumerFetchPurgatory.checkAndComplete(p.key);
      },
      onIsrChanged: (p, change) => {
        if (change === 'Shrink') this.isrShrinks++;
        else this.isrExpands++;
        this.isrChangeNotifier.record(p);
      },
      onLogStartOffsetIncreased: (p) => this.deleteRecordsPurgatory.checkAndComplete(p.key),
    };
    this.stateApplier = new PartitionStateApplier({
      brokerId: this.brokerId,
      metadataCache: this.metadataCache,
      logManager: this.logManager,
      zk: this.zk,
      fetchers: this.fetcherManager,
      hosted: this.hostedPartitions(),
      defaultTopicConfig: this.config.defaultTopicConfig,
      logDirsFailedAtStart: this.logManager.offlineLogDirs.length > 0,
      onLeadershipChange: (leaders, followers) => this.emit('leadershipChange', leaders, followers),
      scheduler: this.scheduler,
      logger: this.logger,
    });
    this.logManager.logDirFailureChannel.on('offline', this.onLogDirOffline);
    this.metadataCache.on('controller', this.onControllerChange);
  }

  /**
   * Loads the metadata, deletes local logs of topics (or replicas) that no longer exist here, and becomes leader
   * or follower of every partition assigned to this broker; resolves once that first round is applied. Then
   * starts the periodic ISR shrink check, ISR change notifications and HW checkpoints.
   */
  async startup(): Promise<void> {
    const started = this.time.hiResMs();
    for (const dir of this.logManager.liveLogDirs) {
      for (const [key, hw] of readOffsetCheckpoint(join(dir, HIGH_WATERMARK_CHECKPOINT_FILE)))
        this.checkpointedHw.set(key, hw);
    }
    await this.stateApplier.start();
    const lagCheckMs = Math.max(1, Math.floor(this.config.replicaLagTimeMaxMs / 2));
    this.tasks.push(
      this.scheduler.schedule('isr-expiration', () => this.maybeShrinkIsr(), lagCheckMs, lagCheckMs),
      this.scheduler.schedule(
        'isr-change-propagation',
        () => this.isrChangeNotifier.maybePropagate(),
        ISR_CHANGE_PROPAGATION_INTERVAL_MS,
        ISR_CHANGE_PROPAGATION_INTERVAL_MS,
      ),
      this.scheduler.schedule(
        'highwatermark-checkpoint',
        () => this.checkpointHighWatermarks(),
        this.config.replicaHighWatermarkCheckpointIntervalMs,
        this.config.replicaHighWatermarkCheckpointIntervalMs,
      ),
    );
    this.notifyLogDirFailures();
    this.logger.info(
      {
        partitions: this.partitions.size,
        leaders: this.leaderCount,
        startupMs: Math.round(this.time.hiResMs() - started),
      },
      'replica manager started',
    );
  }

  /**
   * Stops the follower fetchers, the change queue and the tasks, answers every waiting request, and writes the
   * HW checkpoint.
   */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.logManager.logDirFailureChannel.off('offline', this.onLogDirOffline);
    this.metadataCache.off('controller', this.onControllerChange);
    this.stateApplier.stop();
    for (const task of this.tasks.splice(0)) task.cancel();
    this.alterLogDirsManager.shutdown();
    await this.fetcherManager.shutdown();
    this.producePurgatory.shutdown();
    this.consumerFetchPurgatory.shutdown();
    this.followerFetchPurgatory.shutdown();
    this.deleteRecordsPurgatory.shutdown();
    this.checkpointHighWatermarks();
    this.logger.info('replica manager shut down');
  }

  // ---- fencing (the ZooKeeper session may be gone) ----

  /** True while this broker acts as leader of nothing because its ZooKeeper session may be gone. */
  get leadershipFenced(): boolean {
    return this.stateApplier.leadershipFenced;
  }

  /** Stops acting as leader of anything now (PartitionStateApplier.fence). */
  fenceLeadership(reason: string): void {
    this.stateApplier.fence(reason);
  }

  /** Re-reads ZooKeeper through `refresh` and leads again what it says (PartitionStateApplier.resume). */
  resumeLeadership(refresh: () => Promise<void>): Promise<void> {
    return this.stateApplier.resume(refresh);
  }

  // ---- failed log dirs ----

  private readonly onLogDirOffline = (dir: string): void => this.handleLogDirFailure(dir);

  private readonly onControllerChange = (controllerId: number | null): void => {
    if (controllerId !== null) this.notifyLogDirFailures();
  };

  /**
   * Takes a failed log dir's replicas offline (see the header; Kafka's `ReplicaManager.handleLogDirFailure`): they
   * give up leadership and stop being hosted, the LogManager drops their logs, the controller is told.
   */
  handleLogDirFailure(dir: string): void {
    if (this.stopped) return;
    const parent = resolve(dir);
    const inDir = [...this.partitions.values()].filter((p) => resolve(dirname(p.log.dir)) === parent);
    for (const p of this.partitions.values()) {
      if (p.futureLog === undefined || resolve(dirname(p.futureLog.dir)) !== parent) continue;
      this.alterLogDirsManager.removePartition(p.key);
      p.removeFutureLog();
    }
    this.stateApplier.takeOffline(inDir);
    for (const p of inDir) {
      this.partitions.delete(p.key);
      this.fetcherManager.removePartition(p.key);
      this.alterLogDirsManager.removePartition(p.key);
      this.completeDelayedRequests(p.key);
    }
    for (const tp of this.logManager.handleLogDirFailure(dir))
      this.checkpointedHw.delete(tpKey(tp.topic, tp.partition));
    this.logger.warn(
      { logDir: dir, offlineReplicas: inDir.map((p) => p.key) },
      'stopped serving the replicas of a failed log dir',
    );
    if (this.logManager.liveLogDirs.length === 0) {
      this.logger.fatal({ logDirs: this.logManager.logDirs }, 'every log dir has failed');
      this.emit('allLogDirsFailed');
      return;
    }
    this.notifyLogDirFailures();
  }

  /**
   * Writes a /log_dir_event_notification for this broker if any of its log dirs has failed, retrying until
   * ZooKeeper takes it: at startup (a dir that could not be loaded), when a dir fails, when a new controller is
   * elected; the broker calls it after registering on a new session.
   */
  notifyLogDirFailures(): void {
    if (this.stopped || this.logManager.offlineLogDirs.length === 0) return;
    this.zk.propagateLogDirEvent(this.brokerId).then(
      (sequenceNumber) =>
        this.logger.info(
          { sequenceNumber, offlineLogDirs: this.logManager.offlineLogDirs },
          'told the controller that log dirs failed',
        ),
      (err: unknown) => {
        this.logger.warn({ err }, 'could not write the log dir event notification; retrying');
        this.scheduler.schedule('log-dir-event-retry', () => this.notifyLogDirFailures(), LOG_DIR_EVENT_RETRY_MS);
      },
    );
  }

  /** Replicas offline here because their log dir failed (Kafka's OfflineReplicaCount). */
  get offlineReplicaCount(): number {
    return this.stateApplier.offlineCount;
  }

  // ---- lookups and metrics ----

  /** The fetchers following leaders for this broker. */
  get replicaFetcherManager(): ReplicaFetcherManager {
    return this.fetcherManager;
  }

  /** The hosted replica of a partition, if this broker has one. */
  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(tpKey(topic, partition));
  }

  /** Partitions hosted here, in any role. */
  get partitionCount(): number {
    return this.partitions.size;
  }

  get leaderCount(): number {
    let n = 0;
    for (const p of this.partitions.values()) if (p.isLeader) n++;
    return n;
  }

  /** Partitions led here whose ISR is smaller than their replica list. */
  get underReplicatedPartitions(): number {
    let n = 0;
    for (const p of this.partitions.values()) if (p.isUnderReplicated) n++;
    return n;
  }

  /** Partitions hosted here that have no leader (state leader -1). */
  get offlinePartitions(): number {
    let n = 0;
    for (const p of this.partitions.values()) if (p.role === 'Follower' && p.leaderId === -1) n++;
    return n;
  }

  /** Partitions led here whose ISR is smaller than min.insync.replicas (acks=all produces fail). */
  get underMinIsrPartitionCount(): number {
    let n = 0;
    for (const p of this.partitions.values()) if (p.isLeader && p.isr.length < p.minInsyncReplicas) n++;
    return n;
  }

  /** Partitions led here whose ISR is exactly min.insync.replicas (one more loss stops acks=all produces). */
  get atMinIsrPartitionCount(): number {
    let n = 0;
    for (const p of this.partitions.values()) if (p.isLeader && p.isr.length === p.minInsyncReplicas) n++;
    return n;
  }

  /** Requests waiting in each purgatory, by Kafka's delayedOperation names. */
  purgatorySizes(): Record<'Produce' | 'Fetch' | 'DeleteRecords', number> {
    return {
      Produce: this.producePurgatory.delayed,
      Fetch: this.consumerFetchPurgatory.delayed + this.followerFetchPurgatory.delayed,
      DeleteRecords: this.deleteRecordsPurgatory.delayed,
    };
  }

  get isrShrinksTotal(): number {
    return this.isrShrinks;
  }

  get isrExpandsTotal(): number {
    return this.isrExpands;
  }

  // ---- produce ----

  /**
   * Appends each entry to its partition as leader. Per-partition errors never fail the others. An idempotent batch
   * sent again is answered with the offsets it was first written at (and waits like the original would). With the
   * topic's flush.messages=1 a partition's answer waits for the group-commit flush covering its batches; with
   * acks=-1 for the HW to pass them (or the request's timeoutMs: REQUEST_TIMED_OUT). Results are in request order.
   */
  async appendRecords(req: AppendRecordsRequest): Promise<ProducePartitionResult[]> {
    const waiting: ProduceAcksStatus[] = [];
    const results = await Promise.all(
      req.entries.map((entry) => this.appendEntry(entry, req.acks, req.origin ?? 'Client', waiting)),
    );
    const replicating = waiting.filter((s) => s.result.errorCode === ErrorCode.NONE);
    if (replicating.length === 0) return results;
    return new Promise((resolveResults) => {
      const op = new DelayedProduce(
        req.timeoutMs,
        replicating,
        results,
        this.getPartitionFn,
        (topic, partition) => this.missingPartitionError(topic, partition).errorName,
        resolveResults,
      );
      this.producePurgatory.tryCompleteElseWatch(op, op.keys);
    });
  }

  /** One partition of `appendRecords`: the append, then the flush wait; acks=all adds the partition to `waiting`. */
  private async appendEntry(
    entry: ProduceEntry,
    acks: AppendRecordsRequest['acks'],
    origin: 'Client' | 'Coordinator',
    waiting: ProduceAcksStatus[],
  ): Promise<ProducePartitionResult> {
    const result: ProducePartitionResult = {
      topic: entry.topic,
      partition: entry.partition,
      errorCode: ErrorCode.NONE,
      baseOffset: -1,
      logAppendTimeMs: -1,
      logStartOffset: -1,
    };
    const p = this.partitions.get(tpKey(entry.topic, entry.partition));
    if (p === undefined) {
      setError(result, this.missingPartitionError(entry.topic, entry.partition));
      return result;
    }
    try {
      const info = await p.appendRecordsToLeader(entry.records, acks, origin);
      const leaderEpoch = p.leaderEpoch;
      result.baseOffset = info.firstOffset;
      result.logAppendTimeMs = info.logAppendTimeMs;
      result.logStartOffset = info.logStartOffset;
      if (info.lastOffset < 0) return result;
      if (!info.duplicate) this.followerFetchesMayComplete(p.key);
      if (p.log.config.flushMessages === 1) await p.log.awaitFlushed(info.lastOffset);
      if (acks === -1) waiting.push({ result, requiredOffset: info.lastOffset + 1, leaderEpoch });
    } catch (e) {
      setError(result, this.toApiError(e, p));
    }
    return result;
  }

  /**
   * Followers' fetches parked on `key` re-check once this turn of the event loop is over (setImmediate), not at
   * once: the produce requests of one socket read (and of every read in the same poll phase) are all appended
   * first, so one fetch response per follower carries all of their batches instead of the first alone, and the
   * leader writes (and the followers read, append and answer) a fraction of the frames. The check reads only what
   * the log holds by then, so visibility is unchanged; the wait is a part of one loop turn.
   */
  private followerFetchesMayComplete(key: string): void {
    if (this.appendedSinceFollowerCheck.size === 0) {
      setImmediate(() => {
        // Emptied first: a check that throws must not leave the set non-empty, which would stop the scheduling.
        const keys = [...this.appendedSinceFollowerCheck];
        this.appendedSinceFollowerCheck.clear();
        for (const k of keys) this.followerFetchPurgatory.checkAndComplete(k);
      });
    }
    this.appendedSinceFollowerCheck.add(key);
  }

  // ---- fetch ----

  /**
   * Reads from the partitions led here: consumers below the HW, followers up to the log end (a follower's fetch
   * offset is its log end offset: this is how the leader learns follower progress, advances the HW and expands the
   * ISR). maxBytes bounds the whole response but the first batch is always returned (KIP-74). Answers at once when
   * maxWaitMs <= 0, minBytes are available, or any partition has an error; otherwise waits in a purgatory until
   * enough bytes arrive, a partition changes, or maxWaitMs passes.
   */
  async fetchMessages(req: FetchMessagesRequest): Promise<FetchPartitionResult[]> {
    const isolation = fetchIsolation(req);
    const fetchTimeMs = this.time.milliseconds();
    const results = this.readFromLocalLog(
      req,
      isolation,
      isolation !== 'LogEnd'
        ? undefined
        : (p, info, logEndOffset) => {
            if (
              p.updateFollowerFetchState(
                req.replicaId,
                info.fetchOffset,
                info.logStartOffset ?? -1,
                fetchTimeMs,
                logEndOffset,
              )
            )
              return true;
            this.logger.warn(
              { topicPartition: p.key, replicaId: req.replicaId, replicas: p.replicas },
              'fetch from a broker that is not a replica of the partition; returning no records',
            );
            return false;
          },
    );
    let bytes = 0;
    let anyError = false;
    for (const r of results) {
      if (r.errorCode !== ErrorCode.NONE) anyError = true;
      else bytes += r.records!.length;
    }
    if (req.maxWaitMs <= 0 || req.partitions.length === 0 || bytes >= req.minBytes || anyError) return results;
    return new Promise((resolveResults) => {
      const op = new DelayedFetch({
        maxWaitMs: req.maxWaitMs,
        minBytes: req.minBytes,
        isolation,
        partitions: req.partitions.map((info) => ({
          topic: info.topic,
          partition: info.partition,
          fetchOffset: info.fetchOffset,
          partitionMaxBytes: info.partitionMaxBytes,
          leaderEpoch: this.getPartitionFn(info.topic, info.partition)!.leaderEpoch,
        })),
        getPartition: this.getPartitionFn,
        throttled: (p) => req.replicaId >= 0 && this.shouldLeaderThrottle(p, req.replicaId),
        complete: () => resolveResults(this.readFromLocalLog(req, isolation)),
      });
      const purgatory = isolation === 'LogEnd' ? this.followerFetchPurgatory : this.consumerFetchPurgatory;
      purgatory.tryCompleteElseWatch(
        op,
        req.partitions.map((info) => tpKey(info.topic, info.partition)),
      );
    });
  }

  // ---- DeleteRecords ----

  /**
   * DeleteRecords (KIP-107): for each partition led here, raises the log start offset to the offset asked (-1: the
   * high watermark), deleting the segments below it, then waits until every replica on a live broker has followed
   * (its log start offset, reported in its fetches) or `timeoutMs` passes (REQUEST_TIMED_OUT). Results are in
   * request order; per-partition errors never fail the others.
   */
  async deleteRecords(
    entries: ReadonlyArray<{ topic: string; partition: number; offset: number }>,
    timeoutMs: number,
  ): Promise<DeleteRecordsPartitionResult[]> {
    const results: DeleteRecordsPartitionResult[] = [];
    const waiting: DeleteRecordsStatus[] = [];
    for (const { topic, partition, offset } of entries) {
      const result: DeleteRecordsPartitionResult = { topic, partition, lowWatermark: -1, errorCode: ErrorCode.NONE };
      results.push(result);
      const p = this.partitions.get(tpKey(topic, partition));
      try {
        if (p === undefined) throw this.missingPartitionError(topic, partition);
        waiting.push({ result, requiredOffset: p.deleteRecordsOnLeader(offset) });
      } catch (e) {
        const error = p === undefined ? (e as ApiError) : this.toApiError(e, p);
        result.errorCode = error.errorCode;
        result.errorMessage = error.message;
      }
    }
    if (waiting.length === 0) return results;
    const isLive = (brokerId: number) => this.metadataCache.broker(brokerId) !== undefined;
    return new Promise((resolveResults) => {
      const op = new DelayedDeleteRecords(timeoutMs, waiting, results, this.getPartitionFn, isLive, resolveResults);
      this.deleteRecordsPurgatory.tryCompleteElseWatch(op, op.keys);
    });
  }

  // ---- offsets ----

  /**
   * ListOffsets: -2 earliest (log start), -1 latest (HW for clients; the log end offset for a follower,
   * `replicaId` >= 0), else the first offset whose timestamp is >= `timestamp` (offset -1 when none).
   */
  listOffsets(
    topic: string,
    partition: number,
    timestamp: number,
    isolationLevel: 0 | 1,
    opts: { replicaId?: number; currentLeaderEpoch?: number } = {},
  ): ListOffsetsResult {
    const p = this.partitions.get(tpKey(topic, partition));
    if (p === undefined) return offsetsError(this.missingPartitionError(topic, partition));
    try {
      const found = p.fetchOffsetForTimestamp(
        timestamp,
        opts.currentLeaderEpoch ?? -1,
        (opts.replicaId ?? -1) >= 0 ? 'LogEnd' : isolationLevel === 1 ? 'TxnCommitted' : 'HighWatermark',
      );
      if (found === undefined) return { errorCode: ErrorCode.NONE, offset: -1, timestamp: -1, leaderEpoch: -1 };
      return {
        errorCode: ErrorCode.NONE,
        offset: found.offset,
        timestamp: found.timestamp,
        leaderEpoch: p.epochForOffset(found.offset),
      };
    } catch (e) {
      return offsetsError(this.toApiError(e, p));
    }
  }

  /**
   * OffsetForLeaderEpoch: the end offset of `leaderEpoch` on this leader (the start of the next higher epoch, or the
   * log end offset for the current one) with the largest epoch <= `leaderEpoch` it knows; -1/-1 when none.
   */
  lastOffsetForLeaderEpoch(
    topic: string,
    partition: number,
    leaderEpoch: number,
    currentLeaderEpoch = -1,
  ): EpochEndOffsetResult {
    const p = this.partitions.get(tpKey(topic, partition));
    if (p === undefined) {
      const e = this.missingPartitionError(topic, partition);
      return { errorCode: e.errorCode, leaderEpoch: -1, endOffset: -1, errorMessage: e.message };
    }
    try {
      const entry = p.lastOffsetForLeaderEpoch(leaderEpoch, currentLeaderEpoch);
      return { errorCode: ErrorCode.NONE, leaderEpoch: entry.epoch, endOffset: entry.startOffset };
    } catch (e) {
      const error = this.toApiError(e, p);
      return { errorCode: error.errorCode, leaderEpoch: -1, endOffset: -1, errorMessage: error.message };
    }
  }

  // ---- ISR, HW checkpoint ----

  /** Shrinks the ISR of every partition led here whose followers fell behind (the periodic isr-expiration task). */
  maybeShrinkIsr(): void {
    for (const p of this.partitions.values()) if (p.isLeader) p.maybeShrinkIsr();
  }

  /**
   * Per log dir, the replicas it holds (all, or those in `wanted`, keyed `topic-partition`) with their size in bytes
   * and their offset lag (Kafka's): for a current replica max(0, HW - LEO); for a future replica (`isFuture`, one
   * moving into the dir) how far its log end is behind the current replica's.
   */
  describeLogDirs(wanted: ReadonlySet<string> | null): Array<{
    logDir: string;
    /** KAFKA_STORAGE_ERROR for a failed dir, whose replicas are not listed (as Kafka answers). */
    errorCode: number;
    partitions: ReplicaLogDirInfo[];
  }> {
    const byDir = new Map(this.logManager.liveLogDirs.map((d) => [resolve(d), [] as ReplicaLogDirInfo[]]));
    const add = (log: UnifiedLog, offsetLag: number, isFuture: boolean) => {
      const { topic, partition } = log.topicPartition;
      byDir.get(resolve(dirname(log.dir)))?.push({ topic, partition, size: log.size, offsetLag, isFuture });
    };
    for (const log of this.logManager.allLogs) {
      const { topic, partition } = log.topicPartition;
      if (wanted !== null && !wanted.has(tpKey(topic, partition))) continue;
      add(log, Math.max(0, log.highWatermark - log.logEndOffset), false);
      const future = this.logManager.getFutureLog(log.topicPartition);
      if (future !== undefined) add(future, Math.max(0, log.logEndOffset - future.logEndOffset), true);
    }
    const offline = new Set(this.logManager.offlineLogDirs);
    return this.logManager.logDirs.map((d) => ({
      logDir: resolve(d),
      errorCode: offline.has(d) ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NONE,
      partitions: byDir.get(resolve(d)) ?? [],
    }));
  }

  // ---- moving replicas between log dirs ----

  /**
   * AlterReplicaLogDirs (Kafka's ReplicaManager.alterReplicaLogDirs): for each replica, the error code of its move to
   * `dir` (see the message's header for which). A move to another dir replaces a running move to a third one.
   */
  alterReplicaLogDirs(
    moves: ReadonlyArray<{ topic: string; partition: number; dir: string }>,
  ): Array<{ topic: string; partition: number; errorCode: number }> {
    return moves.map(({ topic, partition, dir }) => {
      try {
        this.alterReplicaLogDir({ topic, partition }, dir);
        return { topic, partition, errorCode: ErrorCode.NONE };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        this.logger.warn(
          { topicPartition: tpKey(topic, partition), dir, error: e.errorName, reason: e.message },
          'cannot move a replica to the log dir asked',
        );
        return { topic, partition, errorCode: e.errorCode };
      }
    });
  }

  private alterReplicaLogDir(tp: { topic: string; partition: number }, path: string): void {
    const dir = this.logManager.logDirNamed(path);
    if (dir === undefined)
      throw new ApiError(
        'LOG_DIR_NOT_FOUND',
        `Log dir ${path} is not one of broker ${this.brokerId}'s log.dirs (${this.logManager.logDirs.join(', ')}).`,
      );
    if (!this.logManager.isLogDirOnline(dir))
      throw new ApiError('KAFKA_STORAGE_ERROR', `Log dir ${dir} of broker ${this.brokerId} is offline.`);
    const key = tpKey(tp.topic, tp.partition);
    const p = this.partitions.get(key);
    if (p === undefined && this.stateApplier.isOffline(key)) throw this.missingPartitionError(tp.topic, tp.partition);
    if (
      p !== undefined &&
      this.logManager.futureLogDirOf(tp) !== undefined &&
      this.logManager.futureLogDirOf(tp) !== dir
    )
      this.cancelLogDirMove(p);
    this.logManager.maybeUpdatePreferredLogDir(tp, dir);
    if (p === undefined)
      throw new ApiError(
        'REPLICA_NOT_AVAILABLE',
        `Broker ${this.brokerId} does not host ${key} yet; it will be created in ${dir}. Retry once it is.`,
      );
    if (this.logManager.logDirOf(tp) === dir || p.futureLog !== undefined) return;
    p.setFutureLog(this.logManager.createFutureLog(tp, dir, p.log.config));
    this.alterLogDirsManager.addPartition(p);
  }

  /** Stops a replica's move and deletes its future log. */
  private cancelLogDirMove(p: Partition): void {
    this.alterLogDirsManager.removePartition(p.key);
    p.removeFutureLog();
    this.logManager.deleteFutureLog(p);
  }

  /** The swap at the end of a move; deferred (false) while the cleaner compacts the current log. */
  private completeLogDirMove(p: Partition): boolean {
    if (this.logManager.cleaner.isCleaning(p.log)) return false;
    const from = p.log.dir;
    if (!p.replaceCurrentWithFutureLog(() => this.logManager.replaceCurrentWithFutureLog(p))) return false;
    this.logger.info({ topicPartition: p.key, from, to: p.log.dir }, 'moved a replica to another log dir');
    return true;
  }

  /** Writes `replication-offset-checkpoint` in every log dir. */
  checkpointHighWatermarks(): void {
    const byDir = new Map<string, TopicPartitionOffset[]>(this.logManager.liveLogDirs.map((d) => [resolve(d), []]));
    const add = (logDir: string, entry: TopicPartitionOffset): void => {
      byDir.get(logDir)?.push(entry);
    };
    for (const p of this.partitions.values()) {
      add(resolve(dirname(p.log.dir)), { topic: p.topic, partition: p.partition, offset: p.highWatermark });
    }
    for (const [key, hw] of this.checkpointedHw) {
      const tp = parseTpKey(key);
      const log = tp && this.logManager.getLog(tp);
      if (tp && log) add(resolve(dirname(log.dir)), { topic: tp.topic, partition: tp.partition, offset: hw });
    }
    for (const [dir, entries] of byDir) {
      try {
        writeOffsetCheckpoint(join(dir, HIGH_WATERMARK_CHECKPOINT_FILE), entries);
      } catch (e) {
        this.logger.error({ err: e, dir }, 'writing the high watermark checkpoint failed');
      }
    }
  }

  // ---- hosting replicas (decided by the PartitionStateApplier) ----

  /** Re-reads a topic's config from ZooKeeper and applies it to its local logs (a /config/changes notification). */
  reloadTopicConfig(topic: string): Promise<void> {
    return this.stateApplier.reloadTopicConfig(topic);
  }

  /** New broker-wide defaults of the topic keys (a dynamic broker config): every local log's config follows. */
  updateDefaultTopicConfig(defaults: Readonly<Record<string, string>>): Promise<void> {
    this.config.defaultTopicConfig = defaults;
    return this.stateApplier.updateDefaultTopicConfig(defaults);
  }

  private hostedPartitions(): HostedPartitions {
    return {
      get: (key) => this.partitions.get(key),
      all: () => this.partitions.values(),
      host: (topic, partition, config) => this.createPartition(topic, partition, config),
      hasLocalLog: (topic, partition) => this.logManager.getLog({ topic, partition }) !== undefined,
      unhost: (partition) => {
        this.partitions.delete(partition.key);
        this.fetcherManager.removePartition(partition.key);
        this.alterLogDirsManager.removePartition(partition.key);
        this.completeDelayedRequests(partition.key);
        this.logManager.deleteLog(partition);
      },
      deleteLocalLog: (tp) => {
        this.logManager.deleteLog(tp);
        this.checkpointedHw.delete(tpKey(tp.topic, tp.partition));
      },
      stateApplied: (key) => this.completeDelayedRequests(key),
    };
  }

  private createPartition(topic: string, partitionId: number, config: LogConfig): Partition {
    const tp = { topic, partition: partitionId };
    const key = tpKey(topic, partitionId);
    const existing = this.logManager.getLog(tp);
    const log = existing ?? this.logManager.getOrCreateLog(tp, config);
    if (existing !== undefined) existing.updateConfig(config);
    const hw = this.checkpointedHw.get(key);
    if (hw !== undefined) {
      log.updateHighWatermark(hw);
      this.checkpointedHw.delete(key);
    }
    const partition = new Partition({
      topic,
      partition: partitionId,
      localBrokerId: this.brokerId,
      log,
      replicaLagTimeMaxMs: this.config.replicaLagTimeMaxMs,
      writeIsr: (t, s, v) => this.zk.updatePartitionState(t, s, v),
      removingReplicas: () => this.metadataCache.removingReplicas(topic, partitionId),
      listener: this.partitionListener,
      time: this.time,
      logger: this.logger,
    });
    this.partitions.set(key, partition);
    const future = this.logManager.getFutureLog(tp);
    if (future !== undefined) {
      partition.setFutureLog(future);
      this.alterLogDirsManager.addPartition(partition);
    }
    return partition;
  }

  /** Requests waiting on a partition re-check: lost leadership answers them, a new ISR may move the HW. */
  private completeDelayedRequests(key: string): void {
    this.producePurgatory.checkAndComplete(key);
    this.consumerFetchPurgatory.checkAndComplete(key);
    this.followerFetchPurgatory.checkAndComplete(key);
    this.deleteRecordsPurgatory.checkAndComplete(key);
  }

  // ---- reading ----

  /**
   * Reads every requested partition (KIP-74: the response's maxBytes is soft for the first batch). `onFollowerRead`
   * records a follower's fetch; returning false turns the partition's records into none.
   */
  private readFromLocalLog(
    req: FetchMessagesRequest,
    isolation: FetchIsolation,
    onFollowerRead?: (p: Partition, info: FetchPartitionRequest, logEndOffset: number) => boolean,
  ): FetchPartitionResult[] {
    let limitBytes = req.maxBytes;
    let minOneBatch = true;
    const fromFollower = req.replicaId >= 0;
    let allowance = fromFollower ? this.leaderQuota.allowance() : Infinity;
    return req.partitions.map((info) => {
      const p = this.partitions.get(tpKey(info.topic, info.partition));
      if (p === undefined) return fetchError(info, this.missingPartitionError(info.topic, info.partition));
      try {
        // The leader side of a replication throttle: an out-of-sync follower gets at most what the quota allows.
        const throttled = fromFollower && this.shouldLeaderThrottleReplica(p, req.replicaId);
        const maxBytes = Math.min(
          info.partitionMaxBytes,
          limitBytes,
          throttled ? Math.max(0, Math.floor(allowance)) : Infinity,
        );
        const read = p.readRecords(
          info.fetchOffset,
          info.currentLeaderEpoch ?? -1,
          maxBytes,
          minOneBatch && maxBytes > 0,
          isolation,
        );
        let records = read.records;
        if (records.length > 0) {
          minOneBatch = false;
          limitBytes = Math.max(0, limitBytes - records.length);
        }
        if (onFollowerRead !== undefined && !onFollowerRead(p, info, read.logEndOffset)) records = EMPTY;
        if (fromFollower && this.leaderQuota.throttles(p.partition, p.log.config)) {
          this.leaderQuota.record(records.length);
          allowance -= records.length;
        }
        return {
          topic: info.topic,
          partition: info.partition,
          errorCode: ErrorCode.NONE,
          highWatermark: read.highWatermark,
          lastStableOffset: read.lastStableOffset,
          logStartOffset: read.logStartOffset,
          records,
          abortedTransactions: read.abortedTransactions,
        };
      } catch (e) {
        return fetchError(info, this.toApiError(e, p));
      }
    });
  }

  /** Kafka's shouldLeaderThrottle: a throttled replica, a follower out of the ISR, and the leader quota used up. */
  private shouldLeaderThrottle(p: Partition, replicaId: number): boolean {
    return this.shouldLeaderThrottleReplica(p, replicaId) && this.leaderQuota.allowance() <= 0;
  }

  /** The partition's replica here is leader-throttled and `replicaId` is not in its ISR. */
  private shouldLeaderThrottleReplica(p: Partition, replicaId: number): boolean {
    return this.leaderQuota.throttles(p.partition, p.log.config) && !p.isr.includes(replicaId);
  }

  /**
   * KAFKA_STORAGE_ERROR for a replica offline here; NOT_LEADER_OR_FOLLOWER for a partition that exists but is not
   * hosted here; else UNKNOWN_TOPIC_OR_PARTITION.
   */
  private missingPartitionError(topic: string, partition: number): ApiError {
    if (this.stateApplier.isOffline(tpKey(topic, partition))) {
      return new ApiError(
        'KAFKA_STORAGE_ERROR',
        `The replica of ${tpKey(topic, partition)} on broker ${this.brokerId} is offline: its log dir failed. ` +
          'Other replicas take over; restart the broker once the disk is repaired or replaced.',
      );
    }
    const count = this.metadataCache.partitionCount(topic);
    if (count !== undefined && partition >= 0 && partition < count) {
      return new ApiError(
        'NOT_LEADER_OR_FOLLOWER',
        `Broker ${this.brokerId} does not host ${tpKey(topic, partition)}; ` +
          `its leader is ${this.metadataCache.partitionState(topic, partition)?.leader ?? 'unknown'}. Refresh metadata.`,
      );
    }
    return new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `Partition ${tpKey(topic, partition)} does not exist.`);
  }

  /** ApiErrors pass through; anything else is a bug or an I/O failure, logged and answered as such. */
  private toApiError(e: unknown, p: Partition): ApiError {
    if (e instanceof ApiError) return e;
    this.logger.error({ err: e, topicPartition: p.key }, 'unexpected error on a partition');
    return new ApiError('UNKNOWN_SERVER_ERROR', `Unexpected error on ${p.key}: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** Followers read to the log end, consumers to their isolation level's bound. */
function fetchIsolation(req: FetchMessagesRequest): FetchIsolation {
  if (req.replicaId >= 0) return 'LogEnd';
  return req.isolationLevel === 1 ? 'TxnCommitted' : 'HighWatermark';
}

function setError(result: ProducePartitionResult, error: ApiError): void {
  result.errorCode = error.errorCode;
  result.errorMessage = error.message;
  if (error instanceof RecordValidationError) result.recordErrors = error.recordErrors;
}

function fetchError(info: FetchPartitionRequest, error: ApiError): FetchPartitionResult {
  return {
    topic: info.topic,
    partition: info.partition,
    errorCode: error.errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    records: null,
    errorMessage: error.message,
  };
}

function offsetsError(error: ApiError): ListOffsetsResult {
  return { errorCode: error.errorCode, offset: -1, timestamp: -1, leaderEpoch: -1, errorMessage: error.message };
}
