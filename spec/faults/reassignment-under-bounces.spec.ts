/**
 * Scenario: a partition reassignment under load while brokers are bounced. Four brokers on hosts of their own, a
 * partition on three of them (RF 3, min.insync.replicas 2), an idempotent acks=all producer and a consumer group
 * throughout. The move (AlterPartitionReassignments) replaces the leader with the fourth broker.
 * A replica being removed does not rejoin the ISR once out of it (the leader never adds it back), so after the old
 * leader's bounce the ISR is the two staying replicas.
 *
 * - The broker being added is cut off from its peers first (it still reaches ZooKeeper, so the move is accepted and
 *   waits for it to catch up): the move stays pending while the bounces happen.
 * - While pending: the leader, which the move removes, is SIGKILLed (a leader is elected from the ISR among the
 *   replicas staying) and restarted; then the staying replica that is not the controller (the new leader or a follower) is SIGKILLed and restarted. Acknowledgements go on.
 *   The controller is never bounced here (spec/integration/reassignment.spec.ts moves the controller mid-move).
 * - The new broker's cut is healed: it catches up, joins the ISR, and the move completes — replicas and ISR are the
 *   target, the leader is one of them, the removed broker deletes its log — and the histories have no anomaly.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster } from '../helpers/fault-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

const TOPIC = 'reassign-bounced';

describe('Fault: a reassignment under load while brokers are bounced', function () {
  this.timeout(240_000);

  it('completes the move after the bounces and loses nothing', async () => {
    const cluster = await FaultCluster.start({ brokers: 4 });
    // The controller stays up and on the network throughout: the moved and bounced brokers are the others.
    const controller = await cluster.controller();
    const [leader, follower, added] = [1, 2, 3, 4].filter((id) => id !== controller) as [number, number, number];
    const target = [follower, controller, added];
    await cluster.createTopic(TOPIC, [[leader, follower, controller]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'before the move');

    const cut = cluster.inject(cluster.faults.isolate(added, 'peers'));
    const [started] = await cluster.admin.alterPartitionReassignments([
      { topic: TOPIC, partition: 0, replicas: target },
    ]);
    expect(started!.error, 'the move accepted').to.equal(null);
    const pending = async () =>
      (await cluster.admin.listPartitionReassignments()).map(({ addingReplicas, removingReplicas }) => ({
        addingReplicas,
        removingReplicas,
      }));
    const moving = [{ addingReplicas: [added], removingReplicas: [leader] }];
    expect(await pending(), 'the move pending').to.deep.equal(moving);
    await workload.ackedMore(300, 'with the move pending');

    await cluster.local.killBroker(leader);
    const elected = await cluster.waitForState(TOPIC, 0, (s) => s.leader !== leader && s.leader !== -1, 'a new leader');
    expect([follower, controller], 'a leader from the ISR among the replicas staying').to.include(elected.leader);
    await workload.ackedMore(300, 'with the old leader down');
    // Back as a follower, but not in the ISR: a leader never takes a replica being removed back in (partition.ts).
    await cluster.local.startBroker(leader);
    expect(await pending(), 'the move still pending').to.deep.equal(moving);
    await workload.ackedMore(300, 'with the old leader back');

    // The staying replica that is not the controller: the leader now, or a follower.
    await cluster.local.killBroker(follower);
    await cluster.waitForState(
      TOPIC,
      0,
      (s) => !s.isr.includes(follower) && s.leader !== -1,
      'the bounced replica out of the ISR, a leader in place',
    );
    // The ISR is down to one replica (below min.insync.replicas) until it is back: restart it at once.
    await cluster.local.startBroker(follower);
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.includes(follower), 'the bounced replica back in the ISR');
    await workload.ackedMore(300, 'with the bounced replica back');
    expect(await pending(), 'the move still pending').to.deep.equal(moving);

    cut.heal();
    await waitFor(async () => (await cluster.admin.listPartitionReassignments()).length === 0, 'the move to complete', {
      timeoutMs: 60_000,
    });
    const done = await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'the target replicas in sync');
    expect([...done.isr].sort(), 'the ISR is the target').to.deep.equal([...target].sort());
    expect(target, 'a leader of the target').to.include(done.leader);
    const [description] = await cluster.admin.describeTopics([TOPIC]);
    expect(description!.partitions[0]!.replicas, 'the assignment is the target').to.deep.equal(target);
    await waitFor(
      () => cluster.local.broker(leader).logDirs.every((d) => !existsSync(join(d, `${TOPIC}-0`))),
      'the removed broker to delete its log',
    );
    await workload.ackedMore(300, 'after the move');
    expectNoAnomalies('reassignment under load while brokers are bounced', await workload.check());
  });
});
