/**
 * Scenario: a broker killed (SIGKILL) in the middle of moving a replica between its log dirs (KIP-113). Two brokers
 * with two log dirs each, RF 2, an acks=all producer and a consumer group throughout. Broker 1 copies its replica
 * into a future log in its other dir, held back by replica.alter.log.dirs.io.max.bytes.per.second so that the copy
 * is in flight when the broker dies. Leadership moves to broker 2. Restarted, broker 1 recovers the future log from
 * its directory (an unclean shutdown), shows it again in DescribeLogDirs and resumes the copy; once the throttle is
 * removed the move completes: the replica lives in the target dir only and nothing acknowledged is lost.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { FaultCluster } from '../helpers/fault-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

const THROTTLE_KEY = 'replica.alter.log.dirs.io.max.bytes.per.second';

describe('Fault: a broker killed while it moves a replica between its log dirs', function () {
  this.timeout(180_000);

  it('resumes the copy after the restart, completes the move and loses nothing acknowledged', async () => {
    const topic = 'dir-move-crash';
    const cluster = await FaultCluster.start({ brokers: 2, logDirsPerBroker: 2 });
    await cluster.createTopic(topic, [[1, 2]], { 'file.delete.delay.ms': '1000' });
    const workload = new Workload({ cluster: cluster.local, topic, partitions: 1 });
    await workload.ackedMore(600, 'before the move');

    const logDirs = async () => (await cluster.admin.describeLogDirs([1]))[0]!.logDirs;
    const holding = (dirs: Awaited<ReturnType<typeof logDirs>>, isFuture: boolean) =>
      dirs.filter((d) => d.partitions.some((p) => p.topic === topic && p.isFuture === isFuture)).map((d) => d.logDir);
    const before = await logDirs();
    const [source] = holding(before, false);
    const target = before.map((d) => d.logDir).find((d) => d !== source)!;

    // One byte per second: the copier takes a batch, then waits, so the copy stays in flight.
    await cluster.admin.incrementalAlterConfigs([
      { type: 'broker', name: '1', ops: [{ name: THROTTLE_KEY, op: 'SET', value: '1' }] },
    ]);
    const [started] = await cluster.admin.alterReplicaLogDirs([{ topic, partition: 0, broker: 1, logDir: target }]);
    expect(started!.error).to.equal(null);
    await waitFor(
      async () => (await logDirs()).find((d) => d.logDir === target)!.partitions.some((p) => p.size > 0),
      'the future log to hold a first batch',
    );

    await cluster.local.killBroker(1);
    await cluster.waitForState(topic, 0, (s) => s.leader === 2, 'leadership moved to broker 2');
    await workload.ackedMore(300, 'with broker 1 down');
    await cluster.local.startBroker(1);
    const resumed = await waitFor(async () => {
      const dirs = await logDirs().catch(() => null);
      return dirs !== null && holding(dirs, true).length > 0 ? dirs : null;
    }, 'broker 1 to show its future replica again after the restart');
    expect(holding(resumed, true)).to.deep.equal([target]);
    expect(holding(resumed, false)).to.deep.equal([source]);

    await cluster.admin.incrementalAlterConfigs([
      { type: 'broker', name: '1', ops: [{ name: THROTTLE_KEY, op: 'DELETE' }] },
    ]);
    const moved = await waitFor(
      async () => {
        const dirs = await logDirs();
        return holding(dirs, true).length === 0 && holding(dirs, false)[0] === target ? dirs : null;
      },
      'the move to complete',
      { timeoutMs: 60_000 },
    );
    expect(holding(moved, false)).to.deep.equal([target]);
    await waitFor(
      () => readdirSync(source!).every((n) => !n.startsWith(`${topic}-0`)),
      'the old copy to be deleted from the source dir',
      { timeoutMs: 30_000 },
    );
    await cluster.waitForState(topic, 0, (s) => s.isr.length === 2, 'broker 1 back in the ISR');
    await workload.ackedMore(300, 'after the move');
    expectNoAnomalies('a broker killed while moving a replica between its log dirs', await workload.check());
  });
});
