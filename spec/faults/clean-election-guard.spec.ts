/**
 * Scenarios: a stale replica outlives every member of the ISR. Three brokers on hosts of their own, RF 3,
 * min.insync.replicas 2, acks=all writes throughout.
 *
 * The setting, in both: replica 3 is cut off from its peers (it still reaches ZooKeeper, so it stays a live broker)
 * and falls out of the ISR: it is stale. Writes go on with the ISR {1, 2}, so replica 3 misses acknowledged records.
 * Then every member of the ISR dies (SIGKILL, follower first, then the leader).
 *
 * - The guard, with unclean.leader.election.enable=false (Kafka's default; an idempotent producer and a consumer
 *   group, the checked workload): replica 3's cut is healed, so it is the only live replica, fully reachable. The
 *   partition must stay offline (no leader, the ISR still naming the last member) for as long as no ISR member is
 *   back: electing replica 3 would lose what it missed. The last ISR member returns and is elected (a clean
 *   election), replica 3 truncates to its log and catches up, the other returns, and the histories have no anomaly.
 * - The trade, with the topic's unclean.leader.election.enable=true (a plain acks=all producer: the loss breaks an
 *   idempotent producer's sequence, which is not what is measured here): the controller elects replica 3, outside
 *   the ISR, as soon as the last ISR member dies. The returning members truncate to its log. What is lost is exactly
 *   what Kafka documents: the records acknowledged after replica 3 fell out of the ISR — every one of them, and
 *   nothing else; the replicas end identical.
 */
import { expect } from 'chai';
import type { Fault } from '../../lib/cli/faults/network-faults.js';
import { Producer } from '../../lib/client/index.js';
import type { LeaderIsrAndZkVersion } from '../../lib/zk/kafka-zk-client.js';
import { ContinuousProducer } from '../helpers/acked-records.js';
import { compareReplicas, replicaRecordsOf } from '../helpers/checker/replicas.js';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { defer } from '../helpers/cleanup.js';
import { FaultCluster, REPLICA_LAG_TIME_MAX_MS } from '../helpers/fault-cluster.js';

const TOPIC = 'stale-replica';
/** How long the partition is watched while only the stale replica lives. */
const OFFLINE_HOLD_MS = 12_000;

/** Takes replica 3 out of the ISR (cut off from its peers, left so), then kills the ISR: 2, then leader 1. */
async function strandStaleReplica(
  cluster: FaultCluster,
  writes: { ackedMore(n: number, what: string): Promise<void> },
): Promise<Fault> {
  const cut = cluster.inject(cluster.faults.isolate(3, 'peers'));
  await cluster.waitForState(TOPIC, 0, (s) => !s.isr.includes(3), 'replica 3 out', REPLICA_LAG_TIME_MAX_MS * 4);
  await writes.ackedMore(600, 'that replica 3 misses');
  await cluster.local.killBroker(2);
  await cluster.waitForState(TOPIC, 0, (s) => s.isr.join() === '1', 'the ISR down to the leader');
  await cluster.local.killBroker(1);
  return cut;
}

describe('Fault: a stale replica outlives the ISR', function () {
  this.timeout(180_000);

  it('keeps the partition offline rather than elect a stale replica, and loses nothing', async () => {
    const cluster = await FaultCluster.start({ brokers: 3 });
    await cluster.createTopic(TOPIC, [[1, 2, 3]], {
      'min.insync.replicas': '2',
      'unclean.leader.election.enable': 'false',
    });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'with every replica in sync');

    const cut = await strandStaleReplica(cluster, workload);
    const offline = await cluster.waitForState(TOPIC, 0, (s) => s.leader === -1, 'the partition offline');
    expect(offline.isr, 'the ISR keeps its last member').to.deep.equal([1]);
    cut.heal();

    // Only the stale replica lives (and reaches every host): watch the partition stay offline.
    const seen: LeaderIsrAndZkVersion[] = [];
    for (const until = Date.now() + OFFLINE_HOLD_MS; Date.now() < until;) {
      seen.push((await cluster.state(TOPIC, 0))!);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(
      seen.filter((s) => s.leader !== -1),
      'states with a leader while only the stale replica lived',
    ).to.deep.equal([]);
    expect(await cluster.registeredBrokers(), 'replica 3 alive and registered all along').to.deep.equal([3]);

    await cluster.local.startBroker(1);
    const back = await cluster.waitForState(TOPIC, 0, (s) => s.leader !== -1, 'a leader again');
    expect(back.leader, 'the returning ISR member, elected cleanly').to.equal(1);
    await cluster.local.startBroker(2);
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'every replica back in sync');
    await workload.ackedMore(300, 'after the election');
    expectNoAnomalies('clean-election guard', await workload.check());
  });

  it('with unclean election enabled, elects the stale replica and loses exactly what it missed', async () => {
    const cluster = await FaultCluster.start({ brokers: 3 });
    await cluster.createTopic(TOPIC, [[1, 2, 3]], {
      'min.insync.replicas': '2',
      'unclean.leader.election.enable': 'true',
    });
    const producer = defer(
      new Producer({ 'bootstrap.servers': cluster.bootstrapServers, 'enable.idempotence': false, 'linger.ms': 5 }),
      (p) => p.close(),
    );
    await producer.connect();
    // Stopped before the producer closes (the cleanup stack unwinds in reverse), should the test fail half-way.
    const writes = defer(new ContinuousProducer(producer, TOPIC, 1, 5).start(), (w) => w.stop());
    await writes.ackedMore(300, 'with every replica in sync');
    const cut = await strandStaleReplica(cluster, writes);
    // Replica 3's log as it was when it fell out of the ISR (cut off, it fetched nothing since).
    const staleEnd = Math.max(-1, ...replicaRecordsOf(cluster.local, 3, TOPIC, 0).keys()) + 1;

    const elected = await cluster.waitForState(TOPIC, 0, (s) => s.leader !== 1, 'an unclean election');
    expect(elected, 'the stale replica elected, alone in the ISR').to.deep.include({ leader: 3, isr: [3] });
    // Nothing was acknowledged since the ISR fell below min.insync.replicas: these are every acknowledgement before.
    const ackedBefore = new Map(writes.acked);
    cut.heal();
    await cluster.local.startBroker(1);
    await cluster.local.startBroker(2);
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'the old ISR members back, truncated');
    await writes.ackedMore(300, 'after the unclean election');
    await writes.stop();

    expect(await compareReplicas(cluster.local, cluster.admin, TOPIC, 1), 'replicas that differ').to.deep.equal([]);
    const log = replicaRecordsOf(cluster.local, 3, TOPIC, 0);
    const lost = [...writes.acked].filter(([value, a]) => log.get(a.offset) !== value).map(([value]) => value);
    const missed = [...ackedBefore].filter(([, a]) => a.offset >= staleEnd).map(([value]) => value);
    expect(missed.length, 'values acknowledged while replica 3 was out of the ISR').to.be.at.least(600);
    expect(lost.sort(), 'the values lost: exactly those acknowledged after replica 3 fell out').to.deep.equal(
      missed.sort(),
    );
  });
});
