/**
 * Scenario: a follower's disk fills. Three brokers on hosts of their own, each with two log dirs on small tmpfs disks
 * (JBOD), RF 3, min.insync.replicas 2, an idempotent acks=all producer and a consumer group throughout.
 *
 * - The log dir of broker 3 that holds its replica is filled: the follower's next append of fetched records fails
 *   with ENOSPC, the dir goes offline (KIP-112) and the controller, told through ZooKeeper's log dir event
 *   notification, drops the replica from the ISR. Broker 3 stays up and registered (its other dir is healthy).
 * - The leader keeps acknowledging with the remaining ISR {1, 2} (= min.insync.replicas): the producer is never held
 *   up for long, there is no election.
 * - Healing is what an operator does: free the space and restart the broker, which loads the dir again, catches up
 *   from the leader and rejoins the ISR. Then nothing acknowledged is lost and the replicas are identical.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster } from '../helpers/fault-cluster.js';

const TOPIC = 'follower-disk-full';

describe('Fault: a follower’s disk full', function () {
  this.timeout(180_000);

  it('takes the follower’s dir offline and out of the ISR, keeps acknowledging, and loses nothing', async () => {
    const cluster = await FaultCluster.start({
      brokers: 3,
      logDirsPerBroker: 2,
      logDirTmpfsBytes: 64 << 20,
      // Small indexes and few offsets partitions, so that a 64 MiB disk holds what it must.
      brokerProps: { 'log.index.size.max.bytes': 1 << 20, 'offsets.topic.num.partitions': 3 },
    });
    await cluster.createTopic(TOPIC, [[1, 2, 3]], { 'min.insync.replicas': '2' });
    const workload = new Workload({ cluster: cluster.local, topic: TOPIC, partitions: 1 });
    await workload.ackedMore(300, 'before the disk fills');

    const dirs = cluster.local.broker(3).logDirs;
    const dirIndex = dirs.findIndex((d) => existsSync(join(d, `${TOPIC}-0`)));
    expect(dirIndex, 'the follower’s dir of the replica').to.be.at.least(0);
    const full = cluster.inject(cluster.faults.fillLogDir(3, dirIndex));
    const filledAtMs = Date.now();
    const shrunk = await cluster.waitForState(TOPIC, 0, (s) => !s.isr.includes(3), 'the follower out of the ISR');
    expect(shrunk, 'the same leader').to.deep.include({ leader: 1, isr: [1, 2] });
    expect(await cluster.registeredBrokers(), 'broker 3 still registered').to.deep.equal([1, 2, 3]);
    const described = await cluster.admin.describeLogDirs([3]);
    const offline = described[0]!.logDirs.find((d) => d.logDir === dirs[dirIndex]);
    expect(offline?.error?.errorName, 'the full dir reported offline').to.equal('KAFKA_STORAGE_ERROR');
    await workload.ackedMore(600, 'with the follower’s dir offline');
    // Acknowledgements went on: no gap longer than the time the ISR took to drop the follower.
    const shrunkWithinMs = Date.now() - filledAtMs;
    const acks = workload.ackSamples().filter((a) => a.atMs > filledAtMs);
    const gaps = acks.slice(1).map((a, i) => a.atMs - acks[i]!.atMs);
    expect(Math.max(...gaps), 'the longest wait between acknowledgements (ms)').to.be.below(shrunkWithinMs + 2000);

    full.heal();
    await cluster.local.restartBroker(3);
    await cluster.waitForState(TOPIC, 0, (s) => s.isr.length === 3, 'the follower back in the ISR');
    await workload.ackedMore(300, 'after the restart');
    expectNoAnomalies('a follower’s disk full', await workload.check());
  });
});
