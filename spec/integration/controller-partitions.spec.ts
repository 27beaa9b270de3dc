/**
 * Partition leadership decided by the controller, observed in the state znodes it writes: topic creation, broker
 * failure and return, preferred and auto-rebalance elections, controlled shutdown, unclean election, new
 * partitions, deletion and failover. Broker 9 is started first and becomes the controller, hosting no replicas,
 * so that killing a replica's broker never also moves the controller (except where a spec does it on purpose).
 */
import { expect } from 'chai';
import { ApiError } from '../../lib/common/errors.js';
import type { TopicPartition } from '../../lib/common/topic-partition.js';
import {
  ConfigEntityZNode,
  ConfigType,
  DeleteTopicsTopicZNode,
  replicaAssignment,
  TopicZNode,
} from '../../lib/zk/zk-paths.js';
import { MockScheduler } from '../helpers/mock-scheduler.js';
import { waitFor } from '../helpers/wait-for.js';
import { ControllerTestCluster, type TestBroker } from './controller-test-cluster.js';

const CONTROLLER = 9;

async function clusterWithController(
  brokerIds: number[],
  opts: { uncleanLeaderElectionEnable?: boolean; scheduler?: MockScheduler } = {},
): Promise<{ cluster: ControllerTestCluster; controller: TestBroker }> {
  const cluster = await ControllerTestCluster.start(
    [CONTROLLER],
    { autoLeaderRebalanceEnable: opts.scheduler !== undefined, ...opts },
    opts.scheduler,
  );
  const controller = await cluster.waitForActiveController();
  for (const id of brokerIds) await cluster.startBroker(id);
  return { cluster, controller };
}

const sameMembers = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** What a partition leader does when its ISR grows: a conditional write and a notification for the controller. */
async function expandIsrAsLeader(cluster: ControllerTestCluster, tp: TopicPartition, isr: number[]): Promise<void> {
  const state = (await cluster.state(tp.topic, tp.partition))!;
  await cluster.adminZk.updatePartitionState(tp, { ...state, isr }, state.zkVersion);
  await cluster.adminZk.createIsrChangeNotification([tp]);
  await waitFor(
    async () => (await cluster.adminZk.getIsrChangeNotifications()).length === 0,
    'the controller to consume the ISR change notification',
  );
}

describe('KafkaController partitions', function () {
  this.timeout(30_000);

  describe('topic creation', () => {
    it('creates state znodes with the first replica as leader and every live replica in the ISR', async () => {
      const { cluster } = await clusterWithController([1, 2, 3]);
      await cluster.createTopic('orders', 6, 3);
      const assignment = (await cluster.adminZk.getTopicAssignment('orders'))!;
      expect(assignment.partitions.size).to.equal(6);
      expect(assignment.topicId).to.be.a('string');
      for (const [p, { replicas }] of assignment.partitions) {
        const state = await cluster.waitForState('orders', p, () => true, 'a state znode');
        expect(state).to.deep.include({ leader: replicas[0], leaderEpoch: 0, controllerEpoch: 1, zkVersion: 0 });
        expect(state.isr).to.deep.equal(replicas);
      }
      expect(cluster.broker(CONTROLLER).controller.globalPartitionCount).to.equal(6);
      expect(cluster.broker(CONTROLLER).controller.offlinePartitionsCount).to.equal(0);
    });

    it('leaves a partition without live replicas New until one of them starts', async () => {
      const { cluster } = await clusterWithController([1]);
      await cluster.createTopicWithAssignment('waiting', [[4], [1]]);
      await cluster.waitForState('waiting', 1, (s) => s.leader === 1, 'leader 1');
      expect(await cluster.state('waiting', 0)).to.equal(null);
      await cluster.startBroker(4);
      const state = await cluster.waitForState('waiting', 0, (s) => s.leader === 4, 'leader 4 once broker 4 started');
      expect(state).to.deep.include({ leaderEpoch: 0, isr: [4] });
    });

    it('keeps managing other topics when a topic znode is malformed, and picks it up once fixed', async () => {
      const { cluster } = await clusterWithController([1]);
      const zk = cluster.adminZk.zk;
      await zk.create(TopicZNode.path('broken'), Buffer.from('{"version":1,"partitions":'));
      await cluster.createTopicWithAssignment('fine', [[1]]);
      await cluster.waitForState('fine', 0, (s) => s.leader === 1, 'leader 1');
      await zk.setData(
        TopicZNode.path('broken'),
        TopicZNode.encode({ topicId: null, partitions: new Map([[0, replicaAssignment([1])]]) }),
      );
      await cluster.waitForState('broken', 0, (s) => s.leader === 1, 'leader 1 once the znode is fixed');
    });

    it('creates state znodes for partitions added to an existing topic', async () => {
      const { cluster } = await clusterWithController([1, 2]);
      await cluster.createTopic('growing', 2, 2);
      await cluster.waitForState('growing', 1, () => true, 'a state znode');
      const [result] = await cluster.admin.createPartitions([{ name: 'growing', count: 4, assignments: null }]);
      expect(result).to.deep.include({ errorCode: 0 });
      for (const p of [2, 3])
        await cluster.waitForState('growing', p, (s) => s.leader >= 0, 'a leader for a new partition');
      expect((await cluster.adminZk.getTopicAssignment('growing'))!.partitions.size).to.equal(4);
    });
  });

  describe('broker failure', () => {
    it('elects new leaders from the ISR with leader_epoch + 1 and removes the dead broker from ISRs', async () => {
      const { cluster, controller } = await clusterWithController([1, 2, 3]);
      await cluster.createTopicWithAssignment('failing', [
        [1, 2, 3],
        [2, 3, 1],
        [3, 1, 2],
      ]);
      await cluster.createTopicWithAssignment('single', [[1]]);
      await cluster.waitForState('single', 0, (s) => s.leader === 1, 'leader 1');
      await cluster.waitForState('failing', 2, (s) => s.leader === 3, 'leader 3');
      await cluster.killBroker(1);
      const p0 = await cluster.waitForState('failing', 0, (s) => s.leader === 2, 'leadership moved to 2');
      expect(p0).to.deep.include({ leaderEpoch: 1, controllerEpoch: 1 });
      expect(p0.isr).to.deep.equal([2, 3]);
      const p1 = await cluster.waitForState('failing', 1, (s) => !s.isr.includes(1), 'broker 1 out of the ISR');
      expect(p1).to.deep.include({ leader: 2, leaderEpoch: 1 });
      const p2 = await cluster.waitForState('failing', 2, (s) => !s.isr.includes(1), 'broker 1 out of the ISR');
      expect(p2).to.deep.include({ leader: 3, leaderEpoch: 1, isr: [3, 2] });
      // The last ISR member is kept (it stays the only clean candidate); the partition has no leader.
      const single = await cluster.waitForState('single', 0, (s) => s.leader === -1, 'no leader');
      expect(single).to.deep.include({ leaderEpoch: 1, isr: [1] });
      await waitFor(() => controller.controller.offlinePartitionsCount === 1, 'one offline partition');
    });

    it('lets a returning broker regain leadership only through a preferred replica election', async () => {
      const { cluster } = await clusterWithController([1, 2]);
      const tp = { topic: 'preferred', partition: 0 };
      await cluster.createTopicWithAssignment(tp.topic, [[1, 2]]);
      await cluster.waitForState(tp.topic, 0, (s) => s.leader === 1, 'leader 1');
      await cluster.killBroker(1);
      await cluster.waitForState(tp.topic, 0, (s) => s.leader === 2 && sameMembers(s.isr, [2]), 'leader 2, ISR [2]');
      await cluster.startBroker(1);
      await expandIsrAsLeader(cluster, tp, [2, 1]);
      const beforeElection = (await cluster.state(tp.topic, 0))!;
      expect(beforeElection).to.deep.include({ leader: 2, leaderEpoch: 1 });

      expect(await cluster.adminZk.createPreferredReplicaElection([tp])).to.equal(true);
      const after = await cluster.waitForState(tp.topic, 0, (s) => s.leader === 1, 'leadership back on broker 1');
      expect(after).to.deep.include({ leaderEpoch: 2, isr: [2, 1] });
      await waitFor(
        async () => (await cluster.adminZk.getPreferredReplicaElection()) === null,
        'the election request to be deleted',
      );
    });

    it('treats a broker that re-registered with a new session as failed, then started', async () => {
      const { cluster } = await clusterWithController([1, 2]);
      await cluster.createTopicWithAssignment('bounced', [[1, 2]]);
      await cluster.waitForState('bounced', 0, (s) => s.leader === 1 && s.isr.length === 2, 'leader 1, ISR [1,2]');
      const oldEpoch = cluster.broker(1).brokerEpoch;
      await cluster.killBroker(1);
      const restarted = await cluster.startBroker(1);
      expect(restarted.brokerEpoch).to.be.above(oldEpoch);
      // Whether the controller saw the gap or only the newer epoch, broker 1 lost leadership and left the ISR.
      const state = await cluster.waitForState('bounced', 0, (s) => s.leader === 2, 'leader 2');
      expect(state).to.deep.include({ isr: [2], leaderEpoch: 1 });
    });

    it('elects an out-of-sync replica only when the topic enables unclean leader election', async () => {
      const { cluster } = await clusterWithController([1, 2]);
      await cluster.createTopicWithAssignment('unclean', [[1, 2]], { 'unclean.leader.election.enable': 'true' });
      await cluster.createTopicWithAssignment('clean', [[1, 2]]);
      await cluster.waitForState('clean', 0, (s) => s.leader === 1, 'leader 1');
      await cluster.killBroker(2);
      await cluster.waitForState('clean', 0, (s) => sameMembers(s.isr, [1]), 'ISR [1]');
      await cluster.waitForState('unclean', 0, (s) => sameMembers(s.isr, [1]), 'ISR [1]');
      await cluster.killBroker(1);
      await cluster.waitForState('clean', 0, (s) => s.leader === -1, 'no leader');
      await cluster.startBroker(2);
      const unclean = await cluster.waitForState('unclean', 0, (s) => s.leader === 2, 'unclean leader 2');
      expect(unclean.isr).to.deep.equal([2]);
      expect(await cluster.state('clean', 0)).to.deep.include({ leader: -1, isr: [1] });
    });

    it('makes a new controller elect leaders for partitions whose leader died with the old controller, in one step', async () => {
      const cluster = await ControllerTestCluster.start([1]);
      await cluster.waitForActiveController();
      await cluster.startBroker(2);
      await cluster.createTopicWithAssignment('orphan', [[1, 2]]);
      const before = await cluster.waitForState(
        'orphan',
        0,
        (s) => s.leader === 1 && s.isr.length === 2,
        'leader 1, ISR [1,2]',
      );
      await cluster.killBroker(1);
      const next = await cluster.waitForActiveController('broker 2 to take over');
      expect(next.id).to.equal(2);
      const state = await cluster.waitForState('orphan', 0, (s) => s.leader === 2, 'leader 2');
      // One write: the new leader directly, not first leader -1 (leader_epoch + 1) and then an election (+ 2).
      expect(state).to.deep.include({ isr: [2], controllerEpoch: 2, leaderEpoch: before.leaderEpoch + 1 });
      expect(state.zkVersion).to.equal(before.zkVersion + 1);
    });
  });

  describe('log dir failure', () => {
    it('moves leadership and ISR membership of the replicas a broker no longer serves, and only those', async () => {
      const { cluster } = await clusterWithController([1, 2, 3]);
      await cluster.createTopicWithAssignment('jbod', [
        [1, 2, 3],
        [1, 2, 3],
        [2, 1, 3],
      ]);
      for (const p of [0, 1, 2])
        await cluster.waitForState('jbod', p, (s) => s.isr.length === 3, `jbod-${p} with three in-sync replicas`);
      const before = (await cluster.state('jbod', 0))!;
      // Broker 1's dir holding jbod-0 and jbod-2 failed; jbod-1 is in a dir that still works.
      cluster.servedReplicas.set(1, { offlineLogDirs: ['/data/1/a'], replicas: new Set(['jbod-1']) });
      await cluster.adminZk.propagateLogDirEvent(1);
      const moved = await cluster.waitForState('jbod', 0, (s) => s.leader !== 1, 'jbod-0 led elsewhere');
      expect(moved).to.deep.include({ leader: 2, isr: [2, 3], leaderEpoch: before.leaderEpoch + 1 });
      await cluster.waitForState('jbod', 2, (s) => sameMembers(s.isr, [2, 3]), 'broker 1 out of the ISR of jbod-2');
      expect(await cluster.state('jbod', 2)).to.deep.include({ leader: 2 });
      expect(await cluster.state('jbod', 1)).to.deep.include({ leader: 1, isr: [1, 2, 3], leaderEpoch: 0 });
      await waitFor(
        async () => (await cluster.adminZk.getLogDirEventNotifications()).length === 0,
        'the notification to be deleted',
      );
    });
  });

  describe('#controlledShutdown', () => {
    it('moves leadership off the broker and takes it out of the ISRs it is in', async () => {
      const { cluster, controller } = await clusterWithController([1, 2, 3]);
      await cluster.createTopicWithAssignment('draining', [
        [1, 2, 3],
        [2, 3, 1],
        [3, 1, 2],
      ]);
      await cluster.createTopicWithAssignment('single', [[1]]);
      await cluster.waitForState('single', 0, (s) => s.leader === 1, 'leader 1');
      await cluster.waitForState('draining', 2, (s) => s.leader === 3, 'leader 3');
      const stillLed = await controller.controller.controlledShutdown(1, cluster.broker(1).brokerEpoch);
      expect(stillLed).to.deep.equal([]);
      expect(await cluster.state('draining', 0)).to.deep.include({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
      expect(await cluster.state('draining', 1)).to.deep.include({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
      expect(await cluster.state('draining', 2)).to.deep.include({ leader: 3, leaderEpoch: 1, isr: [3, 2] });
      // A partition with a single replica is left alone: there is nobody to hand it to.
      expect(await cluster.state('single', 0)).to.deep.include({ leader: 1, leaderEpoch: 0 });
    });

    it('refuses stale broker epochs, unknown brokers and requests to a broker that is not the controller', async () => {
      const { cluster, controller } = await clusterWithController([1]);
      await cluster.createTopicWithAssignment('on-broker-1', [[1]]);
      await cluster.waitForState('on-broker-1', 0, (s) => s.leader === 1, 'the controller to know broker 1');
      const stale = await controller.controller
        .controlledShutdown(1, cluster.broker(1).brokerEpoch - 1)
        .catch((e: unknown) => e);
      expect(stale).to.be.instanceOf(ApiError).with.property('errorName', 'STALE_BROKER_EPOCH');
      const unknown = await controller.controller.controlledShutdown(7, -1).catch((e: unknown) => e);
      expect(unknown).to.be.instanceOf(ApiError).with.property('errorName', 'BROKER_NOT_AVAILABLE');
      const notController = await cluster
        .broker(1)
        .controller.controlledShutdown(1, -1)
        .catch((e: unknown) => e);
      expect(notController).to.be.instanceOf(ApiError).with.property('errorName', 'NOT_CONTROLLER');
    });
  });

  describe('auto leader rebalance', () => {
    it('moves leadership back to preferred replicas when the imbalance check runs', async () => {
      const scheduler = new MockScheduler();
      const { cluster } = await clusterWithController([1, 2], { scheduler });
      const tp = { topic: 'rebalanced', partition: 0 };
      await cluster.createTopicWithAssignment(tp.topic, [[1, 2]]);
      await cluster.waitForState(tp.topic, 0, (s) => s.leader === 1, 'leader 1');
      await cluster.killBroker(1);
      await cluster.waitForState(tp.topic, 0, (s) => s.leader === 2, 'leader 2');
      await cluster.startBroker(1);
      await expandIsrAsLeader(cluster, tp, [2, 1]);
      expect(await cluster.state(tp.topic, 0)).to.deep.include({ leader: 2 });
      await scheduler.tick(5_000);
      const state = await cluster.waitForState(tp.topic, 0, (s) => s.leader === 1, 'leadership back on broker 1');
      expect(state.leaderEpoch).to.equal(2);
    });
  });

  describe('topic deletion', () => {
    it('removes the topic, its state znodes, its config and the deletion marker', async () => {
      const { cluster, controller } = await clusterWithController([1, 2]);
      await cluster.createTopic('doomed', 3, 2);
      for (const p of [0, 1, 2]) await cluster.waitForState('doomed', p, () => true, 'a state znode');
      const [result] = await cluster.admin.deleteTopics(['doomed']);
      expect(result).to.deep.include({ errorCode: 0 });
      const zk = cluster.adminZk.zk;
      await waitFor(async () => (await zk.exists(TopicZNode.path('doomed'))) === null, 'the topic znode to go');
      await waitFor(async () => (await zk.exists(DeleteTopicsTopicZNode.path('doomed'))) === null, 'the marker to go');
      expect(await zk.exists(ConfigEntityZNode.path(ConfigType.Topic, 'doomed'))).to.equal(null);
      await waitFor(() => controller.controller.globalPartitionCount === 0, 'the controller to forget the partitions');
      // The name is free again.
      await cluster.createTopic('doomed', 1, 1);
      await cluster.waitForState('doomed', 0, (s) => s.leader >= 0, 'a leader for the new topic');
    });

    it('removes the marker of a topic that does not exist', async () => {
      const { cluster } = await clusterWithController([1]);
      await cluster.adminZk.zk.create(DeleteTopicsTopicZNode.path('ghost'));
      await waitFor(async () => (await cluster.adminZk.getTopicDeletions()).length === 0, 'the marker to go');
    });
  });
});
