/**
 * Turns what ZooKeeper says about partitions into what this broker hosts and in which role (the part of Kafka's
 * `ReplicaManager.becomeLeaderOrFollower` that LeaderAndIsr requests drive; here the MetadataCache's watches drive
 * it, since brokers follow the state znodes).
 *
 * Every 'partitionState' and 'topicDeleted' event of the MetadataCache enqueues a change; changes are applied in
 * order, a topic deletion alone and consecutive state changes as one batch whose topic configs
 * (/config/topics/<t> over the broker defaults) are read in parallel. A change is always applied from the cache's
 * current state (watches are lossy; the event is only a trigger).
 *
 * Invariants:
 * 1. A replica is hosted exactly when it is assigned to this broker and its partition has a state; a state older
 *    than the one applied (lower leader epoch, or same epoch and lower zkVersion) is ignored.
 * 2. A topic's local logs are deleted when the topic is deleted, and at start for topics deleted or replicas moved
 *    away while this broker was down — but only once the topic list was read from an existing znode.
 * 3. A follower fetches from its leader exactly while it is a follower with a known leader.
 * 4. While fenced (`fence()`: the ZooKeeper session may be gone, ARCHITECTURE.md "Brokers follow ZooKeeper") no
 *    replica here is leader: those that led become followers without a leader (same leader epoch and zkVersion),
 *    and a state naming this broker leader is applied that way, until `resume()` has re-read ZooKeeper.
 * 5. A state naming this broker leader that was written before this broker registered (its state znode's mzxid
 *    below the broker epoch, KIP-380's stale broker epoch) was meant for an earlier run of it — one killed and
 *    restarted before its old ZooKeeper session expired. It is applied as a follower without a leader, like a state
 *    under the fence: the controller has yet to handle the restart (the old registration's failure, then an
 *    election that writes a new state). Leading on it would let the followers truncate to this broker's log and
 *    rejoin an ISR the controller is about to replace, and the controller would then move the leadership away.
 * 6. A replica taken offline (`takeOffline`: its log dir failed) is never hosted again until the broker restarts
 *    (Kafka's HostedPartition.Offline); its states are ignored. When a log dir could not be loaded at start
 *    (`logDirsFailedAtStart`), a replica assigned here that has no local log and is in the ISR may have lived in
 *    that dir: it is offline too, rather than started empty where the controller could elect it.
 * Concurrency: one event loop; the queue awaits only ZooKeeper config reads and the making of new logs' files in the
 * threadpool (LogManager.prepareNewLogs; 10,000 new logs would otherwise hold the loop for seconds), and applies
 * each batch synchronously afterwards; files made for a log that was not created after all are removed then. A batch that failed (a config read) is retried after CHANGE_RETRY_BACKOFF_MS.
 * Ownership: the ReplicaManager creates it over its `HostedPartitions` seam, starts it in its own startup and stops
 * it first in its shutdown. Crash: nothing is kept; a restarted broker re-reads every state.
 */
import type { Logger } from '../common/logger.js';
import type { Scheduler } from '../common/scheduler.js';
import { parseTpKey, tpKey, type TopicPartition } from '../common/topic-partition.js';
import { LOG_CONFIG, parseLogConfig, type LogConfig } from '../log/log-config.js';
import type { LogManager } from '../log/log-manager.js';
import { stateAddressesRegistration, type KafkaZkClient } from '../zk/kafka-zk-client.js';
import { ConfigType } from '../zk/zk-paths.js';
import type { MetadataCache, MetadataCacheEvents } from './metadata-cache.js';
import type { Partition } from './partition.js';
import type { ReplicaFetcherManager } from './replica-fetcher-manager.js';

/** Pause before re-applying state changes whose topic config could not be read. */
const CHANGE_RETRY_BACKOFF_MS = 1000;

/** What the applier changes in its owner: which replicas are hosted. */
export interface HostedPartitions {
  get(key: string): Partition | undefined;
  all(): Iterable<Partition>;
  /** Hosts a replica on its local log (created with `config` when missing, else given `config`). */
  host(topic: string, partition: number, config: LogConfig): Partition;
  /** Whether a live log dir holds this partition's log. */
  hasLocalLog(topic: string, partition: number): boolean;
  /** Stops hosting a replica: waiting requests are answered, its log is deleted. */
  unhost(partition: Partition): void;
  /** Deletes a local log that has no hosted replica (a deleted topic's, or a replica moved away while down). */
  deleteLocalLog(tp: TopicPartition): void;
  /** A hosted replica's state was applied: requests waiting on it re-check (lost leadership, a new ISR). */
  stateApplied(key: string): void;
}

export interface PartitionStateApplierOptions {
  brokerId: number;
  metadataCache: MetadataCache;
  logManager: Pick<LogManager, 'allLogs' | 'updateTopicConfig' | 'prepareNewLogs' | 'discardPreparedLogs'>;
  zk: Pick<KafkaZkClient, 'getEntityConfig'>;
  fetchers: Pick<ReplicaFetcherManager, 'addPartition' | 'removePartition'>;
  hosted: HostedPartitions;
  /** The broker's defaults of the topic config keys, under topic overrides (until `updateDefaultTopicConfig`). */
  defaultTopicConfig: Readonly<Record<string, string>>;
  /** A log dir failed to load at start: its replicas are unknown (invariant 6). */
  logDirsFailedAtStart: boolean;
  /** After a batch of state changes: the replicas that became leader or follower in it. */
  onLeadershipChange: (leaders: Partition[], followers: Partition[]) => void;
  scheduler: Scheduler;
  logger: Logger;
}

type Change = { kind: 'state'; topic: string; partition: number } | { kind: 'topicDeleted'; topic: string };

export class PartitionStateApplier {
  private readonly changes: Change[] = [];
  private draining: Promise<void> | undefined;
  private stopped = false;
  private fenced = false;
  /** Counts fence() calls: a resume() overtaken by a later fence() does not lift it. */
  private fenceGeneration = 0;
  /** Keys of the replicas offline here (invariant 6). */
  private readonly offline = new Set<string>();
  private readonly logger: Logger;
  private defaultTopicConfig: Readonly<Record<string, string>>;
  private readonly onPartitionState = (...[topic, partition]: MetadataCacheEvents['partitionState']): void =>
    this.enqueue({ kind: 'state', topic, partition });
  private readonly onTopicDeleted = (...[topic]: MetadataCacheEvents['topicDeleted']): void =>
    this.enqueue({ kind: 'topicDeleted', topic });

  constructor(private readonly opts: PartitionStateApplierOptions) {
    this.logger = opts.logger.child({ component: 'PartitionStateApplier' });
    this.defaultTopicConfig = opts.defaultTopicConfig;
  }

  /**
   * Loads the metadata, deletes local logs that are no longer assigned here, and applies the state of every
   * partition assigned to this broker; resolves once that first round is applied. Later changes follow the cache.
   */
  async start(): Promise<void> {
    const { metadataCache, brokerId } = this.opts;
    metadataCache.on('partitionState', this.onPartitionState);
    metadataCache.on('topicDeleted', this.onTopicDeleted);
    await metadataCache.start();
    this.deleteStrayLogs();
    for (const p of metadataCache.partitions()) {
      if (p.state !== undefined && p.replicas.includes(brokerId))
        this.enqueue({ kind: 'state', topic: p.topic, partition: p.partition });
    }
    await this.draining;
  }

  /** Stops following the cache; a batch still reading configs applies nothing when its reads return. */
  stop(): void {
    this.stopped = true;
    this.opts.metadataCache.off('partitionState', this.onPartitionState);
    this.opts.metadataCache.off('topicDeleted', this.onTopicDeleted);
  }

  /** True from `fence()` until `resume()` lifts it: no replica here acts as leader. */
  get leadershipFenced(): boolean {
    return this.fenced;
  }

  /**
   * Stops acting as leader at once (invariant 4): every replica led here becomes a follower without a leader,
   * without a fetcher; requests waiting on them re-check (a produce waiting for acks=all gets
   * NOT_LEADER_OR_FOLLOWER) and the group coordinator hears that leadership moved. For a broker whose ZooKeeper
   * session may have expired: the controller may be electing other leaders, and this broker would not hear of it.
   */
  fence(reason: string): void {
    this.fenceGeneration++;
    if (this.fenced || this.stopped) return;
    this.fenced = true;
    const demoted = this.giveUpLeadership(this.opts.hosted.all());
    this.logger.warn(
      { reason, leadershipGivenUp: demoted.length },
      'fenced: acting as leader of nothing until ZooKeeper speaks for this broker again',
    );
    if (demoted.length > 0) this.opts.onLeadershipChange([], demoted);
  }

  /** Whether a replica is offline here (invariant 6). */
  isOffline(key: string): boolean {
    return this.offline.has(key);
  }

  /** How many replicas are offline here. */
  get offlineCount(): number {
    return this.offline.size;
  }

  /**
   * Takes replicas whose log dir failed offline for good (invariant 6): those that led first give up leadership as
   * under the fence (waiting requests are answered, the group coordinator hears of it); the caller then stops
   * hosting them.
   */
  takeOffline(partitions: readonly Partition[]): void {
    for (const p of partitions) this.offline.add(p.key);
    const demoted = this.giveUpLeadership(partitions);
    if (demoted.length > 0) this.opts.onLeadershipChange([], demoted);
  }

  /**
   * Lifts the fence once ZooKeeper speaks for this broker again (its session confirmed, or a new one registered):
   * `refresh` re-reads every watched znode into the cache (ZkClient.refreshWatches), then the state of every replica
   * assigned here is applied again; resolves when that is done. A `fence()` meanwhile wins: the fence stays.
   */
  async resume(refresh: () => Promise<void>): Promise<void> {
    if (!this.fenced) return;
    const generation = this.fenceGeneration;
    await refresh();
    if (generation !== this.fenceGeneration || this.stopped) return;
    this.fenced = false;
    const { metadataCache, brokerId } = this.opts;
    for (const p of metadataCache.partitions()) {
      if (p.state !== undefined && p.replicas.includes(brokerId))
        this.enqueue({ kind: 'state', topic: p.topic, partition: p.partition });
    }
    await this.draining;
    this.logger.info('fence lifted: states re-read from ZooKeeper and applied');
  }

  /**
   * Re-reads a topic's config from ZooKeeper and applies it to the topic's local logs (and so to their
   * partitions: retention, segment roll, min.insync.replicas, ...). Called on a /config/changes notification.
   */
  async reloadTopicConfig(topic: string): Promise<void> {
    const config = await this.topicConfig(topic);
    this.opts.logManager.updateTopicConfig(topic, config);
    this.logger.info({ topic }, 'applied a changed topic config');
  }

  /** Makes every leader among `partitions` a follower without a leader (same epoch and zkVersion); returns them. */
  private giveUpLeadership(partitions: Iterable<Partition>): Partition[] {
    const demoted: Partition[] = [];
    for (const p of partitions) {
      if (!p.isLeader) continue;
      p.makeFollower(
        {
          leader: -1,
          leaderEpoch: p.leaderEpoch,
          isr: p.isr,
          controllerEpoch: p.controllerEpoch,
          zkVersion: p.zkVersion,
        },
        p.replicas,
      );
      this.opts.hosted.stateApplied(p.key);
      demoted.push(p);
    }
    return demoted;
  }

  /**
   * New broker-wide defaults of the topic keys (a dynamic broker config changed `log.retention.hours`, ...): every
   * local log's config is recomputed from its topic's overrides over them, so topics without an override follow.
   */
  async updateDefaultTopicConfig(defaults: Readonly<Record<string, string>>): Promise<void> {
    this.defaultTopicConfig = defaults;
    const topics = new Set(this.opts.logManager.allLogs.map((log) => log.topicPartition.topic));
    await Promise.all([...topics].map((topic) => this.reloadTopicConfig(topic)));
  }

  private enqueue(change: Change): void {
    if (this.stopped) return;
    this.changes.push(change);
    this.draining ??= this.drain();
  }

  /** Applies queued changes in order: a topic deletion alone, consecutive state changes as one batch. */
  private async drain(): Promise<void> {
    // Yield first: a drain that completed synchronously (a lone topic deletion) would clear `draining` before
    // enqueue's `??=` stored its promise, leaving a settled promise there and every later change unapplied.
    await Promise.resolve();
    while (this.changes.length > 0 && !this.stopped) {
      const first = this.changes.shift()!;
      if (first.kind === 'topicDeleted') {
        this.deleteTopicLocally(first.topic);
        continue;
      }
      const batch = new Map<string, TopicPartition>([[tpKey(first.topic, first.partition), first]]);
      for (let next = this.changes[0]; next?.kind === 'state'; next = this.changes[0]) {
        this.changes.shift();
        batch.set(tpKey(next.topic, next.partition), { topic: next.topic, partition: next.partition });
      }
      try {
        await this.applyStates([...batch.values()]);
      } catch (e) {
        this.logger.error({ err: e, partitions: batch.size }, 'applying partition states failed; retrying');
        this.opts.scheduler.schedule(
          'retry-partition-states',
          () => {
            for (const tp of batch.values()) this.enqueue({ kind: 'state', ...tp });
          },
          CHANGE_RETRY_BACKOFF_MS,
        );
      }
    }
    this.draining = undefined;
  }

  private async applyStates(tps: TopicPartition[]): Promise<void> {
    const { hosted, metadataCache, logManager, brokerId } = this.opts;
    const newTopics = new Set<string>();
    const newLogs: TopicPartition[] = [];
    for (const tp of tps) {
      if (
        hosted.get(tpKey(tp.topic, tp.partition)) === undefined &&
        metadataCache.replicas(tp.topic, tp.partition)?.includes(brokerId)
      ) {
        newTopics.add(tp.topic);
        if (!this.opts.logDirsFailedAtStart && !this.offline.has(tpKey(tp.topic, tp.partition))) newLogs.push(tp);
      }
    }
    // The new logs' files are made in the threadpool meanwhile (it never fails); hosting them below only opens them.
    const preparing = logManager.prepareNewLogs(newLogs);
    let configs: Map<string, LogConfig>;
    try {
      configs = new Map(await Promise.all([...newTopics].map(async (t) => [t, await this.topicConfig(t)] as const)));
    } finally {
      await preparing;
    }
    try {
      if (this.stopped) return;
      const leaders: Partition[] = [];
      const followers: Partition[] = [];
      const earlierRun: string[] = [];
      for (const tp of tps) {
        const partition = this.applyState(tp.topic, tp.partition, configs, earlierRun);
        if (partition === undefined) continue;
        (partition.role === 'Leader' ? leaders : followers).push(partition);
      }
      if (earlierRun.length > 0) {
        this.logger.info(
          { partitions: earlierRun.length, first: earlierRun.slice(0, 10) },
          'states naming this broker leader predate its registration (written for an earlier run of it); ' +
            'following them without a leader until the controller elects',
        );
      }
      if (leaders.length > 0 || followers.length > 0) this.opts.onLeadershipChange(leaders, followers);
    } finally {
      logManager.discardPreparedLogs();
    }
  }

  /**
   * Applies the cache's current state of one partition; returns the replica if its role changed. A state naming this
   * broker leader that predates its registration (invariant 5) adds the partition to `earlierRun`.
   */
  private applyState(
    topic: string,
    partitionId: number,
    configs: ReadonlyMap<string, LogConfig>,
    earlierRun: string[],
  ): Partition | undefined {
    const { hosted, metadataCache, fetchers, brokerId } = this.opts;
    const key = tpKey(topic, partitionId);
    const state = metadataCache.partitionState(topic, partitionId);
    const replicas = metadataCache.replicas(topic, partitionId);
    let partition = hosted.get(key);
    if (replicas === undefined || state === undefined || this.offline.has(key)) return undefined;
    if (!replicas.includes(brokerId)) {
      if (partition !== undefined) {
        this.logger.info({ topicPartition: key, replicas }, 'replica moved away from this broker; deleting it');
        hosted.unhost(partition);
      }
      return undefined;
    }
    if (partition === undefined) {
      const config = configs.get(topic);
      if (config === undefined) return undefined; // assigned while the batch's configs were read; next batch
      if (this.opts.logDirsFailedAtStart && state.isr.includes(brokerId) && !hosted.hasLocalLog(topic, partitionId)) {
        this.offline.add(key);
        this.logger.warn(
          { topicPartition: key, isr: state.isr },
          'replica in the ISR without a local log while a log dir is offline: it may have been there; offline',
        );
        return undefined;
      }
      partition = hosted.host(topic, partitionId, config);
    } else if (
      partition.role !== 'None' &&
      (state.leaderEpoch < partition.leaderEpoch ||
        (state.leaderEpoch === partition.leaderEpoch && state.zkVersion < partition.zkVersion))
    ) {
      this.logger.info(
        { topicPartition: key, state, leaderEpoch: partition.leaderEpoch, zkVersion: partition.zkVersion },
        'ignoring a partition state older than the one applied',
      );
      return undefined;
    }
    let changed = false;
    const earlierRunsState = state.leader === brokerId && !this.addressesThisRegistration(topic, partitionId);
    if (earlierRunsState) earlierRun.push(key);
    if (state.leader === brokerId && !this.fenced && !earlierRunsState) {
      fetchers.removePartition(key);
      changed = partition.makeLeader(state, replicas);
    } else if (partition.makeFollower(state.leader === brokerId ? { ...state, leader: -1 } : state, replicas)) {
      changed = true;
      fetchers.removePartition(key);
      if (state.leader >= 0 && state.leader !== brokerId)
        fetchers.addPartition(partition, state.leader, state.leaderEpoch);
    }
    hosted.stateApplied(key);
    return changed ? partition : undefined;
  }

  /**
   * Whether the partition's state was written after this broker registered (invariant 5). The cache lists this
   * broker whenever it is registered (it registers before the cache starts, and a new session re-reads the cache
   * before the fence lifts); unlisted, there is no registration to compare with and the fence decides.
   */
  private addressesThisRegistration(topic: string, partition: number): boolean {
    const { metadataCache, brokerId } = this.opts;
    const registration = metadataCache.broker(brokerId);
    const mzxid = metadataCache.partitionStateMzxid(topic, partition);
    return registration === undefined || mzxid === undefined || stateAddressesRegistration(mzxid, registration.epoch);
  }

  private deleteTopicLocally(topic: string): void {
    const { hosted, logManager } = this.opts;
    for (const key of [...this.offline]) if (parseTpKey(key)?.topic === topic) this.offline.delete(key);
    for (const p of [...hosted.all()]) if (p.topic === topic) hosted.unhost(p);
    for (const log of [...logManager.allLogs]) {
      if (log.topicPartition.topic === topic) hosted.deleteLocalLog(log.topicPartition);
    }
    this.logger.info({ topic }, 'deleted local data of a deleted topic');
  }

  /** Logs of topics deleted, partitions removed or replicas moved away while this broker was down. */
  private deleteStrayLogs(): void {
    const { metadataCache, logManager, hosted, brokerId } = this.opts;
    if (!metadataCache.topicListLoaded) {
      this.logger.warn('the topic list was not read from ZooKeeper; keeping every local log');
      return;
    }
    for (const log of [...logManager.allLogs]) {
      const { topic, partition } = log.topicPartition;
      if (metadataCache.replicas(topic, partition)?.includes(brokerId)) continue;
      this.logger.info(
        { topicPartition: tpKey(topic, partition) },
        'deleting a local log that is no longer assigned here',
      );
      hosted.deleteLocalLog(log.topicPartition);
    }
  }

  /** A topic's config: its /config/topics/<t> overrides over the broker defaults (unknown keys ignored). */
  private async topicConfig(topic: string): Promise<LogConfig> {
    const overrides = await this.opts.zk.getEntityConfig(ConfigType.Topic, topic);
    const known: Record<string, string> = {};
    for (const [name, value] of Object.entries(overrides)) {
      if (LOG_CONFIG.has(name)) known[name] = value;
      else this.logger.warn({ topic, key: name }, 'ignoring an unknown topic config key');
    }
    try {
      return parseLogConfig(known, this.defaultTopicConfig);
    } catch (e) {
      this.logger.error({ err: e, topic, overrides }, 'invalid topic config overrides; using the broker defaults');
      return parseLogConfig({}, this.defaultTopicConfig);
    }
  }
}
