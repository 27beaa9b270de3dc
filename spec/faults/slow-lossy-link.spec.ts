/**
 * Scenario: the leader's link turns slow and lossy (a 2 Mbit/s cap, tc tbf, and 5% of packets lost, each way) for
 * a while, then recovers. Three brokers on hosts of their own, RF 3, min.insync.replicas 2, an idempotent
 * acks=all producer and a consumer group throughout.
 *
 * - Writes go on being acknowledged (TCP retransmits what is lost; each acks=all write waits for the followers'
 *   fetches over the same link), and the followers stay in the ISR.
 * - Retransmissions and the clients' retries may repeat requests; idempotence keeps the log free of duplicates.
 * - After healing, the histories have no anomaly and the replicas are identical.
 */
import { expect } from 'chai';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster } from '../helpers/fault-cluster.js';

const TOPIC = 'slow-link';

describe('Fault: a slow, lossy link to the leader', function () {
  this.timeout(240_000);

  it('goes on acknowledging, keeps the ISR, and loses and duplicates nothing', async () => {
    const cluster = await FaultCluster.start({ brokers: 3 });
    await cluster.createTopic(TOPIC, [[1, 2, 3]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'before the link degrades');

    const slow = cluster.inject(cluster.faults.degradeLink('b1', { rateKbit: 2000, lossPercent: 5 }));
    const degradedAtMs = Date.now();
    await workload.ackedMore(3000, 'over the slow link', 90_000);
    const during = workload.ackSamples().filter((a) => a.atMs > degradedAtMs + 1000);
    expect(during.length, 'acknowledgements over the slow link').to.be.greaterThan(0);
    expect((await cluster.state(TOPIC, 0))!.isr, 'the followers kept up').to.have.length(3);
    slow.heal();

    await workload.ackedMore(300, 'after the heal');
    expectNoAnomalies('slow, lossy link to the leader', await workload.check());
  });
});
