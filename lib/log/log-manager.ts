/**
 * Every partition log of a broker (Kafka's `LogManager`): loads the log directories at start, creates and deletes
 * logs, and runs the background work — retention, flush.ms flushes, checkpoints, compaction, producer state
 * expiry — on a scheduler.
 *
 * Layout of each log dir: one `<topic>-<partition>` directory per log; `recovery-point-offset-checkpoint` and
 * `log-start-offset-checkpoint` (CheckpointFile, `topic partition offset`); `cleaner-offset-checkpoint` (the
 * LogCleaner's); `.kafka_cleanshutdown` while the broker is cleanly stopped. A deleted log's directory is renamed
 * `<topic>-<partition>.<uuid>-delete` and removed after file.delete.delay.ms (or at the next start).
 * Invariants: one log per topic-partition across all dirs; a dir's checkpoints name only logs in that dir.
 * Future logs (a replica moving to another dir of this broker, AlterReplicaLogDirs): at most one per topic-partition,
 * in a dir other than its current log's, named `<topic>-<partition>.<uuid>-future`; the ReplicaManager's
 * ReplicaAlterLogDirsManager fills it from the current log. `replaceCurrentWithFutureLog` then renames it
 * `<topic>-<partition>` (it is the current log from there on) and renames the old current log's directory
 * `<topic>-<partition>.<uuid>-delete` (removed after file.delete.delay.ms). Future logs take no retention, flush.ms
 * flushes or compaction (the copier mirrors the current log's start); their recovery points are checkpointed in their
 * own dir under the partition's name. A dir recorded with `maybeUpdatePreferredLogDir` receives the partition's log
 * when it is next created (a replica that is moved to this broker and into a chosen dir).
 * Failed dirs (KIP-112): a disk operation that fails in a dir — loading it, a log's append, roll, flush,
 * truncation or deletion, a checkpoint — is reported to the LogDirFailureChannel; `handleLogDirFailure` (called by
 * the ReplicaManager) then drops every log in the dir without touching its files, and the dir takes no new logs,
 * checkpoints or clean-shutdown marker until the broker restarts. A dir that cannot be loaded at start is offline
 * from the start; when none can be, the broker cannot start.
 * Concurrency: all methods but `shutdown()` are synchronous; scheduled tasks run between calls. `shutdown()`
 * stops the tasks before it flushes, so no task runs while logs close; it closes every log concurrently (their
 * fdatasyncs share the libuv threadpool, sized by bin/mq-broker) and writes the checkpoints, then the marker, only
 * after the last log is flushed.
 * Ownership: the broker creates one LogManager, calls `startup()` and, on stop, `shutdown()`; the manager owns and
 * closes every UnifiedLog.
 * Crash: without `.kafka_cleanshutdown`, each log recovers from its checkpointed recovery point (LogLoader); a
 * truncation below that point rewrites the dir's checkpoint within the loop turn (`recoveryCheckpointDue`). The
 * marker is deleted once the logs are loaded, so a crash afterwards is again unclean. A `-future` directory found at
 * start is loaded as the partition's future log (the ReplicaManager resumes the copy once it hosts the partition),
 * or discarded when the partition has no current log here. A crash between the two renames of the swap leaves two
 * `<topic>-<partition>` directories; the broker then refuses to start naming both (as Kafka does): the one that is
 * not the move's target is the stale copy.
 */
import { computeIfAbsent } from '../common/collections.js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiError, IllegalStateError, InvalidArgumentError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { SystemScheduler, type ScheduledTask, type Scheduler } from '../common/scheduler.js';
import { SystemTime, type Time } from '../common/time.js';
import { parseTpKey, tpKey, type TopicPartition } from '../common/topic-partition.js';
import { readOffsetCheckpoint, writeOffsetCheckpoint, type TopicPartitionOffset } from './checkpoint-file.js';
import { DurabilityJournal } from './durability-journal.js';
import { isDiskFailure, LogDirFailureChannel } from './log-dir-failure-channel.js';
import { DEFAULT_LOG_CONFIG, LONG_MAX, type LogConfig } from './log-config.js';
import { LogCleaner } from './log-cleaner.js';
import { logFilePath, offsetIndexFilePath, timeIndexFilePath, txnIndexFilePath } from './log-file-names.js';
import { runWithIoSlot } from './io-slots.js';
import { UnifiedLog } from './unified-log.js';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';
const DELETE_DIR_SUFFIX = '-delete';
const FUTURE_DIR_SUFFIX = '-future';
/** `<topic>-<partition>.<32 hex digits>-future`: a future log's directory. */
const FUTURE_DIR = /^(.+)\.[0-9a-f]{32}-future$/;
/** Kafka's InitialTaskDelayMs: background tasks start 30 s after startup. */
const INITIAL_TASK_DELAY_MS = 30_000;

export interface LogManagerOptions {
  /** log.dirs: one or more directories; created if missing. */
  logDirs: readonly string[];
  /** Config of a topic without overrides (the broker's log.* defaults). @default Kafka's defaults */
  defaultConfig?: LogConfig;
  /** Config of a topic, e.g. its ZooKeeper overrides on top of the defaults. @default () => defaultConfig */
  configFor?: (topic: string) => LogConfig;
  /** log.retention.check.interval.ms @default 300000 */
  retentionCheckIntervalMs?: number;
  /** log.flush.scheduler.interval.ms: how often flush.ms is checked. @default Long.MAX (never, as Kafka) */
  flushCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms @default 60000 */
  flushRecoveryPointCheckpointIntervalMs?: number;
  /** log.flush.start.offset.checkpoint.interval.ms @default 60000 */
  flushStartOffsetCheckpointIntervalMs?: number;
  /** log.cleaner.enable @default true */
  cleanerEnable?: boolean;
  /** log.cleaner.backoff.ms: how often the cleaner looks for a log to compact. @default 15000 */
  cleanerBackoffMs?: number;
  /**
   * transactional.id.expiration.ms: a producer whose last batch is older than this loses its state in every log
   * (Kafka 2.8 uses this key for idempotent producers too). @default 604800000
   */
  producerIdExpirationMs?: number;
  /** How often producer state is checked for expiry (Kafka's fixed 10 minutes). @default 600000 */
  producerIdExpirationCheckIntervalMs?: number;
  /** Where disk failures are reported (shared with the ReplicaManager). @default a channel of its own */
  logDirFailureChannel?: LogDirFailureChannel;
  /**
   * Keep a DurabilityJournal in each log dir, for the power-loss fault of tests (mq-broker turns it on only when
   * MQ_TEST_DURABILITY_JOURNAL=1). @default false
   */
  durabilityJournal?: boolean;
  time?: Time;
  scheduler?: Scheduler;
  logger?: Logger;
}

export class LogManager {
  readonly logDirs: readonly string[];
  readonly cleaner: LogCleaner;
  readonly logDirFailureChannel: LogDirFailureChannel;
  /** Dirs in use: every log dir but the failed ones, in `logDirs` order. */
  private readonly liveDirs: Set<string>;
  private readonly journals = new Map<string, DurabilityJournal>();
  private readonly logs = new Map<string, UnifiedLog>();
  private readonly dirOf = new Map<string, string>();
  /** Keys of the logs in each dir: `dirOf` inverted, so placing a log is O(dirs) and not O(logs). */
  private readonly keysIn = new Map<string, Set<string>>();
  /** Future logs by partition key, and the log dir each is in. */
  private readonly futureLogs = new Map<string, UnifiedLog>();
  private readonly futureDirOf = new Map<string, string>();
  /** Dirs asked for partitions that have no log here yet (AlterReplicaLogDirs before the replica is created). */
  private readonly preferredDirs = new Map<string, string>();
  /** Logs `prepareNewLogs` made the directory and empty files of, not yet created: key → log dir. */
  private readonly preparedDirs = new Map<string, string>();
  private readonly defaultConfig: LogConfig;
  private readonly configFor: (topic: string) => LogConfig;
  private readonly time: Time;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly tasks: ScheduledTask[] = [];
  /** Dirs whose recovery-point checkpoint a truncation made stale, rewritten together at the next setImmediate. */
  private readonly recoveryCheckpointsDue = new Set<string>();
  private cleanerTask: ScheduledTask | undefined;
  private state: 'loaded' | 'running' | 'stopped' = 'loaded';

  /** Loads every log in every dir (recovering after an unclean shutdown); call `startup()` to start the tasks. */
  constructor(private readonly opts: LogManagerOptions) {
    if (opts.logDirs.length === 0) throw new InvalidArgumentError('LogManager needs at least one log dir (log.dirs).');
    this.logDirs = opts.logDirs;
    this.defaultConfig = opts.defaultConfig ?? DEFAULT_LOG_CONFIG;
    this.configFor = opts.configFor ?? (() => this.defaultConfig);
    this.time = opts.time ?? SystemTime;
    this.scheduler = opts.scheduler ?? new SystemScheduler();
    this.logger = (opts.logger ?? silentLogger).child({ component: 'LogManager' });
    this.logDirFailureChannel = opts.logDirFailureChannel ?? new LogDirFailureChannel(this.logger);
    this.cleaner = new LogCleaner({ time: this.time, logger: this.logger });
    this.liveDirs = new Set(this.logDirs);
    if (opts.durabilityJournal) for (const dir of this.logDirs) this.journals.set(dir, new DurabilityJournal(dir));
    for (const dir of this.logDirs) {
      try {
        this.loadLogDir(dir);
      } catch (e) {
        if (!this.logDirFailureChannel.maybeAddOfflineLogDir(dir, e, 'load')) throw e;
        this.handleLogDirFailure(dir);
      }
    }
    for (const [key, future] of [...this.futureLogs]) {
      if (this.logs.has(key)) continue;
      this.logger.warn(
        { topicPartition: key, dir: future.dir },
        'discarding a future log whose current log is not here (nothing to finish copying from)',
      );
      this.deleteFutureLog(future.topicPartition);
    }
    if (this.liveDirs.size === 0) {
      throw new ApiError(
        'KAFKA_STORAGE_ERROR',
        `None of the log dirs (${this.logDirs.join(', ')}) could be loaded; see the errors logged for each. ` +
          'Repair or replace the disks, or change log.dirs.',
      );
    }
  }

  /** Log dirs in use (not failed). */
  get liveLogDirs(): string[] {
    return [...this.liveDirs];
  }

  /** Log dirs that failed since the broker started (see the header). */
  get offlineLogDirs(): string[] {
    return this.logDirs.filter((d) => !this.liveDirs.has(d));
  }

  /**
   * Stops using a failed log dir (Kafka's `LogManager.handleLogDirFailure`): its logs are dropped — file handles
   * released, nothing flushed, trimmed or deleted — and returned. Idempotent.
   */
  handleLogDirFailure(dir: string): TopicPartition[] {
    if (!this.liveDirs.delete(dir)) return [];
    const offline = this.logsIn(dir).map((l) => l.topicPartition);
    for (const tp of offline) {
      const key = tpKey(tp.topic, tp.partition);
      this.logs.get(key)!.closeHandles();
      this.untrack(key);
    }
    this.keysIn.delete(dir);
    for (const [key, futureDir] of [...this.futureDirOf]) {
      if (futureDir !== dir) continue;
      this.futureLogs.get(key)!.closeHandles();
      this.futureLogs.delete(key);
      this.futureDirOf.delete(key);
    }
    this.logger.warn(
      { logDir: dir, offlineLogs: offline.length, liveLogDirs: this.liveLogDirs },
      'stopped serving the logs of a failed log dir',
    );
    return offline;
  }

  /** Schedules retention, flush checks, checkpoints and the cleaner (Kafka's `LogManager.startup`). */
  startup(): void {
    if (this.state !== 'loaded') throw new IllegalStateError(`LogManager.startup() called while ${this.state}.`);
    this.state = 'running';
    const every = (name: string, periodMs: number, fn: () => unknown) => {
      if (periodMs >= LONG_MAX) return;
      this.tasks.push(
        this.scheduler.schedule(name, () => this.guard(name, fn), Math.min(INITIAL_TASK_DELAY_MS, periodMs), periodMs),
      );
    };
    every('kafka-log-retention', this.opts.retentionCheckIntervalMs ?? 300_000, () => this.cleanupLogs());
    every('kafka-log-flusher', this.opts.flushCheckIntervalMs ?? LONG_MAX, () => this.flushDirtyLogs());
    every('kafka-recovery-point-checkpoint', this.opts.flushRecoveryPointCheckpointIntervalMs ?? 60_000, () =>
      this.checkpointRecoveryOffsets(),
    );
    every('kafka-log-start-offset-checkpoint', this.opts.flushStartOffsetCheckpointIntervalMs ?? 60_000, () =>
      this.checkpointLogStartOffsets(),
    );
    if (this.opts.cleanerEnable ?? true) this.scheduleCleaner(this.opts.cleanerBackoffMs ?? 15_000);
    const expiryCheckMs = this.opts.producerIdExpirationCheckIntervalMs ?? 600_000;
    this.tasks.push(
      this.scheduler.schedule(
        'kafka-producer-expiration-check',
        () => this.guard('kafka-producer-expiration-check', () => this.removeExpiredProducers()),
        expiryCheckMs,
        expiryCheckMs,
      ),
    );
  }

  /** log.cleaner.backoff.ms changed (a dynamic broker config): the cleaner runs at the new pace from now on. */
  setCleanerBackoffMs(backoffMs: number): void {
    if (this.cleanerTask === undefined || this.state !== 'running') return;
    this.cleanerTask.cancel();
    this.tasks.splice(this.tasks.indexOf(this.cleanerTask), 1);
    this.scheduleCleaner(backoffMs);
  }

  private scheduleCleaner(backoffMs: number): void {
    const name = 'kafka-log-cleaner';
    this.cleanerTask = this.scheduler.schedule(
      name,
      () => this.guard(name, () => this.cleanDirtiestLog()),
      backoffMs,
      backoffMs,
    );
    this.tasks.push(this.cleanerTask);
  }

  getLog(tp: TopicPartition): UnifiedLog | undefined {
    return this.logs.get(tpKey(tp.topic, tp.partition));
  }

  get allLogs(): UnifiedLog[] {
    return [...this.logs.values()];
  }

  /**
   * The log of `tp`, created in the log dir holding the fewest logs if it does not exist. `config` applies to a
   * new log; an existing log keeps its config (use `updateTopicConfig`).
   */
  getOrCreateLog(tp: TopicPartition, config: LogConfig = this.configFor(tp.topic)): UnifiedLog {
    const existing = this.getLog(tp);
    if (existing) return existing;
    const key = tpKey(tp.topic, tp.partition);
    const prepared = this.preparedDirs.get(key);
    const preferred = prepared ?? this.preferredDirs.get(key);
    const logDir = preferred !== undefined && this.liveDirs.has(preferred) ? preferred : this.nextLogDir();
    const log = this.openNewLog(tp, join(logDir, key), logDir, config);
    this.preferredDirs.delete(key);
    this.preparedDirs.delete(key);
    this.track(key, logDir, log);
    this.logger.info({ topicPartition: key, dir: logDir }, 'created log');
    return log;
  }

  /**
   * Makes, in the threadpool and many at once, the directory and the empty files of the first segment of each log
   * in `tps` that does not exist yet, so that `getOrCreateLog` then only opens files that exist: creating a file
   * costs a journal write and ~1 ms on a busy disk, four files and a directory per log, which for 10,000 new logs
   * would hold the event loop for tens of seconds. What is made looks exactly like an empty log after a clean
   * shutdown, so a crash in between leaves a log the next start loads (or deletes as stray). A preparation that
   * fails is left to `getOrCreateLog`, which reports the failure as today. Call `discardPreparedLogs` once the logs
   * that were wanted are created.
   */
  async prepareNewLogs(tps: Iterable<TopicPartition>): Promise<void> {
    const work: Promise<void>[] = [];
    const pending = new Map<string, number>();
    for (const tp of tps) {
      const key = tpKey(tp.topic, tp.partition);
      if (this.logs.has(key) || this.preparedDirs.has(key) || this.liveDirs.size === 0) continue;
      const preferred = this.preferredDirs.get(key);
      const logDir = preferred !== undefined && this.liveDirs.has(preferred) ? preferred : this.nextLogDir(pending);
      pending.set(logDir, (pending.get(logDir) ?? 0) + 1);
      this.preparedDirs.set(key, logDir);
      work.push(
        runWithIoSlot(async () => {
          // A directory this did not make (it existed) is never prepared, so never discarded.
          if (!(await makeEmptyLogFiles(join(logDir, key))) && this.preparedDirs.get(key) === logDir)
            this.preparedDirs.delete(key);
        }),
      );
    }
    await Promise.all(work);
  }

  /** Removes the prepared directories of logs that were not created after all (the partition went elsewhere). */
  discardPreparedLogs(): void {
    for (const [key, logDir] of this.preparedDirs) {
      this.preparedDirs.delete(key);
      if (this.logs.has(key)) continue;
      try {
        fs.rmSync(join(logDir, key), { recursive: true, force: true });
      } catch (e) {
        this.logger.warn({ err: e, topicPartition: key }, 'could not remove the directory of a log not created');
      }
    }
  }

  // ---- moving a replica between log dirs (future logs; see the header) ----

  /** The configured log dir that is `path` (compared as absolute paths), or undefined when none is. */
  logDirNamed(path: string): string | undefined {
    const wanted = resolve(path);
    return this.logDirs.find((d) => resolve(d) === wanted);
  }

  /** Whether `dir` (one of `logDirs`) is in use. */
  isLogDirOnline(dir: string): boolean {
    return this.liveDirs.has(dir);
  }

  /** The log dir holding the current log of `tp`, if any. */
  logDirOf(tp: TopicPartition): string | undefined {
    return this.dirOf.get(tpKey(tp.topic, tp.partition));
  }

  /** Creates the log of `tp` in `dir` when it is next created here (Kafka's maybeUpdatePreferredLogDir). */
  maybeUpdatePreferredLogDir(tp: TopicPartition, dir: string): void {
    const key = tpKey(tp.topic, tp.partition);
    if (!this.logs.has(key)) this.preferredDirs.set(key, dir);
  }

  getFutureLog(tp: TopicPartition): UnifiedLog | undefined {
    return this.futureLogs.get(tpKey(tp.topic, tp.partition));
  }

  /** The log dir holding the future log of `tp`, if any. */
  futureLogDirOf(tp: TopicPartition): string | undefined {
    return this.futureDirOf.get(tpKey(tp.topic, tp.partition));
  }

  get allFutureLogs(): UnifiedLog[] {
    return [...this.futureLogs.values()];
  }

  /**
   * Creates an empty future log of `tp` in `dir` (a live log dir other than its current log's). Refused with
   * KAFKA_STORAGE_ERROR while any log dir is offline, as Kafka refuses it (a future log could otherwise be created
   * twice for one partition, once in a dir not seen now).
   */
  createFutureLog(tp: TopicPartition, dir: string, config: LogConfig): UnifiedLog {
    const key = tpKey(tp.topic, tp.partition);
    if (this.futureLogs.has(key) || this.dirOf.get(key) === dir || !this.logs.has(key))
      throw new IllegalStateError(`Cannot create a future log of ${key} in ${dir}: ${this.describeMove(key)}.`);
    if (this.offlineLogDirs.length > 0) {
      throw new ApiError(
        'KAFKA_STORAGE_ERROR',
        `Cannot move ${key} to ${dir} while log dirs are offline (${this.offlineLogDirs.join(', ')}). ` +
          'Repair or replace the failed disks and restart the broker first.',
      );
    }
    const log = this.openNewLog(tp, join(dir, renamedDirName(key, FUTURE_DIR_SUFFIX)), dir, config);
    this.futureLogs.set(key, log);
    this.futureDirOf.set(key, dir);
    this.logger.info({ topicPartition: key, dir, from: this.dirOf.get(key) }, 'created future log');
    return log;
  }

  /**
   * The swap that ends a move (Kafka's replaceCurrentWithFutureLog): the future log of `tp`, which holds everything
   * the current log holds, is renamed `<topic>-<partition>` and becomes the current log; the old one is renamed for
   * deletion, closed and removed after file.delete.delay.ms. Synchronous: nothing appends in between. Returns the
   * new current log.
   */
  replaceCurrentWithFutureLog(tp: TopicPartition): UnifiedLog {
    const key = tpKey(tp.topic, tp.partition);
    const source = this.logs.get(key);
    const dest = this.futureLogs.get(key);
    if (source === undefined || dest === undefined)
      throw new IllegalStateError(`Cannot swap in the future log of ${key}: ${this.describeMove(key)}.`);
    const sourceDir = this.dirOf.get(key)!;
    const destDir = this.futureDirOf.get(key)!;
    this.reportingDiskFailures(destDir, 'rename a future log in', () => dest.renameDir(join(destDir, key)));
    dest.updateHighWatermark(source.highWatermark);
    this.futureLogs.delete(key);
    this.futureDirOf.delete(key);
    this.untrack(key);
    this.track(key, destDir, dest);
    this.retire(source, sourceDir, key);
    this.checkpointRecoveryOffsetsIn(destDir);
    this.logger.info(
      { topicPartition: key, from: sourceDir, to: destDir },
      'replaced the current log with the future log',
    );
    return dest;
  }

  /** Drops the future log of `tp` (a move cancelled or superseded, or the replica deleted); whether there was one. */
  deleteFutureLog(tp: TopicPartition): boolean {
    const key = tpKey(tp.topic, tp.partition);
    const log = this.futureLogs.get(key);
    if (log === undefined) return false;
    const dir = this.futureDirOf.get(key)!;
    this.futureLogs.delete(key);
    this.futureDirOf.delete(key);
    log.closeHandles();
    this.scheduleDeletion(log, dir, key);
    this.logger.info({ topicPartition: key, dir }, 'deleted future log');
    return true;
  }

  private describeMove(key: string): string {
    return (
      `current log in ${this.dirOf.get(key) ?? 'no dir'}, ` + `future log in ${this.futureDirOf.get(key) ?? 'no dir'}`
    );
  }

  private openNewLog(tp: TopicPartition, path: string, logDir: string, config: LogConfig): UnifiedLog {
    return this.reportingDiskFailures(logDir, 'create a log in', () =>
      UnifiedLog.open({
        dir: path,
        topicPartition: tp,
        config,
        hadCleanShutdown: true,
        producerIdExpirationMs: this.opts.producerIdExpirationMs,
        onDiskFailure: this.diskFailureReporter(logDir),
        onRecoveryPointLowered: () => this.recoveryCheckpointDue(logDir),
        durabilityJournal: this.journals.get(logDir),
        time: this.time,
        scheduler: this.scheduler,
        logger: this.opts.logger,
      }),
    );
  }

  /** Applies a changed topic config to every log of `topic`. */
  updateTopicConfig(topic: string, config: LogConfig): void {
    for (const log of this.logs.values()) if (log.topicPartition.topic === topic) log.updateConfig(config);
  }

  /**
   * Removes the log of `tp`: its directory is renamed `<topic>-<partition>.<uuid>-delete` at once (so a new log of
   * the same name can be created) and removed after file.delete.delay.ms. Returns whether a log existed.
   */
  deleteLog(tp: TopicPartition): boolean {
    const key = tpKey(tp.topic, tp.partition);
    const log = this.logs.get(key);
    if (!log) return false;
    const logDir = this.dirOf.get(key)!;
    this.deleteFutureLog(tp);
    this.untrack(key);
    log.closeHandles();
    this.scheduleDeletion(log, logDir, key);
    this.checkpointRecoveryOffsetsIn(logDir);
    this.logger.info({ topicPartition: key }, 'deleted log');
    return true;
  }

  /** Renames a log's directory `<key>.<uuid>-delete` and removes it after file.delete.delay.ms. */
  private scheduleDeletion(log: UnifiedLog, logDir: string, key: string): void {
    this.removeLater(this.renameForDeletion(log, logDir, key), key, log.config.fileDeleteDelayMs);
  }

  private renameForDeletion(log: UnifiedLog, logDir: string, key: string): string {
    const doomed = join(logDir, renamedDirName(key, DELETE_DIR_SUFFIX));
    this.reportingDiskFailures(logDir, 'delete a log in', () => log.renameDir(doomed));
    return doomed;
  }

  private removeLater(doomed: string, key: string, delayMs: number): void {
    this.scheduler.schedule(
      `kafka-delete-log-${key}`,
      () => fs.rmSync(doomed, { recursive: true, force: true }),
      delayMs,
    );
  }

  /**
   * The old current log of a swap: renamed for deletion, then closed (flushing what waits on it), and only then
   * given file.delete.delay.ms before its directory is removed.
   */
  private retire(log: UnifiedLog, logDir: string, key: string): void {
    const doomed = this.renameForDeletion(log, logDir, key);
    this.checkpointRecoveryOffsetsIn(logDir);
    void log
      .close()
      .catch((err: unknown) => this.logger.warn({ err, topicPartition: key }, 'closing a replaced log failed'))
      .finally(() => this.removeLater(doomed, key, log.config.fileDeleteDelayMs));
  }

  /** Retention on every log (Kafka's `cleanupLogs`); returns the number of segments deleted. */
  cleanupLogs(): number {
    let deleted = 0;
    for (const log of [...this.logs.values()]) deleted += this.unlessDiskFailed(() => log.deleteOldSegments(), 0);
    return deleted;
  }

  /** Drops, in every log, the state of producers idle for transactional.id.expiration.ms; returns how many. */
  removeExpiredProducers(): number {
    const now = this.time.milliseconds();
    let removed = 0;
    for (const log of this.logs.values()) removed += log.removeExpiredProducers(now);
    if (removed > 0) this.logger.info({ producers: removed }, 'expired idle producers');
    return removed;
  }

  /** Starts a flush of every log whose flush.ms has passed. */
  flushDirtyLogs(): void {
    const now = this.time.milliseconds();
    for (const log of [...this.logs.values()]) this.unlessDiskFailed(() => log.flushIfDue(now), undefined);
  }

  /** Compacts the dirtiest compacted log, if one is due (see LogCleaner); returns whether one was cleaned. */
  async cleanDirtiestLog(): Promise<boolean> {
    for (const dir of this.liveDirs) {
      if (await this.cleaner.cleanDirtiestLog(dir, this.logsIn(dir))) return true;
    }
    return false;
  }

  /** Writes every dir's recovery-point-offset-checkpoint. */
  checkpointRecoveryOffsets(): void {
    for (const dir of this.liveDirs) this.checkpointRecoveryOffsetsIn(dir);
  }

  /** Writes every dir's log-start-offset-checkpoint (only logs whose start is above their first segment, as Kafka). */
  checkpointLogStartOffsets(): void {
    for (const dir of this.liveDirs) {
      this.checkpointIn(dir, LOG_START_OFFSET_CHECKPOINT_FILE, () =>
        this.logsIn(dir)
          .filter((l) => l.logStartOffset > l.segments[0]!.baseOffset)
          .map((l) => ({ ...l.topicPartition, offset: l.logStartOffset })),
      );
    }
  }

  /**
   * Clean shutdown: stops the background tasks, flushes and closes every log (trimming the active segments),
   * writes the checkpoints, then the `.kafka_cleanshutdown` marker of each dir, so the next start skips recovery.
   */
  async shutdown(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const task of this.tasks.splice(0)) task.cancel();
    const logs = [...this.allLogs, ...this.allFutureLogs];
    // Every log flushes and closes on its own chain (close flushes first), all at once: the fdatasyncs of 10,000
    // logs then wait together in the threadpool, where the filesystem commits them in shared journal transactions,
    // instead of a flush wave and then a close wave each waiting for its slowest log.
    await Promise.all(logs.map((l) => l.close()));
    // The recovery points are final once every log is flushed; only then may the checkpoints and the marker say so.
    this.checkpointRecoveryOffsets();
    this.checkpointLogStartOffsets();
    for (const dir of this.liveDirs) fs.writeFileSync(join(dir, CLEAN_SHUTDOWN_FILE), '');
    this.logger.info({ logs: logs.length }, 'log manager shut down cleanly');
  }

  private loadLogDir(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const marker = join(dir, CLEAN_SHUTDOWN_FILE);
    const hadCleanShutdown = fs.existsSync(marker);
    const recoveryPoints = readOffsetCheckpoint(join(dir, RECOVERY_POINT_CHECKPOINT_FILE));
    const logStartOffsets = readOffsetCheckpoint(join(dir, LOG_START_OFFSET_CHECKPOINT_FILE));
    const started = this.time.hiResMs();
    for (const name of fs.readdirSync(dir)) {
      const path = join(dir, name);
      if (name.endsWith(DELETE_DIR_SUFFIX)) {
        fs.rmSync(path, { recursive: true, force: true });
        continue;
      }
      const future = FUTURE_DIR.exec(name);
      const key = future === null ? name : future[1]!;
      const tp = parseTpKey(key);
      if (!tp || !fs.statSync(path).isDirectory()) continue;
      const loaded = future === null ? this.dirOf : this.futureDirOf;
      if (loaded.has(key)) {
        throw new IllegalStateError(
          `Duplicate ${future === null ? '' : 'future '}log directories for ${key}: ${loaded.get(key)} and ${dir}. ` +
            `Remove the stale copy before starting the broker.`,
        );
      }
      const log = UnifiedLog.open({
        dir: path,
        topicPartition: tp,
        config: this.configFor(tp.topic),
        hadCleanShutdown,
        recoveryPoint: recoveryPoints.get(key) ?? 0,
        logStartOffset: logStartOffsets.get(key) ?? 0,
        producerIdExpirationMs: this.opts.producerIdExpirationMs,
        onDiskFailure: this.diskFailureReporter(dir),
        onRecoveryPointLowered: () => this.recoveryCheckpointDue(dir),
        durabilityJournal: this.journals.get(dir),
        time: this.time,
        scheduler: this.scheduler,
        logger: this.opts.logger,
      });
      if (future === null) {
        this.track(name, dir, log);
      } else {
        this.futureLogs.set(key, log);
        this.futureDirOf.set(key, dir);
      }
    }
    fs.rmSync(marker, { force: true });
    this.logger.info(
      { dir, hadCleanShutdown, logs: this.logsIn(dir).length, loadMs: Math.round(this.time.hiResMs() - started) },
      'loaded log dir',
    );
  }

  private track(key: string, dir: string, log: UnifiedLog): void {
    this.logs.set(key, log);
    this.dirOf.set(key, dir);
    const keys = computeIfAbsent(this.keysIn, dir, () => new Set());
    keys.add(key);
  }

  private untrack(key: string): void {
    this.logs.delete(key);
    this.keysIn.get(this.dirOf.get(key)!)?.delete(key);
    this.dirOf.delete(key);
  }

  private logsIn(dir: string): UnifiedLog[] {
    return [...(this.keysIn.get(dir) ?? [])].map((key) => this.logs.get(key)!);
  }

  private checkpointRecoveryOffsetsIn(dir: string): void {
    this.checkpointIn(dir, RECOVERY_POINT_CHECKPOINT_FILE, () =>
      [...this.logsIn(dir), ...this.futureLogsIn(dir)].map((l) => ({ ...l.topicPartition, offset: l.recoveryPoint })),
    );
  }

  private futureLogsIn(dir: string): UnifiedLog[] {
    return [...this.futureDirOf].filter(([, d]) => d === dir).map(([key]) => this.futureLogs.get(key)!);
  }

  /** Writes one checkpoint file of a live dir; a disk failure takes the dir offline instead of failing the others. */
  private checkpointIn(dir: string, file: string, entries: () => TopicPartitionOffset[]): void {
    if (!this.liveDirs.has(dir)) return;
    try {
      writeOffsetCheckpoint(join(dir, file), entries());
    } catch (e) {
      if (!this.logDirFailureChannel.maybeAddOfflineLogDir(dir, e, `write ${file} in`)) throw e;
    }
  }

  /** Runs one log's share of a task over all logs: a disk failure (already reported by the log) skips that log. */
  private unlessDiskFailed<T>(fn: () => T, otherwise: T): T {
    try {
      return fn();
    } catch (e) {
      if (!isDiskFailure(e)) throw e;
      return otherwise;
    }
  }

  /**
   * A truncation lowered a log's recovery point below the checkpointed one (Kafka's LogManager.truncateTo
   * checkpoints the dir after truncating): without the rewrite, records appended again from the new end and not yet
   * flushed would lie below the checkpointed point and be taken as flushed by a recovery after a crash. The dir's
   * file is rewritten once for all the truncations of a loop turn, at its setImmediate: before any fetch response
   * (the only source of a follower's appends after its truncation) can be read in a later poll phase.
   */
  private recoveryCheckpointDue(dir: string): void {
    if (this.recoveryCheckpointsDue.size === 0) {
      setImmediate(() => {
        const dirs = [...this.recoveryCheckpointsDue];
        this.recoveryCheckpointsDue.clear();
        for (const d of dirs) this.checkpointRecoveryOffsetsIn(d);
      });
    }
    this.recoveryCheckpointsDue.add(dir);
  }

  private diskFailureReporter(dir: string): (error: unknown, operation: string) => void {
    return (error, operation) => this.logDirFailureChannel.maybeAddOfflineLogDir(dir, error, operation);
  }

  private reportingDiskFailures<T>(dir: string, operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.logDirFailureChannel.maybeAddOfflineLogDir(dir, e, `${operation} ${dir}`);
      throw e;
    }
  }

  /** The live dir holding the fewest logs (Kafka's `nextLogDirs`), counting `pending` logs about to be made. */
  private nextLogDir(pending?: ReadonlyMap<string, number>): string {
    const count = (dir: string): number => (this.keysIn.get(dir)?.size ?? 0) + (pending?.get(dir) ?? 0);
    let best: string | undefined;
    for (const dir of this.liveDirs) if (best === undefined || count(dir) < count(best)) best = dir;
    if (best === undefined) {
      throw new ApiError(
        'KAFKA_STORAGE_ERROR',
        `Every log dir of this broker has failed (${this.logDirs.join(', ')}): no log can be created.`,
      );
    }
    return best;
  }

  private async guard(name: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.logger.error({ err: e, task: name }, 'background task failed');
    }
  }
}

/** `<key>.<uuid><suffix>`: a fresh name for a log directory being deleted or filled as a future log. */
function renamedDirName(key: string, suffix: string): string {
  return `${key}.${randomUUID().replaceAll('-', '')}${suffix}`;
}

/**
 * Makes the directory of a new log, then the empty files of its first segment (base offset 0), the `.log` first so
 * that no index is ever left without its segment. Returns whether it made the directory (false: it existed or could
 * not be made). A failure is left quietly to the synchronous creation that follows, which meets it again and reports
 * it as a disk failure.
 */
async function makeEmptyLogFiles(dir: string): Promise<boolean> {
  try {
    await fs.promises.mkdir(dir);
  } catch {
    return false;
  }
  try {
    for (const file of [logFilePath, offsetIndexFilePath, timeIndexFilePath, txnIndexFilePath]) {
      await fs.promises.writeFile(file(dir, 0), EMPTY, { flag: 'wx' });
    }
  } catch {
    // The files made so far are an empty segment's; the creation makes the rest.
  }
  return true;
}

const EMPTY = Buffer.alloc(0);
