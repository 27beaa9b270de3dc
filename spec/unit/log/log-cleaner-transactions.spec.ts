import { expect } from 'chai';
import { join } from 'node:path';
import { LogCleaner } from '../../../lib/log/log-cleaner.js';
import { logConfigWith } from '../../../lib/log/log-config.js';
import { UnifiedLog } from '../../../lib/log/unified-log.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import { defer } from '../../helpers/cleanup.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { T0, keyedBatch, markerBatch } from './test-batches.js';

function compactedLog(): { log: UnifiedLog; cleaner: LogCleaner } {
  const time = new MockTime(T0);
  const log = defer(
    UnifiedLog.open({
      dir: join(tmpDir(), 'balances-0'),
      topicPartition: { topic: 'balances', partition: 0 },
      config: logConfigWith({ cleanupPolicy: ['compact'], segmentIndexBytes: 4096, deleteRetentionMs: 0 }),
      time,
      scheduler: new MockScheduler(time),
    }),
    // The leader epoch checkpoint is written in the threadpool: the directory is removed only after it landed.
    async (l) => {
      l.closeHandles();
      await l.leaderEpochCache.settled();
    },
  );
  return { log, cleaner: new LogCleaner({ time }) };
}

const seqs = new Map<number, number>();

/** Producer `pid`'s transactional batch of keyed records (its sequences counted here). */
function txn(log: UnifiedLog, pid: number, entries: readonly [string, string][]): void {
  const b = new RecordBatchBuilder({ isTransactional: true });
  b.setProducerState(pid, 0, seqs.get(pid) ?? 0);
  seqs.set(pid, (seqs.get(pid) ?? 0) + entries.length);
  for (const [k, v] of entries) b.append(T0, k, v);
  log.append(b.buildSync(), { assignOffsets: true, leaderEpoch: 0 });
}

const end = (log: UnifiedLog, pid: number, commit: boolean) =>
  log.append(markerBatch({ producerId: pid, commit }), { assignOffsets: true, leaderEpoch: 0, origin: 'Coordinator' });

/** The data records as "key=value" and the markers as "COMMIT pid" / "ABORT pid", in log order. */
function contents(log: UnifiedLog): string[] {
  const out: string[] = [];
  for (const segment of log.segments) {
    if (segment.size === 0) continue;
    for (const batch of iterateBatches(segment.slice(0, segment.size))) {
      if (batch.isControl) {
        if (batch.recordCount > 0)
          out.push(`${batch.controlRecord().type === 0 ? 'ABORT' : 'COMMIT'} ${batch.producerId}`);
        continue;
      }
      for (const r of batch.records()) out.push(`${r.key?.toString()}=${r.value?.toString()}`);
    }
  }
  return out;
}

describe('LogCleaner and transactions', () => {
  beforeEach(() => seqs.clear());

  it('drops aborted records whatever their keys, so an aborted value never hides the committed one', async () => {
    const { log, cleaner } = compactedLog();
    log.append(keyedBatch([['k1', 'v1']]), { assignOffsets: true, leaderEpoch: 0 });
    txn(log, 7, [
      ['k1', 'aborted'],
      ['k2', 'aborted'],
    ]);
    end(log, 7, false);
    txn(log, 8, [['k3', 'committed']]);
    end(log, 8, true);
    log.roll();
    log.updateHighWatermark(log.logEndOffset);
    await cleaner.cleanLog(log);
    expect(contents(log)).to.deep.equal(['k1=v1', 'ABORT 7', 'k3=committed', 'COMMIT 8']);
    // The ABORT marker stays while its producer's last batch (now empty) does, with its .txnindex entry.
    expect(log.collectAbortedTransactions(0, log.logEndOffset).map((t) => t.producerId)).to.deep.equal([7]);
  });

  it('never cleans past the last stable offset: an open transaction and what follows stay as written', async () => {
    const { log, cleaner } = compactedLog();
    log.append(keyedBatch([['k1', 'v1']]), { assignOffsets: true, leaderEpoch: 0 });
    log.roll();
    txn(log, 9, [['k1', 'open']]);
    log.roll();
    log.append(keyedBatch([['k1', 'v2']], T0, 0), { assignOffsets: true, leaderEpoch: 0 });
    log.roll();
    log.updateHighWatermark(log.logEndOffset);
    expect(log.lastStableOffset).to.equal(1);
    await cleaner.cleanLog(log);
    expect(contents(log)).to.deep.equal(['k1=v1', 'k1=open', 'k1=v2']);
    end(log, 9, true);
    log.roll();
    log.updateHighWatermark(log.logEndOffset);
    await cleaner.cleanLog(log);
    expect(contents(log).filter((c) => c.startsWith('k1='))).to.deep.equal(['k1=v2']);
  });
});
