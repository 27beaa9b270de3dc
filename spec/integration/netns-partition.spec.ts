/**
 * A network partition between simulated hosts, healed (the lean `npm test` version of spec/faults'
 * leader-cut-from-peers scenario): two brokers in network namespaces of their own, a partition with RF 2 and
 * min.insync.replicas 2, a client producing acks=all throughout. The leader, cut off from its peer only, shrinks the
 * ISR to itself and acknowledges nothing; once healed, the follower rejoins, acknowledgements resume, the replicas
 * are identical and every acknowledged value sits at its offset. Needs root (as CI runs).
 */
import { expect } from 'chai';
import { Producer } from '../../lib/client/index.js';
import { ErrorCode } from '../../lib/common/error-codes.js';
import { ContinuousProducer } from '../helpers/acked-records.js';
import { defer } from '../helpers/cleanup.js';
import { FaultCluster } from '../helpers/fault-cluster.js';

const TOPIC = 'netns-partition';
const LAG_MS = 3000;
/** How long the cut holds once the ISR has shrunk. */
const HOLD_MS = 2500;

describe('Simulated hosts: a partition between brokers, healed', function () {
  let cluster: FaultCluster;

  before(async () => {
    cluster = await FaultCluster.start({ brokers: 2, brokerProps: { 'replica.lag.time.max.ms': LAG_MS } });
    await cluster.createTopic(TOPIC, [[1, 2]], { 'min.insync.replicas': '2' });
  });

  it('shrinks the ISR, acknowledges nothing while cut off, and loses nothing after healing', async () => {
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers }), (p) => p.close());
    await producer.connect();
    const writes = new ContinuousProducer(producer, TOPIC, 1, 5).start();
    await writes.ackedMore(50, 'before the cut');

    const cut = cluster.inject(cluster.faults.isolate(1, 'peers'));
    const shrunk = await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 1, 'the ISR shrunk', LAG_MS * 5);
    expect(shrunk).to.deep.include({ leader: 1, isr: [1], leaderEpoch: 0 });
    // From the shrink on, acks=all is below min.insync.replicas: refused, and nothing acknowledged until the heal
    // (but the writes in flight when the ISR shrank, answered within the second after). The cut holds for a few
    // seconds, long enough for the producer's retries to be refused, with a probe refused throughout.
    const shrunkAtMs = Date.now();
    const refusals = await cluster.probeAcksAll(TOPIC, 0, HOLD_MS);
    expect(
      refusals.filter((r) => r !== ErrorCode.NOT_ENOUGH_REPLICAS && r !== ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND),
      'acks=all writes with the ISR shrunk that were not refused for want of replicas',
    ).to.deep.equal([]);
    const healAtMs = Date.now();
    cut.heal();
    const late = [...writes.acked.values()].filter((a) => a.atMs > shrunkAtMs + 1000 && a.atMs < healAtMs);
    expect(late.length, 'values acknowledged with the ISR below min.insync.replicas').to.equal(0);

    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 2, 'the follower back in the ISR');
    await writes.ackedMore(50, 'after the heal');
    await writes.stop();
    await cluster.expectNoAckedLoss(TOPIC, 1, writes.acked);
  });
});
