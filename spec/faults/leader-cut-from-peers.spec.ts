/**
 * Scenario: the leader is cut off from its peers but not from ZooKeeper or its clients (three brokers on hosts of
 * their own, RF 3, min.insync.replicas 2, an idempotent acks=all producer and a consumer group running throughout).
 *
 * - The followers stop fetching, so the leader shrinks the ISR to itself after replica.lag.time.max.ms (it still
 *   reaches ZooKeeper, so nothing else changes: no election).
 * - From then on nothing is acknowledged: with an ISR below min.insync.replicas an acks=all write is refused
 *   (NOT_ENOUGH_REPLICAS) or, if it was appended first, answered NOT_ENOUGH_REPLICAS_AFTER_APPEND — never acknowledged.
 * - After healing, the followers catch up and rejoin the ISR, acknowledgements resume, and the histories have no
 *   anomaly: nothing acknowledged is lost, replicas are identical below the high watermark.
 */
import { expect } from 'chai';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster, REPLICA_LAG_TIME_MAX_MS } from '../helpers/fault-cluster.js';

const TOPIC = 'cut-from-peers';

describe('Fault: the leader cut off from its peers only', function () {
  this.timeout(180_000);

  it('shrinks the ISR to the leader, acknowledges nothing until healed, and loses nothing', async () => {
    const cluster = await FaultCluster.start({ brokers: 3 });
    await cluster.createTopic(TOPIC, [[1, 2, 3]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'before the cut');

    const cut = cluster.inject(cluster.faults.isolate(1, 'peers'));
    const shrunk = await cluster.waitForState(
      TOPIC,
      0,
      (s) => s.isr.length === 1,
      'the ISR shrunk to the leader',
      REPLICA_LAG_TIME_MAX_MS * 4,
    );
    expect(shrunk).to.deep.include({ leader: 1, isr: [1], leaderEpoch: 0 });
    // Once the shrink is written, acks=all writes are refused; give the producer a while to try.
    const shrunkAtMs = Date.now();
    await new Promise((r) => setTimeout(r, 5000));
    const lateAcks = workload.ackSamples().filter((a) => a.atMs > shrunkAtMs + 500);
    expect(lateAcks.length, 'values acknowledged with the ISR below min.insync.replicas').to.equal(0);

    cut.heal();
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'the followers back in the ISR');
    await workload.ackedMore(300, 'after the heal');
    expectNoAnomalies('leader cut off from its peers', await workload.check());
  });
});
