/**
 * An in-memory ZooKeeper tree with ZkClient's watch contract (a handler gets the current state once at start and
 * again after every change, calls of one handler never overlap, changes during a call cause one more call), and
 * the few KafkaZkClient operations replication uses. Lets replication specs run without a ZooKeeper server.
 */
import type { ZkNodeData, ZkStat } from '../../../lib/zk/zk-client.js';
import { ZkError } from '../../../lib/zk/zk-errors.js';
import {
  ConfigEntityZNode,
  IsrChangeNotificationSequenceZNode,
  LogDirEventNotificationSequenceZNode,
  TopicPartitionStateZNode,
  TopicZNode,
  replicaAssignment,
  type ConfigEntityType,
  type LeaderIsrAndControllerEpoch,
} from '../../../lib/zk/zk-paths.js';
import type { TopicPartition } from '../../../lib/common/topic-partition.js';

interface Node {
  data: Buffer;
  czxid: number;
  /** zxid of the last write (creation or setData). */
  mzxid: number;
  version: number;
}

interface Watch {
  read: () => unknown;
  handler: (state: never) => unknown;
  active: boolean;
  running: boolean;
  again: boolean;
  path: string;
  kind: 'data' | 'children';
}

export class FakeZk {
  private readonly nodes = new Map<string, Node>();
  private readonly watches = new Set<Watch>();
  private zxid = 1;
  private sequence = 0;
  /** Number of conditional setData calls on state znodes (ISR writes). */
  stateWrites = 0;
  /** Partitions of every ISR change notification written. */
  readonly isrNotifications: TopicPartition[][] = [];
  /** Broker ids of every log dir event notification written. */
  readonly logDirEvents: number[] = [];

  constructor() {
    for (const p of [
      '/brokers',
      '/brokers/ids',
      '/brokers/topics',
      '/config',
      '/config/topics',
      '/isr_change_notification',
    ]) {
      this.nodes.set(p, this.newNode(Buffer.alloc(0)));
    }
  }

  // ---- tree mutations (what the controller or another broker would do) ----

  create(path: string, data: Buffer | string = ''): void {
    if (this.nodes.has(path)) throw new ZkError('NODE_EXISTS', `${path} exists`, { path });
    this.ensureParents(path);
    this.nodes.set(path, this.newNode(Buffer.from(data)));
    this.fire(path, parentOf(path));
  }

  set(path: string, data: Buffer | string, expectedVersion = -1): number {
    const node = this.nodes.get(path);
    if (node === undefined) throw new ZkError('NO_NODE', `${path} missing`, { path });
    if (expectedVersion !== -1 && expectedVersion !== node.version)
      throw new ZkError('BAD_VERSION', `${path} version`, { path });
    node.data = Buffer.from(data);
    node.version++;
    node.mzxid = this.zxid++;
    this.fire(path);
    return node.version;
  }

  /** Deletes a znode and everything below it. */
  delete(path: string): void {
    for (const p of [...this.nodes.keys()]) {
      if (p === path || p.startsWith(`${path}/`)) {
        this.nodes.delete(p);
        this.fire(p, parentOf(p));
      }
    }
  }

  get(path: string): ZkNodeData | null {
    const node = this.nodes.get(path);
    return node === undefined ? null : { data: node.data, stat: stat(node) };
  }

  private newNode(data: Buffer): Node {
    const zxid = this.zxid++;
    return { data, czxid: zxid, mzxid: zxid, version: 0 };
  }

  // ---- conveniences in Kafka's layout ----

  createTopic(topic: string, assignment: Record<number, number[]>): void {
    const partitions = new Map(Object.entries(assignment).map(([p, r]) => [Number(p), replicaAssignment(r)]));
    this.create(TopicZNode.path(topic), TopicZNode.encode({ topicId: null, partitions }));
  }

  setState(topic: string, partition: number, state: LeaderIsrAndControllerEpoch): void {
    const path = TopicPartitionStateZNode.path({ topic, partition });
    const data = TopicPartitionStateZNode.encode(state);
    if (this.nodes.has(path)) this.set(path, data);
    else this.create(path, data);
  }

  registerBroker(id: number, port = 9092 + id): void {
    this.create(
      `/brokers/ids/${id}`,
      JSON.stringify({
        features: {},
        listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
        endpoints: [`PLAINTEXT://127.0.0.1:${port}`],
        jmx_port: -1,
        port,
        host: '127.0.0.1',
        version: 5,
        timestamp: '1',
      }),
    );
  }

  // ---- ZkClient watch contract ----

  watchData(path: string, handler: (node: ZkNodeData | null) => unknown): () => void {
    return this.addWatch(path, 'data', handler, () => this.get(path));
  }

  watchChildren(path: string, handler: (children: string[] | null) => unknown): () => void {
    return this.addWatch(path, 'children', handler, () => this.children(path));
  }

  /** Resolves once every watch delivered the latest state. */
  async settle(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      await new Promise((r) => setImmediate(r));
      if ([...this.watches].every((w) => !w.running)) return;
    }
    throw new Error('FakeZk watches did not settle');
  }

  get watchCount(): number {
    return this.watches.size;
  }

  // ---- KafkaZkClient operations used by replication ----

  async getEntityConfig(entityType: ConfigEntityType, entityName: string): Promise<Record<string, string>> {
    const node = this.get(ConfigEntityZNode.path(entityType, entityName));
    return node === null ? {} : ConfigEntityZNode.decode(entityType, entityName, node.data);
  }

  async updatePartitionState(
    tp: TopicPartition,
    state: LeaderIsrAndControllerEpoch,
    expectedZkVersion: number,
  ): Promise<number | null> {
    this.stateWrites++;
    await Promise.resolve();
    try {
      return this.set(TopicPartitionStateZNode.path(tp), TopicPartitionStateZNode.encode(state), expectedZkVersion);
    } catch (e) {
      if (e instanceof ZkError && e.zkCode === 'BAD_VERSION') return null;
      throw e;
    }
  }

  async createIsrChangeNotification(partitions: Iterable<TopicPartition>): Promise<string> {
    const list = [...partitions];
    this.isrNotifications.push(list);
    const seq = String(this.sequence++).padStart(10, '0');
    this.create(IsrChangeNotificationSequenceZNode.path(seq), IsrChangeNotificationSequenceZNode.encode(list));
    return seq;
  }

  async propagateLogDirEvent(brokerId: number): Promise<string> {
    await Promise.resolve();
    this.logDirEvents.push(brokerId);
    const seq = String(this.sequence++).padStart(10, '0');
    this.create(LogDirEventNotificationSequenceZNode.path(seq), LogDirEventNotificationSequenceZNode.encode(brokerId));
    return seq;
  }

  // ---- internals ----

  private children(path: string): string[] | null {
    if (!this.nodes.has(path)) return null;
    const prefix = `${path}/`;
    const out: string[] = [];
    for (const p of this.nodes.keys()) {
      if (p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) out.push(p.slice(prefix.length));
    }
    return out;
  }

  private ensureParents(path: string): void {
    const parent = parentOf(path);
    if (parent === '/' || this.nodes.has(parent)) return;
    this.ensureParents(parent);
    this.nodes.set(parent, this.newNode(Buffer.alloc(0)));
    this.fire(parent, parentOf(parent));
  }

  private addWatch<T>(
    path: string,
    kind: 'data' | 'children',
    handler: (state: T) => unknown,
    read: () => T,
  ): () => void {
    const watch: Watch = {
      path,
      kind,
      read,
      handler: handler,
      active: true,
      running: false,
      again: false,
    };
    this.watches.add(watch);
    this.trigger(watch);
    return () => {
      watch.active = false;
      this.watches.delete(watch);
    };
  }

  /** A change of `dataPath` (data watches) and of the children of `childrenPath`. */
  private fire(dataPath: string, childrenPath?: string): void {
    for (const w of this.watches) {
      if (
        (w.kind === 'data' && w.path === dataPath) ||
        (w.kind === 'children' && (w.path === childrenPath || w.path === dataPath))
      ) {
        this.trigger(w);
      }
    }
  }

  private trigger(watch: Watch): void {
    if (watch.running) {
      watch.again = true;
      return;
    }
    watch.running = true;
    void (async () => {
      do {
        watch.again = false;
        await Promise.resolve();
        if (!watch.active) break;
        await watch.handler(watch.read() as never);
      } while (watch.again && watch.active);
      watch.running = false;
    })();
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function stat(node: Node): ZkStat {
  return {
    czxid: node.czxid,
    mzxid: node.mzxid,
    pzxid: node.czxid,
    ctimeMs: 0,
    mtimeMs: 0,
    version: node.version,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: '0',
    dataLength: node.data.length,
    numChildren: 0,
  };
}
