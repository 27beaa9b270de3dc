/**
 * Scenario: a leader that is not the controller is cut off from ZooKeeper only; its peers and its clients still
 * reach it. Three brokers on hosts of their own, RF 3, min.insync.replicas 2, an idempotent acks=all producer and a
 * consumer group throughout.
 *
 * - Its ZooKeeper session expires (zookeeper.session.timeout.ms): the controller, which sees its registration go,
 *   elects a new leader from the ISR (one election: leader epoch + 1) and drops it from the ISR. The controller does
 *   not change.
 * - The old leader, whose followers now fetch from the new leader, acknowledges nothing more: an acks=all write to it
 *   cannot reach min.insync.replicas, and anything it appended alone is truncated once it follows again.
 * - After healing it registers again under a new session, becomes a follower, rejoins the ISR; every broker is
 *   registered once, the controller is the same, and the histories have no anomaly.
 */
import { expect } from 'chai';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster, SESSION_TIMEOUT_MS } from '../helpers/fault-cluster.js';

const TOPIC = 'leader-cut-from-zk';

describe('Fault: a leader cut off from ZooKeeper only', function () {
  this.timeout(240_000);

  it('moves the leadership within the session timeout, keeps the controller, and loses nothing', async () => {
    const cluster = await FaultCluster.start({ brokers: 3 });
    const controller = await cluster.controller();
    const epochBefore = (await cluster.zk.getControllerEpoch())!.epoch;
    const [leader, ...followers] = [1, 2, 3].filter((id) => id !== controller).concat(controller);
    await cluster.createTopic(TOPIC, [[leader!, ...followers]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'before the cut');

    const cut = cluster.inject(cluster.faults.isolate(leader!, 'zookeeper'));
    const moved = await cluster.waitForState(
      TOPIC,
      0,
      (s) => s.leader !== leader,
      'a new leader',
      SESSION_TIMEOUT_MS * 5,
    );
    expect(moved.leaderEpoch, 'one election').to.equal(1);
    expect(followers).to.include(moved.leader);
    expect(moved.isr, 'the cut-off leader out of the ISR').to.not.include(leader);
    expect(await cluster.registeredBrokers(), 'its registration gone with its session').to.not.include(leader);
    await workload.ackedMore(300, 'with the new leader');

    cut.heal();
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'the old leader back in the ISR');
    expect(await cluster.registeredBrokers()).to.deep.equal([1, 2, 3]);
    expect(await cluster.controller(), 'the same controller').to.equal(controller);
    expect((await cluster.zk.getControllerEpoch())!.epoch, 'no controller election').to.equal(epochBefore);
    await workload.ackedMore(300, 'after the heal');
    expectNoAnomalies('leader cut off from ZooKeeper', await workload.check());
  });
});
