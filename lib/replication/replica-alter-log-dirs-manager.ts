/**
 * The broker's alter-log-dirs copier (Kafka's ReplicaAlterLogDirsManager and its ReplicaAlterLogDirsThread): for every
 * replica moving to another log dir of this broker, copies its current log into its future log, reading the local
 * log (not the network), until the future log has caught up; then asks for the swap (`complete`), which makes the
 * future log current.
 *
 * One pass (`copyOnce`) visits every moving replica once: the future log is first brought in line with the current
 * one (restarted at the current log start when it fell below it, e.g. after retention), then gets the next whole
 * batches read from the current log at its log end offset (up to replica.fetch.max.bytes, at least one batch),
 * appended as a follower appends (offsets, epochs and producer state as written); its high watermark and log start
 * follow the current log's. A replica whose future log ends where its current log ends is swapped at once, in the
 * same synchronous step. Truncations of the current log reach the future log through its Partition.
 *
 * Throttle: `replica.alter.log.dirs.io.max.bytes.per.second` (Kafka's quota of this thread, dynamic): every byte
 * copied is counted against it and a pass copies nothing while it is used up; the next pass then waits until bytes
 * may move again. Unthrottled, passes run back to back, yielding to the event loop between them.
 *
 * Concurrency: one event loop; a pass is synchronous (reads and appends are), so nothing interleaves with the
 * check-then-swap. Passes are scheduled one at a time. Ownership: the ReplicaManager holds one, adds a replica when a
 * move starts (or resumes after a restart), removes it when the replica stops being hosted here or the move is
 * cancelled, and shuts it down before the logs close. Crash: nothing of its own is persisted; the future log's
 * directory is (see LogManager), and the copy resumes from its log end offset after a restart.
 */
import type { Logger } from '../common/logger.js';
import type { ScheduledTask, Scheduler } from '../common/scheduler.js';
import type { Partition } from './partition.js';
import type { ReplicationQuota } from './replication-quota.js';

export interface ReplicaAlterLogDirsManagerOptions {
  /** replica.fetch.max.bytes: what one pass copies of one replica at most (a larger first batch still goes). */
  maxBytesPerPass: number;
  /** replica.alter.log.dirs.io.max.bytes.per.second */
  quota: ReplicationQuota;
  /** The swap: true when it happened (false: not now, e.g. the log is being compacted; the next pass retries). */
  complete: (partition: Partition) => boolean;
  scheduler: Scheduler;
  logger: Logger;
}

/** Pause before retrying a replica that could not be copied or swapped in a pass (nothing readable, or compacting). */
const RETRY_MS = 100;

export class ReplicaAlterLogDirsManager {
  private readonly moving = new Map<string, Partition>();
  private readonly logger: Logger;
  private next: ScheduledTask | undefined;
  private stopped = false;

  constructor(private readonly opts: ReplicaAlterLogDirsManagerOptions) {
    this.logger = opts.logger.child({ component: 'ReplicaAlterLogDirsManager' });
  }

  /** Replicas whose copy runs now, by partition key. */
  get partitions(): ReadonlyMap<string, Partition> {
    return this.moving;
  }

  /** Starts (or resumes) copying `partition`'s current log into its future log. */
  addPartition(partition: Partition): void {
    if (this.stopped || partition.futureLog === undefined) return;
    this.moving.set(partition.key, partition);
    this.logger.info(
      { topicPartition: partition.key, from: partition.log.dir, to: partition.futureLog.dir },
      'copying a replica to another log dir',
    );
    this.schedule(0);
  }

  /** Stops copying the replica (its future log stays as it is; the caller decides whether to delete it). */
  removePartition(key: string): void {
    this.moving.delete(key);
  }

  shutdown(): void {
    this.stopped = true;
    this.next?.cancel();
    this.next = undefined;
    this.moving.clear();
  }

  /**
   * One pass over the moving replicas (see the header). Returns how long to wait before the next pass: 0 to go on at
   * once, the quota's delay when it is used up, RETRY_MS when no replica could progress; undefined when none moves.
   */
  copyOnce(): number | undefined {
    let progressed = false;
    for (const [key, p] of [...this.moving]) {
      const future = p.futureLog;
      if (future === undefined) {
        this.moving.delete(key);
        continue;
      }
      const current = p.log;
      if (future.logEndOffset < current.logStartOffset) future.truncateFullyAndStartAt(current.logStartOffset);
      if (future.logEndOffset === current.logEndOffset) {
        if (this.opts.complete(p)) {
          this.moving.delete(key);
          progressed = true;
        }
        continue;
      }
      const allowance = this.opts.quota.allowance();
      if (allowance <= 0) continue;
      const read = current.read(future.logEndOffset, Math.min(this.opts.maxBytesPerPass, Math.floor(allowance)), {
        minOneBatch: true,
      });
      if (read.records.length === 0) continue;
      future.append(read.records, { assignOffsets: false, leaderEpoch: -1 });
      this.opts.quota.record(read.records.length);
      future.updateHighWatermark(Math.min(current.highWatermark, future.logEndOffset));
      if (current.logStartOffset > future.logStartOffset && current.logStartOffset <= future.highWatermark)
        future.deleteRecordsBefore(current.logStartOffset);
      progressed = true;
    }
    if (this.moving.size === 0) return undefined;
    if (progressed) return 0;
    const throttled = this.opts.quota.delayMs();
    return throttled > 0 ? throttled : RETRY_MS;
  }

  private schedule(delayMs: number): void {
    if (this.next !== undefined || this.stopped) return;
    this.next = this.opts.scheduler.schedule(
      'replica-alter-log-dirs',
      () => {
        this.next = undefined;
        this.runPass();
      },
      delayMs,
    );
  }

  private runPass(): void {
    let wait: number | undefined;
    try {
      wait = this.copyOnce();
    } catch (err) {
      this.logger.error({ err }, 'copying replicas between log dirs failed; retrying');
      wait = RETRY_MS;
    }
    if (wait !== undefined) this.schedule(wait);
  }
}
