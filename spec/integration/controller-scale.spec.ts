/**
 * The controller at scale: leadership for a thousand partitions is decided in a few pipelined ZooKeeper round
 * trips, not one sequential round trip per partition (the writes of one batch are all in flight together).
 */
import { expect } from 'chai';
import type { ZkClient } from '../../lib/zk/zk-client.js';
import { waitFor } from '../helpers/wait-for.js';
import { ControllerTestCluster } from './controller-test-cluster.js';

const PARTITIONS = 1000;

/** Counts the multis the controller's ZooKeeper client has in flight at once. */
function trackMultis(zk: ZkClient): { maxInFlight: number; total: number } {
  const stats = { maxInFlight: 0, total: 0 };
  let inFlight = 0;
  const multi = zk.multi.bind(zk);
  zk.multi = (async (ops: Parameters<ZkClient['multi']>[0]) => {
    stats.total++;
    stats.maxInFlight = Math.max(stats.maxInFlight, ++inFlight);
    try {
      return await multi(ops);
    } finally {
      inFlight--;
    }
  }) as ZkClient['multi'];
  return stats;
}

describe('KafkaController at scale', function () {
  this.timeout(60_000);

  it(`creates and re-elects leaders of ${PARTITIONS} partitions in pipelined batches`, async () => {
    const cluster = await ControllerTestCluster.start([9]);
    const controller = await cluster.waitForActiveController();
    for (const id of [1, 2, 3]) await cluster.startBroker(id);
    const stats = trackMultis(controller.zk.zk);

    let start = performance.now();
    await cluster.createTopicWithAssignment(
      'wide',
      Array.from({ length: PARTITIONS }, (_, p) => [1 + (p % 3), 1 + ((p + 1) % 3)]),
    );
    await waitFor(
      async () =>
        (await cluster.state('wide', PARTITIONS - 1)) !== null &&
        controller.controller.globalPartitionCount === PARTITIONS &&
        controller.controller.offlinePartitionsCount === 0,
      'all partitions online',
      { intervalMs: 10 },
    );
    const createMs = performance.now() - start;
    const createStats = { ...stats };

    start = performance.now();
    stats.maxInFlight = 0;
    await cluster.killBroker(1);
    await waitFor(
      async () => {
        const states = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => cluster.state('wide', p)));
        return states.every((s) => s !== null && s.leader !== 1 && !s.isr.includes(1));
      },
      'every partition to lose broker 1 as leader and ISR member',
      { intervalMs: 10 },
    );
    const failMs = performance.now() - start;
    console.log(
      `      create: ${createMs.toFixed(0)} ms, ${createStats.total} multis, max ${createStats.maxInFlight} in flight; ` +
        `broker failure: ${failMs.toFixed(0)} ms, max ${stats.maxInFlight} in flight`,
    );
    expect(createStats.maxInFlight).to.be.at.least(PARTITIONS / 2);
    expect(stats.maxInFlight).to.be.at.least(PARTITIONS / 3);
  });
});
