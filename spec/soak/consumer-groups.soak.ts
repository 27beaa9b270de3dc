/**
 * `npm run soak`: the consumer-group correctness run at full size (spec/helpers/group-correctness.ts): 200,000
 * keyed records over 6 partitions, 3 member processes restarted at random every 1-4 s while the producer runs for
 * 60 s. Prints progress and a report; fails on the first record missed or read out of order per key.
 */
import { TestCluster } from '../helpers/cluster-harness.js';
import { startGroupCluster } from '../helpers/group-cluster.js';
import { runGroupCorrectness } from '../helpers/group-correctness.js';

describe('Consumer group soak', function () {
  this.timeout(0);
  let cluster: TestCluster;

  before(async () => {
    cluster = await startGroupCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it('reads 200,000 keyed records at least once, in order per key within every member process, across random restarts', async () => {
    const report = await runGroupCorrectness(cluster, {
      records: 200_000,
      keys: 1000,
      produceMs: 60_000,
      restartEveryMs: [1000, 4000],
      onProgress: (line) => console.log(`  ${new Date().toISOString()} ${line}`),
    });
    console.log(`  report: ${JSON.stringify(report)}`);
  });
});
