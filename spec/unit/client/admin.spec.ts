import { expect } from 'chai';
import { ApiError, IllegalStateError } from '../../../lib/common/errors.js';
import { ApiKey } from '../../../lib/protocol/api-keys.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { Admin } from '../../../lib/client/admin/admin.js';
import { defer } from '../../helpers/cleanup.js';
import { MockCluster } from './mock-cluster.js';

async function connectedAdmin(cluster: MockCluster): Promise<Admin> {
  const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrap, 'retry.backoff.ms': 5 }), (a) => a.close());
  await admin.connect();
  return admin;
}

describe('Admin', () => {
  describe('#createTopics', () => {
    it('creates topics on the controller and lists and describes them', async () => {
      const cluster = await MockCluster.start(2);
      cluster.controllerId = 1;
      const admin = await connectedAdmin(cluster);
      const created = await admin.createTopics([
        { name: 'orders', numPartitions: 3, configs: { 'cleanup.policy': 'compact' } },
      ]);
      expect(created).to.deep.equal([{ name: 'orders', numPartitions: 3, replicationFactor: 1 }]);
      expect(cluster.requests.filter((r) => r.apiKey === ApiKey.CreateTopics).map((r) => r.nodeId)).to.deep.equal([1]);
      expect(await admin.listTopics()).to.deep.equal(['orders']);
      const [described] = await admin.describeTopics(['orders']);
      expect(described!.partitions.map((p) => [p.partition, p.leader])).to.deep.equal([
        [0, 0],
        [1, 1],
        [2, 0],
      ]);
    });

    it('retries on NOT_CONTROLLER after refreshing metadata', async () => {
      const cluster = await MockCluster.start(2);
      const admin = await connectedAdmin(cluster);
      cluster.controllerId = 1; // the admin still believes broker 0 is the controller
      await admin.createTopics([{ name: 't', numPartitions: 1 }]);
      expect(cluster.requests.filter((r) => r.apiKey === ApiKey.CreateTopics).map((r) => r.nodeId)).to.deep.equal([
        0, 1,
      ]);
    });

    it("rejects with the topic's non-retriable error, naming the topic", async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const admin = await connectedAdmin(cluster);
      const error = await admin.createTopics([{ name: 't', numPartitions: 1 }]).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'TOPIC_ALREADY_EXISTS');
      expect((error as Error).message).to.contain("Topic 't'");
    });
  });

  describe('#deleteTopics', () => {
    it('deletes topics', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const admin = await connectedAdmin(cluster);
      await admin.deleteTopics(['t']);
      expect(cluster.topics.has('t')).to.equal(false);
    });
  });

  describe('#describeTopics', () => {
    it('rejects with UNKNOWN_TOPIC_OR_PARTITION for a missing topic', async () => {
      const cluster = await MockCluster.start();
      const admin = await connectedAdmin(cluster);
      const error = await admin.describeTopics(['nope']).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'UNKNOWN_TOPIC_OR_PARTITION');
    });
  });

  describe('#createPartitions', () => {
    it('raises the partition count', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const admin = await connectedAdmin(cluster);
      await admin.createPartitions([{ topic: 't', count: 4 }]);
      expect(cluster.topics.get('t')!.partitions).to.have.length(4);
    });
  });

  describe('#describeConfigs / #alterConfigs', () => {
    it('replaces and reads back topic config overrides', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const admin = await connectedAdmin(cluster);
      await admin.alterConfigs([{ type: 'topic', name: 't', configs: { 'retention.ms': '1000' } }]);
      const [described] = await admin.describeConfigs([{ type: 'topic', name: 't' }]);
      expect(described!.configs.map((c) => [c.name, c.value, c.source])).to.deep.equal([
        ['retention.ms', '1000', 'DYNAMIC_TOPIC_CONFIG'],
      ]);
    });
  });

  describe('#describeCluster', () => {
    it('names the cluster, the controller and the brokers', async () => {
      const cluster = await MockCluster.start(2);
      const admin = await connectedAdmin(cluster);
      const described = await admin.describeCluster();
      expect(described.clusterId).to.equal('mock-cluster');
      expect(described.brokers.map((b) => b.nodeId)).to.deep.equal([0, 1]);
    });
  });

  describe('#listOffsets', () => {
    it('finds earliest, latest and by-timestamp offsets, retrying a moved leader', async () => {
      const cluster = await MockCluster.start(2);
      cluster.createTopic('t', 1, () => 0);
      const builder = new RecordBatchBuilder();
      for (let i = 0; i < 3; i++) builder.append(100 + i * 10, null, `v${i}`);
      cluster.appendBatch('t', 0, builder.buildSync());
      const admin = await connectedAdmin(cluster);
      cluster.moveLeader('t', 0, 1);
      const offsets = await admin.listOffsets([{ topic: 't', partition: 0, spec: 'latest' }]);
      expect(offsets).to.deep.equal([{ topic: 't', partition: 0, offset: 3, timestamp: -1 }]);
      expect((await admin.listOffsets([{ topic: 't', partition: 0, spec: 'earliest' }]))[0]!.offset).to.equal(0);
      expect((await admin.listOffsets([{ topic: 't', partition: 0, spec: 115 }]))[0]).to.include({
        offset: 2,
        timestamp: 120,
      });
    });
  });

  it('refuses calls before connect()', async () => {
    const cluster = await MockCluster.start();
    const admin = new Admin({ 'bootstrap.servers': cluster.bootstrap });
    const error = await admin.listTopics().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(IllegalStateError);
  });
});
