import { expect } from 'chai';
import { ControllerContext } from '../../../lib/controller/controller-context.js';

describe('ControllerContext', () => {
  describe('#offlinePartitionCount', () => {
    it('counts partitions in OfflinePartition, leaving out topics queued for deletion', () => {
      const ctx = new ControllerContext(1, 0);
      const a0 = ctx.putPartition('a', 0, [1]);
      const a1 = ctx.putPartition('a', 1, [1]);
      const b0 = ctx.putPartition('b', 0, [1]);
      for (const p of [a0, a1, b0]) ctx.setPartitionState(p, 'OfflinePartition');
      expect(ctx.offlinePartitionCount).to.equal(3);
      ctx.setPartitionState(a1, 'OnlinePartition');
      expect(ctx.offlinePartitionCount).to.equal(2);
      ctx.topicsToBeDeleted.add('b');
      expect(ctx.offlinePartitionCount).to.equal(1);
      ctx.removeTopic('b');
      expect(ctx.offlinePartitionCount).to.equal(1);
      expect(ctx.globalPartitionCount).to.equal(2);
      expect(ctx.isTopicQueuedUpForDeletion('b')).to.equal(false);
    });
  });

  describe('#putPartition', () => {
    it('updates the replicas of a known partition instead of adding it again', () => {
      const ctx = new ControllerContext(1, 0);
      const first = ctx.putPartition('a', 0, [1, 2]);
      const again = ctx.putPartition('a', 0, [2, 1]);
      expect(again).to.equal(first);
      expect(first.replicas).to.deep.equal([2, 1]);
      expect(ctx.globalPartitionCount).to.equal(1);
    });
  });

  describe('#partitionsWithOfflineLeader', () => {
    it('lists partitions led by a dead or shutting-down broker, or by nobody, outside topics being deleted', () => {
      const ctx = new ControllerContext(1, 0);
      ctx.liveBrokerEpochs.set(1, 10).set(2, 20);
      ctx.shuttingDownBrokerIds.add(2);
      const state = (leader: number) => ({ leader, leaderEpoch: 0, isr: [leader], controllerEpoch: 1, zkVersion: 0 });
      ctx.putPartition('t', 0, [1]).leaderIsr = state(1);
      ctx.putPartition('t', 1, [2]).leaderIsr = state(2);
      ctx.putPartition('t', 2, [3]).leaderIsr = state(3);
      ctx.putPartition('t', 3, [1]).leaderIsr = state(-1);
      ctx.putPartition('t', 4, [1]);
      ctx.putPartition('gone', 0, [3]).leaderIsr = state(3);
      ctx.topicsToBeDeleted.add('gone');
      expect(ctx.partitionsWithOfflineLeader().map((p) => `${p.topic}-${p.partition}`)).to.deep.equal([
        't-1',
        't-2',
        't-3',
      ]);
    });
  });

  describe('#leadersRegisteredSinceTheirStates', () => {
    it('names live leaders whose registration is newer than the last write of a state naming them', () => {
      const ctx = new ControllerContext(1, 0);
      ctx.liveBrokerEpochs.set(1, 100).set(2, 200).set(3, 300);
      const state = (leader: number) => ({ leader, leaderEpoch: 0, isr: [leader], controllerEpoch: 1, zkVersion: 0 });
      const mzxids = new Map<string, number>();
      const put = (partition: number, leader: number | undefined, mzxid: number | undefined) => {
        const p = ctx.putPartition('t', partition, [1, 2, 3]);
        if (leader !== undefined) p.leaderIsr = state(leader);
        if (mzxid !== undefined) mzxids.set(`t-${partition}`, mzxid);
      };
      put(0, 1, 150); // written after broker 1 registered
      put(1, 2, 150); // written before broker 2 registered: an earlier run of it
      put(2, 2, 250);
      put(3, 4, 50); // broker 4 is not live: an offline leader, not a restart
      put(4, -1, 50);
      put(5, 3, 299);
      put(6, undefined, undefined); // no state yet
      expect(ctx.leadersRegisteredSinceTheirStates((p) => mzxids.get(`${p.topic}-${p.partition}`))).to.deep.equal([
        2, 3,
      ]);
    });
  });

  describe('#removeLiveBroker', () => {
    it('also forgets that the broker was shutting down', () => {
      const ctx = new ControllerContext(1, 0);
      ctx.liveBrokerEpochs.set(2, 1);
      ctx.shuttingDownBrokerIds.add(2);
      expect(ctx.isBrokerOnline(2)).to.equal(false);
      expect(ctx.isBrokerLiveOrShuttingDown(2)).to.equal(true);
      ctx.removeLiveBroker(2);
      expect(ctx.isBrokerLiveOrShuttingDown(2)).to.equal(false);
      expect(ctx.shuttingDownBrokerIds.has(2)).to.equal(false);
    });
  });
});
