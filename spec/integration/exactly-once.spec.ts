/**
 * Exactly-once consume-transform-produce under failures, the lean run of `npm test` (spec/helpers/exactly-once.ts):
 * 3,000 input records copied by 3 transactional copiers in one group, 100 records per transaction, while a copier is
 * SIGKILLed mid-transaction and then the leader of an output partition is SIGKILLed, each restarted. The output
 * read with read_committed is the input, each partition in order, exactly once; read_uncommitted sees the killed
 * copier's aborted transaction too, so the check can fail. The full-size run (20,000 records, 200 per
 * transaction, copier, leader and coordinator SIGKILLs twice over) is spec/soak/exactly-once.soak.ts (`npm run soak`).
 */
import { runExactlyOnce, useExactlyOnceCluster } from '../helpers/exactly-once.js';

describe('Exactly-once copying (3 brokers, 3 copiers)', function () {
  this.timeout(120_000);
  const env = useExactlyOnceCluster();

  it('copies every record exactly once, in order per partition, through a copier SIGKILL and a leader SIGKILL', async () => {
    const report = await runExactlyOnce(env.cluster, {
      records: 3_000,
      recordsPerTransaction: 100,
      pauseBeforeCommitMs: 100,
      faults: ['copier', 'output-leader'],
    });
    console.log(`      ${JSON.stringify(report)}`);
  });
});
