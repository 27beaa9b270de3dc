/**
 * The consumer-group correctness run (spec/helpers/group-correctness.ts) at a size the suite can afford: 20,000 keyed
 * records over 6 partitions, 3 member processes restarted at random (SIGKILL or SIGTERM) every 2-4 s while the
 * producer runs. `npm run soak` runs the full size (200,000 records).
 */
import { expect } from 'chai';
import { TestCluster } from '../helpers/cluster-harness.js';
import { startGroupCluster } from '../helpers/group-cluster.js';
import { runGroupCorrectness } from '../helpers/group-correctness.js';

describe('Consumer group correctness under member restarts (3 brokers)', function () {
  this.timeout(240_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await startGroupCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  it('reads every record at least once, each key in order within every member process, across random restarts', async () => {
    const report = await runGroupCorrectness(cluster, {
      records: 20_000,
      keys: 500,
      produceMs: 15_000,
      restartEveryMs: [2000, 4000],
    });
    expect(report.kills + report.terms, 'restarts during the run').to.be.at.least(3);
  });
});
