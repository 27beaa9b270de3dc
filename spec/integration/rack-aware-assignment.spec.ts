/**
 * broker.rack at work: four brokers on two racks (1, 2 on rack-a; 3, 4 on rack-b). Topics created and grown with
 * mq-admin (computed assignments) put each partition's replicas on distinct racks when there are at least RF racks,
 * and over every rack when RF exceeds them; checked through the Admin client, whose describeCluster reports each
 * broker's rack from its registration in ZooKeeper.
 */
import { expect } from 'chai';
import { Admin } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Rack-aware replica assignment (4 brokers on 2 racks)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 4,
      brokerPropsFor: (id) => ({ 'broker.rack': id <= 2 ? 'rack-a' : 'rack-b' }),
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  /** Racks of each partition's replicas, from the cluster's own description. */
  async function racksPerPartition(admin: Admin, topic: string): Promise<string[][]> {
    const { brokers } = await admin.describeCluster();
    const rackOf = new Map(brokers.map((b) => [b.nodeId, b.rack]));
    const [description] = await admin.describeTopics([topic]);
    return description!.partitions.map((p) => p.replicas.map((id) => rackOf.get(id)!));
  }

  it('places replicas on distinct racks at creation and when partitions are added', async () => {
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    expect((await admin.describeCluster()).brokers.map((b) => b.rack).sort()).to.deep.equal([
      'rack-a',
      'rack-a',
      'rack-b',
      'rack-b',
    ]);
    const boot = ['--bootstrap-server', cluster.bootstrapServers];
    const created = await mqAdmin([
      'topics',
      ...boot,
      '--create',
      '--topic',
      'racked',
      '--partitions',
      '8',
      '--replication-factor',
      '2',
    ]);
    expect(created).to.include({ code: 0, stdout: 'Created topic racked.\n' });
    for (const racks of await racksPerPartition(admin, 'racked')) expect(new Set(racks).size).to.equal(2);

    const grown = await mqAdmin(['topics', ...boot, '--alter', '--topic', 'racked', '--partitions', '12']);
    expect(grown.code, grown.stderr).to.equal(0);
    await waitFor(
      async () => (await admin.describeTopics(['racked']))[0]!.partitions.length === 12,
      'twelve partitions',
    );
    const racks = await racksPerPartition(admin, 'racked');
    expect(racks).to.have.length(12);
    for (const r of racks) expect(new Set(r).size).to.equal(2);

    // RF 3 over two racks: every partition spans both racks (three distinct brokers, two on one rack).
    await admin.createTopics([{ name: 'racked-rf3', numPartitions: 4, replicationFactor: 3 }]);
    for (const r of await racksPerPartition(admin, 'racked-rf3')) {
      expect(r).to.have.length(3);
      expect(new Set(r).size).to.equal(2);
    }
  });
});
