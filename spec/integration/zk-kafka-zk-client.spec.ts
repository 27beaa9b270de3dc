import { expect } from 'chai';
import { ApiError } from '../../lib/common/errors.js';
import { KafkaZkClient } from '../../lib/zk/kafka-zk-client.js';
import { ControllerMovedError, ZkError } from '../../lib/zk/zk-errors.js';
import {
  ConfigType,
  PERSISTENT_PATHS,
  replicaAssignment,
  TopicPartitionStateZNode,
  type BrokerInfo,
  type TopicAssignment,
} from '../../lib/zk/zk-paths.js';
import { MockTime } from '../helpers/mock-time.js';
import { defer } from '../helpers/cleanup.js';
import { expireSession, sharedZooKeeper, uniqueChroot } from '../helpers/zk-harness.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

const broker = (id: number, port = 9090 + id): BrokerInfo => ({
  id,
  endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port }],
});

const assignment = (topicId: string | null = 'AAAAAAAAAAAAAAAAAAAAAA'): TopicAssignment => ({
  topicId,
  partitions: new Map([
    [0, replicaAssignment([1, 2])],
    [1, replicaAssignment([2, 1])],
  ]),
});

describe('KafkaZkClient', function () {
  this.timeout(60_000); // above expireSession()'s own bound (10 attempts of up to 5 s) on a loaded machine
  let server: string;
  let connect: string;
  const time = new MockTime();

  before(async () => {
    server = (await sharedZooKeeper()).connect;
  });

  beforeEach(() => {
    connect = uniqueChroot(server);
  });

  async function open(): Promise<KafkaZkClient> {
    const client = defer(await KafkaZkClient.connect({ connect, sessionTimeoutMs: 6000, time }), (c) => c.close());
    await client.createTopLevelPaths();
    return client;
  }

  describe('#createTopLevelPaths', () => {
    it('creates every persistent parent', async () => {
      const client = await open();
      for (const path of PERSISTENT_PATHS) expect(await client.zk.exists(path), path).to.not.equal(null);
    });
  });

  describe('#getOrCreateClusterId', () => {
    it('lets the first broker create the id and the others read it', async () => {
      const [one, two] = [await open(), await open()];
      expect(await one.getClusterId()).to.equal(null);
      const ids = await Promise.all([one.getOrCreateClusterId(), two.getOrCreateClusterId()]);
      expect(ids[0]).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(ids[1]).to.equal(ids[0]);
      expect((await one.zk.getData('/cluster/id'))?.data.toString()).to.equal(`{"version":"1","id":"${ids[0]}"}`);
    });
  });

  describe('#registerBroker', () => {
    it('registers an ephemeral znode whose czxid is the broker epoch', async () => {
      const client = await open();
      const epoch = await client.registerBroker(broker(1));
      const node = await client.zk.getData('/brokers/ids/1');
      expect(node?.stat.czxid).to.equal(epoch);
      expect(node?.stat.ephemeralOwner).to.equal(client.zk.sessionId);
      expect(node?.data.toString()).to.equal(
        '{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},' +
          `"endpoints":["PLAINTEXT://127.0.0.1:9091"],"jmx_port":-1,"port":9091,"host":"127.0.0.1","version":5,` +
          `"timestamp":"${time.milliseconds()}"}`,
      );
      expect(await client.registerBroker(broker(1)), 'a retry in the same session').to.equal(epoch);
      await client.registerBroker(broker(2));
      const all = await client.getAllBrokers();
      expect(all.map((b) => [b.id, b.endpoints[0]?.port])).to.deep.equal([
        [1, 9091],
        [2, 9092],
      ]);
      expect(all[0]?.epoch).to.equal(epoch);
    });

    it('refuses a broker id held by another live session, and accepts it once that session is gone', async () => {
      const [first, second] = [await open(), await open()];
      const firstEpoch = await first.registerBroker(broker(1));
      const e = await rejection(second.registerBroker(broker(1, 9999)));
      expect(e).to.be.instanceOf(ZkError);
      expect((e as ZkError).zkCode).to.equal('NODE_EXISTS');
      expect((e as Error).message).to.contain(
        `broker.id 1 is already registered by another live broker (session 0x${first.zk.sessionId}`,
      );
      expect((await second.getBroker(1))?.endpoints[0]?.port).to.equal(9091);

      await first.close();
      const secondEpoch = await second.registerBroker(broker(1, 9999));
      expect(secondEpoch).to.be.greaterThan(firstEpoch);
    });

    it('lets the owner re-register after its session expired', async () => {
      const client = await open();
      const oldEpoch = await client.registerBroker(broker(3));
      const reRegistered = new Promise<number>((resolve, reject) => {
        client.zk.once('newSession', () => void client.registerBroker(broker(3)).then(resolve, reject));
      });
      await expireSession(client.zk);
      expect(await reRegistered).to.be.greaterThan(oldEpoch);
      expect((await client.getBroker(3))?.epoch).to.equal(await reRegistered);
    });
  });

  describe('#generateBrokerSequenceId', () => {
    it('returns increasing sequence numbers', async () => {
      const client = await open();
      const a = await client.generateBrokerSequenceId();
      expect(await client.generateBrokerSequenceId()).to.equal(a + 1);
    });
  });

  describe('#registerControllerAndIncrementEpoch', () => {
    it('elects exactly one of two racing brokers and increments the epoch', async () => {
      const [one, two] = [await open(), await open()];
      const results = await Promise.all([
        one.registerControllerAndIncrementEpoch(1),
        two.registerControllerAndIncrementEpoch(2),
      ]);
      const winners = results.filter((r) => r !== null);
      expect(winners).to.have.length(1);
      expect(winners[0]?.epoch).to.equal(1);
      const winnerId = results[0] !== null ? 1 : 2;
      expect(await one.getControllerId()).to.equal(winnerId);
      expect(await two.getControllerEpoch()).to.deep.equal(winners[0]);
      expect((await one.zk.getData('/controller_epoch'))?.data.toString()).to.equal('1');
      expect((await one.zk.getData('/controller'))?.data.toString()).to.equal(
        `{"version":1,"brokerid":${winnerId},"timestamp":"${time.milliseconds()}"}`,
      );
    });

    it('fences the old controller once a new one is elected', async () => {
      const [old, successor] = [await open(), await open()];
      const oldEpoch = (await old.registerControllerAndIncrementEpoch(1))!;
      expect(await successor.registerControllerAndIncrementEpoch(2)).to.equal(null);
      await old.deleteController(oldEpoch.epochZkVersion); // resign (a session expiry would do the same)
      const newEpoch = (await successor.registerControllerAndIncrementEpoch(2))!;
      expect(newEpoch.epoch).to.equal(2);

      await old.createTopic('t', assignment());
      const e = await rejection(
        old.controllerMulti(oldEpoch.epochZkVersion, [
          { type: 'setData', path: '/brokers/topics/t', data: Buffer.from('zombie') },
        ] as const),
      );
      expect(e).to.be.instanceOf(ControllerMovedError);
      expect((e as ApiError).errorName).to.equal('NOT_CONTROLLER');
      expect((await old.getTopicAssignment('t'))?.partitions.size).to.equal(2);
      await successor.controllerMulti(newEpoch.epochZkVersion, [
        { type: 'check', path: '/brokers/topics/t', version: 0 },
      ] as const);
    });
  });

  describe('topics', () => {
    it('creates the config first, then the assignment, and refuses duplicates', async () => {
      const client = await open();
      await client.createTopic('orders', assignment(), { 'retention.ms': '1000' });
      expect(await client.getEntityConfig(ConfigType.Topic, 'orders')).to.deep.equal({ 'retention.ms': '1000' });
      const read = await client.getTopicAssignment('orders');
      expect(read?.topicId).to.equal('AAAAAAAAAAAAAAAAAAAAAA');
      expect(read?.partitions.get(1)?.replicas).to.deep.equal([2, 1]);
      expect(await client.getAllTopics()).to.deep.equal(['orders']);
      const e = await rejection(client.createTopic('orders', assignment()));
      expect((e as ApiError).errorName).to.equal('TOPIC_ALREADY_EXISTS');
    });

    it('updates an assignment conditionally', async () => {
      const client = await open();
      await client.createTopic('t', assignment(null));
      const grown: TopicAssignment = {
        topicId: null,
        partitions: new Map([...assignment().partitions, [2, replicaAssignment([1])]]),
      };
      expect(await client.setTopicAssignment('t', grown, { expectedZkVersion: 0 })).to.equal(1);
      const e = await rejection(client.setTopicAssignment('t', assignment(), { expectedZkVersion: 0 }));
      expect((e as ZkError).zkCode).to.equal('BAD_VERSION');
      expect((await client.getTopicAssignment('t'))?.partitions.size).to.equal(3);
    });

    it('marks topics for deletion and deletes their znodes, fenced', async () => {
      const client = await open();
      const { epochZkVersion } = (await client.registerControllerAndIncrementEpoch(1))!;
      await client.createTopic('doomed', assignment());
      await client.createPartitionStates(
        'doomed',
        new Map([[0, { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1 }]]),
        epochZkVersion,
      );
      expect(await client.markTopicForDeletion('doomed')).to.equal(true);
      expect(await client.markTopicForDeletion('doomed')).to.equal(false);
      expect(await client.getTopicDeletions()).to.deep.equal(['doomed']);
      expect(((await rejection(client.createTopic('doomed', assignment()))) as Error).message).to.contain(
        'marked for deletion',
      );
      expect(((await rejection(client.markTopicForDeletion('never'))) as ApiError).errorName).to.equal(
        'UNKNOWN_TOPIC_OR_PARTITION',
      );

      const stale = await rejection(client.deleteTopicZNodes('doomed', epochZkVersion + 1));
      expect(stale).to.be.instanceOf(ControllerMovedError);
      expect(await client.zk.exists('/brokers/topics/doomed/partitions/0/state')).to.not.equal(null);

      await client.deleteTopicZNodes('doomed', epochZkVersion);
      expect(await client.zk.exists('/brokers/topics/doomed')).to.equal(null);
      expect(await client.zk.exists('/config/topics/doomed')).to.equal(null);
      expect(await client.getTopicDeletions()).to.deep.equal([]);
    });
  });

  describe('partition state', () => {
    const tp = { topic: 't', partition: 0 };
    const state = { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1 };

    it('creates state znodes once, fenced by the controller epoch', async () => {
      const client = await open();
      const { epochZkVersion } = (await client.registerControllerAndIncrementEpoch(1))!;
      await client.createTopic('t', assignment());
      const states = new Map([
        [0, state],
        [1, { ...state, leader: 2, isr: [2, 1] }],
      ]);
      expect([...(await client.createPartitionStates('t', states, epochZkVersion))]).to.deep.equal([
        [0, true],
        [1, true],
      ]);
      expect([...(await client.createPartitionStates('t', states, epochZkVersion))]).to.deep.equal([
        [0, false],
        [1, false],
      ]);
      expect(await client.getPartitionState({ topic: 't', partition: 1 })).to.deep.equal({
        leader: 2,
        leaderEpoch: 0,
        isr: [2, 1],
        controllerEpoch: 1,
        zkVersion: 0,
      });
      const e = await rejection(client.createPartitionStates('t', new Map([[2, state]]), epochZkVersion + 1));
      expect(e).to.be.instanceOf(ControllerMovedError);
      expect(await client.getPartitionState({ topic: 't', partition: 2 })).to.equal(null);
    });

    it('updates conditionally on the zkVersion and reports a lost race as null', async () => {
      const [controller, leader] = [await open(), await open()];
      const { epochZkVersion } = (await controller.registerControllerAndIncrementEpoch(1))!;
      await controller.createTopic('t', assignment());
      await controller.createPartitionStates('t', new Map([[0, state]]), epochZkVersion);

      // The leader shrinks the ISR (unfenced), the controller then writes with the version it read earlier.
      expect(await leader.updatePartitionState(tp, { ...state, isr: [1] }, 0)).to.equal(1);
      expect(
        await controller.updatePartitionState(tp, { ...state, leader: 2, leaderEpoch: 1 }, 0, epochZkVersion),
      ).to.equal(null);
      const current = (await controller.getPartitionState(tp))!;
      expect(current.isr).to.deep.equal([1]);
      expect(
        await controller.updatePartitionState(
          tp,
          { ...current, leader: 2, leaderEpoch: 1, isr: [2] },
          current.zkVersion,
          epochZkVersion,
        ),
      ).to.equal(2);
      expect((await controller.zk.getData(TopicPartitionStateZNode.path(tp)))?.data.toString()).to.equal(
        '{"controller_epoch":1,"leader":2,"version":1,"leader_epoch":1,"isr":[2]}',
      );
      const e = await rejection(controller.updatePartitionState(tp, state, 2, epochZkVersion + 1));
      expect(e).to.be.instanceOf(ControllerMovedError);
    });
  });

  describe('ISR change notifications', () => {
    it('creates, lists, reads and deletes them', async () => {
      const client = await open();
      const { epochZkVersion } = (await client.registerControllerAndIncrementEpoch(1))!;
      const first = await client.createIsrChangeNotification([{ topic: 'a', partition: 0 }]);
      const second = await client.createIsrChangeNotification([
        { topic: 'b', partition: 1 },
        { topic: 'b', partition: 2 },
      ]);
      expect(first).to.match(/^\d{10}$/);
      expect(await client.getIsrChangeNotifications()).to.deep.equal([first, second]);
      expect(await client.getPartitionsFromIsrChangeNotifications([first, second, '9999999999'])).to.deep.equal([
        { topic: 'a', partition: 0 },
        { topic: 'b', partition: 1 },
        { topic: 'b', partition: 2 },
      ]);
      await client.deleteIsrChangeNotifications([first, second, '9999999999'], epochZkVersion);
      expect(await client.getIsrChangeNotifications()).to.deep.equal([]);
    });
  });

  describe('reassignment and preferred leader election requests', () => {
    it('are created once, read and deleted by the controller', async () => {
      const client = await open();
      const { epochZkVersion } = (await client.registerControllerAndIncrementEpoch(1))!;
      const reassignment = [{ topic: 't', partition: 0, replicas: [3, 1] }];
      expect(await client.createPartitionReassignment(reassignment)).to.equal(true);
      expect(await client.createPartitionReassignment([])).to.equal(false);
      expect(await client.getPartitionReassignment()).to.deep.equal(reassignment);
      await client.deletePartitionReassignment(epochZkVersion);
      expect(await client.getPartitionReassignment()).to.equal(null);

      expect(await client.createPreferredReplicaElection([{ topic: 't', partition: 0 }])).to.equal(true);
      expect(await client.getPreferredReplicaElection()).to.deep.equal([{ topic: 't', partition: 0 }]);
      await client.deletePreferredReplicaElection(epochZkVersion);
      expect(await client.getPreferredReplicaElection()).to.equal(null);
    });
  });

  describe('#changeEntityConfig', () => {
    it('writes the config and then a change notification', async () => {
      const client = await open();
      await client.changeEntityConfig(ConfigType.Topic, 't', { 'cleanup.policy': 'compact' });
      expect(await client.getEntityConfig(ConfigType.Topic, 't')).to.deep.equal({ 'cleanup.policy': 'compact' });
      const [name] = await client.getConfigChangeNotifications();
      expect(name).to.match(/^config_change_\d{10}$/);
      expect((await client.getConfigChangeNotification(name!))?.entityPath).to.equal('topics/t');
      await client.deleteConfigChangeNotification(name!);
      expect(await client.getConfigChangeNotifications()).to.deep.equal([]);
      expect(await client.getEntityConfig(ConfigType.Broker, '1')).to.deep.equal({});
    });
  });

  describe('#allocateProducerIdBlock', () => {
    it('gives racing brokers disjoint consecutive blocks', async () => {
      const [one, two] = [await open(), await open()];
      const blocks = await Promise.all(
        [1, 2, 3].flatMap(() => [one.allocateProducerIdBlock(1), two.allocateProducerIdBlock(2)]),
      );
      const starts = blocks.map((b) => b.blockStartId).sort((a, b) => a - b);
      expect(starts).to.deep.equal([0, 1000, 2000, 3000, 4000, 5000]);
      expect(blocks.every((b) => b.blockEndId === b.blockStartId + 999)).to.equal(true);
    });
  });
});
