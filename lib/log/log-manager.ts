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
 * Crash: without `.kafka_cleanshutdown`, each log recovers from its checkpointed recovery point (LogLoader). The
 * marker is deleted once the logs are loaded, so a crash afterwards is again unclean.
 */
import { computeIfAbsent } from '../common/collections.js';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
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
import { UnifiedLog } from './unified-log.js';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';
const DELETE_DIR_SUFFIX = '-delete';
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
  private readonly defaultConfig: LogConfig;
  private readonly configFor: (topic: string) => LogConfig;
  private readonly time: Time;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly tasks: ScheduledTask[] = [];
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
    const logDir = this.nextLogDir();
    const log = this.reportingDiskFailures(logDir, 'create a log in', () =>
      UnifiedLog.open({
        dir: join(logDir, key),
        topicPartition: tp,
        config,
        hadCleanShutdown: true,
        producerIdExpirationMs: this.opts.producerIdExpirationMs,
        onDiskFailure: this.diskFailureReporter(logDir),
        durabilityJournal: this.journals.get(logDir),
        time: this.time,
        scheduler: this.scheduler,
        logger: this.opts.logger,
      }),
    );
    this.track(key, logDir, log);
    this.logger.info({ topicPartition: key, dir: logDir }, 'created log');
    return log;
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
    this.untrack(key);
    log.closeHandles();
    const doomed = join(logDir, `${key}.${randomUUID().replaceAll('-', '')}${DELETE_DIR_SUFFIX}`);
    this.reportingDiskFailures(logDir, 'delete a log in', () => log.renameDir(doomed));
    this.scheduler.schedule(
      `kafka-delete-log-${key}`,
      () => fs.rmSync(doomed, { recursive: true, force: true }),
      log.config.fileDeleteDelayMs,
    );
    this.checkpointRecoveryOffsetsIn(logDir);
    this.logger.info({ topicPartition: key }, 'deleted log');
    return true;
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
    const logs = this.allLogs;
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
      const tp = parseTpKey(name);
      if (!tp || !fs.statSync(path).isDirectory()) continue;
      if (this.logs.has(name)) {
        throw new IllegalStateError(
          `Duplicate log directories for ${name}: ${this.dirOf.get(name)} and ${dir}. ` +
            `Remove the stale copy before starting the broker.`,
        );
      }
      const log = UnifiedLog.open({
        dir: path,
        topicPartition: tp,
        config: this.configFor(tp.topic),
        hadCleanShutdown,
        recoveryPoint: recoveryPoints.get(name) ?? 0,
        logStartOffset: logStartOffsets.get(name) ?? 0,
        producerIdExpirationMs: this.opts.producerIdExpirationMs,
        onDiskFailure: this.diskFailureReporter(dir),
        durabilityJournal: this.journals.get(dir),
        time: this.time,
        scheduler: this.scheduler,
        logger: this.opts.logger,
      });
      this.track(name, dir, log);
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
      this.logsIn(dir).map((l) => ({ ...l.topicPartition, offset: l.recoveryPoint })),
    );
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

  /** The live dir holding the fewest logs (Kafka's `nextLogDirs`). */
  private nextLogDir(): string {
    let best: string | undefined;
    for (const dir of this.liveDirs)
      if (best === undefined || (this.keysIn.get(dir)?.size ?? 0) < (this.keysIn.get(best)?.size ?? 0)) best = dir;
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
