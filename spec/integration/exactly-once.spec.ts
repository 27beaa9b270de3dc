/**
 * Exactly-once consume-transform-produce under failures (spec/helpers/exactly-once.ts): 20,000 input records copied
 * by 3 transactional copiers in one group, 200 records per transaction, while a copier (twice), the leader of an
 * output partition and a transaction coordinator are SIGKILLed and restarted. The output read with read_committed is
 * the input, each partition in order, exactly once; read_uncommitted sees the aborted transactions too.
 */
import { runExactlyOnce, useExactlyOnceCluster } from '../helpers/exactly-once.js';

describe('Exactly-once copying (3 brokers, 3 copiers)', function () {
  this.timeout(300_000);
  const env = useExactlyOnceCluster();

  it('copies every record exactly once, in order per partition, through copier, leader and coordinator SIGKILLs', async () => {
    const report = await runExactlyOnce(env.cluster, {
      records: 20_000,
      recordsPerTransaction: 200,
      pauseBeforeCommitMs: 150,
      onProgress: (line) => console.log(`      ${line}`),
    });
    console.log(`      ${JSON.stringify(report)}`);
  });
});
