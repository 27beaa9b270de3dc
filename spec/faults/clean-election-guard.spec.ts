/**
 * Scenario: the clean-election guard. Three brokers on hosts of their own, RF 3, min.insync.replicas 2,
 * unclean.leader.election.enable=false (Kafka's default), an idempotent acks=all producer and a consumer group
 * throughout.
 *
 * - Replica 3 is cut off from its peers (it still reaches ZooKeeper, so it stays a live broker) and falls out of the
 *   ISR: it is stale. Writes go on with the ISR {1, 2}, so replica 3 misses acknowledged records.
 * - Then every member of the ISR dies (SIGKILL, follower first, then the leader); replica 3's cut is healed, so it is
 *   the only live replica, fully reachable. The partition must stay offline (no leader, the ISR still naming the
 *   last member) for as long as no ISR member is back: electing replica 3 would lose what it missed.
 * - The last ISR member returns: it is elected (a clean election), replica 3 truncates to its log and catches up,
 *   the other member returns, and the histories have no anomaly — no acknowledged record was lost.
 */
import { expect } from 'chai';
import type { LeaderIsrAndZkVersion } from '../../lib/zk/kafka-zk-client.js';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster, REPLICA_LAG_TIME_MAX_MS } from '../helpers/fault-cluster.js';

const TOPIC = 'clean-election';
/** How long the partition is watched while only the stale replica lives. */
const OFFLINE_HOLD_MS = 12_000;

describe('Fault: the clean-election guard', function () {
  this.timeout(180_000);

  it('keeps the partition offline rather than elect a stale replica, and loses nothing', async () => {
    const cluster = await FaultCluster.start({ brokers: 3 });
    await cluster.createTopic(TOPIC, [[1, 2, 3]], {
      'min.insync.replicas': '2',
      'unclean.leader.election.enable': 'false',
    });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'with every replica in sync');

    const cut = cluster.inject(cluster.faults.isolate(3, 'peers'));
    await cluster.waitForState(TOPIC, 0, (s) => !s.isr.includes(3), 'replica 3 out', REPLICA_LAG_TIME_MAX_MS * 4);
    await workload.ackedMore(600, 'that replica 3 misses');

    await cluster.local.killBroker(2);
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.join() === '1', 'the ISR down to the leader');
    await cluster.local.killBroker(1);
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
});
