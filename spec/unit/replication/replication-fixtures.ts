/** Shared fixtures of the replication specs: producer batches and a partition over a real log in a tmp dir. */
import { ConnectionError } from '../../../lib/common/errors.js';
import { silentLogger } from '../../../lib/common/logger.js';
import { SystemTime, type Time } from '../../../lib/common/time.js';
import { LogManager } from '../../../lib/log/log-manager.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { logConfigWith, type LogConfig } from '../../../lib/log/log-config.js';
import { UnifiedLog } from '../../../lib/log/unified-log.js';
import type { LeaderEndPointFactory } from '../../../lib/replication/leader-end-point.js';
import { MetadataCache, type PartitionState } from '../../../lib/replication/metadata-cache.js';
import { ReplicaManager } from '../../../lib/replication/replica-manager.js';
import { type ReplicaManagerConfig } from '../../../lib/replication/replica-manager-config.js';
import { Partition, type IsrWriter, type PartitionListener } from '../../../lib/replication/partition.js';
import { defer } from '../../helpers/cleanup.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import type { FakeZk } from './fake-zk.js';

/** A producer's batch of `recordCount` records of `valueBytes` each (offsets unassigned). */
export function producerBatch(recordCount = 1, valueBytes = 10, timestampMs = 1_700_000_000_000): Buffer {
  const builder = new RecordBatchBuilder();
  const value = Buffer.alloc(valueBytes, 0x61);
  for (let i = 0; i < recordCount; i++) builder.append(timestampMs, null, value);
  return builder.buildSync();
}

export function partitionState(
  leader: number,
  leaderEpoch: number,
  isr: number[],
  zkVersion = 0,
  controllerEpoch = 1,
): PartitionState {
  return { leader, leaderEpoch, isr, zkVersion, controllerEpoch };
}

/** Records ISR writes and answers them like ZooKeeper would (a new version, or null when told to fail). */
export class IsrWriterDouble {
  readonly writes: { isr: readonly number[]; leaderEpoch: number; expectedZkVersion: number }[] = [];
  failNext = false;
  private version = 100;

  readonly write: IsrWriter = async (_tp, state, expectedZkVersion) => {
    this.writes.push({ isr: state.isr, leaderEpoch: state.leaderEpoch, expectedZkVersion });
    await Promise.resolve();
    if (this.failNext) {
      this.failNext = false;
      return null;
    }
    return ++this.version;
  };
}

export class ListenerDouble implements PartitionListener {
  hwIncreases = 0;
  readonly isrChanges: string[] = [];
  onHighWatermarkIncreased(): void {
    this.hwIncreases++;
  }
  onIsrChanged(_p: Partition, change: 'Shrink' | 'Expand'): void {
    this.isrChanges.push(change);
  }
  logStartIncreases = 0;
  onLogStartOffsetIncreased(): void {
    this.logStartIncreases++;
  }
}

export interface PartitionFixture {
  partition: Partition;
  log: UnifiedLog;
  time: MockTime;
  isrWriter: IsrWriterDouble;
  listener: ListenerDouble;
}

/** Partition `t-0` on broker 1 over a fresh log; `removing` plays the assignment's removing_replicas. */
export function partitionFixture(
  config: Partial<LogConfig> = {},
  replicaLagTimeMaxMs = 30_000,
  removing: readonly number[] = [],
): PartitionFixture {
  const time = new MockTime();
  const log = defer(
    UnifiedLog.open({
      dir: `${tmpDir()}/t-0`,
      topicPartition: { topic: 't', partition: 0 },
      config: logConfigWith(config),
      time,
      scheduler: new MockScheduler(time),
    }),
    (l) => l.close(),
  );
  const isrWriter = new IsrWriterDouble();
  const listener = new ListenerDouble();
  const partition = new Partition({
    topic: 't',
    partition: 0,
    localBrokerId: 1,
    log,
    replicaLagTimeMaxMs,
    writeIsr: isrWriter.write,
    removingReplicas: () => removing,
    listener,
    time,
    logger: silentLogger,
  });
  return { partition, log, time, isrWriter, listener };
}

/** Lets pending ISR writes (microtasks) settle. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

export interface BrokerFixture {
  brokerId: number;
  dir: string;
  cache: MetadataCache;
  logManager: LogManager;
  replicaManager: ReplicaManager;
  scheduler: MockScheduler;
}

/**
 * One broker's replication stack over a shared FakeZk: a MetadataCache, a LogManager in `dir` (a fresh tmp dir by
 * default) and a ReplicaManager, not started, registered in `cluster` (its own one by default) whose brokers'
 * fetchers reach each other in process. Purgatory deadlines follow `time` (the system clock by default, so
 * that short request timeouts expire by themselves); scheduled tasks run only on `scheduler.tick()`, which
 * advances `time` when it is a MockTime.
 */
export function brokerFixture(
  zk: FakeZk,
  brokerId: number,
  opts: {
    dir?: string;
    /** Several log dirs (JBOD) instead of `dir`. */
    logDirs?: string[];
    time?: Time;
    config?: Partial<ReplicaManagerConfig>;
    cluster?: InProcessCluster;
  } = {},
): BrokerFixture {
  const cluster = opts.cluster ?? new InProcessCluster();
  const dir = opts.dir ?? opts.logDirs?.[0] ?? tmpDir();
  const scheduler = new MockScheduler(opts.time instanceof MockTime ? opts.time : new MockTime());
  const cache = defer(new MetadataCache({ zk }), (c) => c.close());
  const logManager = defer(new LogManager({ logDirs: opts.logDirs ?? [dir], scheduler, time: scheduler.time }), (m) =>
    m.shutdown(),
  );
  const replicaManager = defer(
    new ReplicaManager({
      brokerId,
      logManager,
      metadataCache: cache,
      zk,
      scheduler,
      time: opts.time ?? SystemTime,
      config: { replicaLagTimeMaxMs: 1000, replicaFetchBackoffMs: 20, replicaFetchWaitMaxMs: 50, ...opts.config },
      leaderEndPointFactory: cluster.endPointsFor(brokerId),
    }),
    (r) => r.shutdown(),
  );
  cluster.register(brokerId, replicaManager);
  return { brokerId, dir, cache, logManager, replicaManager, scheduler };
}

/**
 * Connects follower fetchers straight to the ReplicaManager of the leader broker, in process (what the broker's
 * Fetch, OffsetForLeaderEpoch and ListOffsets handlers do over the wire). A broker not registered here refuses.
 */
export class InProcessCluster {
  private readonly managers = new Map<number, ReplicaManager>();

  register(brokerId: number, replicaManager: ReplicaManager): void {
    this.managers.set(brokerId, replicaManager);
  }

  unregister(brokerId: number): void {
    this.managers.delete(brokerId);
  }

  endPointsFor(localBrokerId: number): LeaderEndPointFactory {
    return async (leader) => {
      const rm = () => {
        const m = this.managers.get(leader.id);
        if (m === undefined) throw new ConnectionError(`broker ${leader.id} is not running`);
        return m;
      };
      rm();
      return {
        fetch: async (req) => rm().fetchMessages(req),
        fetchEpochEndOffsets: async (ps) =>
          ps.map((p) => ({
            topic: p.topic,
            partition: p.partition,
            ...rm().lastOffsetForLeaderEpoch(p.topic, p.partition, p.leaderEpoch, p.currentLeaderEpoch),
          })),
        fetchOffset: async (tp, currentLeaderEpoch, timestamp) =>
          rm().listOffsets(tp.topic, tp.partition, timestamp, 0, { replicaId: localBrokerId, currentLeaderEpoch }),
        close: async () => {},
      };
    };
  }
}
