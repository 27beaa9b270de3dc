import { expect } from 'chai';
import { silentLogger } from '../../../lib/common/logger.js';
import { ControllerContext, type ControllerPartition } from '../../../lib/controller/controller-context.js';
import { ReplicaStateMachine } from '../../../lib/controller/replica-state-machine.js';
import { FakeControllerZk } from './fake-controller-zk.js';

const EPOCH = 2;

function setup() {
  const context = new ControllerContext(EPOCH, 1);
  for (const id of [1, 2, 3]) context.liveBrokerEpochs.set(id, id);
  const zk = new FakeControllerZk();
  const rsm = new ReplicaStateMachine({ context, zkClient: zk, logger: silentLogger });
  const partition = (
    topic: string,
    p: number,
    replicas: number[],
    leader: number,
    isr: number[],
  ): ControllerPartition => {
    const part = context.putPartition(topic, p, replicas);
    zk.put(part, { leader, leaderEpoch: 1, isr, controllerEpoch: 1 }, 2);
    part.leaderIsr = zk.get(topic, p);
    for (const id of replicas) part.replicaStates.set(id, 'OnlineReplica');
    return part;
  };
  return { context, zk, rsm, partition };
}

describe('ReplicaStateMachine', () => {
  describe('#handleStateChanges', () => {
    it('takes an offline replica out of the ISR and the leadership, with leader_epoch + 1', async () => {
      const s = setup();
      const led = s.partition('t', 0, [1, 2, 3], 1, [1, 2, 3]);
      const followed = s.partition('t', 1, [2, 1], 2, [2, 1]);
      await s.rsm.handleStateChanges(
        [
          { partition: led, brokerId: 1 },
          { partition: followed, brokerId: 1 },
        ],
        'OfflineReplica',
        'spec',
      );
      expect(s.zk.get('t', 0)).to.deep.include({ leader: -1, leaderEpoch: 2, isr: [2, 3], controllerEpoch: EPOCH });
      expect(s.zk.get('t', 1)).to.deep.include({ leader: 2, leaderEpoch: 2, isr: [2] });
      expect(led.replicaStates.get(1)).to.equal('OfflineReplica');
      expect(led.leaderIsr).to.deep.include({ zkVersion: 3 });
    });

    it('keeps the last ISR member in the ISR', async () => {
      const s = setup();
      const p = s.partition('t', 0, [1, 2], 1, [1]);
      await s.rsm.handleStateChanges([{ partition: p, brokerId: 1 }], 'OfflineReplica', 'spec');
      expect(s.zk.get('t', 0)).to.deep.include({ leader: -1, leaderEpoch: 2, isr: [1] });
    });

    it('decides from the state znode, not the cache, so a replica that joined the ISR a moment ago leaves it', async () => {
      const s = setup();
      const p = s.partition('t', 0, [2, 3, 1], 2, [2, 3]);
      // The leader added broker 1; the controller has not read the ISR change notification yet.
      s.zk.put(p, { leader: 2, leaderEpoch: 1, isr: [2, 3, 1], controllerEpoch: 1 }, 3);
      await s.rsm.handleStateChanges([{ partition: p, brokerId: 1 }], 'OfflineReplica', 'spec');
      expect(s.zk.get('t', 0)).to.deep.include({ leader: 2, leaderEpoch: 2, isr: [2, 3] });
    });

    it('writes nothing for a replica outside the ISR or of a topic being deleted', async () => {
      const s = setup();
      const outside = s.partition('t', 0, [1, 2], 2, [2]);
      const deleting = s.partition('gone', 0, [1, 2], 1, [1, 2]);
      s.context.topicsToBeDeleted.add('gone');
      await s.rsm.handleStateChanges(
        [
          { partition: outside, brokerId: 1 },
          { partition: deleting, brokerId: 1 },
        ],
        'OfflineReplica',
        'spec',
      );
      expect(s.zk.updates).to.deep.equal([]);
      expect(outside.replicaStates.get(1)).to.equal('OfflineReplica');
      expect(deleting.replicaStates.get(1)).to.equal('OfflineReplica');
    });

    it('refuses NewReplica for the current leader', async () => {
      const s = setup();
      const p = s.context.putPartition('t', 0, [1, 2]);
      p.leaderIsr = { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1, zkVersion: 0 };
      const failed = await s.rsm.handleStateChanges(
        [
          { partition: p, brokerId: 1 },
          { partition: p, brokerId: 2 },
        ],
        'NewReplica',
        'spec',
      );
      expect([...failed.values()]).to.have.length(1);
      expect(p.replicaStates.get(1)).to.equal(undefined);
      expect(p.replicaStates.get(2)).to.equal('NewReplica');
    });

    it('walks a deleted replica to NonExistentReplica and drops it from the assignment', async () => {
      const s = setup();
      const p = s.partition('t', 0, [1, 2], 1, [1, 2]);
      const replicas = [
        { partition: p, brokerId: 1 },
        { partition: p, brokerId: 2 },
      ];
      s.context.topicsToBeDeleted.add('t');
      for (const target of [
        'OfflineReplica',
        'ReplicaDeletionStarted',
        'ReplicaDeletionSuccessful',
        'NonExistentReplica',
      ] as const) {
        expect((await s.rsm.handleStateChanges(replicas, target, 'spec')).size).to.equal(0);
      }
      expect(p.replicas).to.deep.equal([]);
      expect(p.replicaStates.size).to.equal(0);
    });

    it('refuses to skip a step of deletion', async () => {
      const s = setup();
      const p = s.partition('t', 0, [1], 1, [1]);
      const failed = await s.rsm.handleStateChanges([{ partition: p, brokerId: 1 }], 'ReplicaDeletionStarted', 'spec');
      expect([...failed.values()][0]).to.match(/from OnlineReplica to ReplicaDeletionStarted/);
      expect(p.replicaStates.get(1)).to.equal('OnlineReplica');
    });
  });

  describe('#startup', () => {
    it('marks replicas on live brokers Online and returns the others, writing nothing', async () => {
      const s = setup();
      const p = s.context.putPartition('t', 0, [1, 4]);
      s.zk.put(p, { leader: 4, leaderEpoch: 1, isr: [4, 1], controllerEpoch: 1 }, 0);
      p.leaderIsr = s.zk.get('t', 0);
      const offline = await s.rsm.startup();
      expect(p.replicaStates.get(1)).to.equal('OnlineReplica');
      expect(p.replicaStates.get(4)).to.equal('ReplicaDeletionIneligible');
      expect(offline).to.deep.equal([{ partition: p, brokerId: 4 }]);
      // The dead leader stays in ZooKeeper until the partition state machine has elected its successor.
      expect(s.zk.get('t', 0)).to.deep.include({ leader: 4, isr: [4, 1], leaderEpoch: 1 });
    });
  });
});
