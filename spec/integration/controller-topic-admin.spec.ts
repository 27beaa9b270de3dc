/**
 * TopicAdmin against a real ZooKeeper (no controller running): Kafka's validation of CreateTopics,
 * CreatePartitions and DeleteTopics with one error code per topic, and the znodes a successful request writes.
 */
import { expect } from 'chai';
import { ERROR_CODES, type ErrorName } from '../../lib/common/error-codes.js';
import { ApiError } from '../../lib/common/errors.js';
import { TopicAdmin, type CreatableTopic, type TopicAdminOptions } from '../../lib/controller/topic-admin.js';
import type { KafkaZkClient } from '../../lib/zk/kafka-zk-client.js';
import { ConfigEntityZNode, ConfigType, DeleteTopicsTopicZNode } from '../../lib/zk/zk-paths.js';
import { defer } from '../helpers/cleanup.js';
import { sharedZooKeeper, uniqueChroot } from '../helpers/zk-harness.js';
import { connectZk } from './controller-test-cluster.js';

const LIVE_BROKERS = [1, 2, 3];

async function setup(opts: Partial<TopicAdminOptions> = {}): Promise<{ admin: TopicAdmin; zk: KafkaZkClient }> {
  const zk = defer(await connectZk(uniqueChroot((await sharedZooKeeper()).connect, 'mq-topic-admin')), async (c) => {
    await c.zk.deleteRecursive('/');
    await c.close();
  });
  await zk.createTopLevelPaths();
  const admin = new TopicAdmin({
    zk,
    metadataCache: { aliveBrokers: () => LIVE_BROKERS.map((id) => ({ id })) },
    ...opts,
  });
  return { admin, zk };
}

const topic = (name: string, more: Partial<CreatableTopic> = {}): CreatableTopic => ({
  name,
  numPartitions: 3,
  replicationFactor: 2,
  assignments: [],
  configs: {},
  ...more,
});

const code = (name: ErrorName): number => ERROR_CODES[name].code;

describe('TopicAdmin', function () {
  this.timeout(20_000);

  describe('#createTopics', () => {
    it('writes the config then the assignment with a topic id, and reports counts', async () => {
      const { admin, zk } = await setup();
      const [result] = await admin.createTopics([topic('orders', { configs: { 'retention.ms': '1000' } })]);
      expect(result).to.deep.equal({
        name: 'orders',
        errorCode: 0,
        errorMessage: null,
        numPartitions: 3,
        replicationFactor: 2,
      });
      const assignment = (await zk.getTopicAssignment('orders'))!;
      expect(assignment.topicId).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect([...assignment.partitions.values()].every((a) => a.replicas.length === 2)).to.equal(true);
      expect(await zk.getEntityConfig(ConfigType.Topic, 'orders')).to.deep.equal({ 'retention.ms': '1000' });
    });

    it('uses num.partitions and default.replication.factor for -1', async () => {
      const { admin } = await setup({ defaultNumPartitions: 4, defaultReplicationFactor: 3 });
      const [result] = await admin.createTopics([topic('defaults', { numPartitions: -1, replicationFactor: -1 })]);
      expect(result).to.include({ errorCode: 0, numPartitions: 4, replicationFactor: 3 });
    });

    it('takes an explicit assignment as given', async () => {
      const { admin, zk } = await setup();
      const [result] = await admin.createTopics([
        topic('explicit', {
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [
            { partitionIndex: 0, brokerIds: [3, 1] },
            { partitionIndex: 1, brokerIds: [1, 7] },
          ],
        }),
      ]);
      expect(result).to.include({ errorCode: 0, numPartitions: 2, replicationFactor: 2 });
      const partitions = (await zk.getTopicAssignment('explicit'))!.partitions;
      expect(partitions.get(0)!.replicas).to.deep.equal([3, 1]);
      expect(partitions.get(1)!.replicas).to.deep.equal([1, 7]);
    });

    it('writes nothing with validateOnly', async () => {
      const { admin, zk } = await setup();
      const [result] = await admin.createTopics([topic('dry')], { validateOnly: true });
      expect(result).to.include({ errorCode: 0, numPartitions: 3 });
      expect(await zk.getTopicAssignment('dry')).to.equal(null);
      expect(await zk.zk.exists(ConfigEntityZNode.path(ConfigType.Topic, 'dry'))).to.equal(null);
    });

    it("answers each bad topic with Kafka's error code and creates the good ones", async () => {
      const { admin, zk } = await setup();
      await admin.createTopics([topic('taken'), topic('with.dot')]);
      const twoAssignments = (a: number[], b: number[]) => ({
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [
          { partitionIndex: 0, brokerIds: a },
          { partitionIndex: 1, brokerIds: b },
        ],
      });
      const results = await admin.createTopics([
        topic('ok'),
        topic('bad name!'),
        topic('with_dot'),
        topic('taken'),
        topic('twice'),
        topic('twice'),
        topic('too-many-replicas', { replicationFactor: 4 }),
        topic('no-partitions', { numPartitions: 0 }),
        topic('both', { assignments: [{ partitionIndex: 0, brokerIds: [1] }] }),
        topic('gap', {
          ...twoAssignments([1], [2]),
          assignments: [
            { partitionIndex: 0, brokerIds: [1] },
            { partitionIndex: 2, brokerIds: [2] },
          ],
        }),
        topic('dup-replica', twoAssignments([1, 1], [2, 3])),
        topic('uneven', twoAssignments([1, 2], [3])),
        topic('bad-config', { configs: { 'retention.ms': 'soon' } }),
        topic('unknown-config', { configs: { 'retention.msec': '1' } }),
      ]);
      const byName = results.map((r) => [r.name, r.errorCode]);
      expect(byName).to.deep.equal([
        ['ok', 0],
        ['bad name!', code('INVALID_TOPIC_EXCEPTION')],
        ['with_dot', code('INVALID_TOPIC_EXCEPTION')],
        ['taken', code('TOPIC_ALREADY_EXISTS')],
        ['twice', code('INVALID_REQUEST')],
        ['twice', code('INVALID_REQUEST')],
        ['too-many-replicas', code('INVALID_REPLICATION_FACTOR')],
        ['no-partitions', code('INVALID_PARTITIONS')],
        ['both', code('INVALID_REQUEST')],
        ['gap', code('INVALID_REPLICA_ASSIGNMENT')],
        ['dup-replica', code('INVALID_REPLICA_ASSIGNMENT')],
        ['uneven', code('INVALID_REPLICA_ASSIGNMENT')],
        ['bad-config', code('INVALID_CONFIG')],
        ['unknown-config', code('INVALID_CONFIG')],
      ]);
      for (const r of results.filter((x) => x.errorCode !== 0)) {
        expect(r.errorMessage).to.be.a('string').and.not.equal('');
        expect(r).to.include({ numPartitions: -1, replicationFactor: -1 });
      }
      expect(results.find((r) => r.name === 'with_dot')!.errorMessage).to.match(
        /collides with existing topics: with\.dot/,
      );
      expect((await zk.getAllTopics()).sort()).to.deep.equal(['ok', 'taken', 'with.dot']);
    });

    it('refuses a topic that is still marked for deletion', async () => {
      const { admin, zk } = await setup();
      await admin.createTopics([topic('lingering')]);
      await zk.zk.create(DeleteTopicsTopicZNode.path('lingering'));
      await zk.zk.deleteRecursive('/brokers/topics/lingering');
      const [result] = await admin.createTopics([topic('lingering')]);
      expect(result).to.include({ errorCode: code('TOPIC_ALREADY_EXISTS') });
      expect(result!.errorMessage).to.match(/marked for deletion/);
    });
  });

  describe('#createPartitions', () => {
    it('adds partitions with the assignment algorithm, keeping the topic id', async () => {
      const { admin, zk } = await setup();
      await admin.createTopics([topic('grow', { numPartitions: 2 })]);
      const before = (await zk.getTopicAssignment('grow'))!;
      const [result] = await admin.createPartitions([{ name: 'grow', count: 5, assignments: null }]);
      expect(result).to.deep.equal({ name: 'grow', errorCode: 0, errorMessage: null });
      const after = (await zk.getTopicAssignment('grow'))!;
      expect(after.topicId).to.equal(before.topicId);
      expect([...after.partitions.keys()].sort()).to.deep.equal([0, 1, 2, 3, 4]);
      expect(after.partitions.get(0)).to.deep.equal(before.partitions.get(0));
      for (const p of [2, 3, 4]) expect(after.partitions.get(p)!.replicas).to.have.length(2);
    });

    it('rejects what Kafka rejects, per topic', async () => {
      const { admin, zk } = await setup();
      await admin.createTopics([topic('fixed', { numPartitions: 2 })]);
      const results = await admin.createPartitions([
        { name: 'missing', count: 3, assignments: null },
        { name: 'fixed', count: 2, assignments: null },
      ]);
      expect(results.map((r) => r.errorCode)).to.deep.equal([
        code('UNKNOWN_TOPIC_OR_PARTITION'),
        code('INVALID_PARTITIONS'),
      ]);
      const explicit = async (assignments: number[][]) =>
        (await admin.createPartitions([{ name: 'fixed', count: 3, assignments }]))[0]!.errorCode;
      expect(
        await explicit([
          [1, 2],
          [2, 3],
        ]),
      ).to.equal(code('INVALID_REPLICA_ASSIGNMENT'));
      expect(await explicit([[1, 9]])).to.equal(code('INVALID_REPLICA_ASSIGNMENT'));
      expect(await explicit([[1, 1]])).to.equal(code('INVALID_REPLICA_ASSIGNMENT'));
      expect(await explicit([[1]])).to.equal(code('INVALID_REPLICA_ASSIGNMENT'));
      expect(await explicit([[3, 1]])).to.equal(0);
      expect((await zk.getTopicAssignment('fixed'))!.partitions.get(2)!.replicas).to.deep.equal([3, 1]);
    });
  });

  describe('#deleteTopics', () => {
    it('marks existing topics for deletion and reports unknown ones', async () => {
      const { admin, zk } = await setup();
      await admin.createTopics([topic('doomed')]);
      const results = await admin.deleteTopics(['doomed', 'unknown']);
      expect(results.map((r) => r.errorCode)).to.deep.equal([0, code('UNKNOWN_TOPIC_OR_PARTITION')]);
      expect(await zk.getTopicDeletions()).to.deep.equal(['doomed']);
      expect((await admin.deleteTopics(['doomed']))[0]!.errorCode).to.equal(0);
    });

    it('answers TOPIC_DELETION_DISABLED when delete.topic.enable is false', async () => {
      const { admin, zk } = await setup({ deleteTopicEnable: false });
      await admin.createTopics([topic('kept')]);
      const [result] = await admin.deleteTopics(['kept']);
      expect(result).to.include({ errorCode: code('TOPIC_DELETION_DISABLED') });
      expect(result!.errorMessage).to.match(/delete\.topic\.enable=true/);
      expect(await zk.getTopicDeletions()).to.deep.equal([]);
    });
  });

  describe('#alterTopicConfig', () => {
    it('replaces the overrides and notifies the brokers through /config/changes', async () => {
      const { admin, zk } = await setup();
      await admin.createTopics([topic('tuned', { configs: { 'retention.ms': '1000' } })]);
      await admin.alterTopicConfig('tuned', { 'cleanup.policy': 'compact' });
      expect(await zk.getEntityConfig(ConfigType.Topic, 'tuned')).to.deep.equal({ 'cleanup.policy': 'compact' });
      const notifications = await zk.getConfigChangeNotifications();
      expect(notifications).to.have.length(1);
      expect(await zk.getConfigChangeNotification(notifications[0]!)).to.include({ entityPath: 'topics/tuned' });
    });

    it('rejects unknown topics and invalid configs, and changes nothing when validating only', async () => {
      const { admin, zk } = await setup();
      await admin.createTopics([topic('strict')]);
      const error = async (p: Promise<unknown>) =>
        p.then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(await error(admin.alterTopicConfig('nope', {})))
        .to.be.instanceOf(ApiError)
        .with.property('errorName', 'UNKNOWN_TOPIC_OR_PARTITION');
      expect(await error(admin.alterTopicConfig('strict', { 'min.insync.replicas': '0' })))
        .to.be.instanceOf(ApiError)
        .with.property('errorName', 'INVALID_CONFIG');
      await admin.alterTopicConfig('strict', { 'retention.ms': '5' }, { validateOnly: true });
      expect(await zk.getEntityConfig(ConfigType.Topic, 'strict')).to.deep.equal({});
    });
  });

  describe('#describeTopicConfig', () => {
    it('gives every key with its source: topic override, broker setting or Kafka default', async () => {
      const { admin } = await setup({ topicDefaults: { 'retention.ms': '3600000', 'segment.bytes': '1073741824' } });
      await admin.createTopics([topic('described', { configs: { 'cleanup.policy': 'compact' } })]);
      const entries = new Map((await admin.describeTopicConfig('described')).map((e) => [e.name, e]));
      expect(entries.get('cleanup.policy')).to.deep.equal({
        name: 'cleanup.policy',
        value: 'compact',
        source: 'DYNAMIC_TOPIC_CONFIG',
      });
      expect(entries.get('retention.ms')).to.deep.equal({
        name: 'retention.ms',
        value: '3600000',
        source: 'STATIC_BROKER_CONFIG',
      });
      expect(entries.get('segment.bytes')).to.deep.include({ value: '1073741824', source: 'DEFAULT_CONFIG' });
      expect(entries.get('min.insync.replicas')).to.deep.include({ value: '1', source: 'DEFAULT_CONFIG' });
    });
  });
});
