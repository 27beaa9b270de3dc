/**
 * Delayed delivery on one broker: a DelayScheduler for every `__delayed_records` partition this broker leads,
 * started when it becomes leader (ReplicaManager 'leadershipChange', or at start-up) and stopped when it stops
 * leading it, as the group coordinator loads and unloads `__consumer_offsets` partitions. Also answers what
 * `mq-admin delayed --describe` asks of this broker.
 *
 * Files: each scheduler's wheel lives in `<log dir>/delayed-delivery-index/<partition>-<leader epoch>-<n>/` (scratch,
 * derived from the log); the whole folder is removed at start-up, since whatever a previous process left is stale.
 * Concurrency: leadership changes and describe calls run on the event loop between the schedulers' awaits; a
 * scheduler replaced by a newer leadership of the same partition finishes its current step on its own.
 * Ownership: created and shut down by the Broker; owns the schedulers and the DeliverySender they share.
 */
import fs from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { DELAYED_TOPIC } from '../../record/delayed-record.js';
import type { MetadataCache } from '../../replication/metadata-cache.js';
import type { Partition } from '../../replication/partition.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import {
  DelayScheduler,
  type DelayPartitionDescription,
  type DelayProgress,
  type DelaySchedulerConfig,
} from './delay-scheduler.js';
import { DeliverySender } from './delivery-sender.js';
import type { ClientSecurity } from '../../network/security/client-security.js';

export const DELAY_INDEX_DIR = 'delayed-delivery-index';

export interface DelayedDeliveryManagerOptions {
  brokerId: number;
  logDirs: readonly string[];
  replicaManager: Pick<ReplicaManager, 'getPartition' | 'appendRecords'>;
  metadataCache: MetadataCache;
  config: DelaySchedulerConfig;
  /** Timeout of one delivery request (acks=all) and of a cursor append. */
  requestTimeoutMs: number;
  retryBackoffMs: number;
  /** The inter-broker listener's client security, for the deliveries to other leaders. */
  security?: ClientSecurity;
  time: Time;
  logger: Logger;
}

/** How long shutdown waits for schedulers to finish their current step. */
const SHUTDOWN_WAIT_MS = 5000;

export class DelayedDeliveryManager {
  private readonly schedulers = new Map<number, DelayScheduler>();
  private readonly sender: DeliverySender;
  private readonly log: Logger;
  /** Schedulers started so far: names their scratch directories. */
  private started = 0;

  constructor(private readonly opts: DelayedDeliveryManagerOptions) {
    this.log = opts.logger.child({ component: 'DelayedDeliveryManager' });
    this.sender = new DeliverySender({
      brokerId: opts.brokerId,
      metadataCache: opts.metadataCache,
      requestTimeoutMs: opts.requestTimeoutMs,
      retryBackoffMs: opts.retryBackoffMs,
      security: opts.security,
      logger: opts.logger,
    });
    for (const dir of opts.logDirs) fs.rmSync(join(dir, DELAY_INDEX_DIR), { recursive: true, force: true });
  }

  /** Starts schedulers for the delay partitions this broker already leads (at start-up). */
  startLedPartitions(): void {
    const count = this.opts.metadataCache.partitionCount(DELAYED_TOPIC) ?? 0;
    for (let i = 0; i < count; i++) {
      const p = this.opts.replicaManager.getPartition(DELAYED_TOPIC, i);
      if (p?.isLeader) this.start(p);
    }
  }

  /** Reacts to a ReplicaManager leadership change. */
  onLeadershipChange(leaders: readonly Partition[], followers: readonly Partition[]): void {
    for (const p of followers) if (p.topic === DELAYED_TOPIC) this.stop(p.partition);
    for (const p of leaders) if (p.topic === DELAYED_TOPIC) this.start(p);
  }

  /** The delay partitions led here (optionally only some), as `mq-admin delayed --describe` shows them. */
  describe(partitions: readonly number[] | null): DelayPartitionDescription[] {
    return [...this.schedulers.values()]
      .filter((s) => partitions === null || partitions.includes(s.partitionId))
      .sort((a, b) => a.partitionId - b.partitionId)
      .map((s) => s.describe());
  }

  /** Pending records and delivery progress of each delay partition led here (cheap: for the metrics). */
  progress(): DelayProgress[] {
    return [...this.schedulers.values()].map((s) => s.progress());
  }

  async shutdown(): Promise<void> {
    const running = [...this.schedulers.values()];
    this.schedulers.clear();
    for (const s of running) s.stop();
    this.sender.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(running.map((s) => s.done)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  private start(p: Partition): void {
    const current = this.schedulers.get(p.partition);
    if (current?.leaderEpoch === p.leaderEpoch) return;
    current?.stop();
    // A directory per scheduler: one that stopped may still be finishing a step (and then removes its own).
    const dir = join(dirname(p.log.dir), DELAY_INDEX_DIR, `${p.partition}-${p.leaderEpoch}-${++this.started}`);
    const scheduler = new DelayScheduler({
      partition: p,
      dir,
      sender: this.sender,
      appendAsLeader: async (records) => {
        const [result] = await this.opts.replicaManager.appendRecords({
          acks: -1,
          timeoutMs: this.opts.requestTimeoutMs,
          entries: [{ topic: DELAYED_TOPIC, partition: p.partition, records }],
        });
        return result!.errorCode;
      },
      config: this.opts.config,
      time: this.opts.time,
      logger: this.opts.logger,
    });
    this.schedulers.set(p.partition, scheduler);
    void scheduler.done.then(() => {
      if (this.schedulers.get(p.partition) === scheduler) this.schedulers.delete(p.partition);
    });
    this.log.info({ partition: p.partition, leaderEpoch: p.leaderEpoch }, 'delivering delayed records of partition');
  }

  private stop(partition: number): void {
    const scheduler = this.schedulers.get(partition);
    if (scheduler === undefined) return;
    this.schedulers.delete(partition);
    scheduler.stop();
  }
}
