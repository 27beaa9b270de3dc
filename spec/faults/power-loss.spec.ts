/**
 * Scenario: machines lose power, one at a time — first a follower, then the leader. Three brokers on hosts of their
 * own running with the durability journal, RF 3, min.insync.replicas 2, an idempotent acks=all producer and a
 * consumer group throughout. A power loss is SIGKILL plus the loss of everything not flushed (lib/cli/faults/
 * power-loss.ts): with Kafka's defaults brokers never fsync on their own, so a broker comes back with little or
 * nothing of its recent log.
 *
 * - Follower: it recovers what it kept, fetches the rest from the leader and rejoins the ISR.
 * - Leader: the controller elects a follower of the ISR (which holds every acknowledged record in its memory, since
 *   acks=all waited for it); the old leader comes back, truncates to the new leader's log and catches up.
 * - Nothing acknowledged is lost, because no acknowledged record lived on one machine only. The limit: when every
 *   replica of the ISR loses power at once (or the last replica standing does, with an ISR of one), what was not
 *   flushed is gone — as with Kafka, which relies on replication, not fsync (docs/ARCHITECTURE.md).
 */
import { expect } from 'chai';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster } from '../helpers/fault-cluster.js';

const TOPIC = 'power-loss';

describe('Fault: power loss of a follower, then of the leader', function () {
  this.timeout(300_000);

  it('recovers both from their replicas and loses nothing acknowledged', async () => {
    const cluster = await FaultCluster.start({ brokers: 3, durabilityJournal: true });
    await cluster.createTopic(TOPIC, [[1, 2, 3]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(600, 'before the power losses');

    const followerCut = await cluster.faults.powerLoss(3);
    expect(followerCut.length, 'segments that lost unflushed bytes on the follower').to.be.greaterThan(0);
    await cluster.waitForState(TOPIC, 0, (s) => !s.isr.includes(3), 'the follower out of the ISR');
    await workload.ackedMore(300, 'with the follower down');
    await cluster.local.startBroker(3);
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'the follower back in the ISR');
    await workload.ackedMore(300, 'after the follower came back');

    const leaderCut = await cluster.faults.powerLoss(1);
    expect(leaderCut.length, 'segments that lost unflushed bytes on the leader').to.be.greaterThan(0);
    const moved = await cluster.waitForState(TOPIC, 0, (s) => s.leader !== 1, 'a new leader');
    expect([2, 3]).to.include(moved.leader);
    await workload.ackedMore(300, 'with the new leader');
    await cluster.local.startBroker(1);
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'the old leader back in the ISR');
    await workload.ackedMore(300, 'after the old leader came back');
    expectNoAnomalies('power loss of a follower, then of the leader', await workload.check());
  });
});
