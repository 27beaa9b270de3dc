/**
 * Scenario: one member of a three-member ZooKeeper ensemble (a minority, a follower) is cut off from every other
 * host. Three brokers on hosts of their own, RF 3, min.insync.replicas 2, an idempotent acks=all producer and a
 * consumer group throughout.
 *
 * - The other two members keep a quorum. Brokers whose session was on the lost member reconnect to another one
 *   within the session timeout and keep their session: no session expires, so no broker re-registers, the
 *   controller stays (same controller epoch), no leader is elected and no ISR changes (same leader epoch and
 *   state version).
 * - Acknowledgements go on throughout; after healing, the member rejoins the ensemble, and the histories have no
 *   anomaly.
 */
import { expect } from 'chai';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster, SESSION_TIMEOUT_MS } from '../helpers/fault-cluster.js';

const TOPIC = 'zk-minority';

describe('Fault: a ZooKeeper member cut off from the ensemble and the brokers', function () {
  this.timeout(240_000);

  it('keeps every session, the controller, the leaders and the ISRs, and loses nothing', async () => {
    const cluster = await FaultCluster.start({ brokers: 3, zkEnsemble: 3 });
    const zooKeeper = cluster.local.zooKeeper!;
    await cluster.createTopic(TOPIC, [[1, 2, 3]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'before the cut');
    const before = await cluster.zooKeeperFacts(TOPIC, 0);

    const modes = await Promise.all([1, 2, 3].map((id) => zooKeeper.mode(id)));
    const member = modes.indexOf('follower') + 1;
    expect(member, 'a follower to cut off').to.be.greaterThan(0);
    const cut = cluster.inject(cluster.faults.isolateZooKeeper(member));
    // Long enough for every session on the lost member to expire, were it not moved in time.
    const cutAtMs = Date.now();
    await workload.ackedMore(300 * Math.ceil((SESSION_TIMEOUT_MS * 2) / 1000), 'with one member cut off', 90_000);
    expect(Date.now() - cutAtMs).to.be.at.least(SESSION_TIMEOUT_MS);

    await cluster.expectZooKeeperUnchanged(before, TOPIC, 0);

    cut.heal();
    await zooKeeper.awaitQuorum();
    expectNoAnomalies('ZooKeeper member cut off', await workload.check());
  });
});
