/**
 * ElectLeaders (KIP-460) through `mq-admin leader-election` against three brokers, each result checked again in
 * ZooKeeper's state znodes and through the Admin client: a preferred election moves leadership back to the first
 * replica (and reports partitions already led by it), fails with PREFERRED_LEADER_NOT_AVAILABLE while that replica
 * is down, and an unclean election brings back a partition whose only in-sync replica died, electing a replica
 * that was out of sync. auto.leader.rebalance.enable is off so that only the tool moves leaders back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin } from '../../lib/client/index.js';
import { KafkaZkClient } from '../../lib/zk/kafka-zk-client.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

describe('mq-admin leader-election (3 brokers)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let admin: Admin;
  let zk: KafkaZkClient;
  const boot = () => ['--bootstrap-server', cluster.bootstrapServers];
  const leaderOf = async (topic: string, partition: number) =>
    (await admin.describeTopics([topic]))[0]!.partitions[partition]!;
  const zkState = async (topic: string, partition: number) => (await zk.getPartitionState({ topic, partition }))!;
  /** A counter of the active controller's metrics endpoint. */
  const controllerMetric = async (name: string) => {
    const controllerId = (await admin.describeCluster()).controllerId;
    const text = await (
      await fetch(`http://127.0.0.1:${cluster.local.broker(controllerId).metricsPort}/metrics`)
    ).text();
    return Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  };

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: { 'auto.leader.rebalance.enable': false, 'metrics.port': 0 },
    });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers, 'metadata.max.age.ms': 500 });
    await admin.connect();
    zk = await KafkaZkClient.connect({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 10_000 });
    await admin.createTopics([
      { name: 'elect', replicaAssignment: { 0: [1, 2, 3], 1: [2, 3, 1], 2: [3, 1, 2] } },
      { name: 'unclean', replicaAssignment: { 0: [2, 3] } },
    ]);
    await waitFor(
      async () => (await admin.describeTopics(['elect']))[0]!.partitions.every((p) => p.isr.length === 3),
      'full ISRs',
    );
  });
  after(async () => {
    await zk?.close();
    await admin?.close();
    await cluster?.stop();
  });

  it('moves leadership back to the preferred replica, and says which partitions needed nothing', async () => {
    // A clean restart of broker 1 hands elect-0 to broker 2; broker 1 comes back as a follower.
    await cluster.local.restartBroker(1);
    await waitFor(async () => (await leaderOf('elect', 0)).isr.length === 3, 'broker 1 back in the ISR of elect-0');
    expect((await zkState('elect', 0)).leader).to.not.equal(1);
    const batchesBefore = await controllerMetric('kafka_controller_controllerstats_leaderelectionrateandtimems_count');

    const one = await mqAdmin([
      'leader-election',
      ...boot(),
      '--election-type',
      'preferred',
      '--topic',
      'elect',
      '--partition',
      '0',
    ]);
    expect(one).to.include({
      code: 0,
      stdout: 'Successfully completed leader election (PREFERRED) for partitions elect-0\n',
    });
    expect((await zkState('elect', 0)).leader).to.equal(1);
    expect((await leaderOf('elect', 0)).leader).to.equal(1);
    expect(
      await controllerMetric('kafka_controller_controllerstats_leaderelectionrateandtimems_count'),
    ).to.be.greaterThan(batchesBefore);

    const file = join(tmpDir(), 'partitions.json');
    writeFileSync(
      file,
      JSON.stringify({
        partitions: [
          { topic: 'elect', partition: 1 },
          { topic: 'elect', partition: 2 },
        ],
      }),
    );
    const fromFile = await mqAdmin([
      'leader-election',
      ...boot(),
      '--election-type',
      'PREFERRED',
      '--path-to-json-file',
      file,
    ]);
    expect(fromFile).to.include({ code: 0, stdout: 'Valid replica already elected for partitions elect-1, elect-2\n' });

    // Every partition: those already led by their preferred replica are left out of the answer.
    const all = await mqAdmin(['leader-election', ...boot(), '--election-type', 'preferred', '--all-topic-partitions']);
    expect(all).to.include({ code: 0, stdout: '' });

    const bad = await mqAdmin(['leader-election', ...boot(), '--election-type', 'preferred', '--topic', 'elect']);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.include('[partition] with [topic]');
  });

  it('fails with PREFERRED_LEADER_NOT_AVAILABLE while the preferred replica is down', async () => {
    await cluster.local.stopBroker(3);
    try {
      await waitFor(async () => (await zkState('elect', 2)).leader !== 3, 'elect-2 to move off broker 3');
      const run = await mqAdmin([
        'leader-election',
        ...boot(),
        '--election-type',
        'preferred',
        '--topic',
        'elect',
        '--partition',
        '2',
      ]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.match(
        /^Error completing leader election \(PREFERRED\) for partition: elect-2: .*PREFERRED_LEADER_NOT_AVAILABLE/,
      );
      expect(run.stderr).to.include('1 replica(s) could not be elected');
      expect((await zkState('elect', 2)).leader).to.not.equal(3);
    } finally {
      await cluster.local.startBroker(3);
    }
  });

  it('elects an out-of-sync replica of an offline partition with an unclean election', async () => {
    await waitFor(async () => (await zkState('unclean', 0)).isr.length === 2, 'unclean-0 fully in sync');
    // Broker 3 leaves cleanly (out of the ISR), then broker 2, the last in-sync replica, dies.
    await cluster.local.stopBroker(3);
    await waitFor(async () => (await zkState('unclean', 0)).isr.join() === '2', 'broker 3 out of the ISR');
    await cluster.local.killBroker(2);
    await cluster.local.startBroker(3);
    await waitFor(async () => (await zkState('unclean', 0)).leader === -1, 'unclean-0 offline', { timeoutMs: 30_000 });
    expect((await zkState('unclean', 0)).isr).to.deep.equal([2]);

    const preferred = await mqAdmin([
      'leader-election',
      ...boot(),
      '--election-type',
      'preferred',
      '--topic',
      'unclean',
      '--partition',
      '0',
    ]);
    expect(preferred.code).to.equal(1);
    expect(preferred.stdout).to.include('PREFERRED_LEADER_NOT_AVAILABLE');

    const run = await mqAdmin([
      'leader-election',
      ...boot(),
      '--election-type',
      'unclean',
      '--topic',
      'unclean',
      '--partition',
      '0',
    ]);
    expect(run).to.include({
      code: 0,
      stdout: 'Successfully completed leader election (UNCLEAN) for partitions unclean-0\n',
    });
    const state = await zkState('unclean', 0);
    expect(state.leader).to.equal(3);
    expect(await controllerMetric('kafka_controller_controllerstats_uncleanleaderelections_total')).to.equal(1);
    expect(state.isr).to.deep.equal([3]);
    expect((await leaderOf('unclean', 0)).leader).to.equal(3);

    const again = await mqAdmin([
      'leader-election',
      ...boot(),
      '--election-type',
      'unclean',
      '--topic',
      'unclean',
      '--partition',
      '0',
    ]);
    expect(again).to.include({ code: 0, stdout: 'Valid replica already elected for partitions unclean-0\n' });
    await cluster.local.startBroker(2);
  });
});
