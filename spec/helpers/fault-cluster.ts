/**
 * A cluster on simulated hosts for the fault scenarios (spec/faults): `mq-cluster`'s LocalCluster with `netns`, in a
 * temporary directory — ZooKeeper and every broker in a network namespace of their own — with the fault library
 * (lib/cli/faults/cluster-faults.ts) over it. Brokers default to Kafka's test settings that make faults show within
 * seconds: 6 s ZooKeeper sessions and replica.lag.time.max.ms.
 *
 * Cleanup: `start` registers the cluster's stop (brokers, ZooKeeper, namespaces, mounts, data) on the cleanup stack;
 * every fault injected through `inject` is healed by it too (before the cluster stops), and the fault library's
 * exit hooks remove what a crashed spec left. Needs root.
 */
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Producer } from '../../lib/client/index.js';
import { ClusterFaults } from '../../lib/cli/faults/cluster-faults.js';
import type { Fault } from '../../lib/cli/faults/network-faults.js';
import { LocalCluster, type LocalClusterOptions } from '../../lib/cli/local-cluster.js';
import type { ApiError } from '../../lib/common/errors.js';
import { KafkaZkClient, type LeaderIsrAndZkVersion } from '../../lib/zk/kafka-zk-client.js';
import { expect } from 'chai';
import type { Acked } from './acked-records.js';
import { compareReplicas, replicaRecordsOf } from './checker/replicas.js';
import { defer, deferFn } from './cleanup.js';
import { waitForPartitionState } from './partition-state.js';
import { waitFor } from './wait-for.js';

export const SESSION_TIMEOUT_MS = 6000;
export const REPLICA_LAG_TIME_MAX_MS = 6000;

export type FaultClusterOptions = Pick<
  LocalClusterOptions,
  'brokers' | 'zkEnsemble' | 'logDirsPerBroker' | 'logDirTmpfsBytes' | 'durabilityJournal' | 'brokerPropsFor'
> & { brokerProps?: Record<string, string | number | boolean> };

/** What a fault that must change nothing in ZooKeeper is checked against (`zooKeeperFacts`). */
export interface ZooKeeperFacts {
  controller: number;
  controllerEpoch: number;
  /** The state znode of the partition watched, version included. */
  state: LeaderIsrAndZkVersion | null;
  /** Each broker's registration (see brokerSessions). */
  sessions: Record<number, number>;
}

export class FaultCluster {
  readonly admin: Admin;

  private constructor(
    readonly local: LocalCluster,
    readonly zk: KafkaZkClient,
  ) {
    this.admin = defer(new Admin({ 'bootstrap.servers': local.bootstrapServers }), (a) => a.close());
  }

  static async start(opts: FaultClusterOptions): Promise<FaultCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'mq-faults-'));
    const local = new LocalCluster({
      ...opts,
      dir,
      netns: true,
      brokerProps: {
        'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS,
        'replica.lag.time.max.ms': REPLICA_LAG_TIME_MAX_MS,
        'log.segment.bytes': 8 * 1024 * 1024,
        'offsets.topic.replication.factor': Math.min(3, opts.brokers),
        'auto.create.topics.enable': false,
        ...opts.brokerProps,
      },
    });
    deferFn(async () => {
      await local.stop();
      if (process.env['MQ_SPEC_KEEP_CLUSTER_DIRS'] === '1') {
        process.stdout.write(`      cluster kept in ${dir}\n`);
        return;
      }
      rmSync(dir, { recursive: true, force: true });
    });
    await local.start();
    const zk = defer(await KafkaZkClient.connect({ connect: local.zookeeperConnect, sessionTimeoutMs: 10_000 }), (c) =>
      c.close(),
    );
    const cluster = new FaultCluster(local, zk);
    await cluster.admin.connect();
    return cluster;
  }

  get bootstrapServers(): string {
    return this.local.bootstrapServers;
  }

  /** The fault library over the cluster as it is now (brokers restarted since have new pids). */
  get faults(): ClusterFaults {
    return new ClusterFaults(this.local.layout(), { removeOnExit: true });
  }

  /** Registers a fault's heal on the cleanup stack; returns the fault. */
  inject(fault: Fault): Fault {
    deferFn(() => fault.heal());
    return fault;
  }

  /**
   * Creates `topic` with this assignment (partition → replicas, preferred leader first) and waits for full ISRs and
   * for every replica to be hosted in a log dir of its broker. The ISR is full in ZooKeeper from creation, while a
   * broker makes its new logs in the threadpool before it hosts them.
   */
  async createTopic(topic: string, assignment: number[][], configs: Record<string, string> = {}): Promise<void> {
    await this.admin.createTopics([
      { name: topic, replicaAssignment: Object.fromEntries(assignment.map((r, p) => [p, r])), configs },
    ]);
    for (let p = 0; p < assignment.length; p++) {
      await this.waitForState(topic, p, (s) => s.isr.length === assignment[p]!.length, 'every replica in sync');
    }
    const replicas = assignment.flatMap((brokers, partition) => brokers.map((b) => `${b}:${partition}`));
    await waitFor(async () => {
      const hosted = new Set(
        (await this.admin.describeLogDirs([...new Set(assignment.flat())])).flatMap((b) =>
          b.logDirs.flatMap((d) =>
            d.partitions.filter((r) => r.topic === topic).map((r) => `${b.nodeId}:${r.partition}`),
          ),
        ),
      );
      return replicas.every((r) => hosted.has(r));
    }, `every replica of ${topic} hosted in a log dir`);
  }

  /** The broker ids registered in ZooKeeper. */
  async registeredBrokers(): Promise<number[]> {
    return (await this.zk.getAllBrokers()).map((b) => b.id).sort((a, b) => a - b);
  }

  /** Each registered broker's registration znode creation (its czxid): a new one means it registered again. */
  async brokerSessions(): Promise<Record<number, number>> {
    return Object.fromEntries((await this.zk.getAllBrokers()).map((b) => [b.id, b.epoch]));
  }

  /** The controller, its epoch, the state of `topic-partition` and the brokers' registrations, as they are now. */
  async zooKeeperFacts(topic: string, partition: number): Promise<ZooKeeperFacts> {
    return {
      controller: await this.controller(),
      controllerEpoch: (await this.zk.getControllerEpoch())!.epoch,
      state: await this.state(topic, partition),
      sessions: await this.brokerSessions(),
    };
  }

  /**
   * Fails unless ZooKeeper says what it said in `before`: the same controller and controller epoch, no election and
   * no ISR change of `topic-partition` (same state znode version), no broker registered again.
   */
  async expectZooKeeperUnchanged(before: ZooKeeperFacts, topic: string, partition: number): Promise<void> {
    const now = await this.zooKeeperFacts(topic, partition);
    expect(now.controller, 'the same controller').to.equal(before.controller);
    expect(now.controllerEpoch, 'the same controller epoch').to.equal(before.controllerEpoch);
    expect(now.state, 'no election, no ISR change').to.deep.equal(before.state);
    expect(now.sessions, 'no broker registered again').to.deep.equal(before.sessions);
  }

  /** The controller's id, once there is one. */
  controller(): Promise<number> {
    return waitFor(async () => (await this.zk.getControllerId()) ?? undefined, 'a controller');
  }

  /** Waits until a broker other than `id` is the controller; returns it. */
  waitForControllerOtherThan(id: number, timeoutMs: number): Promise<number> {
    return waitFor(
      async () => {
        const c = await this.zk.getControllerId();
        return c !== null && c !== id ? c : undefined;
      },
      `a controller other than broker ${id}`,
      { timeoutMs },
    );
  }

  /**
   * After healing: every replica of every partition back in sync and identical below the high watermark, and
   * every acknowledged value at its acknowledged offset in the leader's segments.
   */
  async expectNoAckedLoss(topic: string, partitions: number, acked: ReadonlyMap<string, Acked>): Promise<void> {
    expect(await compareReplicas(this.local, this.admin, topic, partitions), 'replicas that differ').to.deep.equal([]);
    const lost: string[] = [];
    for (let p = 0; p < partitions; p++) {
      const leader = (await this.state(topic, p))!.leader;
      const stored = replicaRecordsOf(this.local, leader, topic, p);
      for (const [value, a] of acked)
        if (a.partition === p && stored.get(a.offset) !== value) lost.push(`${value} at ${topic}-${p}@${a.offset}`);
    }
    expect(lost, 'acknowledged values missing from the log').to.deep.equal([]);
  }

  /**
   * Sends one acks=all write to `topic-partition` every 100 ms for `holdMs` (at least one), each answered at once (no
   * retries, no idempotence): returns each write's error code, undefined for an acknowledged one.
   */
  async probeAcksAll(topic: string, partition: number, holdMs: number): Promise<(number | undefined)[]> {
    const probe = defer(
      new Producer({ 'bootstrap.servers': this.bootstrapServers, 'enable.idempotence': false, retries: 0 }),
      (p) => p.close(),
    );
    await probe.connect();
    const until = Date.now() + holdMs;
    const answers: (number | undefined)[] = [];
    while (answers.length === 0 || Date.now() < until) {
      answers.push(
        await probe.send({ topic, partition, value: 'probe' }).then(
          () => undefined,
          (e: unknown) => (e as ApiError).errorCode,
        ),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    return answers;
  }

  state(topic: string, partition: number): Promise<LeaderIsrAndZkVersion | null> {
    return this.zk.getPartitionState({ topic, partition });
  }

  /** Waits until the state znode of `topic-partition` satisfies `condition`; returns it. */
  waitForState(
    topic: string,
    partition: number,
    condition: (s: LeaderIsrAndZkVersion) => boolean,
    what: string,
    timeoutMs = 60_000,
  ): Promise<LeaderIsrAndZkVersion> {
    return waitForPartitionState(this.zk, topic, partition, condition, what, timeoutMs);
  }
}
