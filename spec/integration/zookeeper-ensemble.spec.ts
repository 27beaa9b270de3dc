/**
 * A cluster on a three-member ZooKeeper ensemble, as `mq-cluster up --zk-ensemble 3` starts it (the shape of
 * docker/docker-compose.yml): the ensemble's leader is SIGKILLed while a producer sends with acks=all, and nothing
 * changes for clients: no failed send, the same partition leaders and controller, no broker session expired, admin
 * operations (ZooKeeper writes) still work, every acknowledged record is there.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { ContinuousProducer } from '../helpers/acked-records.js';
import { defer } from '../helpers/cleanup.js';
import { runBin } from '../helpers/mq-admin-cli.js';
import { waitFor } from '../helpers/wait-for.js';

/** A ZooKeeper member's `srvr` mode (leader, follower), or null when it does not answer. */
function zkMode(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end('srvr'));
    let answer = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => resolve(null));
    socket.on('close', () => resolve(/^Mode: (\w+)/m.exec(answer)?.[1] ?? null));
  });
}

describe('mq-cluster up --zk-ensemble 3: a ZooKeeper member dies', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'mq-zk-ensemble-'));

  after(async () => {
    await runBin('mq-cluster', ['down', '--dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps serving every client, with the same leaders and no broker session lost', async () => {
    const up = await runBin('mq-cluster', [
      'up',
      '--brokers',
      '3',
      '--zk-ensemble',
      '3',
      '--dir',
      dir,
      '--zk-port',
      '0',
      '--port',
      '0',
      '--override',
      'zookeeper.session.timeout.ms=6000',
      '--detach',
    ]);
    expect(up.stderr).to.equal('');
    expect(up.code).to.equal(0);
    expect(up.stdout).to.include('Starting a ZooKeeper ensemble of 3').and.include('Cluster check: a record sent');
    const cluster = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as {
      zk: { connect: string; dataDirs: string[] };
      brokers: Array<{ id: number; port: number; dir: string }>;
    };
    const zkPorts = cluster.zk.connect.split(',').map((hp) => Number(hp.split(':')[1]));
    expect(zkPorts).to.have.length(3);
    const bootstrap = cluster.brokers.map((b) => `127.0.0.1:${b.port}`).join(',');

    const admin = defer(new Admin({ 'bootstrap.servers': bootstrap }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([
      { name: 'steady', numPartitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    await waitFor(
      // The ISR is full from creation on; a leader is named only once it leads (its log made).
      async () =>
        (await admin.describeTopics(['steady']))[0]!.partitions.every((p) => p.isr.length === 3 && p.leader >= 0),
      'full ISRs and leaders',
    );
    const leadersBefore = (await admin.describeTopics(['steady']))[0]!.partitions.map((p) => p.leader);
    const controllerBefore = (await admin.describeCluster()).controllerId;

    const producer = defer(
      new Producer({ 'bootstrap.servers': bootstrap, acks: 'all', 'linger.ms': 1, 'delivery.timeout.ms': 60_000 }),
      (p) => p.close(),
    );
    await producer.connect();
    const load = new ContinuousProducer(producer, 'steady', 3).start();
    try {
      await load.ackedMore(200, 'before the kill');
      const modes = await Promise.all(zkPorts.map(zkMode));
      const leaderIndex = modes.indexOf('leader');
      expect(leaderIndex, `modes ${modes.join(',')}`).to.be.at.least(0);
      const pid = Number(readFileSync(join(cluster.zk.dataDirs[leaderIndex]!, 'zookeeper.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
      // The two members left elect a new leader among themselves.
      await waitFor(
        async () =>
          (await Promise.all(zkPorts.map(zkMode))).filter((m) => m === 'leader' || m === 'follower').length === 2,
        'a new ZooKeeper quorum of two',
        { timeoutMs: 30_000 },
      );
      await load.ackedMore(500, 'after the kill');
      // A ZooKeeper write still goes through: a topic is created and gets its leaders.
      await admin.createTopics([{ name: 'after-the-kill', numPartitions: 1, replicationFactor: 3 }]);
      await waitFor(
        async () => (await admin.describeTopics(['after-the-kill']))[0]!.partitions[0]!.leader >= 0,
        'the new topic to get a leader',
      );
    } finally {
      await load.stop();
    }
    expect(load.failures.map((e) => e.message)).to.deep.equal([]);
    expect(load.acked.size).to.equal(load.sent);
    expect((await admin.describeTopics(['steady']))[0]!.partitions.map((p) => p.leader)).to.deep.equal(leadersBefore);
    const after = await admin.describeCluster();
    expect(after.controllerId).to.equal(controllerBefore);
    expect(after.brokers.map((b) => b.nodeId).sort()).to.deep.equal([1, 2, 3]);
    for (const b of cluster.brokers) {
      const log = readFileSync(join(b.dir, 'broker.log'), 'utf8');
      expect(log, `broker ${b.id}'s log`).to.not.include('ZooKeeper session expired');
    }
    // Every acknowledged record is at its offset.
    const ends = await admin.listOffsets(
      [0, 1, 2].map((partition) => ({ topic: 'steady', partition, spec: 'latest' })),
    );
    const maxAcked = new Map<number, number>();
    for (const a of load.acked.values()) maxAcked.set(a.partition, Math.max(maxAcked.get(a.partition) ?? -1, a.offset));
    for (const e of ends) expect(e.offset).to.be.greaterThan(maxAcked.get(e.partition) ?? -1);

    const down = await runBin('mq-cluster', ['down', '--dir', dir]);
    expect(down.code).to.equal(0);
    expect(down.stdout).to.include('zookeeper (3 members)');
  });
});
