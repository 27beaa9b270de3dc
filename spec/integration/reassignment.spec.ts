/**
 * Partition reassignment through /admin/reassign_partitions with four broker processes: a partition with data moves
 * from three brokers to a set that drops its leader and adds the fourth broker, while a producer keeps sending with
 * acks=all. Afterwards the assignment and ISR are the new replicas, the dropped broker no longer holds the log, the
 * new broker's copy is identical, and no acknowledged record is lost.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { KafkaZkClient } from '../../lib/zk/kafka-zk-client.js';
import { ReassignPartitionsZNode } from '../../lib/zk/zk-paths.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { ContinuousProducer, expectNoAckedLoss } from '../helpers/acked-records.js';
import { defer } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Partition reassignment (4 brokers)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 4, brokerProps: { 'auto.create.topics.enable': false } });
  });
  after(async () => {
    await cluster?.stop();
  });

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
    const load = new ContinuousProducer(producer, 'moving', 1).start();
    const zk = defer(await KafkaZkClient.connect({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 6000 }), (c) =>
      c.close(),
    );
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
});
