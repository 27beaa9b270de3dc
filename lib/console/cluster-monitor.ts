/**
 * Reads the cluster once per refresh interval through the Admin client and keeps what the pages need between
 * requests: the latest `ClusterSnapshot` (pushed to every subscriber: the server's event streams), the topics'
 * metadata and the replicas' log dirs, each topic's end offsets (for its message rate) and each group's total lag
 * over the history window (for its chart).
 *
 * One refresh, published in two steps: DescribeCluster → in parallel an ApiVersions probe of every registered
 * broker (`probeTimeoutMs`: a broker that does not answer in time is unreachable), the topics' metadata and, with
 * --zookeeper, the ensemble's `srvr` answers; then the end offsets (asked per leader, so one silent leader costs
 * only its partitions) and every answering broker's log dirs → first snapshot (brokers and topics, on time even
 * while a broker is down). Then the consumer groups (ListGroups asks every registered broker, so a silent one holds
 * it up to the call timeout) with each group's committed offsets → second snapshot. A failed read leaves its part
 * of the snapshot as it was, and says so in `problems`.
 *
 * Concurrency: refreshes start on a fixed-rate timer and never overlap (a tick that finds one running is skipped);
 * the HTTP handlers only read the fields a refresh replaces whole. Ownership: uses but does not own the Admin and
 * ZooKeeper clients. `stop()` ends the timer and waits for a running refresh.
 */
import type {
  Admin,
  BrokerLogDirs,
  ClusterDescription,
  ConsumerGroupDescription,
  TopicDescription,
} from '../client/admin/admin.js';
import type { Logger } from '../common/logger.js';
import { apiKeyName } from '../protocol/api-keys.js';
import type {
  BrokerStatus,
  ClusterSnapshot,
  GroupSummary,
  Point,
  ZooKeeperServerView,
  ZooKeeperView,
} from './api-types.js';
import { brokerStatus, brokerViews, topicSummary, type BrokerAddress, type ProbeResult } from './cluster-health.js';
import type { ResolvedConsoleOptions } from './console-options.js';
import { partitionLags, totalLag, tpKey } from './group-lag.js';
import { offsetsByLeader } from './partition-offsets.js';
import { SeriesStore } from './time-series.js';
import { parseConnectString, probeZooKeeperServer } from './zookeeper-status.js';

/** Per-replica facts from DescribeLogDirs: bytes and how far its log end is behind the high watermark. */
export interface ReplicaLogDir {
  sizeBytes: number;
  offsetLag: number;
}

export class ClusterMonitor {
  private readonly known = new Map<number, BrokerAddress>();
  private readonly endOffsetTotals: SeriesStore;
  private readonly groupLag: SeriesStore;
  private readonly listeners = new Set<(snapshot: ClusterSnapshot) => void>();
  private latest: ClusterSnapshot | null = null;
  private topicsMetadata: TopicDescription[] = [];
  private clusterId: string | null = null;
  private controllerId: number | null = null;
  private registered = new Set<number>();
  private probes = new Map<number, ProbeResult>();
  /** broker id → `topic-partition` → its replica there. */
  private logDirs = new Map<number, Map<string, ReplicaLogDir>>();
  private groups: GroupSummary[] | null = null;
  private zooKeeperConnect: { connect: string; source: string } | null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private firstRefresh: Promise<void>;
  private resolveFirst!: () => void;

  constructor(
    private readonly admin: Admin,
    private readonly options: ResolvedConsoleOptions,
    private readonly logger: Logger,
  ) {
    this.endOffsetTotals = new SeriesStore(options.historyMs);
    this.groupLag = new SeriesStore(options.historyMs);
    this.zooKeeperConnect =
      options.zookeeper === null ? null : { connect: options.zookeeper, source: 'the console’s --zookeeper' };
    this.firstRefresh = new Promise((resolve) => (this.resolveFirst = resolve));
  }

  /** Refreshes now, then every refresh interval. */
  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.refreshIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Resolves once the first refresh has finished (whatever it could read). */
  whenReady(): Promise<void> {
    return this.firstRefresh;
  }

  snapshot(): ClusterSnapshot | null {
    return this.latest;
  }

  /** Calls `listener` with each new snapshot; returns the unsubscribe function. */
  subscribe(listener: (snapshot: ClusterSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The topics' metadata as of the last refresh. */
  topics(): readonly TopicDescription[] {
    return this.topicsMetadata;
  }

  status(brokerId: number): BrokerStatus {
    return brokerStatus(brokerId, this.registered, this.probes);
  }

  /** The replica of `topic-partition` on `brokerId`, as its broker last described its log dirs. */
  replicaLogDir(brokerId: number, topic: string, partition: number): ReplicaLogDir | null {
    return this.logDirs.get(brokerId)?.get(tpKey(topic, partition)) ?? null;
  }

  /** Records appended per second to `topic` at each refresh over the history window. */
  topicRates(topic: string): Point[] {
    return this.endOffsetTotals.get(topic)?.rates() ?? [];
  }

  groupLagHistory(groupId: string): Point[] {
    return this.groupLag.get(groupId)?.points() ?? [];
  }

  /** Starts a refresh unless one is running. */
  private tick(): void {
    if (this.running !== null) return;
    this.running = this.refresh()
      .catch((e: unknown) => this.logger.warn({ err: e }, 'Console refresh failed'))
      .finally(() => {
        this.running = null;
        this.resolveFirst();
      });
  }

  private get callTimeoutMs(): number {
    return Math.max(this.options.refreshIntervalMs, 3 * this.options.probeTimeoutMs);
  }

  /** One refresh (see the header). */
  private async refresh(): Promise<void> {
    const problems: string[] = [];
    const failed = (what: string) => (e: unknown) => {
      problems.push(`${what}: ${(e as Error).message}`);
      return null;
    };
    const timeoutMs = this.callTimeoutMs;
    const cluster = await this.admin.describeCluster({ timeoutMs }).catch(failed('Cluster'));
    if (cluster !== null) this.noteRegistered(cluster);
    const [probes, topics, zkServers] = await Promise.all([
      cluster === null ? null : this.probeBrokers(),
      this.describeAllTopics(timeoutMs).catch(failed('Topics')),
      this.zooKeeperServers(),
    ]);
    // No broker answered DescribeCluster: none of them is known to be up.
    this.probes =
      probes ?? new Map([...this.registered].map((id) => [id, { error: 'no broker answered DescribeCluster' }]));
    if (topics !== null) this.topicsMetadata = topics;
    if (this.zooKeeperConnect === null && cluster !== null) await this.learnZooKeeperConnect(cluster);
    const now = Date.now();
    const [ends] = await Promise.all([this.endOffsets(problems), this.readLogDirs(problems)]);
    this.recordEndOffsets(now, ends);
    this.publish(now, zkServers, problems);
    const groupListing = await this.admin.listConsumerGroups({ timeoutMs }).catch(failed('Consumer groups'));
    if (groupListing !== null) {
      this.groups = await this.groupSummaries(
        groupListing.map((g) => g.groupId),
        ends,
        now,
        problems,
      );
    }
    this.publish(now, zkServers, problems);
  }

  private noteRegistered(cluster: ClusterDescription): void {
    this.clusterId = cluster.clusterId;
    this.controllerId = cluster.controllerId;
    this.registered = new Set(cluster.brokers.map((b) => b.nodeId));
    for (const b of cluster.brokers) this.known.set(b.nodeId, { host: b.host, port: b.port, rack: b.rack });
  }

  private async probeBrokers(): Promise<Map<number, ProbeResult>> {
    const answers = await this.admin.describeBrokerApiVersions({ timeoutMs: this.options.probeTimeoutMs });
    const probes = new Map<number, ProbeResult>();
    for (const b of answers) {
      probes.set(
        b.nodeId,
        b.apis === undefined
          ? { error: b.error?.message ?? 'no answer' }
          : { apis: b.apis.map((a) => ({ ...a, name: apiKeyName(a.apiKey) })) },
      );
    }
    return probes;
  }

  /** Every topic's metadata; a topic deleted between the listing and the description is listed again once. */
  private async describeAllTopics(timeoutMs: number): Promise<TopicDescription[]> {
    for (let attempt = 0; ; attempt++) {
      const names = await this.admin.listTopics({ includeInternal: true, timeoutMs });
      try {
        return await this.admin.describeTopics(names, { timeoutMs });
      } catch (e) {
        if (attempt > 0 || (e as { errorName?: string }).errorName !== 'UNKNOWN_TOPIC_OR_PARTITION') throw e;
      }
    }
  }

  /** High watermarks by `topic-partition`; partitions whose leader does not answer are left out. */
  private async endOffsets(problems: string[]): Promise<Map<string, number>> {
    const partitions = this.topicsMetadata.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partition, leader: p.leader })),
    );
    const ends = await offsetsByLeader(this.admin, partitions, 'latest', {
      online: (id) => this.status(id) === 'online',
      timeoutMs: this.callTimeoutMs,
    });
    problems.push(...ends.problems);
    return ends.offsets;
  }

  private async readLogDirs(problems: string[]): Promise<void> {
    const online = [...this.registered].filter((id) => this.status(id) === 'online');
    const read = await Promise.all(
      online.map((id) =>
        this.admin
          .describeLogDirs([id], { timeoutMs: this.callTimeoutMs })
          .then((dirs) => dirs[0]!)
          .catch((e: unknown) => {
            problems.push(`Log dirs of broker ${id}: ${(e as Error).message}`);
            return null;
          }),
      ),
    );
    const next = new Map<number, Map<string, ReplicaLogDir>>();
    for (const dirs of read.filter((d): d is BrokerLogDirs => d !== null)) {
      const replicas = new Map<string, ReplicaLogDir>();
      for (const dir of dirs.logDirs) {
        for (const p of dir.partitions.filter((q) => !q.isFuture))
          replicas.set(tpKey(p.topic, p.partition), { sizeBytes: p.size, offsetLag: p.offsetLag });
      }
      next.set(dirs.nodeId, replicas);
    }
    this.logDirs = next;
  }

  private recordEndOffsets(now: number, ends: ReadonlyMap<string, number>): void {
    const names = new Set<string>();
    for (const t of this.topicsMetadata) {
      names.add(t.name);
      const offsets = t.partitions.map((p) => ends.get(tpKey(t.name, p.partition)));
      // A rate needs every partition's end: a partial sum would read as records disappearing.
      if (offsets.every((o) => o !== undefined)) {
        this.endOffsetTotals.add(
          t.name,
          now,
          offsets.reduce((a, b) => a + b, 0),
        );
      }
    }
    this.endOffsetTotals.retain(names);
  }

  private async groupSummaries(
    groupIds: readonly string[],
    ends: ReadonlyMap<string, number>,
    now: number,
    problems: string[],
  ): Promise<GroupSummary[]> {
    const timeoutMs = this.callTimeoutMs;
    const summaries = await Promise.all(
      groupIds.map(async (groupId): Promise<GroupSummary> => {
        try {
          const [[group], committed] = await Promise.all([
            this.admin.describeConsumerGroups([groupId], { timeoutMs }),
            this.admin.listConsumerGroupOffsets(groupId, undefined, { timeoutMs }),
          ]);
          const lag = totalLag(partitionLags(group!, committed, ends));
          if (lag !== null) this.groupLag.add(groupId, now, lag);
          return summaryOf(group!, lag);
        } catch (e) {
          problems.push(`Consumer group '${groupId}': ${(e as Error).message}`);
          const previous = this.groups?.find((g) => g.groupId === groupId);
          return previous ?? { groupId, state: 'Unknown', members: 0, assignor: '', coordinator: null, totalLag: null };
        }
      }),
    );
    this.groupLag.retain(new Set(groupIds));
    return summaries;
  }

  private async zooKeeperServers(): Promise<ZooKeeperServerView[] | null> {
    if (this.options.zookeeper === null) return null;
    const { servers } = parseConnectString(this.options.zookeeper);
    return Promise.all(servers.map((s) => probeZooKeeperServer(s, this.options.probeTimeoutMs)));
  }

  /** Without --zookeeper, the ensemble the brokers use: the controller's (or any broker's) zookeeper.connect. */
  private async learnZooKeeperConnect(cluster: ClusterDescription): Promise<void> {
    const id = cluster.controllerId >= 0 ? cluster.controllerId : cluster.brokers[0]?.nodeId;
    if (id === undefined) return;
    try {
      const [described] = await this.admin.describeConfigs(
        [{ type: 'broker', name: String(id), keys: ['zookeeper.connect'] }],
        { timeoutMs: this.callTimeoutMs },
      );
      const value = described?.configs.find((c) => c.name === 'zookeeper.connect')?.value;
      if (typeof value === 'string' && value !== '')
        this.zooKeeperConnect = { connect: value, source: `zookeeper.connect of broker ${id}` };
    } catch (e) {
      this.logger.debug({ err: e }, 'Could not read zookeeper.connect');
    }
  }

  private publish(now: number, zkServers: ZooKeeperServerView[] | null, problems: string[]): void {
    const status = (id: number) => this.status(id);
    const sizes = new Map<number, number>();
    for (const [id, replicas] of this.logDirs)
      sizes.set(
        id,
        [...replicas.values()].reduce((sum, r) => sum + r.sizeBytes, 0),
      );
    const topics = this.topicsMetadata.map((t) => {
      const leaderSizes = new Map<number, number>();
      for (const p of t.partitions) {
        const size = p.leader < 0 ? undefined : this.replicaLogDir(p.leader, t.name, p.partition)?.sizeBytes;
        if (size !== undefined) leaderSizes.set(p.partition, size);
      }
      const rateWindowMs = Math.max(10_000, 5 * this.options.refreshIntervalMs);
      return topicSummary(t, status, leaderSizes, this.endOffsetTotals.get(t.name)?.ratePerSec(rateWindowMs) ?? null);
    });
    const zookeeper: ZooKeeperView | null =
      this.zooKeeperConnect === null ? null : { ...this.zooKeeperConnect, servers: zkServers };
    const snapshot: ClusterSnapshot = {
      takenAt: now,
      refreshIntervalMs: this.options.refreshIntervalMs,
      readOnly: this.options.readOnly,
      features: { zookeeper: this.options.zookeeper !== null },
      clusterId: this.clusterId,
      controllerId: this.controllerId,
      brokers: brokerViews({
        registered: new Map([...this.registered].map((id) => [id, this.known.get(id)!])),
        known: this.known,
        probes: this.probes,
        controllerId: this.controllerId,
        topics: this.topicsMetadata,
        sizes,
      }),
      topics,
      totals: {
        topics: topics.length,
        partitions: topics.reduce((n, t) => n + t.partitions, 0),
        underReplicated: topics.reduce((n, t) => n + t.underReplicated, 0),
        offline: topics.reduce((n, t) => n + t.offline, 0),
        atRisk: topics.reduce((n, t) => n + t.atRisk, 0),
      },
      groups: this.groups,
      zookeeper,
      problems,
    };
    this.latest = snapshot;
    for (const listener of this.listeners) listener(snapshot);
  }
}

function summaryOf(group: ConsumerGroupDescription, lag: number | null): GroupSummary {
  return {
    groupId: group.groupId,
    state: group.state,
    members: group.members.length,
    assignor: group.partitionAssignor,
    coordinator: group.coordinator,
    totalLag: lag,
  };
}
