import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../lib/common/errors.js';
import type { LogConfig } from '../../../lib/log/log-config.js';
import { producerSnapshotFilePath } from '../../../lib/log/log-file-names.js';
import type { LogAppendInfo, UnifiedLog, UnifiedLogOptions } from '../../../lib/log/unified-log.js';
import { openLog } from './log-fixtures.js';
import { T0, idempotentBatch, type IdempotentBatchOptions } from './test-batches.js';

/** Five of the 10-record batches below fill a segment of this size; the sixth rolls. */
const SEGMENT_BYTES = 1000;

const open = (dir: string, config: Partial<LogConfig> = {}, opts: Pick<UnifiedLogOptions, 'hadCleanShutdown'> = {}) =>
  openLog({ segmentBytes: SEGMENT_BYTES, ...config }, { dir, ...opts });

const fresh = (config: Partial<LogConfig> = {}) => openLog({ segmentBytes: SEGMENT_BYTES, ...config });

/** A client append of producer 7's batch of 10 records starting at `seq` (epoch 0 unless given). */
function send(log: UnifiedLog, seq: number, opts: Partial<IdempotentBatchOptions> = {}): LogAppendInfo {
  const batch = idempotentBatch({ producerId: 7, baseSequence: seq, recordCount: 10, ...opts });
  return log.append(batch, { assignOffsets: true, leaderEpoch: 0 });
}

const snapshotsIn = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.snapshot'))
    .sort();

describe('UnifiedLog producer state', () => {
  it('answers a batch sent again with its original offsets and appends nothing', () => {
    const { log } = fresh();
    send(log, 0);
    const first = send(log, 10);
    const again = send(log, 10);
    expect(again).to.include({ firstOffset: 10, lastOffset: 19, duplicate: true, recordCount: 0, logAppendTimeMs: -1 });
    expect(first.duplicate).to.equal(false);
    expect(log.logEndOffset).to.equal(20);
  });

  it('answers a duplicate on a LogAppendTime topic with the time the original was stamped with', () => {
    const { log, time } = fresh({ messageTimestampType: 'LogAppendTime' });
    const original = send(log, 0);
    time.sleep(5000);
    expect(send(log, 0).logAppendTimeMs).to.equal(original.logAppendTimeMs);
  });

  it('refuses a gap, an old epoch and an unknown producer, appending nothing', () => {
    const { log } = fresh();
    send(log, 0, { producerEpoch: 1 });
    for (const [opts, name] of [
      [{ baseSequence: 20, producerEpoch: 1 }, 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
      [{ baseSequence: 10, producerEpoch: 0 }, 'INVALID_PRODUCER_EPOCH'],
      [{ baseSequence: 10, producerId: 8 }, 'UNKNOWN_PRODUCER_ID'],
    ] as const) {
      expect(() => send(log, opts.baseSequence, opts))
        .to.throw(ApiError)
        .with.property('errorName', name);
    }
    expect(log.logEndOffset).to.equal(10);
  });

  it("rebuilds a follower's state from the batches it copies, so that it deduplicates as the next leader", () => {
    const leader = fresh().log;
    const follower = fresh().log;
    for (let seq = 0; seq < 30; seq += 10) send(leader, seq);
    follower.append(leader.read(0, 1 << 20).records, { assignOffsets: false, leaderEpoch: 0 });
    expect(send(follower, 20)).to.include({ firstOffset: 20, duplicate: true });
    expect(send(follower, 30).firstOffset).to.equal(30);
  });

  it('snapshots at every roll, at the new segment base, and on close at the log end', async () => {
    const { log, dir } = fresh();
    for (let seq = 0; seq < 70; seq += 10) send(log, seq);
    const bases = log.segments.map((s) => s.baseOffset);
    expect(bases.length).to.be.above(1);
    expect(snapshotsIn(dir)).to.deep.equal(bases.slice(1).map((b) => `${String(b).padStart(20, '0')}.snapshot`));
    await log.close();
    expect(fs.existsSync(producerSnapshotFilePath(dir, 70))).to.equal(true);
  });

  it('after a clean shutdown, restores the state from the snapshot at the log end', async () => {
    const { log, dir } = fresh();
    for (let seq = 0; seq < 70; seq += 10) send(log, seq);
    await log.close();
    const reopened = open(dir, {}, { hadCleanShutdown: true }).log;
    expect(reopened.producerState.mapEndOffset).to.equal(70);
    expect(send(reopened, 60)).to.include({ firstOffset: 60, duplicate: true });
    expect(send(reopened, 70).firstOffset).to.equal(70);
  });

  it("after a crash, restores the newest snapshot (a producer's last batch) and replays the log after it", () => {
    const { log, dir } = fresh();
    for (let seq = 0; seq < 70; seq += 10) send(log, seq);
    log.closeHandles();
    expect(snapshotsIn(dir)).to.deep.equal(['00000000000000000050.snapshot']);
    const reopened = open(dir).log;
    // The snapshot at 50 keeps batch 40-49; the replay adds 50-59 and 60-69.
    expect(reopened.producerState.lastEntry(7)!.batchCount).to.equal(3);
    for (let seq = 40; seq < 70; seq += 10)
      expect(send(reopened, seq)).to.include({ firstOffset: seq, duplicate: true });
  });

  it('rebuilds the state from the whole log when every snapshot is missing or corrupt', () => {
    const { log, dir } = fresh();
    for (let seq = 0; seq < 70; seq += 10) send(log, seq);
    send(log, 0, { producerId: 9 });
    log.closeHandles();
    const [corrupt, ...others] = snapshotsIn(dir).reverse();
    fs.writeFileSync(join(dir, corrupt!), Buffer.from('not a snapshot'));
    for (const name of others) fs.rmSync(join(dir, name));
    const reopened = open(dir).log;
    expect([...reopened.producerState.activeProducers.keys()]).to.have.members([7, 9]);
    expect(reopened.producerState.lastEntry(7)!.batchCount).to.equal(5);
    for (let seq = 20; seq < 70; seq += 10)
      expect(send(reopened, seq)).to.include({ firstOffset: seq, duplicate: true });
    expect(send(reopened, 0, { producerId: 9 })).to.include({ firstOffset: 70, duplicate: true });
    expect(snapshotsIn(dir)).to.deep.equal(['00000000000000000080.snapshot']);
  });

  it('forgets truncated batches: a batch the truncation removed is appended again when it is re-sent', () => {
    const { log } = fresh();
    for (let seq = 0; seq < 70; seq += 10) send(log, seq);
    log.truncateTo(50);
    expect(log.producerState.lastEntry(7)!.lastSeq).to.equal(49);
    expect(send(log, 40)).to.include({ firstOffset: 40, duplicate: true });
    expect(send(log, 50)).to.include({ firstOffset: 50, duplicate: false });
    log.truncateFullyAndStartAt(100);
    expect(log.producerState.isEmpty).to.equal(true);
  });

  it('keeps producers whose data retention deleted, but deletes the snapshots below the new log start', () => {
    const { log, dir } = fresh({ retentionBytes: 0 });
    for (let seq = 0; seq < 70; seq += 10) send(log, seq);
    log.updateHighWatermark(log.logEndOffset);
    expect(log.deleteOldSegments()).to.be.above(0);
    expect(
      snapshotsIn(dir)
        .map((f) => Number(f.slice(0, 20)))
        .every((o) => o >= log.logStartOffset),
    ).to.equal(true);
    expect(send(log, 60)).to.include({ firstOffset: 60, duplicate: true });
  });

  it('expires producers idle for producerIdExpirationMs', () => {
    const { log } = openLog({}, { producerIdExpirationMs: 1000 });
    send(log, 0, { timestampMs: T0 });
    expect(log.removeExpiredProducers(T0 + 999)).to.equal(0);
    expect(log.removeExpiredProducers(T0 + 1000)).to.equal(1);
    expect(() => send(log, 10))
      .to.throw(ApiError)
      .with.property('errorName', 'UNKNOWN_PRODUCER_ID');
  });
});
