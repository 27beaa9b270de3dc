/**
 * The broker's view of the cluster, kept current from ZooKeeper watches (the role Kafka's MetadataCache plays,
 * fed here by ZooKeeper instead of UpdateMetadata requests: this product has no controller→broker RPCs).
 *
 * Watched znodes (all through ZkClient's re-arming watches, which hand the handler a fresh read every time):
 *   /cluster/id, /controller                        data
 *   /brokers/ids                                     children, then data of each /brokers/ids/<id>
 *   /brokers/topics                                  children, then data of each /brokers/topics/<t> (assignment)
 *   /brokers/topics/<t>/partitions                   children: which partitions have their znode (and so their state)
 *   /brokers/topics/<t>/partitions/<p>/state         data, for every partition that is both assigned and listed
 *
 * Why the partition list: the controller creates /partitions/<p> and /partitions/<p>/state in one multi, so a
 * partition listed there has its state. Arming a state watch only then costs one successful getData per partition
 * instead of a getData failing NO_NODE, an error and an exists watch for each partition of a topic just created
 * (then a notification and a re-read each when the controller writes the states); the topic's one children watch
 * fires instead, and the reads it starts are pipelined (many in flight, none awaited before the next is sent).
 * A partition that leaves the list (its topic being deleted) has its watch stopped and keeps its last state.
 *
 * Fencing (what Kafka enforces on LeaderAndIsr, applied to what is read): per partition, a state is ignored when
 * its controller_epoch is older than that of the state held, when its leader_epoch is older, or when it has the
 * same leader_epoch and a zkVersion that is not newer (same leader_epoch with a newer zkVersion is an ISR change).
 * The rule is per partition and not against the highest controller epoch seen anywhere: a state znode untouched
 * since an older controller wrote it is still the current one. A state znode or topic znode that was deleted and
 * created again (another czxid) starts a new incarnation: the old state is forgotten and, for a topic,
 * 'topicDeleted' is emitted first so that local data of the old incarnation goes away.
 *
 * Events: 'partitionState' (topic, partition, state, replicas) whenever the accepted state or the replica list of
 * a partition that has a state changes; 'topicDeleted' (topic) when a topic known here disappears or is replaced;
 * 'brokers' () when the set of live brokers or one's registration changes. Listeners run synchronously inside the
 * watch callback and must not throw.
 *
 * Invariants: a partition's state only moves forward (fencing above); every topic in `topics()` (and every topic
 * `hasTopic` admits) has its assignment loaded: a topic znode listed but not yet read, or unreadable, is not a
 * topic yet, so that Metadata never answers a topic with no partitions; `start()` resolves once every watch set up during the initial load delivered its first read.
 * Concurrency: watch handlers of different znodes interleave at their awaits; each handler of one znode runs
 * serially (ZkClient guarantees it) and only mutates the entries it owns. A topic's children handler awaits the
 * first read of the watches it creates, which is how `start()` knows the full tree is loaded. Reads of the tree
 * are pipelined by the ZooKeeper client (10,000 partitions are 10,000 getData requests in flight, not round trips
 * in sequence); each event touches only its own entries (no O(n^2) rescans).
 * Ownership: the broker creates it with its ZkClient, calls `start()` once and `close()` at shutdown; close()
 * stops every watch. Session expiry needs nothing here: ZkClient re-arms every watch on the new session, and the
 * fresh reads (including topic list and broker list) reconcile everything that changed meanwhile.
 * Crash: nothing persisted; the next start reads everything again.
 */
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../common/logger.js';
import type { ZkClient, ZkNodeData } from '../zk/zk-client.js';
import {
  BrokerIdsZNode,
  BrokerIdZNode,
  ClusterIdZNode,
  ControllerZNode,
  TopicPartitionStateZNode,
  TopicPartitionsZNode,
  TopicsZNode,
  TopicZNode,
  type EndPoint,
  type LeaderIsrAndControllerEpoch,
} from '../zk/zk-paths.js';

/** A partition's leader and ISR as last accepted, with the state znode's version (the token for ISR writes). */
export interface PartitionState extends LeaderIsrAndControllerEpoch {
  readonly zkVersion: number;
}

/** A live broker as registered under /brokers/ids/<id>. */
export interface AliveBroker {
  readonly id: number;
  /** Host and port of the inter-broker listener's endpoint ('' and -1 when it has none). */
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
  readonly endpoints: readonly EndPoint[];
  /** Broker epoch: the czxid of the registration znode (KIP-380). */
  readonly epoch: number;
}

export interface MetadataCacheEvents {
  partitionState: [topic: string, partition: number, state: PartitionState, replicas: readonly number[]];
  topicDeleted: [topic: string];
  brokers: [];
  /** /controller changed: the id of the new controller, or null while there is none. */
  controller: [controllerId: number | null];
}

/** The part of ZkClient the cache uses; a spec can hand in an in-memory double. */
export type ZkWatcher = Pick<ZkClient, 'watchData' | 'watchChildren'>;

export interface MetadataCacheOptions {
  zk: ZkWatcher;
  /** The listener brokers talk to each other on: its endpoint is each AliveBroker's host and port. @default 'PLAINTEXT' */
  interBrokerListenerName?: string;
  logger?: Logger;
}

interface PartitionEntry {
  replicas: readonly number[];
  /** Replicas a reassignment in progress is taking away (the assignment's removing_replicas). */
  removing: readonly number[];
  state: PartitionState | undefined;
  /** czxid of the state znode the state came from. */
  stateCzxid: number;
  /** mzxid of the state znode when the state was read: the zxid of the write that made it. */
  stateMzxid: number;
  /** Stops the state watch; undefined while no watch is armed (the partition is not listed under /partitions). */
  unwatch: (() => void) | undefined;
}

interface TopicEntry {
  /** czxid of /brokers/topics/<t>: a different one means the topic was deleted and created again. */
  czxid: number;
  topicId: string | null;
  partitions: Map<number, PartitionEntry>;
  /** Partition ids listed under /brokers/topics/<t>/partitions at the last read of that list. */
  listed: ReadonlySet<number>;
  /** Stops the assignment watch, the partition list watch and every state watch. */
  unwatch: () => void;
}

/** A watch registration and a promise for its first delivered read. */
interface Subscription {
  unwatch: () => void;
  loaded: Promise<void>;
}

export class MetadataCache extends EventEmitter<MetadataCacheEvents> {
  private readonly zk: ZkWatcher;
  private readonly interBrokerListenerName: string;
  private readonly log: Logger;
  private clusterIdValue: string | null = null;
  private controllerIdValue: number | null = null;
  private readonly brokers = new Map<number, AliveBroker>();
  private readonly brokerWatches = new Map<number, () => void>();
  private readonly topicEntries = new Map<string, TopicEntry>();
  private topicListRead = false;
  private readonly unwatchers: (() => void)[] = [];
  private started: Promise<void> | undefined;
  private closed = false;

  constructor(opts: MetadataCacheOptions) {
    super();
    this.zk = opts.zk;
    this.interBrokerListenerName = opts.interBrokerListenerName ?? 'PLAINTEXT';
    this.log = (opts.logger ?? silentLogger).child({ component: 'MetadataCache' });
  }

  /** Sets up every watch; resolves after the initial full load. Idempotent: later calls return the same promise. */
  start(): Promise<void> {
    this.started ??= this.load();
    return this.started;
  }

  /** Stops every watch. */
  close(): void {
    this.closed = true;
    for (const unwatch of this.unwatchers.splice(0)) unwatch();
    for (const unwatch of this.brokerWatches.values()) unwatch();
    this.brokerWatches.clear();
    for (const entry of this.topicEntries.values()) entry.unwatch();
  }

  get clusterId(): string | null {
    return this.clusterIdValue;
  }

  /** The active controller's broker id, or null while there is none. */
  get controllerId(): number | null {
    return this.controllerIdValue;
  }

  /**
   * True once /brokers/topics has been read as an existing znode: only then does a topic missing from `topics()`
   * mean it does not exist (and local data of it may be deleted).
   */
  get topicListLoaded(): boolean {
    return this.topicListRead;
  }

  /** Live brokers by ascending id. */
  aliveBrokers(): AliveBroker[] {
    return [...this.brokers.values()].sort((a, b) => a.id - b.id);
  }

  broker(id: number): AliveBroker | undefined {
    return this.brokers.get(id);
  }

  /** Topics whose assignment is loaded (a topic listed in ZooKeeper but not yet read is not one of them). */
  topics(): string[] {
    return [...this.topicEntries].filter(([, e]) => assignmentLoaded(e)).map(([topic]) => topic);
  }

  hasTopic(topic: string): boolean {
    return this.loadedTopic(topic) !== undefined;
  }

  /** Kafka's topic id (KIP-516) of a topic, or null when it has none. */
  topicId(topic: string): string | null {
    return this.loadedTopic(topic)?.topicId ?? null;
  }

  /** Number of partitions of a topic, or undefined when the topic does not exist (or its assignment is unread). */
  partitionCount(topic: string): number | undefined {
    return this.loadedTopic(topic)?.partitions.size;
  }

  private loadedTopic(topic: string): TopicEntry | undefined {
    const entry = this.topicEntries.get(topic);
    return entry !== undefined && assignmentLoaded(entry) ? entry : undefined;
  }

  /** A partition's replica list (element 0 is the preferred leader), or undefined when it does not exist. */
  replicas(topic: string, partition: number): readonly number[] | undefined {
    return this.topicEntries.get(topic)?.partitions.get(partition)?.replicas;
  }

  /** The replicas a reassignment in progress is removing from a partition (empty when none). */
  removingReplicas(topic: string, partition: number): readonly number[] {
    return this.topicEntries.get(topic)?.partitions.get(partition)?.removing ?? [];
  }

  /** A partition's last accepted state, or undefined when its state znode does not exist yet. */
  partitionState(topic: string, partition: number): PartitionState | undefined {
    return this.topicEntries.get(topic)?.partitions.get(partition)?.state;
  }

  /** The zxid of the write that made the partition's current state (its state znode's mzxid when read). */
  partitionStateMzxid(topic: string, partition: number): number | undefined {
    const entry = this.topicEntries.get(topic)?.partitions.get(partition);
    return entry?.state === undefined ? undefined : entry.stateMzxid;
  }

  /** Every partition of every topic, with its replicas and state (if any). */
  *partitions(): Generator<{
    topic: string;
    partition: number;
    replicas: readonly number[];
    state: PartitionState | undefined;
  }> {
    for (const [topic, entry] of this.topicEntries) {
      for (const [partition, p] of entry.partitions) yield { topic, partition, replicas: p.replicas, state: p.state };
    }
  }

  // ---- loading ----

  private async load(): Promise<void> {
    const subs = [
      this.subscribeData(ClusterIdZNode.path, (node) => {
        this.clusterIdValue = node === null ? null : this.decodeOrNull(() => ClusterIdZNode.decode(node.data));
      }),
      this.subscribeData(ControllerZNode.path, (node) => {
        const previous = this.controllerIdValue;
        this.controllerIdValue = node === null ? null : this.decodeOrNull(() => ControllerZNode.decode(node.data));
        if (this.controllerIdValue !== previous) this.emit('controller', this.controllerIdValue);
      }),
      this.subscribeChildren(BrokerIdsZNode.path, (children) => this.onBrokerIds(children)),
      this.subscribeChildren(TopicsZNode.path, (children) => this.onTopicList(children)),
    ];
    for (const s of subs) this.unwatchers.push(s.unwatch);
    await Promise.all(subs.map((s) => s.loaded));
    this.log.info({ brokers: this.brokers.size, topics: this.topicEntries.size }, 'metadata loaded from ZooKeeper');
  }

  private async onBrokerIds(children: string[] | null): Promise<void> {
    const ids = new Set((children ?? []).filter((c) => /^\d+$/.test(c)).map(Number));
    let changed = false;
    for (const [id, unwatch] of this.brokerWatches) {
      if (ids.has(id)) continue;
      unwatch();
      this.brokerWatches.delete(id);
      changed = this.brokers.delete(id) || changed;
    }
    const loads: Promise<void>[] = [];
    for (const id of ids) {
      if (this.brokerWatches.has(id)) continue;
      const sub = this.subscribeData(BrokerIdZNode.path(id), (node) => this.onBroker(id, node));
      this.brokerWatches.set(id, sub.unwatch);
      loads.push(sub.loaded);
    }
    await Promise.all(loads);
    if (changed) this.emit('brokers');
  }

  private onBroker(id: number, node: ZkNodeData | null): void {
    if (node === null) {
      if (this.brokers.delete(id)) this.emit('brokers');
      return;
    }
    const registration = this.decodeOrNull(() => BrokerIdZNode.decode(id, node.data));
    if (registration === null) return;
    const interBroker = registration.endpoints.find((e) => e.listenerName === this.interBrokerListenerName);
    this.brokers.set(id, {
      id,
      host: interBroker?.host ?? '',
      port: interBroker?.port ?? -1,
      rack: registration.rack,
      endpoints: registration.endpoints,
      epoch: node.stat.czxid,
    });
    this.emit('brokers');
  }

  private async onTopicList(children: string[] | null): Promise<void> {
    if (children === null) {
      this.log.warn({ path: TopicsZNode.path }, 'topic list znode is missing; is zookeeper.connect (chroot) right?');
    } else {
      this.topicListRead = true;
    }
    const topics = new Set(children ?? []);
    for (const topic of [...this.topicEntries.keys()]) {
      if (!topics.has(topic)) this.removeTopic(topic);
    }
    const loads: Promise<void>[] = [];
    for (const topic of topics) {
      if (this.topicEntries.has(topic)) continue;
      loads.push(this.addTopic(topic));
    }
    await Promise.all(loads);
  }

  /**
   * Watches a topic's assignment and partition list; resolves when both were read and so was every state watch that
   * either of them armed (whichever handler ran second armed them and awaited their first reads).
   */
  private async addTopic(topic: string): Promise<void> {
    const entry: TopicEntry = { czxid: -1, topicId: null, partitions: new Map(), listed: new Set(), unwatch: () => {} };
    this.topicEntries.set(topic, entry);
    const assignment = this.subscribeData(TopicZNode.path(topic), (node) => this.onAssignment(topic, entry, node));
    const list = this.subscribeChildren(TopicPartitionsZNode.path(topic), (children) =>
      this.onPartitionList(topic, entry, children),
    );
    entry.unwatch = () => {
      assignment.unwatch();
      list.unwatch();
      for (const p of entry.partitions.values()) p.unwatch?.();
    };
    await Promise.all([assignment.loaded, list.loaded]);
  }

  private removeTopic(topic: string): void {
    const entry = this.topicEntries.get(topic);
    if (entry === undefined) return;
    entry.unwatch();
    this.topicEntries.delete(topic);
    this.log.info({ topic }, 'topic deleted');
    this.emit('topicDeleted', topic);
  }

  private async onAssignment(topic: string, entry: TopicEntry, node: ZkNodeData | null): Promise<void> {
    if (this.topicEntries.get(topic) !== entry) return; // removed meanwhile
    if (node === null) {
      // The topic znode is gone; the children watch will agree. Deleting now keeps the two views in step.
      if (entry.czxid !== -1) {
        this.removeTopic(topic);
      } else {
        entry.unwatch();
        this.topicEntries.delete(topic);
      }
      return;
    }
    const assignment = this.decodeOrNull(() => TopicZNode.decode(topic, node.data));
    if (assignment === null) return;
    if (entry.czxid !== -1 && entry.czxid !== node.stat.czxid) {
      // Deleted and created again between two reads: drop the old incarnation first.
      this.log.info({ topic }, 'topic was re-created');
      for (const p of entry.partitions.values()) p.unwatch?.();
      entry.partitions.clear();
      this.emit('topicDeleted', topic);
    }
    entry.czxid = node.stat.czxid;
    entry.topicId = assignment.topicId;
    const loads: Promise<void>[] = [];
    for (const [partition, p] of [...entry.partitions]) {
      if (assignment.partitions.has(partition)) continue;
      p.unwatch?.();
      entry.partitions.delete(partition);
    }
    for (const [partition, a] of assignment.partitions) {
      const existing = entry.partitions.get(partition);
      if (existing !== undefined) {
        existing.removing = a.removingReplicas;
        if (!sameReplicas(existing.replicas, a.replicas)) {
          existing.replicas = a.replicas;
          if (existing.state !== undefined) this.emit('partitionState', topic, partition, existing.state, a.replicas);
        }
        continue;
      }
      const p: PartitionEntry = {
        replicas: a.replicas,
        removing: a.removingReplicas,
        state: undefined,
        stateCzxid: -1,
        stateMzxid: -1,
        unwatch: undefined,
      };
      entry.partitions.set(partition, p);
      if (entry.listed.has(partition)) loads.push(this.watchState(topic, partition, entry, p));
    }
    await Promise.all(loads);
  }

  /**
   * The partitions that have a znode changed: arms the state watch of each assigned partition newly listed and stops
   * that of each partition no longer listed (its last state is kept, as a state znode read missing keeps it).
   */
  private async onPartitionList(topic: string, entry: TopicEntry, children: string[] | null): Promise<void> {
    if (this.topicEntries.get(topic) !== entry) return; // removed meanwhile
    const listed = new Set<number>();
    for (const child of children ?? []) if (/^\d+$/.test(child)) listed.add(Number(child));
    entry.listed = listed;
    const loads: Promise<void>[] = [];
    for (const [partition, p] of entry.partitions) {
      if (!listed.has(partition)) {
        p.unwatch?.();
        p.unwatch = undefined;
      } else if (p.unwatch === undefined) {
        loads.push(this.watchState(topic, partition, entry, p));
      }
    }
    await Promise.all(loads);
  }

  /** Arms the watch of a partition's state znode; resolves after its first read was handled. */
  private watchState(topic: string, partition: number, topicEntry: TopicEntry, entry: PartitionEntry): Promise<void> {
    const sub = this.subscribeData(TopicPartitionStateZNode.path({ topic, partition }), (node) =>
      this.onPartitionState(topic, partition, topicEntry, entry, node),
    );
    entry.unwatch = sub.unwatch;
    return sub.loaded;
  }

  private onPartitionState(
    topic: string,
    partition: number,
    topicEntry: TopicEntry,
    entry: PartitionEntry,
    node: ZkNodeData | null,
  ): void {
    if (this.topicEntries.get(topic) !== topicEntry || topicEntry.partitions.get(partition) !== entry) return;
    if (node === null) return; // not elected yet, or being deleted with its topic
    const decoded = this.decodeOrNull(() => TopicPartitionStateZNode.decode({ topic, partition }, node.data));
    if (decoded === null) return;
    const next: PartitionState = { ...decoded, zkVersion: node.stat.version };
    const sameIncarnation = entry.stateCzxid === node.stat.czxid;
    if (entry.state !== undefined && sameIncarnation && !isNewerState(entry.state, next)) {
      this.log.debug({ topic, partition, held: entry.state, read: next }, 'ignoring a stale partition state');
      return;
    }
    entry.state = next;
    entry.stateCzxid = node.stat.czxid;
    entry.stateMzxid = node.stat.mzxid;
    this.emit('partitionState', topic, partition, next, entry.replicas);
  }

  // ---- helpers ----

  private subscribeData(path: string, handler: (node: ZkNodeData | null) => unknown): Subscription {
    return this.subscribe((h) => this.zk.watchData(path, h), handler);
  }

  private subscribeChildren(path: string, handler: (children: string[] | null) => unknown): Subscription {
    return this.subscribe((h) => this.zk.watchChildren(path, h), handler);
  }

  /** Registers a watch whose `loaded` resolves after the handler finished its first call (or on unwatch). */
  private subscribe<T>(
    register: (handler: (state: T) => Promise<void>) => () => void,
    handler: (state: T) => unknown,
  ): Subscription {
    let markLoaded!: () => void;
    const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
    if (this.closed) return { unwatch: () => {}, loaded: Promise.resolve() };
    const unwatchZk = register(async (state) => {
      try {
        await handler(state);
      } finally {
        markLoaded();
      }
    });
    return {
      unwatch: () => {
        unwatchZk();
        markLoaded();
      },
      loaded,
    };
  }

  /** Decodes a znode; a malformed one (hand-edited) is logged and ignored, keeping what was held. */
  private decodeOrNull<T>(decode: () => T): T | null {
    try {
      return decode();
    } catch (e) {
      this.log.error({ err: e }, 'ignoring a znode that does not decode');
      return null;
    }
  }
}

/**
 * Kafka's LeaderAndIsr fencing, per partition: a state replaces the held one only if it comes from the same or a
 * newer controller and has a newer leader epoch, or the same leader epoch and a newer znode version.
 */
export function isNewerState(held: PartitionState, next: PartitionState): boolean {
  if (next.controllerEpoch < held.controllerEpoch) return false;
  if (next.leaderEpoch !== held.leaderEpoch) return next.leaderEpoch > held.leaderEpoch;
  return next.zkVersion > held.zkVersion;
}

function sameReplicas(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A topic entry exists from the moment its znode is listed; its assignment is loaded once a read decoded it. */
function assignmentLoaded(entry: TopicEntry): boolean {
  return entry.czxid !== -1;
}
