/**
 * Scenario: the controller, which also leads the partition, is cut off from its peers and from ZooKeeper (its
 * clients still reach it). Three brokers on hosts of their own, RF 3, min.insync.replicas 2, an idempotent acks=all
 * producer and a consumer group throughout.
 *
 * - Its ZooKeeper session expires (zookeeper.session.timeout.ms): another broker becomes controller with a higher
 *   controller epoch and elects a new leader from the ISR (leader epoch + 1).
 * - The old controller, which can reach nobody, fences itself: it acknowledges nothing from then on (its writes
 *   could not reach min.insync.replicas anyway).
 * - After healing it registers again under a new session, becomes a follower of the new leader, truncates what it
 *   alone had and rejoins the ISR; there is exactly one controller, every broker is registered once, and the
 *   histories have no anomaly.
 */
import { expect } from 'chai';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster, SESSION_TIMEOUT_MS } from '../helpers/fault-cluster.js';

const TOPIC = 'controller-cut';

describe('Fault: the controller cut off from its peers and ZooKeeper', function () {
  this.timeout(240_000);

  it('moves the controller and the leadership, and loses nothing after healing', async () => {
    const cluster = await FaultCluster.start({ brokers: 3 });
    const controller = await cluster.controller();
    const epochBefore = (await cluster.zk.getControllerEpoch())!.epoch;
    const others = [1, 2, 3].filter((id) => id !== controller);
    await cluster.createTopic(TOPIC, [[controller, ...others]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'before the cut');

    const fromPeers = cluster.inject(cluster.faults.isolate(controller, 'peers'));
    const fromZooKeeper = cluster.inject(cluster.faults.isolate(controller, 'zookeeper'));
    const newController = await cluster.waitForControllerOtherThan(controller, SESSION_TIMEOUT_MS * 5);
    expect(others).to.include(newController);
    expect((await cluster.zk.getControllerEpoch())!.epoch).to.be.greaterThan(epochBefore);
    const moved = await cluster.waitForState(TOPIC, 0, (s) => s.leader !== controller, 'a new leader');
    expect(moved.leaderEpoch, 'one election').to.equal(1);
    expect(others).to.include(moved.leader);
    await workload.ackedMore(300, 'with the new leader');

    fromPeers.heal();
    fromZooKeeper.heal();
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'the old controller back in the ISR');
    expect(await cluster.registeredBrokers()).to.deep.equal([1, 2, 3]);
    expect(await cluster.controller(), 'one controller, the new one').to.equal(newController);
    await workload.ackedMore(300, 'after the heal');
    expectNoAnomalies('controller cut off from peers and ZooKeeper', await workload.check());
  });
});
