import { expect } from 'chai';
import { silentLogger } from '../../../lib/common/logger.js';
import { ControllerContext, type ControllerPartition } from '../../../lib/controller/controller-context.js';
import { PartitionStateMachine } from '../../../lib/controller/partition-state-machine.js';
import { electReplicaLeaders } from '../../../lib/controller/replica-leader-election.js';
import { FakeControllerZk } from './fake-controller-zk.js';

const EPOCH = 3;

function setup(live: number[]) {
  const context = new ControllerContext(EPOCH, 7);
  for (const id of live) context.liveBrokerEpochs.set(id, 100 + id);
  const zk = new FakeControllerZk();
  const psm = new PartitionStateMachine({
    context,
    zkClient: zk,
    uncleanLeaderElectionEnable: false,
    logger: silentLogger,
  });
  const partition = (replicas: number[], leader: number, isr: number[]): ControllerPartition => {
    const p = context.putPartition('t', context.globalPartitionCount, replicas);
    zk.put(p, { leader, leaderEpoch: 5, isr, controllerEpoch: EPOCH }, 4);
    p.leaderIsr = zk.get(p.topic, p.partition);
    context.setPartitionState(p, context.isBrokerOnline(leader) ? 'OnlinePartition' : 'OfflinePartition');
    return p;
  };
  return { context, zk, psm, partition };
}

const outcome = (o: { leader?: number; error?: { errorName: string } }) => o.error?.errorName ?? o.leader;

describe('electReplicaLeaders', () => {
  it('preferred: elects the first replica where it is alive and in sync, and answers each partition as Kafka', async () => {
    const s = setup([1, 2, 3]);
    const moved = s.partition([1, 2, 3], 2, [1, 2, 3]);
    const alreadyPreferred = s.partition([2, 3, 1], 2, [1, 2, 3]);
    const preferredOutOfSync = s.partition([3, 1, 2], 1, [1, 2]);
    s.context.topicsToBeDeleted.add('gone');
    s.context.addTopic('gone');
    s.context.putPartition('gone', 0, [1]);
    const outcomes = await electReplicaLeaders(
      s.context,
      s.psm,
      [moved, alreadyPreferred, preferredOutOfSync, { topic: 't', partition: 9 }, { topic: 'gone', partition: 0 }],
      'PREFERRED',
      'spec',
    );
    expect(outcomes.map(outcome)).to.deep.equal([
      1,
      'ELECTION_NOT_NEEDED',
      'PREFERRED_LEADER_NOT_AVAILABLE',
      'UNKNOWN_TOPIC_OR_PARTITION',
      'INVALID_TOPIC_EXCEPTION',
    ]);
    expect(s.zk.get('t', moved.partition)).to.include({ leader: 1, leaderEpoch: 6 });
    expect(s.zk.get('t', moved.partition)!.isr).to.deep.equal([1, 2, 3]);
    expect(s.zk.updates).to.have.length(1);
  });

  it('unclean: a partition without a live leader gets a live replica even out of the ISR; a live leader stays', async () => {
    const s = setup([2, 3]);
    const offline = s.partition([1, 3], -1, [1]);
    const cleanCandidate = s.partition([1, 2, 3], 1, [1, 2]);
    const healthy = s.partition([2, 3], 2, [2, 3]);
    const noLiveReplica = s.partition([1, 4], -1, [1]);
    const outcomes = await electReplicaLeaders(
      s.context,
      s.psm,
      [offline, cleanCandidate, healthy, noLiveReplica],
      'UNCLEAN',
      'spec',
    );
    expect(outcomes.map(outcome)).to.deep.equal([3, 2, 'ELECTION_NOT_NEEDED', 'ELIGIBLE_LEADERS_NOT_AVAILABLE']);
    expect(s.zk.get('t', offline.partition)).to.include({ leader: 3 });
    expect(s.zk.get('t', offline.partition)!.isr).to.deep.equal([3]);
    // A live in-sync replica is preferred to an unclean one.
    expect(s.zk.get('t', cleanCandidate.partition)!.isr).to.deep.equal([2]);
  });
});
