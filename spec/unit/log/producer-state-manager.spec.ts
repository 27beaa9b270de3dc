import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../lib/common/errors.js';
import { silentLogger } from '../../../lib/common/logger.js';
import { producerSnapshotFilePath } from '../../../lib/log/log-file-names.js';
import { NUM_BATCHES_TO_RETAIN } from '../../../lib/log/producer-state-entry.js';
import { ProducerStateManager, type DuplicateBatch } from '../../../lib/log/producer-state-manager.js';
import { MAX_SEQUENCE, stampBatch, validateBatch } from '../../../lib/record/record-batch.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { T0, idempotentBatch, type IdempotentBatchOptions } from './test-batches.js';

const TP = { topic: 'orders', partition: 0 };
const DAY_MS = 86_400_000;

function manager(dir = tmpDir(), producerIdExpirationMs?: number): ProducerStateManager {
  return new ProducerStateManager({ dir, topicPartition: TP, producerIdExpirationMs, logger: silentLogger });
}

/**
 * What a leader does with a client batch: a duplicate is answered with its original offsets; otherwise the batch is
 * checked (throwing as the broker would answer) and appended at `state.mapEndOffset`.
 */
function leaderAppend(state: ProducerStateManager, opts: IdempotentBatchOptions): DuplicateBatch {
  const batch = idempotentBatch(opts);
  const info = validateBatch(batch);
  const duplicate = state.findDuplicate(info);
  if (duplicate !== null) return duplicate;
  state.checkClientBatch(info);
  const offset = state.mapEndOffset;
  stampBatch(batch, 0, offset, 0);
  state.updateFromBatch(batch, 0, offset + info.lastOffsetDelta, 'Client');
  state.updateMapEndOffset(offset + info.lastOffsetDelta + 1);
  return { firstOffset: offset, lastOffset: offset + info.lastOffsetDelta, timestamp: info.maxTimestamp };
}

function replicate(state: ProducerStateManager, opts: IdempotentBatchOptions): void {
  const batch = idempotentBatch(opts);
  const info = validateBatch(batch);
  state.updateFromBatch(batch, 0, info.baseOffset + info.lastOffsetDelta, 'Replication');
  state.updateMapEndOffset(info.baseOffset + info.lastOffsetDelta + 1);
}

function expectRefused(fn: () => unknown, errorName: string): void {
  expect(fn).to.throw(ApiError).with.property('errorName', errorName);
}

describe('ProducerStateManager', () => {
  describe("the leader's checks", () => {
    it('starts an unknown producer at sequence 0 and refuses any other sequence with UNKNOWN_PRODUCER_ID', () => {
      const state = manager();
      expectRefused(() => leaderAppend(state, { producerId: 7, baseSequence: 5 }), 'UNKNOWN_PRODUCER_ID');
      expect(state.lastEntry(7)).to.equal(undefined);
      expect(leaderAppend(state, { producerId: 7, baseSequence: 0, recordCount: 3 })).to.include({
        firstOffset: 0,
        lastOffset: 2,
      });
      expect(state.lastEntry(7)).to.include({ producerEpoch: 0, lastSeq: 2, lastDataOffset: 2 });
    });

    it('appends the next sequence, refuses a gap with OUT_OF_ORDER_SEQUENCE_NUMBER, and answers sequences it holds with DUPLICATE_SEQUENCE_NUMBER', () => {
      const state = manager();
      leaderAppend(state, { producerId: 7, baseSequence: 0, recordCount: 3 });
      expectRefused(() => leaderAppend(state, { producerId: 7, baseSequence: 4 }), 'OUT_OF_ORDER_SEQUENCE_NUMBER');
      // Sequence 2 of this epoch is in the log, though not as a batch of its own: written, not a gap.
      expectRefused(() => leaderAppend(state, { producerId: 7, baseSequence: 2 }), 'DUPLICATE_SEQUENCE_NUMBER');
      // Straddling the last sequence: partly new, so out of order.
      expectRefused(
        () => leaderAppend(state, { producerId: 7, baseSequence: 2, recordCount: 2 }),
        'OUT_OF_ORDER_SEQUENCE_NUMBER',
      );
      expect(leaderAppend(state, { producerId: 7, baseSequence: 3, recordCount: 2 }).firstOffset).to.equal(3);
      expect(state.mapEndOffset).to.equal(5);
    });

    it('answers each of the last five batches, sent again, with its original offsets and appends nothing', () => {
      const state = manager();
      const written: DuplicateBatch[] = [];
      for (let i = 0; i < 7; i++)
        written.push(leaderAppend(state, { producerId: 7, baseSequence: i * 2, recordCount: 2 }));
      const end = state.mapEndOffset;
      for (let i = 7 - NUM_BATCHES_TO_RETAIN; i < 7; i++) {
        expect(leaderAppend(state, { producerId: 7, baseSequence: i * 2, recordCount: 2 }), `batch ${i}`).to.deep.equal(
          written[i],
        );
      }
      expect(state.mapEndOffset).to.equal(end);
      // The sixth-newest batch is no longer retained, so its offsets are unknown; but its sequences are at or before
      // the last one of the epoch, so it was written: DUPLICATE_SEQUENCE_NUMBER, which clients count as written
      // (OUT_OF_ORDER would make an idempotent producer bump its epoch and write its unfinished batches again).
      expectRefused(
        () => leaderAppend(state, { producerId: 7, baseSequence: 2, recordCount: 2 }),
        'DUPLICATE_SEQUENCE_NUMBER',
      );
      // Same first sequence, different range: not a retained batch, but sequences the log holds.
      expectRefused(
        () => leaderAppend(state, { producerId: 7, baseSequence: 12, recordCount: 1 }),
        'DUPLICATE_SEQUENCE_NUMBER',
      );
      expect(state.mapEndOffset).to.equal(end);
    });

    it('refuses an older epoch with INVALID_PRODUCER_EPOCH, even for a batch it would otherwise deduplicate', () => {
      const state = manager();
      leaderAppend(state, { producerId: 7, producerEpoch: 3, baseSequence: 0 });
      expectRefused(
        () => leaderAppend(state, { producerId: 7, producerEpoch: 2, baseSequence: 1 }),
        'INVALID_PRODUCER_EPOCH',
      );
      expectRefused(
        () => leaderAppend(state, { producerId: 7, producerEpoch: 2, baseSequence: 0 }),
        'INVALID_PRODUCER_EPOCH',
      );
    });

    it('starts a new epoch at sequence 0 only, forgetting the batches of the old one', () => {
      const state = manager();
      leaderAppend(state, { producerId: 7, baseSequence: 0, recordCount: 4 });
      expectRefused(
        () => leaderAppend(state, { producerId: 7, producerEpoch: 1, baseSequence: 4 }),
        'OUT_OF_ORDER_SEQUENCE_NUMBER',
      );
      expect(leaderAppend(state, { producerId: 7, producerEpoch: 1, baseSequence: 0 }).firstOffset).to.equal(4);
      expect(state.lastEntry(7)).to.include({ producerEpoch: 1, batchCount: 1, lastSeq: 0 });
    });

    it('wraps sequences after 2^31 - 1 back to 0', () => {
      const state = manager();
      leaderAppend(state, { producerId: 7, baseSequence: 0, recordCount: 2 });
      replicate(state, { producerId: 7, baseSequence: MAX_SEQUENCE - 1, recordCount: 2, baseOffset: 2 });
      expect(state.lastEntry(7)!.lastSeq).to.equal(MAX_SEQUENCE);
      expect(leaderAppend(state, { producerId: 7, baseSequence: 0 }).firstOffset).to.equal(4);
      // A batch spanning the wrap ends at sequence 0 and is still recognised when sent again.
      const spanning = manager();
      leaderAppend(spanning, { producerId: 8, baseSequence: 0 });
      replicate(spanning, { producerId: 8, baseSequence: MAX_SEQUENCE, recordCount: 2, baseOffset: 1 });
      expect(spanning.lastEntry(8)!.lastSeq).to.equal(0);
      expect(leaderAppend(spanning, { producerId: 8, baseSequence: MAX_SEQUENCE, recordCount: 2 })).to.include({
        firstOffset: 1,
        lastOffset: 2,
      });
      expect(leaderAppend(spanning, { producerId: 8, baseSequence: 1 }).firstOffset).to.equal(3);
      // Sequences before the wrap are behind the last one (1) after it: written, and a batch beyond it is a gap.
      expectRefused(
        () => leaderAppend(spanning, { producerId: 8, baseSequence: MAX_SEQUENCE - 3, recordCount: 2 }),
        'DUPLICATE_SEQUENCE_NUMBER',
      );
      expectRefused(() => leaderAppend(spanning, { producerId: 8, baseSequence: 5 }), 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    });

    it('answers a batch written before a restore from a snapshot (one batch per producer kept) as written', () => {
      const dir = tmpDir();
      const state = manager(dir);
      for (let i = 0; i < 3; i++) leaderAppend(state, { producerId: 7, baseSequence: i * 2, recordCount: 2 });
      state.takeSnapshot();
      const restored = manager(dir);
      restored.truncateAndReload(0, state.mapEndOffset, T0);
      expect(restored.lastEntry(7)).to.include({ lastSeq: 5 });
      // The newest batch is retained with its offsets; the one before it is known only by its sequences.
      expect(leaderAppend(restored, { producerId: 7, baseSequence: 4, recordCount: 2 })).to.include({ firstOffset: 4 });
      expectRefused(
        () => leaderAppend(restored, { producerId: 7, baseSequence: 2, recordCount: 2 }),
        'DUPLICATE_SEQUENCE_NUMBER',
      );
      expect(restored.mapEndOffset).to.equal(6);
    });

    it('keeps producers apart', () => {
      const state = manager();
      leaderAppend(state, { producerId: 1, baseSequence: 0 });
      leaderAppend(state, { producerId: 2, baseSequence: 0 });
      expect(leaderAppend(state, { producerId: 1, baseSequence: 0 }).firstOffset).to.equal(0);
      expect(leaderAppend(state, { producerId: 2, baseSequence: 1 }).firstOffset).to.equal(2);
    });
  });

  describe('replication', () => {
    it('records what followers copy without checking it, so that a new leader deduplicates the old one', () => {
      const follower = manager();
      replicate(follower, { producerId: 7, baseSequence: 0, recordCount: 2, baseOffset: 0 });
      replicate(follower, { producerId: 7, baseSequence: 2, recordCount: 2, baseOffset: 2 });
      expect(leaderAppend(follower, { producerId: 7, baseSequence: 2, recordCount: 2 })).to.include({
        firstOffset: 2,
        lastOffset: 3,
      });
      // Replication applies an older epoch too (the leader checked it); only a client's is refused.
      replicate(follower, { producerId: 7, producerEpoch: -1, baseSequence: 0, baseOffset: 4 });
      expect(follower.lastEntry(7)!.producerEpoch).to.equal(-1);
    });
  });

  describe('#removeExpiredProducers', () => {
    it('drops producers whose last batch is older than the expiration, unless a transaction is open', () => {
      const state = manager(tmpDir(), DAY_MS);
      leaderAppend(state, { producerId: 1, baseSequence: 0, timestampMs: T0 });
      leaderAppend(state, { producerId: 2, baseSequence: 0, timestampMs: T0 + DAY_MS });
      leaderAppend(state, { producerId: 3, baseSequence: 0, timestampMs: T0 });
      state.lastEntry(3)!.currentTxnFirstOffset = 2;
      expect(state.removeExpiredProducers(T0 + DAY_MS)).to.equal(1);
      expect([...state.activeProducers.keys()]).to.deep.equal([2, 3]);
      expectRefused(() => leaderAppend(state, { producerId: 1, baseSequence: 1 }), 'UNKNOWN_PRODUCER_ID');
    });
  });

  describe('snapshots', () => {
    it('writes <offset>.snapshot only at a new offset, and a new manager restores it', () => {
      const dir = tmpDir();
      const state = manager(dir);
      leaderAppend(state, { producerId: 7, producerEpoch: 2, baseSequence: 0, recordCount: 3 });
      leaderAppend(state, { producerId: 9, baseSequence: 0 });
      state.takeSnapshot();
      const mtime = fs.statSync(producerSnapshotFilePath(dir, 4)).mtimeMs;
      state.takeSnapshot();
      expect(fs.readdirSync(dir)).to.deep.equal(['00000000000000000004.snapshot']);
      expect(fs.statSync(producerSnapshotFilePath(dir, 4)).mtimeMs).to.equal(mtime);
      const restored = manager(dir);
      restored.truncateAndReload(0, 4, T0);
      expect(restored.mapEndOffset).to.equal(4);
      expect(restored.lastEntry(7)).to.include({ producerEpoch: 2, lastSeq: 2, lastDataOffset: 2, batchCount: 1 });
      // The last batch is retained, so it is still answered as a duplicate after the restart.
      expect(leaderAppend(restored, { producerId: 7, producerEpoch: 2, baseSequence: 0, recordCount: 3 })).to.include({
        firstOffset: 0,
        lastOffset: 2,
      });
      expect(leaderAppend(restored, { producerId: 9, baseSequence: 1 }).firstOffset).to.equal(4);
    });

    it('deletes snapshots above the log end and at or below the log start before loading the newest one left', () => {
      const dir = tmpDir();
      const state = manager(dir);
      for (const end of [2, 5, 9]) {
        leaderAppend(state, { producerId: 7, baseSequence: state.mapEndOffset, recordCount: end - state.mapEndOffset });
        state.takeSnapshot();
      }
      const restored = manager(dir);
      restored.truncateAndReload(2, 8, T0);
      expect(restored.snapshotOffsets).to.deep.equal([5]);
      expect(fs.readdirSync(dir)).to.deep.equal(['00000000000000000005.snapshot']);
      expect(restored.mapEndOffset).to.equal(5);
      expect(restored.lastEntry(7)!.lastSeq).to.equal(4);
    });

    it('deletes a corrupt snapshot and loads the next older one; with none left the state is empty at the log start', () => {
      const dir = tmpDir();
      const state = manager(dir);
      leaderAppend(state, { producerId: 7, baseSequence: 0, recordCount: 3 });
      state.takeSnapshot();
      leaderAppend(state, { producerId: 7, baseSequence: 3, recordCount: 3 });
      state.takeSnapshot();
      const newest = producerSnapshotFilePath(dir, 6);
      const bytes = fs.readFileSync(newest);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
      fs.writeFileSync(newest, bytes);
      const restored = manager(dir);
      restored.truncateAndReload(0, 6, T0);
      expect(fs.existsSync(newest)).to.equal(false);
      expect(restored.mapEndOffset).to.equal(3);
      expect(restored.lastEntry(7)!.lastSeq).to.equal(2);

      fs.writeFileSync(producerSnapshotFilePath(dir, 3), Buffer.alloc(3));
      const empty = manager(dir);
      empty.truncateAndReload(0, 6, T0);
      expect(empty.mapEndOffset).to.equal(0);
      expect(empty.isEmpty).to.equal(true);
      expect(fs.readdirSync(dir)).to.deep.equal([]);
    });

    it('drops expired producers while loading a snapshot', () => {
      const dir = tmpDir();
      const state = manager(dir, DAY_MS);
      leaderAppend(state, { producerId: 7, baseSequence: 0, timestampMs: T0 });
      state.takeSnapshot();
      const restored = manager(dir, DAY_MS);
      restored.truncateAndReload(0, 1, T0 + DAY_MS);
      expect(restored.isEmpty).to.equal(true);
      expect(restored.mapEndOffset).to.equal(1);
    });

    it('keeps producers but deletes the snapshots below a rising log start', () => {
      const dir = tmpDir();
      const state = manager(dir);
      leaderAppend(state, { producerId: 7, baseSequence: 0, recordCount: 3 });
      state.takeSnapshot();
      leaderAppend(state, { producerId: 7, baseSequence: 3, recordCount: 3 });
      state.takeSnapshot();
      state.onLogStartOffsetIncremented(6);
      expect(state.snapshotOffsets).to.deep.equal([6]);
      expect(state.lastEntry(7)!.lastSeq).to.equal(5);
    });

    it('forgets everything when the log is emptied', () => {
      const dir = tmpDir();
      const state = manager(dir);
      leaderAppend(state, { producerId: 7, baseSequence: 0 });
      state.takeSnapshot();
      state.truncateFullyAndStartAt(100);
      expect(state.isEmpty).to.equal(true);
      expect(state.mapEndOffset).to.equal(100);
      expect(fs.readdirSync(dir)).to.deep.equal([]);
    });

    it('removes snapshots that belong to no segment, keeping a newest one above every segment', () => {
      const dir = tmpDir();
      for (const offset of [0, 5, 7, 10, 12])
        fs.writeFileSync(join(dir, `${String(offset).padStart(20, '0')}.snapshot`), '');
      const state = manager(dir);
      state.removeStraySnapshots([0, 10]);
      expect(state.snapshotOffsets).to.deep.equal([0, 10, 12]);
      state.removeStraySnapshots([0, 10, 20]);
      expect(state.snapshotOffsets).to.deep.equal([0, 10]);
    });

    it('resolves flushSnapshots once the files written so far are synced', async () => {
      const dir = tmpDir();
      const state = manager(dir);
      leaderAppend(state, { producerId: 7, baseSequence: 0 });
      state.takeSnapshot();
      await state.flushSnapshots();
      expect(fs.statSync(producerSnapshotFilePath(dir, 1)).size).to.be.greaterThan(0);
    });
  });
});
