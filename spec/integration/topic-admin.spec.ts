/**
 * Topic management through the controller: create (with Kafka's replica assignment visible in ZooKeeper),
 * describe via Metadata, add partitions, delete (data removed on every replica, znodes gone), and the errors
 * Kafka gives for bad requests.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { ZkClient } from '../../lib/zk/zk-client.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/wait-for.js';
import { buildBatch, connectTo, createTopic, leaderOf, metadata, produce } from '../helpers/wire.js';

describe('Topic management (3 brokers)', function () {
  this.timeout(90_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerProps: { 'auto.create.topics.enable': false } });
  });
  after(async () => {
    await cluster?.stop();
  });

  async function controllerClient() {
    const any = await connectTo(cluster, 1);
    const id = await waitFor(async () => {
      const c = (await metadata(any, [])).controllerId;
      return c >= 0 ? c : null;
    }, 'a controller');
    return connectTo(cluster, id);
  }

  it("creates a topic, writes Kafka's znodes and serves its metadata", async () => {
    const md = await createTopic(cluster, 'orders', 6, 3);
    const t = md.topics[0]!;
    expect(t.partitions).to.have.length(6);
    for (const p of t.partitions) {
      expect(p.replicaNodes).to.have.length(3);
      expect(new Set(p.replicaNodes).size).to.equal(3);
      expect(p.leaderId).to.equal(p.replicaNodes[0]);
      expect([...p.isrNodes].sort()).to.deep.equal([...p.replicaNodes].sort());
    }
    // Leaders are spread: with 6 partitions over 3 brokers each broker leads 2.
    const leaders = t.partitions.map((p) => p.leaderId);
    for (const b of [1, 2, 3]) expect(leaders.filter((l) => l === b)).to.have.length(2);

    const zk = defer(new ZkClient({ connect: cluster.zookeeperConnect }), (z) => z.close());
    await zk.connect();
    const assignment = JSON.parse((await zk.getData('/brokers/topics/orders'))!.data.toString());
    expect(Object.keys(assignment.partitions)).to.have.length(6);
    const state = JSON.parse((await zk.getData('/brokers/topics/orders/partitions/0/state'))!.data.toString());
    expect(state).to.include({ version: 1, leader: t.partitions[0]!.leaderId, leader_epoch: 0 });
    expect(state.controller_epoch).to.be.at.least(1);
    expect(await zk.getData('/config/topics/orders')).to.not.equal(null);
  });

  it("answers bad creations with Kafka's error codes", async () => {
    const c = await controllerClient();
    const res = await c.send(ApiKey.CreateTopics, 0, {
      topics: [
        { name: 'bad/name', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'zero-partitions', numPartitions: 0, replicationFactor: 1, assignments: [], configs: [] },
        { name: 'rf-too-big', numPartitions: 1, replicationFactor: 4, assignments: [], configs: [] },
        { name: 'orders', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
        {
          name: 'bad-config',
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [{ name: 'retention.ms', value: 'soon' }],
        },
      ],
      timeoutMs: 10000,
      validateOnly: false,
    });
    const codes = Object.fromEntries(res.topics.map((t) => [t.name, t.errorCode]));
    expect(codes).to.deep.equal({
      'bad/name': ErrorCode.INVALID_TOPIC_EXCEPTION,
      'zero-partitions': ErrorCode.INVALID_PARTITIONS,
      'rf-too-big': ErrorCode.INVALID_REPLICATION_FACTOR,
      orders: ErrorCode.TOPIC_ALREADY_EXISTS,
      'bad-config': ErrorCode.INVALID_CONFIG,
    });
    for (const t of res.topics) expect(t.errorMessage, t.name).to.be.a('string').and.not.equal('');
  });

  it('answers NOT_CONTROLLER on a broker that is not the controller', async () => {
    const any = await connectTo(cluster, 1);
    const controllerId = (await metadata(any, [])).controllerId;
    const other = [1, 2, 3].find((b) => b !== controllerId)!;
    const c = await connectTo(cluster, other);
    const res = await c.send(ApiKey.CreateTopics, 0, {
      topics: [{ name: 'elsewhere', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(res.topics[0]!.errorCode).to.equal(ErrorCode.NOT_CONTROLLER);
  });

  it('adds partitions, which get leaders', async () => {
    await createTopic(cluster, 'growing', 2, 2);
    const c = await controllerClient();
    const res = await c.send(ApiKey.CreatePartitions, 0, {
      topics: [{ name: 'growing', count: 5, assignments: null }],
      timeoutMs: 20000,
      validateOnly: false,
    });
    expect(res.results[0]!.errorCode).to.equal(0);
    const md = await metadata(c, ['growing']);
    expect(md.topics[0]!.partitions).to.have.length(5);
    expect(md.topics[0]!.partitions.every((p) => p.leaderId > 0 && p.replicaNodes.length === 2)).to.equal(true);
    const shrink = await c.send(ApiKey.CreatePartitions, 0, {
      topics: [{ name: 'growing', count: 3, assignments: null }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    expect(shrink.results[0]!.errorCode).to.equal(ErrorCode.INVALID_PARTITIONS);
  });

  it('deletes a topic: its data on every replica and its znodes', async () => {
    await createTopic(cluster, 'doomed', 3, 3);
    const dirs = [1, 2, 3].flatMap((b) =>
      [0, 1, 2].map((p) => join(cluster.local.broker(b).dir, 'logs', `doomed-${p}`)),
    );
    await waitFor(() => dirs.every((d) => existsSync(d)), 'every replica directory to exist');
    const c = await controllerClient();
    const res = await c.send(ApiKey.DeleteTopics, 0, { topicNames: ['doomed'], timeoutMs: 30000 });
    expect(res.responses[0]!.errorCode).to.equal(0);
    const zk = defer(new ZkClient({ connect: cluster.zookeeperConnect }), (z) => z.close());
    await zk.connect();
    await waitFor(
      async () =>
        (await zk.exists('/brokers/topics/doomed')) === null &&
        (await zk.exists('/admin/delete_topics/doomed')) === null,
      'the topic znodes to be removed',
    );
    expect(await zk.exists('/config/topics/doomed')).to.equal(null);
    await waitFor(
      () => dirs.every((d) => !existsSync(d)),
      'every replica directory to be removed (renamed for deletion)',
    );
    const md = await metadata(c, ['doomed']);
    expect(md.topics[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const again = await c.send(ApiKey.DeleteTopics, 0, { topicNames: ['doomed'], timeoutMs: 5000 });
    expect(again.responses[0]!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  // Regression: a replica manager whose change queue finished synchronously on a topic deletion stopped applying
  // any later leadership change, so topics created after a deletion were never served.
  it('serves topics created after a deletion', async () => {
    await createTopic(cluster, 'before-delete', 1, 1);
    const c = await controllerClient();
    expect(
      (await c.send(ApiKey.DeleteTopics, 0, { topicNames: ['before-delete'], timeoutMs: 30000 })).responses[0]!
        .errorCode,
    ).to.equal(0);
    await createTopic(cluster, 'after-delete', 3, 1);
    for (const p of [0, 1, 2]) {
      const leader = await connectTo(cluster, await leaderOf(cluster, 'after-delete', p));
      const res = await produce(leader, 'after-delete', p, buildBatch([`v${p}`]), 1);
      expect(res!.responses[0]!.partitionResponses[0]!.errorCode, `partition ${p}`).to.equal(0);
    }
  });
});
