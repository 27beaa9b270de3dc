/**
 * Partition reassignment through /admin/reassign_partitions with four broker processes, under acks=all load:
 *
 * - a partition with data moves from three brokers to a set that drops its leader and adds the fourth broker;
 *   afterwards the assignment and ISR are the new replicas, the dropped broker no longer holds the log, the new
 *   broker's copy is identical, and no acknowledged record is lost;
 * - twelve partitions move while two target brokers restart cleanly, one after the other — the controller first, so
 *   that another controller takes the moves over — each while moves that name it are pending and other moves
 *   complete without it: every partition still ends at its target with a full ISR (an accepted move waits for a
 *   restarting target), `--verify` says complete, the znode is gone and no partition stays under-replicated;
 * - a move naming a broker that is down is refused before anything is written, by mq-admin, and by the controller
 *   when the znode is written by hand.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { KafkaZkClient } from '../../lib/zk/kafka-zk-client.js';
import { ReassignPartitionsZNode, replicaAssignment, TopicZNode } from '../../lib/zk/zk-paths.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { ContinuousProducer, expectNoAckedLoss } from '../helpers/acked-records.js';
import { sumMetric } from '../helpers/broker-metrics.js';
import { defer, deferFn } from '../helpers/cleanup.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Partition reassignment (4 brokers)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 4,
      brokerProps: { 'auto.create.topics.enable': false, 'metrics.port': 0 },
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  /** Numbered records sent with acks=all to every partition of `topic` (stop it to wait for what is in flight). */
  async function loadOn(topic: string, partitions: number): Promise<ContinuousProducer> {
    const producer = defer(
      new Producer({
        'bootstrap.servers': cluster.bootstrapServers,
        acks: 'all',
        'linger.ms': 1,
        'retry.backoff.ms': 50,
        'metadata.max.age.ms': 1000,
      }),
      (p) => p.close(),
    );
    await producer.connect();
    return new ContinuousProducer(producer, topic, partitions).start();
  }

  async function connectZooKeeper(): Promise<KafkaZkClient> {
    return defer(await KafkaZkClient.connect({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 6000 }), (c) =>
      c.close(),
    );
  }

  it('moves a partition to new replicas under acks=all load, leader included, losing nothing', async () => {
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([
      { name: 'moving', numPartitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    const state = async () => (await admin.describeTopics(['moving']))[0]!.partitions[0]!;
    await waitFor(async () => (await state()).isr.length === 3, 'three in-sync replicas');
    const before = await state();
    const outsider = cluster.local.brokerIds().find((id) => !before.replicas.includes(id))!;
    const dropped = before.leader;
    const target = [...before.replicas.filter((id) => id !== dropped), outsider];

    const load = await loadOn('moving', 1);
    const zk = await connectZooKeeper();
    try {
      await load.ackedMore(500, 'before the reassignment');
      expect(await zk.createPartitionReassignment([{ topic: 'moving', partition: 0, replicas: target }])).to.equal(
        true,
      );
      await waitFor(
        async () => (await zk.zk.getData(ReassignPartitionsZNode.path)) === null,
        'the controller to complete the reassignment and delete /admin/reassign_partitions',
        { timeoutMs: 60_000 },
      );
      await load.ackedMore(500, 'after the reassignment');
    } finally {
      await load.stop();
    }
    // Brokers learn the new assignment from their own ZooKeeper watches, so metadata trails the znode's deletion
    // by a watch round trip (in Kafka, by the controller's UpdateMetadata): wait for it before checking the rest.
    const settled = (s: { replicas: readonly number[]; isr: readonly number[] }) =>
      s.replicas.join() === target.join() && [...s.isr].sort().join() === [...target].sort().join();
    await waitFor(async () => settled(await state()), 'metadata to show the new replicas, all in sync');
    expect(target).to.include((await state()).leader);
    await waitFor(
      () => !existsSync(join(cluster.local.broker(dropped).dir, 'logs', 'moving-0')),
      `broker ${dropped} to delete its replica`,
    );
    expect(load.failures.map((e) => e.message)).to.deep.equal([]);
    await expectNoAckedLoss(cluster, 'moving', 1, target, load.acked);
  });

  it('completes twelve moves while two target brokers restart, each in the middle of moves that name it', async () => {
    const topic = 'spread';
    const partitions = Array.from({ length: 12 }, (_, p) => p);
    // Partition p lives on the three brokers other than p % 4 + 1 and moves from its first replica onto that broker.
    const original = (p: number) => [1, 2, 3].map((k) => ((p + k) % 4) + 1);
    const target = (p: number) => [(p % 4) + 1, ...original(p).slice(1)];
    const naming = (id: number) => partitions.filter((p) => target(p).includes(id));
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([
      {
        name: topic,
        replicaAssignment: Object.fromEntries(partitions.map((p) => [p, original(p)])),
        configs: { 'min.insync.replicas': '2' },
      },
    ]);
    const describe = async () => (await admin.describeTopics([topic]))[0]!.partitions;
    await waitFor(async () => (await describe()).every((p) => p.isr.length === 3), 'every partition fully in sync');

    const load = await loadOn(topic, partitions.length);
    const zk = await connectZooKeeper();
    const pending = async () => new Set(((await zk.getPartitionReassignment()) ?? []).map((r) => r.partition));
    const file = join(tmpDir(), 'move.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, partitions: partitions.map((p) => ({ topic, partition: p, replicas: target(p) })) }),
    );
    const reassign = (action: string) =>
      mqAdmin([
        'reassign-partitions',
        '--zookeeper',
        cluster.zookeeperConnect,
        '--reassignment-json-file',
        file,
        action,
      ]);
    try {
      await load.ackedMore(2000, 'before the reassignment');
      const started = await reassign('--execute');
      expect(started.stderr).to.equal('');
      expect(started.stdout).to.include('Successfully started reassignment of partitions.');

      // The controller first (its successor resumes the moves from ZooKeeper), then another broker.
      const controllerId = (await zk.getControllerId())!;
      for (const id of [controllerId, (controllerId % 4) + 1]) {
        const before = await pending();
        const waiting = naming(id).filter((p) => before.has(p));
        const others = [...before].filter((p) => !naming(id).includes(p));
        expect(waiting.length, `moves naming broker ${id} pending when it stops`).to.be.greaterThan(0);
        expect(others.length, `moves not naming broker ${id} pending when it stops`).to.be.greaterThan(0);
        expect(await cluster.local.stopBroker(id), `broker ${id} stops cleanly`).to.equal(true);
        // The controller advances the moves that do not need this broker while it is down ...
        await waitFor(
          async () => {
            const now = await pending();
            return others.some((p) => !now.has(p));
          },
          `a move not naming broker ${id} to complete while it is down`,
          { timeoutMs: 30_000 },
        );
        // ... and keeps those that name it, in their intermediate layout, until it is back. (One may have completed
        // just before the stop, if the broker had caught up; none may be dropped half-done.)
        const now = await pending();
        const layout = (await zk.getTopicAssignment(topic))!.partitions;
        const stillMoving = waiting.filter((p) => now.has(p) && layout.get(p)!.addingReplicas.length > 0);
        const completed = waiting.filter(
          (p) => !now.has(p) && JSON.stringify(layout.get(p)) === JSON.stringify(replicaAssignment(target(p))),
        );
        expect(
          waiting.filter((p) => !stillMoving.includes(p) && !completed.includes(p)),
          `moves naming broker ${id} dropped while it was down`,
        ).to.deep.equal([]);
        expect(stillMoving.length, `moves naming broker ${id} waiting for it while it is down`).to.be.greaterThan(0);
        await cluster.local.startBroker(id);
      }

      await waitFor(
        async () => (await zk.zk.getData(ReassignPartitionsZNode.path)) === null,
        'every move to complete and /admin/reassign_partitions to be deleted',
        { timeoutMs: 60_000 },
      );
      await load.ackedMore(500, 'after the reassignment');
    } finally {
      await load.stop();
    }
    const verified = await reassign('--verify');
    expect(verified.code).to.equal(0);
    expect(verified.stdout.trimEnd().split('\n').slice(1)).to.deep.equal(
      partitions.map((p) => `Reassignment of partition ${topic}-${p} completed successfully`),
    );
    await waitFor(
      async () =>
        (await describe()).every(
          (p) =>
            p.replicas.join() === target(p.partition).join() &&
            [...p.isr].sort().join() === [...target(p.partition)].sort().join() &&
            target(p.partition).includes(p.leader),
        ),
      'metadata to show every partition on its target replicas, all in sync',
    );
    const layout = (await zk.getTopicAssignment(topic))!.partitions;
    for (const p of partitions) {
      expect(layout.get(p), `${topic}-${p} assignment`).to.deep.equal({
        replicas: target(p),
        addingReplicas: [],
        removingReplicas: [],
      });
    }
    await waitFor(
      async () => (await sumMetric(cluster, 'kafka_server_replicamanager_underreplicatedpartitions')) === 0,
      'no under-replicated partition on any broker',
    );
    expect(load.failures.map((e) => e.message)).to.deep.equal([]);
    await expectNoAckedLoss(cluster, topic, partitions.length, target, load.acked);
  });

  it('refuses a move naming a broker that is down, in mq-admin and in the controller, saying why', async () => {
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([{ name: 'staying', replicaAssignment: { 0: [1, 2, 3] } }]);
    const zk = await connectZooKeeper();
    const file = join(tmpDir(), 'move.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, partitions: [{ topic: 'staying', partition: 0, replicas: [2, 3, 4] }] }),
    );
    expect(await cluster.local.stopBroker(4), 'broker 4 stops cleanly').to.equal(true);
    deferFn(() => cluster.local.startBroker(4));

    const refused = await mqAdmin([
      'reassign-partitions',
      '--zookeeper',
      cluster.zookeeperConnect,
      '--reassignment-json-file',
      file,
      '--execute',
    ]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include('brokers that are not registered: 4 (live brokers: 1,2,3)');
    expect(refused.stdout).to.not.include('Successfully started');
    expect(await zk.zk.getData(ReassignPartitionsZNode.path), 'nothing written').to.equal(null);

    // Written by hand (zkCli.sh, an older tool): the controller refuses it, removes it and logs the reason.
    expect(await zk.createPartitionReassignment([{ topic: 'staying', partition: 0, replicas: [2, 3, 4] }])).to.equal(
      true,
    );
    await waitFor(
      async () => (await zk.zk.getData(ReassignPartitionsZNode.path)) === null,
      'the controller to refuse the move and delete /admin/reassign_partitions',
    );
    expect((await zk.getTopicAssignment('staying'))!.partitions.get(0)).to.deep.equal({
      replicas: [1, 2, 3],
      addingReplicas: [],
      removingReplicas: [],
    });
    const controllerId = (await zk.getControllerId())!;
    const refusals = readFileSync(join(cluster.local.broker(controllerId).dir, 'broker.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('refusing a partition reassignment'))
      .map((line) => JSON.parse(line) as { partition: string; reason: string });
    expect(refusals.map((r) => [r.partition, r.reason])).to.deep.include([
      'staying-0',
      'broker 4 is not registered in ZooKeeper (live brokers: 1,2,3)',
    ]);
    expect((await zk.zk.getData(TopicZNode.path('staying'))) !== null).to.equal(true);
  });
});
