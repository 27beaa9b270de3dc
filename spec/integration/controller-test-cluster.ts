/**
 * In-process controllers on a real ZooKeeper for the controller-*.spec.ts files: each "broker" is a KafkaZkClient
 * session with a broker registration and a KafkaController, in a chroot of its own on the shared ZooKeeper. No
 * sockets, logs or replication: the specs observe the controller only through the znodes it writes.
 */
import type { Scheduler } from '../../lib/common/scheduler.js';
import { KafkaController, type KafkaControllerConfig } from '../../lib/controller/controller.js';
import type { ServedReplicas } from '../../lib/controller/controller-events.js';
import { TopicAdmin } from '../../lib/controller/topic-admin.js';
import { KafkaZkClient, type LeaderIsrAndZkVersion } from '../../lib/zk/kafka-zk-client.js';
import { deferFn } from '../helpers/cleanup.js';
import { waitForPartitionState } from '../helpers/partition-state.js';
import { waitFor } from '../helpers/wait-for.js';
import { sharedZooKeeper, uniqueChroot } from '../helpers/zk-harness.js';

export const SESSION_TIMEOUT_MS = 4000;

export interface TestBroker {
  readonly id: number;
  readonly zk: KafkaZkClient;
  readonly controller: KafkaController;
  readonly brokerEpoch: number;
}

export class ControllerTestCluster {
  readonly brokers = new Map<number, TestBroker>();
  readonly admin: TopicAdmin;
  /** What each broker answers when a controller asks which replicas it still serves (after a log dir failure). */
  readonly servedReplicas = new Map<number, ServedReplicas>();
  private readonly killed: TestBroker[] = [];

  private constructor(
    readonly connect: string,
    readonly adminZk: KafkaZkClient,
    private readonly config: Partial<KafkaControllerConfig>,
    private readonly scheduler: Scheduler | undefined,
  ) {
    this.admin = new TopicAdmin({
      zk: adminZk,
      metadataCache: { aliveBrokers: () => [...this.brokers.keys()].map((id) => ({ id })) },
    });
  }

  /**
   * A fresh chroot with `brokerIds` registered, each running a controller (with `scheduler` for the rebalance
   * check, if given); cleaned up after the test.
   */
  static async start(
    brokerIds: readonly number[],
    config: Partial<KafkaControllerConfig> = {},
    scheduler?: Scheduler,
  ): Promise<ControllerTestCluster> {
    const connect = uniqueChroot((await sharedZooKeeper()).connect, 'mq-controller');
    const adminZk = await connectZk(connect);
    await adminZk.createTopLevelPaths();
    const cluster = new ControllerTestCluster(connect, adminZk, config, scheduler);
    deferFn(() => cluster.close());
    for (const id of brokerIds) await cluster.startBroker(id);
    return cluster;
  }

  async startBroker(id: number, config: Partial<KafkaControllerConfig> = {}): Promise<TestBroker> {
    const zk = await connectZk(this.connect);
    const brokerEpoch = await zk.registerBroker({
      id,
      endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + id }],
    });
    const controller = new KafkaController({
      brokerId: id,
      zkClient: zk,
      config: { ...this.config, ...config },
      ...(this.scheduler ? { scheduler: this.scheduler } : {}),
      servedReplicas: async (brokerId) => {
        const answer = this.servedReplicas.get(brokerId);
        if (answer === undefined) throw new Error(`broker ${brokerId} has no answer in this test cluster`);
        return answer;
      },
    });
    await controller.startup();
    const broker = { id, zk, controller, brokerEpoch };
    this.brokers.set(id, broker);
    return broker;
  }

  /** Clean stop: the controller resigns (deleting /controller if it held it), then the session closes. */
  async stopBroker(id: number): Promise<void> {
    const broker = this.broker(id);
    this.brokers.delete(id);
    await broker.controller.shutdown();
    await broker.zk.close();
  }

  /** Hard stop: the session closes under a controller that is not told (its ephemeral znodes vanish at once). */
  async killBroker(id: number): Promise<TestBroker> {
    const broker = this.broker(id);
    this.brokers.delete(id);
    this.killed.push(broker);
    await broker.zk.close();
    return broker;
  }

  broker(id: number): TestBroker {
    const broker = this.brokers.get(id);
    if (broker === undefined) throw new Error(`broker ${id} is not running in this test cluster`);
    return broker;
  }

  /** Waits until exactly one running broker is the active controller and has finished its failover. */
  async waitForActiveController(what = 'an active controller'): Promise<TestBroker> {
    return waitFor(
      async () => {
        const active = [...this.brokers.values()].filter((b) => b.controller.isActive);
        if (active.length !== 1) return undefined;
        const controllerId = await this.adminZk.getControllerId();
        return controllerId === active[0]!.id ? active[0] : undefined;
      },
      what,
      { timeoutMs: 3 * SESSION_TIMEOUT_MS },
    );
  }

  state(topic: string, partition: number): Promise<LeaderIsrAndZkVersion | null> {
    return this.adminZk.getPartitionState({ topic, partition });
  }

  /** Waits until the state znode satisfies `condition`; returns it. */
  waitForState(
    topic: string,
    partition: number,
    condition: (s: LeaderIsrAndZkVersion) => boolean,
    what: string,
  ): Promise<LeaderIsrAndZkVersion> {
    return waitForPartitionState(this.adminZk, topic, partition, condition, what, 3 * SESSION_TIMEOUT_MS);
  }

  async createTopic(name: string, numPartitions: number, replicationFactor: number): Promise<void> {
    const [result] = await this.admin.createTopics([
      { name, numPartitions, replicationFactor, assignments: [], configs: {} },
    ]);
    if (result!.errorCode !== 0) throw new Error(`creating ${name} failed: ${result!.errorMessage}`);
  }

  async createTopicWithAssignment(
    name: string,
    assignment: readonly (readonly number[])[],
    configs: Record<string, string> = {},
  ): Promise<void> {
    const [result] = await this.admin.createTopics([
      {
        name,
        numPartitions: -1,
        replicationFactor: -1,
        configs,
        assignments: assignment.map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
      },
    ]);
    if (result!.errorCode !== 0) throw new Error(`creating ${name} failed: ${result!.errorMessage}`);
  }

  private async close(): Promise<void> {
    // All controllers stop at once, so that none races for /controller while the others go away.
    const running = [...this.brokers.values()];
    await Promise.all([...this.killed, ...running].map((b) => b.controller.shutdown()));
    await Promise.all(running.map((b) => b.zk.close()));
    this.brokers.clear();
    await this.adminZk.zk.deleteRecursive('/');
    await this.adminZk.close();
  }
}

export async function connectZk(connect: string): Promise<KafkaZkClient> {
  return KafkaZkClient.connect({ connect, sessionTimeoutMs: SESSION_TIMEOUT_MS });
}
