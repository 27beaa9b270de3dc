/**
 * `npm run soak`: the exactly-once runs (spec/helpers/exactly-once.ts) at full size, too long for `npm test`, which
 * runs a lean one (spec/integration/exactly-once.spec.ts):
 *  - the run: 20,000 input records copied by 3 transactional copiers in 200-record transactions while a
 *    copier is SIGKILLed mid-transaction twice and a broker twice (the leader of an output partition, then a
 *    transaction coordinator), each restarted;
 *  - a longer one: 100,000 records in 500-record transactions with that round of four faults repeated 5 times.
 * Each fails on the first output partition that is not exactly its input, in order, or when read_uncommitted sees no
 * more than read_committed.
 */
import { runExactlyOnce, useExactlyOnceCluster } from '../helpers/exactly-once.js';

describe('Exactly-once soak', function () {
  this.timeout(0);
  const env = useExactlyOnceCluster();
  const onProgress = (line: string) => console.log(`  ${new Date().toISOString()} ${line}`);

  it('copies 20,000 records exactly once through copier, leader and coordinator SIGKILLs (twice each kind)', async () => {
    const report = await runExactlyOnce(env.cluster, {
      records: 20_000,
      recordsPerTransaction: 200,
      pauseBeforeCommitMs: 150,
      onProgress,
    });
    console.log(`  report: ${JSON.stringify(report)}`);
  });

  it('copies 100,000 records exactly once through 5 rounds of copier, leader and coordinator SIGKILLs', async () => {
    const report = await runExactlyOnce(env.cluster, {
      records: 100_000,
      recordsPerTransaction: 500,
      pauseBeforeCommitMs: 150,
      rounds: 5,
      onProgress,
    });
    console.log(`  report: ${JSON.stringify(report)}`);
  });
});
