/**
 * Scenarios: a leader's disk fails (KIP-112). Three brokers on hosts of their own, RF 3, min.insync.replicas 2, an
 * idempotent acks=all producer and a consumer group throughout.
 *
 * - EIO: the next write to the leader's active segment fails (strace syscall injection). The write is not
 *   acknowledged; the log dir goes offline, the controller elects a new leader from the ISR and drops the broker
 *   from it, and the broker, which has a second, healthy dir, stays registered.
 * - A full disk: the leader's only log dir (a small tmpfs) is filled; its next append fails with ENOSPC, the dir
 *   goes offline and, with no dir left, the broker stops (as Kafka's does); the controller elects elsewhere.
 *
 * Healing is what an operator does: free or replace the disk and restart the broker, which catches up and rejoins
 * the ISR. Then nothing acknowledged is lost and the replicas are identical.
 */
import { expect } from 'chai';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster } from '../helpers/fault-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Fault: a failing disk under the leader', function () {
  this.timeout(240_000);

  it('EIO on a write: the dir goes offline, leadership moves, nothing acknowledged is lost', async () => {
    const topic = 'disk-eio';
    const cluster = await FaultCluster.start({ brokers: 3, logDirsPerBroker: 2 });
    await cluster.createTopic(topic, [[1, 2, 3]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic, partitions: 1 });
    await workload.ackedMore(300, 'before the disk fails');

    await cluster.faults.failNextIo(1, 'write', 'EIO', topic, 0);
    const moved = await cluster.waitForState(topic, 0, (s) => s.leader !== 1, 'leadership moved');
    expect(moved.leaderEpoch, 'one election').to.equal(1);
    expect(moved.isr, 'broker 1 out of the ISR').to.not.include(1);
    expect(await cluster.registeredBrokers(), 'broker 1 still registered').to.deep.equal([1, 2, 3]);
    await workload.ackedMore(300, 'with the dir offline');

    await cluster.local.restartBroker(1);
    await cluster.waitForState(topic, 0, (s) => s.isr.length === 3, 'broker 1 back in the ISR');
    await workload.ackedMore(300, 'after the restart');
    expectNoAnomalies('EIO on the leader’s write', await workload.check());
  });

  it('a full disk: the broker stops with no dir left, leadership moves, nothing acknowledged is lost', async () => {
    const topic = 'disk-full';
    const cluster = await FaultCluster.start({
      brokers: 3,
      logDirTmpfsBytes: 64 << 20,
      // Small indexes and few offsets partitions, so that a 64 MiB disk holds what it must.
      brokerProps: { 'log.index.size.max.bytes': 1 << 20, 'offsets.topic.num.partitions': 3 },
    });
    await cluster.createTopic(topic, [[1, 2, 3]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic, partitions: 1 });
    await workload.ackedMore(300, 'before the disk fills');

    const full = cluster.inject(cluster.faults.fillLogDir(1));
    const moved = await cluster.waitForState(topic, 0, (s) => s.leader !== 1, 'leadership moved');
    expect(moved.isr, 'broker 1 out of the ISR').to.not.include(1);
    await waitFor(
      async () => !(await cluster.registeredBrokers()).includes(1),
      'broker 1 to stop with no log dir left',
      { timeoutMs: 30_000 },
    );
    await workload.ackedMore(300, 'with broker 1 down');

    full.heal();
    await cluster.local.startBroker(1);
    await cluster.waitForState(topic, 0, (s) => s.isr.length === 3, 'broker 1 back in the ISR');
    await workload.ackedMore(300, 'after the restart');
    expectNoAnomalies('the leader’s disk full', await workload.check());
  });
});
