import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../lib/common/errors.js';
import { logConfigWith, type LogConfig } from '../../../lib/log/log-config.js';
import { ABORTED_TXN_ENTRY_BYTES, decodeEntry } from '../../../lib/log/transaction-index.js';
import { UnifiedLog, type LogAppendInfo } from '../../../lib/log/unified-log.js';
import { defer } from '../../helpers/cleanup.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { T0, idempotentBatch, markerBatch, transactionalBatch } from './test-batches.js';

const TP = { topic: 'payments', partition: 0 };

function open(dir: string, config: Partial<LogConfig> = {}, hadCleanShutdown = true): UnifiedLog {
  const scheduler = new MockScheduler(new MockTime(T0));
  return defer(
    UnifiedLog.open({
      dir,
      topicPartition: TP,
      config: logConfigWith({ segmentIndexBytes: 8 * 64, segmentBytes: 1000, ...config }),
      time: scheduler.time,
      scheduler,
      hadCleanShutdown,
    }),
    async (l) => {
      l.closeHandles();
      await l.leaderEpochCache.settled();
    },
  );
}

/** Producer `pid`'s transactional batch of `count` records at sequence `seq`. */
function send(log: UnifiedLog, pid: number, seq: number, count = 3, epoch = 0): LogAppendInfo {
  const batch = transactionalBatch({ producerId: pid, producerEpoch: epoch, baseSequence: seq, recordCount: count });
  const info = log.append(batch, { assignOffsets: true, leaderEpoch: 0 });
  log.updateHighWatermark(log.logEndOffset);
  return info;
}

function mark(log: UnifiedLog, pid: number, commit: boolean, opts: { epoch?: number; coordinatorEpoch?: number } = {}) {
  const marker = markerBatch({
    producerId: pid,
    commit,
    producerEpoch: opts.epoch,
    coordinatorEpoch: opts.coordinatorEpoch,
  });
  const info = log.append(marker, { assignOffsets: true, leaderEpoch: 0, origin: 'Coordinator' });
  return info;
}

const txnIndexEntries = (file: string) => {
  const bytes = fs.readFileSync(file);
  const out = [];
  for (let pos = 0; pos < bytes.length; pos += ABORTED_TXN_ENTRY_BYTES) out.push(decodeEntry(bytes, pos));
  return out;
};

describe('UnifiedLog transactions', () => {
  describe('last stable offset', () => {
    it('stays at the first offset of the oldest open transaction until its marker is below the high watermark', () => {
      const log = open(join(tmpDir(), 'payments-0'));
      send(log, 1, 0); // 0..2
      send(log, 2, 0); // 3..5
      expect(log.lastStableOffset).to.equal(0);
      mark(log, 1, true); // 6
      expect(log.lastStableOffset, 'marker not yet below the HW').to.equal(0);
      log.updateHighWatermark(7);
      expect(log.lastStableOffset, 'producer 2 still open').to.equal(3);
      mark(log, 2, false); // 7
      log.updateHighWatermark(8);
      expect(log.lastStableOffset).to.equal(8);
    });

    it('never falls below the log start offset when DeleteRecords removed the start of an open transaction', () => {
      const log = open(join(tmpDir(), 'payments-0'));
      send(log, 1, 0); // 0..2, open
      send(log, 2, 0); // 3..5, open
      expect(log.lastStableOffset).to.equal(0);
      log.deleteRecordsBefore(2);
      expect(log.lastStableOffset).to.equal(2);
    });

    it('is the high watermark when no transaction is open', () => {
      const log = open(join(tmpDir(), 'payments-0'));
      log.append(idempotentBatch({ producerId: 9, baseSequence: 0, recordCount: 4 }), {
        assignOffsets: true,
        leaderEpoch: 0,
      });
      log.updateHighWatermark(2);
      expect(log.lastStableOffset).to.equal(2);
    });
  });

  describe('aborted transaction index', () => {
    it('indexes an aborted transaction with its range and the last stable offset after it', () => {
      const log = open(join(tmpDir(), 'payments-0'));
      send(log, 1, 0); // 0..2
      send(log, 2, 0); // 3..5
      send(log, 1, 3); // 6..8
      mark(log, 1, false); // 9
      mark(log, 2, true); // 10
      expect(txnIndexEntries(log.activeSegment.txnIndexFile)).to.deep.equal([
        { producerId: 1, firstOffset: 0, lastOffset: 9, lastStableOffset: 3 },
      ]);
      expect(log.collectAbortedTransactions(0, 11)).to.deep.equal([
        { producerId: 1, firstOffset: 0, lastOffset: 9, lastStableOffset: 3 },
      ]);
      expect(log.collectAbortedTransactions(10, 11), 'aborted before the range').to.deep.equal([]);
    });

    it('does not index a commit, nor an abort of a producer that wrote nothing here', () => {
      const log = open(join(tmpDir(), 'payments-0'));
      send(log, 1, 0);
      mark(log, 1, true);
      mark(log, 5, false);
      expect(fs.statSync(log.activeSegment.txnIndexFile).size).to.equal(0);
    });

    it('finds an aborted transaction whose marker is in a later segment', () => {
      const log = open(join(tmpDir(), 'payments-0'));
      send(log, 1, 0, 3);
      for (let seq = 0; log.segments.length < 3; seq += 10) send(log, 2, seq, 10);
      mark(log, 1, false);
      const [first] = log.segments;
      expect(fs.statSync(first!.txnIndexFile).size, 'the marker is not in the first segment').to.equal(0);
      expect(log.collectAbortedTransactions(0, 3).map((t) => t.producerId)).to.deep.equal([1]);
    });
  });

  describe('checks', () => {
    it('refuses a non-transactional batch while the producer has a transaction open', () => {
      const log = open(join(tmpDir(), 'payments-0'));
      send(log, 1, 0);
      const plain = idempotentBatch({ producerId: 1, baseSequence: 3 });
      expect(() => log.append(plain, { assignOffsets: true, leaderEpoch: 0 }))
        .to.throw(ApiError)
        .with.property('errorName', 'INVALID_TXN_STATE');
    });

    it("refuses a marker of an older epoch or from an older coordinator epoch, and a client's control batch", () => {
      const log = open(join(tmpDir(), 'payments-0'));
      send(log, 1, 0, 3, 2);
      expect(() => mark(log, 1, false, { epoch: 1 }))
        .to.throw(ApiError)
        .with.property('errorName', 'INVALID_PRODUCER_EPOCH');
      mark(log, 1, false, { epoch: 3, coordinatorEpoch: 5 });
      expect(() => mark(log, 1, false, { epoch: 3, coordinatorEpoch: 4 }))
        .to.throw(ApiError)
        .with.property('errorName', 'TRANSACTION_COORDINATOR_FENCED');
      expect(() => log.append(markerBatch({ producerId: 1, commit: true }), { assignOffsets: true, leaderEpoch: 0 }))
        .to.throw(ApiError)
        .with.property('errorName', 'INVALID_RECORD');
    });

    it('moves the producer to the epoch of a marker the coordinator bumped, fencing the old one', () => {
      const log = open(join(tmpDir(), 'payments-0'));
      send(log, 1, 0, 3, 0);
      mark(log, 1, false, { epoch: 1 });
      const zombie = transactionalBatch({ producerId: 1, producerEpoch: 0, baseSequence: 3 });
      expect(() => log.append(zombie, { assignOffsets: true, leaderEpoch: 0 }))
        .to.throw(ApiError)
        .with.property('errorName', 'INVALID_PRODUCER_EPOCH');
    });
  });

  describe('after a restart', () => {
    it('restores the open transactions (from the snapshot) and the aborted ones (from .txnindex)', async () => {
      const dir = join(tmpDir(), 'payments-0');
      const log = open(dir);
      send(log, 1, 0);
      mark(log, 1, false);
      send(log, 2, 0);
      await log.close();
      const reopened = open(dir);
      reopened.updateHighWatermark(reopened.logEndOffset);
      expect(reopened.lastStableOffset).to.equal(4);
      expect(
        reopened.collectAbortedTransactions(0, 7).map((t) => [t.producerId, t.firstOffset, t.lastOffset]),
      ).to.deep.equal([[1, 0, 3]]);
    });

    it('rebuilds a missing .txnindex from the markers, also in segments below the newest snapshot', () => {
      const dir = join(tmpDir(), 'payments-0');
      const log = open(dir);
      send(log, 1, 0, 3);
      mark(log, 1, false);
      for (let seq = 0; log.segments.length < 3; seq += 10) send(log, 2, seq, 10);
      const withAbort = log.segments.find((s) => fs.statSync(s.txnIndexFile).size > 0)!;
      const expected = txnIndexEntries(withAbort.txnIndexFile);
      log.closeHandles();
      fs.rmSync(withAbort.txnIndexFile);
      const reopened = open(dir);
      expect(txnIndexEntries(reopened.segments[0]!.txnIndexFile)).to.deep.equal(expected);
      reopened.updateHighWatermark(reopened.logEndOffset);
      expect(reopened.collectAbortedTransactions(0, 4).map((t) => t.producerId)).to.deep.equal([1]);
      expect(reopened.lastStableOffset, "producer 2's transaction is still open").to.equal(4);
    });

    it('rebuilds the indexes of recovered segments after an unclean shutdown', () => {
      const dir = join(tmpDir(), 'payments-0');
      const log = open(dir);
      send(log, 1, 0, 3);
      mark(log, 1, false);
      const file = log.activeSegment.txnIndexFile;
      const expected = txnIndexEntries(file);
      log.closeHandles();
      fs.writeFileSync(file, Buffer.alloc(ABORTED_TXN_ENTRY_BYTES + 5));
      const reopened = open(dir, {}, false);
      expect(txnIndexEntries(reopened.activeSegment.txnIndexFile)).to.deep.equal(expected);
    });
  });
});
