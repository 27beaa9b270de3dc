/**
 * Scenario: the ZooKeeper ensemble loses its quorum for 30 s. Three brokers and a three-member ensemble on hosts of
 * their own, RF 3, min.insync.replicas 2, an idempotent acks=all producer and a consumer group throughout.
 *
 * - Two members stop (the leader and a follower): the one left serves nobody, every broker's session is
 *   disconnected. No session can expire without a quorum, so no broker is declared dead and nothing in ZooKeeper
 *   changes; a broker does not need ZooKeeper to serve produce and fetch, so the leaders keep acknowledging with the
 *   full ISR (the followers keep fetching: no ISR change is due either).
 * - The members start again: the quorum forms, the brokers reconnect within their session timeout and keep their
 *   sessions. Afterwards the same broker is the only controller (same controller epoch), no broker registered
 *   again, no leader was elected and no ISR changed (the same state znode, version included).
 * - The histories have no anomaly.
 */
import { expect } from 'chai';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster } from '../helpers/fault-cluster.js';

const TOPIC = 'zk-quorum-lost';
const OUTAGE_MS = 30_000;

describe('Fault: the ZooKeeper quorum lost for 30 s', function () {
  this.timeout(180_000);

  it('keeps the leaders serving with the full ISR, changes nothing in ZooKeeper, and loses nothing', async () => {
    const cluster = await FaultCluster.start({ brokers: 3, zkEnsemble: 3 });
    const zooKeeper = cluster.local.zooKeeper!;
    await cluster.createTopic(TOPIC, [[1, 2, 3]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'before the outage');
    const before = await cluster.zooKeeperFacts(TOPIC, 0);

    const modes = await Promise.all([1, 2, 3].map((id) => zooKeeper.mode(id)));
    const stopped = [modes.indexOf('leader') + 1, modes.indexOf('follower') + 1];
    expect(stopped, 'the ZooKeeper leader and a follower').to.not.include(0);
    await Promise.all(stopped.map((id) => zooKeeper.stopMember(id)));
    const lostAtMs = Date.now();
    const left = [1, 2, 3].find((id) => !stopped.includes(id))!;
    expect(await zooKeeper.mode(left), 'the member left out of any quorum').to.equal(null);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const restoredAtMs = Date.now();

    // Acknowledgements went on all through the outage, at the producer's rate, without a stall.
    const during = workload.ackSamples().filter((a) => a.atMs > lostAtMs && a.atMs < restoredAtMs);
    expect(during.length, 'values acknowledged without a quorum').to.be.at.least(
      ((workload.throughput * OUTAGE_MS) / 1000) * 0.8,
    );
    const gaps = during.slice(1).map((a, i) => a.atMs - during[i]!.atMs);
    expect(Math.max(...gaps), 'the longest wait between acknowledgements (ms)').to.be.below(2000);

    await Promise.all(stopped.map((id) => zooKeeper.startMember(id)));
    await zooKeeper.awaitQuorum();
    // Time for anything the outage would set off once ZooKeeper is back: expired sessions, elections, ISR writes.
    await workload.ackedMore(300 * 10, 'after the quorum is back');

    await cluster.expectZooKeeperUnchanged(before, TOPIC, 0);
    const seen = await cluster.admin.describeCluster();
    expect(seen.controllerId, 'the controller the brokers know').to.equal(before.controller);
    expect(await cluster.registeredBrokers(), 'every broker registered').to.deep.equal([1, 2, 3]);
    expectNoAnomalies('ZooKeeper quorum lost for 30 s', await workload.check());
  });
});
