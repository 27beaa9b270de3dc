/**
 * The README's first command as a user runs it: bin/mq-cluster up starts its own ZooKeeper and three brokers,
 * proves them with a replicated round trip, prints the Kafka-protocol listeners kcat can use as they are, and
 * mq-cluster down stops everything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin } from '../../lib/client/index.js';
import { run as runTool, KCAT } from '../helpers/kafka-tools.js';
import { runBin as run } from '../helpers/mq-admin-cli.js';

describe('mq-cluster up and down (its own ZooKeeper, three brokers)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'mq-cluster-cli-'));

  after(async () => {
    await run('mq-cluster', ['down', '--dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the cluster, shows a record replicated to all three brokers and read back, and stops it all', async () => {
    const up = await run('mq-cluster', [
      'up',
      '--brokers',
      '3',
      '--dir',
      dir,
      '--zk-port',
      '0',
      '--port',
      '0',
      '--detach',
    ]);
    expect(up.stderr).to.equal('');
    expect(up.code).to.equal(0);
    const check =
      /Cluster check: a record sent with acks=all to mq-cluster-check-0 \(leader (\d), replicas ([\d,]+), in sync ([\d,]+)\) was stored at offset (\d+) and read back/.exec(
        up.stdout,
      );
    expect(check, up.stdout).to.not.equal(null);
    expect(check![2]!.split(',').sort()).to.deep.equal(['1', '2', '3']);
    expect(check![3]!.split(',').sort()).to.deep.equal(['1', '2', '3']);

    const bootstrap = /bootstrap\.servers=(\S+)/.exec(up.stdout)![1]!;
    const admin = new Admin({ 'bootstrap.servers': bootstrap });
    await admin.connect();
    try {
      const [config] = await admin.describeConfigs([
        { type: 'topic', name: 'mq-cluster-check', keys: ['min.insync.replicas'] },
      ]);
      expect(config!.configs[0]!.value).to.equal('2');
      const [end] = await admin.listOffsets([{ topic: 'mq-cluster-check', partition: 0, spec: 'latest' }]);
      expect(end!.offset).to.equal(Number(check![4]) + 1);
    } finally {
      await admin.close();
    }

    const kafkaClients = /Kafka clients \(kcat, KafkaJS, librdkafka, Java\): (\S+)/.exec(up.stdout)![1]!;
    const listing = JSON.parse((await runTool(KCAT, ['-b', kafkaClients, '-L', '-J'])).stdout.toString()) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string }[];
    };
    expect(listing.brokers.map((b) => b.name).sort()).to.deep.equal(kafkaClients.split(',').sort());
    expect(listing.topics.map((t) => t.topic)).to.include('mq-cluster-check');

    const again = await run('mq-cluster', [
      'up',
      '--brokers',
      '3',
      '--dir',
      dir,
      '--zk-port',
      '0',
      '--port',
      '0',
      '--detach',
    ]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('already running');

    const down = await run('mq-cluster', ['down', '--dir', dir]);
    expect(down.code).to.equal(0);
    expect(down.stdout).to.match(/^Stopped .*broker 1.*zookeeper\.\n$/);
    const pids = [...up.stdout.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids).to.have.length(3);
    for (const pid of pids) expect(() => process.kill(pid, 0), `broker pid ${pid}`).to.throw();
  });
});
