/**
 * Scenario: both followers lost in turn. Three brokers on hosts of their own, RF 3, min.insync.replicas 2, an
 * idempotent acks=all producer and a consumer group throughout; the leader stays up and reachable.
 *
 * - Follower A's host drops off the network (cut off from everyone): the leader shrinks the ISR to two and goes on
 *   acknowledging (ISR = min.insync.replicas). The leader stays: no election.
 * - Then follower B crashes (SIGKILL): the ISR shrinks to the leader alone and the leader stops acknowledging —
 *   acks=all writes are refused with NOT_ENOUGH_REPLICAS (a probe on a second partition with the same replicas
 *   sees it), and the producer's retried writes wait.
 * - Every value acknowledged up to then is on at least two replicas (read from their segment files while both
 *   followers are still gone): an acknowledgement never rested on the leader alone.
 * - Healing (A back on the network, B restarted): both catch up and the ISR expands to three, acknowledgements
 *   resume, and the histories have no anomaly.
 */
import { expect } from 'chai';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { replicaRecordsOf } from '../helpers/checker/replicas.js';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster, REPLICA_LAG_TIME_MAX_MS } from '../helpers/fault-cluster.js';

const TOPIC = 'followers-lost';
/** Same replicas as TOPIC, for writes answered at once (TOPIC's history holds only the workload's values). */
const PROBED = 'followers-lost-probe';
const SHRINK_WITHIN_MS = REPLICA_LAG_TIME_MAX_MS * 4;

describe('Fault: both followers lost in turn', function () {
  this.timeout(180_000);

  it('acknowledges on two replicas, refuses on one, and loses nothing once both are back', async () => {
    const cluster = await FaultCluster.start({ brokers: 3 });
    for (const topic of [TOPIC, PROBED]) await cluster.createTopic(topic, [[1, 2, 3]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'with every replica in sync');

    const cutA = cluster.inject(cluster.faults.isolate(2, 'all'));
    const first = await cluster.waitForState(TOPIC, 0, (s) => !s.isr.includes(2), 'follower 2 out', SHRINK_WITHIN_MS);
    expect(first, 'the same leader').to.deep.include({ leader: 1, isr: [1, 3] });
    await workload.ackedMore(600, 'with one follower lost (ISR = min.insync.replicas)');

    await cluster.local.killBroker(3);
    const second = await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 1, 'follower 3 out', SHRINK_WITHIN_MS);
    expect(second, 'the same leader').to.deep.include({ leader: 1, isr: [1] });
    await cluster.waitForState(PROBED, 0, (s) => s.isr.length === 1, 'the probed partition down to its leader too');
    const shrunkAtMs = Date.now();
    const refusals = await cluster.probeAcksAll(PROBED, 0, 5000);
    expect(
      refusals.filter((r) => r !== ErrorCode.NOT_ENOUGH_REPLICAS),
      'acks=all writes with the ISR below min.insync.replicas that were not refused',
    ).to.deep.equal([]);
    // Writes in flight when the ISR shrank may be answered within the moment after; none later.
    const late = workload.ackSamples().filter((a) => a.atMs > shrunkAtMs + 500);
    expect(late.length, 'values acknowledged with the leader alone in the ISR').to.equal(0);

    // What each broker's segment files hold now, both followers still gone: each acknowledged value at its offset
    // on at least two of them.
    const held = [1, 2, 3].map((id) => replicaRecordsOf(cluster.local, id, TOPIC, 0));
    const onOneReplica = workload.producer.acked.filter(
      (a) => held.filter((records) => records.get(a.offset) === a.value).length < 2,
    );
    expect(
      onOneReplica.map((a) => `${a.value}@${a.offset}`),
      'acknowledged values on fewer than 2 replicas',
    ).to.deep.equal([]);

    cutA.heal();
    await cluster.local.startBroker(3);
    const healed = await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'both followers back in the ISR');
    expect(healed.leader, 'still the same leader').to.equal(1);
    await workload.ackedMore(300, 'after both came back');
    expectNoAnomalies('both followers lost in turn', await workload.check());
  });
});
