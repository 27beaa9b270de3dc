/**
 * `npm run soak`: the exactly-once run (spec/helpers/exactly-once.ts) at a larger size than the integration spec:
 * 100,000 input records copied by 3 transactional copiers in 500-record transactions, with the round of four faults
 * (a copier SIGKILLed mid-transaction twice, the leader of an output partition and a transaction coordinator
 * SIGKILLed) repeated 5 times. Fails on the first output partition that is not exactly its input, in order.
 */
import { runExactlyOnce, useExactlyOnceCluster } from '../helpers/exactly-once.js';

describe('Exactly-once soak', function () {
  this.timeout(0);
  const env = useExactlyOnceCluster();

  it('copies 100,000 records exactly once through 5 rounds of copier, leader and coordinator SIGKILLs', async () => {
    const report = await runExactlyOnce(env.cluster, {
      records: 100_000,
      recordsPerTransaction: 500,
      pauseBeforeCommitMs: 150,
      rounds: 5,
      onProgress: (line) => console.log(`  ${new Date().toISOString()} ${line}`),
    });
    console.log(`  report: ${JSON.stringify(report)}`);
  });
});
