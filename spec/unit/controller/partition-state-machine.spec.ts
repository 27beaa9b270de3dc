import { expect } from 'chai';
import { silentLogger } from '../../../lib/common/logger.js';
import { ControllerContext, type ControllerPartition } from '../../../lib/controller/controller-context.js';
import { PartitionStateMachine } from '../../../lib/controller/partition-state-machine.js';
import { FakeControllerZk } from './fake-controller-zk.js';

const EPOCH = 3;

function setup(opts: { live?: number[]; unclean?: boolean } = {}) {
  const context = new ControllerContext(EPOCH, 7);
  for (const id of opts.live ?? [1, 2, 3]) context.liveBrokerEpochs.set(id, 100 + id);
  const zk = new FakeControllerZk();
  const psm = new PartitionStateMachine({
    context,
    zkClient: zk,
    uncleanLeaderElectionEnable: opts.unclean ?? false,
    logger: silentLogger,
  });
  return { context, zk, psm };
}

/** A partition with a state znode both in the fake and in the context's cache. */
function withState(
  s: ReturnType<typeof setup>,
  replicas: number[],
  leader: number,
  isr: number[],
  state: ControllerPartition['state'] = 'OnlinePartition',
): ControllerPartition {
  const p = s.context.putPartition('t', s.context.globalPartitionCount, replicas);
  s.zk.put(p, { leader, leaderEpoch: 5, isr, controllerEpoch: EPOCH - 1 }, 4);
  p.leaderIsr = s.zk.get(p.topic, p.partition);
  s.context.setPartitionState(p, state);
  return p;
}

describe('PartitionStateMachine', () => {
  describe('#handleStateChanges', () => {
    it('creates the state znode of a new partition: first live replica leads, live replicas form the ISR', async () => {
      const s = setup({ live: [2, 3] });
      const p = s.context.putPartition('t', 0, [1, 2, 3]);
      await s.psm.handleStateChanges([p], 'NewPartition', 'spec');
      const failed = await s.psm.handleStateChanges([p], 'OnlinePartition', 'spec');
      expect(failed.size).to.equal(0);
      expect(p.state).to.equal('OnlinePartition');
      expect(s.zk.get('t', 0)).to.deep.equal({
        leader: 2,
        leaderEpoch: 0,
        isr: [2, 3],
        controllerEpoch: EPOCH,
        zkVersion: 0,
      });
      expect(p.leaderIsr).to.deep.equal(s.zk.get('t', 0));
    });

    it('leaves a new partition without live replicas New and reports why', async () => {
      const s = setup({ live: [9] });
      const p = s.context.putPartition('t', 0, [1, 2]);
      await s.psm.handleStateChanges([p], 'NewPartition', 'spec');
      const failed = await s.psm.handleStateChanges([p], 'OnlinePartition', 'spec');
      expect(failed.get(p)).to.match(/No live replica of t-0/);
      expect(p.state).to.equal('NewPartition');
      expect(s.zk.get('t', 0)).to.equal(undefined);
    });

    it('elects from an existing state znode when a new partition already has one', async () => {
      const s = setup({ live: [2, 3] });
      const p = s.context.putPartition('t', 0, [1, 2, 3]);
      s.zk.put(p, { leader: 1, leaderEpoch: 4, isr: [1, 3], controllerEpoch: 1 }, 6);
      await s.psm.handleStateChanges([p], 'NewPartition', 'spec');
      await s.psm.handleStateChanges([p], 'OnlinePartition', 'spec');
      expect(s.zk.get('t', 0)).to.deep.include({
        leader: 3,
        leaderEpoch: 5,
        isr: [3],
        controllerEpoch: EPOCH,
        zkVersion: 7,
      });
      expect(p.state).to.equal('OnlinePartition');
    });

    it('elects the first live ISR member of an offline partition with leader_epoch + 1 and this epoch', async () => {
      const s = setup({ live: [2, 3] });
      const p = withState(s, [1, 2, 3], 1, [1, 3, 2], 'OfflinePartition');
      await s.psm.handleStateChanges([p], 'OnlinePartition', 'spec');
      expect(p.leaderIsr).to.deep.equal({
        leader: 2,
        leaderEpoch: 6,
        isr: [3, 2],
        controllerEpoch: EPOCH,
        zkVersion: 5,
      });
      expect(s.context.offlinePartitionCount).to.equal(0);
    });

    it('re-reads a state znode that changed since it was cached and elects from the fresh ISR', async () => {
      const s = setup({ live: [2, 3] });
      const p = withState(s, [1, 2, 3], 1, [1, 3], 'OfflinePartition');
      // The leader added broker 2 to the ISR behind the controller's back.
      s.zk.put(p, { leader: 1, leaderEpoch: 5, isr: [1, 3, 2], controllerEpoch: EPOCH - 1 }, 5);
      await s.psm.handleStateChanges([p], 'OnlinePartition', 'spec');
      expect(s.zk.updates).to.have.length(1);
      expect(s.zk.get('t', 0)).to.deep.include({ leader: 2, leaderEpoch: 6, isr: [3, 2], zkVersion: 6 });
    });

    it('does not touch a state written by a newer controller', async () => {
      const s = setup({ live: [2, 3] });
      const p = withState(s, [1, 2, 3], 1, [1, 2], 'OfflinePartition');
      s.zk.put(p, { leader: 1, leaderEpoch: 9, isr: [1, 2], controllerEpoch: EPOCH + 1 }, 5);
      p.leaderIsr = s.zk.get('t', 0);
      const failed = await s.psm.handleStateChanges([p], 'OnlinePartition', 'spec');
      expect(failed.get(p)).to.match(/newer controller/);
      expect(s.zk.updates).to.have.length(0);
      expect(p.state).to.equal('OfflinePartition');
    });

    it('keeps a partition offline when no ISR member is live and unclean election is off', async () => {
      const s = setup({ live: [2] });
      const p = withState(s, [1, 2], 1, [1], 'OfflinePartition');
      const failed = await s.psm.handleStateChanges([p], 'OnlinePartition', 'spec');
      expect(failed.get(p)).to.match(/No eligible leader for t-0 under OfflinePartition election/);
      expect(s.zk.updates).to.have.length(0);
      expect(s.context.offlinePartitionCount).to.equal(1);
    });

    it("uses the topic's unclean.leader.election.enable over the broker default", async () => {
      const s = setup({ live: [2], unclean: false });
      s.zk.topicConfigs.set('t', { 'unclean.leader.election.enable': 'true' });
      const p = withState(s, [1, 2], 1, [1], 'OfflinePartition');
      await s.psm.handleStateChanges([p], 'OnlinePartition', 'spec');
      expect(s.zk.get('t', 0)).to.deep.include({ leader: 2, isr: [2], leaderEpoch: 6 });
    });

    it('moves leadership to the preferred replica only when it is live and in the ISR', async () => {
      const s = setup({ live: [1, 2] });
      const inIsr = withState(s, [1, 2], 2, [2, 1]);
      const notInIsr = withState(s, [1, 2], 2, [2]);
      const failed = await s.psm.handleStateChanges([inIsr, notInIsr], 'OnlinePartition', 'spec', {
        kind: 'PreferredReplica',
      });
      expect(inIsr.leaderIsr).to.deep.include({ leader: 1, isr: [2, 1], leaderEpoch: 6 });
      expect(failed.has(notInIsr)).to.equal(true);
      expect(notInIsr.leaderIsr).to.deep.include({ leader: 2, leaderEpoch: 5 });
    });

    it('elects a preferred replica that rejoined the ISR after the controller cached the state, reading the znode again', async () => {
      const s = setup({ live: [1, 2] });
      const p = withState(s, [1, 2], 2, [2]);
      // The leader added broker 1 back; its /isr_change_notification has not reached the controller yet.
      s.zk.put(p, { leader: 2, leaderEpoch: 5, isr: [2, 1], controllerEpoch: EPOCH - 1 }, 5);
      const failed = await s.psm.handleStateChanges([p], 'OnlinePartition', 'spec', { kind: 'PreferredReplica' });
      expect(failed.size).to.equal(0);
      expect(s.zk.get('t', 0)).to.deep.include({ leader: 1, leaderEpoch: 6, isr: [2, 1], zkVersion: 6 });
    });

    it('logs and skips an invalid transition without changing the partition', async () => {
      const s = setup();
      const p = s.context.putPartition('t', 0, [1]);
      const failed = await s.psm.handleStateChanges([p], 'OnlinePartition', 'spec');
      expect(failed.get(p)).to.match(/Invalid transition of t-0 from NonExistentPartition to OnlinePartition/);
      expect(p.state).to.equal('NonExistentPartition');
    });
  });

  describe('#initializeStates', () => {
    it('starts partitions Online with a live leader, Offline with a dead or no leader, New without a state znode', () => {
      const s = setup({ live: [1] });
      const online = s.context.putPartition('t', 0, [1]);
      online.leaderIsr = { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 1, zkVersion: 0 };
      const offline = s.context.putPartition('t', 1, [2]);
      offline.leaderIsr = { leader: -1, leaderEpoch: 3, isr: [2], controllerEpoch: 1, zkVersion: 3 };
      const fresh = s.context.putPartition('t', 2, [1]);
      s.psm.initializeStates();
      expect([online.state, offline.state, fresh.state]).to.deep.equal([
        'OnlinePartition',
        'OfflinePartition',
        'NewPartition',
      ]);
      expect(s.context.offlinePartitionCount).to.equal(1);
    });
  });
});
