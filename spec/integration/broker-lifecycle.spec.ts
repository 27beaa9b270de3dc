/**
 * Broker processes against a real ZooKeeper: registration and its znode, one controller among three, controller
 * failover after SIGKILL with epoch + 1, and refusal of a duplicate broker.id.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ZkClient } from '../../lib/zk/zk-client.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const execFileAsync = promisify(execFile);

async function zkFor(cluster: TestCluster): Promise<ZkClient> {
  const zk = new ZkClient({ connect: cluster.zookeeperConnect, sessionTimeoutMs: 6000 });
  await zk.connect();
  return defer(zk, (z) => z.close());
}

async function readJson(zk: ZkClient, path: string): Promise<Record<string, unknown> | null> {
  const node = await zk.getData(path);
  return node === null ? null : (JSON.parse(node.data.toString('utf8')) as Record<string, unknown>);
}

describe('Broker life cycle (3 brokers, real ZooKeeper)', function () {
  this.timeout(90_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 3 });
  });
  after(async () => {
    await cluster?.stop();
  });

  it("registers each broker as an ephemeral znode with Kafka's JSON", async () => {
    const zk = await zkFor(cluster);
    expect((await zk.getChildren('/brokers/ids'))!.sort()).to.deep.equal(['1', '2', '3']);
    for (const id of [1, 2, 3]) {
      const node = await zk.getData(`/brokers/ids/${id}`);
      expect(node!.stat.ephemeralOwner).to.not.equal('0000000000000000');
      const json = JSON.parse(node!.data.toString('utf8'));
      const { port, kafkaPort } = cluster.local.broker(id);
      expect(json).to.include({ host: '127.0.0.1', port, version: 5, jmx_port: -1 });
      // Every listener, in `listeners` order: the msgpack one and the one speaking Kafka's protocol.
      expect(json.endpoints).to.deep.equal([`PLAINTEXT://127.0.0.1:${port}`, `KAFKA://127.0.0.1:${kafkaPort}`]);
      expect(json.listener_security_protocol_map).to.deep.equal({ PLAINTEXT: 'PLAINTEXT', KAFKA: 'PLAINTEXT' });
      expect(Number(json.timestamp)).to.be.closeTo(Date.now(), 120_000);
    }
    const clusterId = await readJson(zk, '/cluster/id');
    expect(clusterId).to.have.property('version', '1');
    expect(clusterId!['id']).to.match(/^[A-Za-z0-9_-]{22}$/);
  });

  it('elects exactly one controller, and another with epoch + 1 when it is killed', async () => {
    const zk = await zkFor(cluster);
    const controller = await readJson(zk, '/controller');
    expect(controller).to.include({ version: 1 });
    const first = controller!['brokerid'] as number;
    expect([1, 2, 3]).to.include(first);
    const epoch = Number((await zk.getData('/controller_epoch'))!.data.toString());
    expect(epoch).to.be.at.least(1);

    const killedAt = Date.now();
    await cluster.local.killBroker(first);
    const next = await waitFor(
      async () => {
        const c = await readJson(zk, '/controller');
        return c !== null && c['brokerid'] !== first ? c : null;
      },
      'another broker to become controller',
      { timeoutMs: 30_000 },
    );
    expect(Date.now() - killedAt).to.be.below(6000 + 10_000);
    expect([1, 2, 3].filter((b) => b !== first)).to.include(next['brokerid']);
    expect(Number((await zk.getData('/controller_epoch'))!.data.toString())).to.equal(epoch + 1);
    await waitFor(
      async () => !(await zk.getChildren('/brokers/ids'))!.includes(String(first)),
      "the killed broker's znode to expire",
    );

    await cluster.local.startBroker(first);
    await waitFor(
      async () => (await zk.getChildren('/brokers/ids'))!.includes(String(first)),
      'the restarted broker to register',
    );
  });

  it('refuses to start a second broker with a broker.id that is live', async () => {
    const dir = tmpDir();
    const config = join(dir, 'server.properties');
    writeFileSync(
      config,
      [
        'broker.id=2',
        'listeners=PLAINTEXT://127.0.0.1:0',
        `log.dirs=${join(dir, 'logs')}`,
        `zookeeper.connect=${cluster.zookeeperConnect}`,
        'zookeeper.session.timeout.ms=6000',
      ].join('\n'),
    );
    const bin = join(process.cwd(), 'bin', 'mq-broker');
    const err = await execFileAsync(process.execPath, [bin, '--config', config], { timeout: 30_000 }).then(
      () => null,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(err, 'the duplicate broker must exit with an error').to.not.equal(null);
    expect(err!.code).to.equal(1);
    expect(err!.stderr).to.match(/broker\.id 2 is already registered by another live broker/);
  });

  it('rejects an invalid config naming the key', async () => {
    const dir = tmpDir();
    const config = join(dir, 'server.properties');
    writeFileSync(config, `broker.id=1\nzookeeper.connect=${cluster.zookeeperConnect}\nnum.partitions=zero\n`);
    const err = await execFileAsync(process.execPath, [
      join(process.cwd(), 'bin', 'mq-broker'),
      '--config',
      config,
    ]).then(
      () => null,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(err!.code).to.equal(1);
    expect(err!.stderr).to.match(/num\.partitions/);
  });
});
