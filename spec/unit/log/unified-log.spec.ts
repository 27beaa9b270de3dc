import { expect } from 'chai';
import fs from 'node:fs';
import { ApiError } from '../../../lib/common/errors.js';
import { logConfigWith } from '../../../lib/log/log-config.js';
import { LogSegment } from '../../../lib/log/log-segment.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type UnifiedLog } from '../../../lib/log/unified-log.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import {
  TimestampType,
  partitionLeaderEpochOf,
  timestampTypeOf,
  validateBatch,
} from '../../../lib/record/record-batch.js';
import { deferFn } from '../../helpers/cleanup.js';
import { MockTime } from '../../helpers/mock-time.js';
import { waitFor } from '../../helpers/wait-for.js';
import { openLog, type Harness } from './log-fixtures.js';
import { T0, testBatch } from './test-batches.js';

/** Appends one leader batch of `recordCount` records; returns its first offset. */
function append(
  log: UnifiedLog,
  recordCount = 10,
  opts: { payloadBytes?: number; timestamp?: number; epoch?: number } = {},
): number {
  const batch = testBatch({ recordCount, payloadBytes: opts.payloadBytes ?? 100, maxTimestamp: opts.timestamp ?? T0 });
  return log.append(batch, { assignOffsets: true, leaderEpoch: opts.epoch ?? 0 }).firstOffset;
}

function baseOffsetsIn(records: Buffer): number[] {
  return [...iterateBatches(records)].map((b) => b.baseOffset);
}

/** Every offset readable from `from` on, reading segment after segment as a consumer would. */
function readAll(log: UnifiedLog, from = log.logStartOffset): number[] {
  const offsets: number[] = [];
  let next = from;
  while (next < log.logEndOffset) {
    const { records } = log.read(next, 1 << 20);
    for (const b of iterateBatches(records)) {
      for (let o = b.baseOffset; o <= b.lastOffset; o++) if (o >= next) offsets.push(o);
      next = b.nextOffset;
    }
  }
  return offsets;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('UnifiedLog', () => {
  describe('#append', () => {
    it('assigns offsets from the log end offset and stamps the leader epoch', () => {
      const { log } = openLog();
      const batch = Buffer.concat([testBatch({ recordCount: 3 }), testBatch({ recordCount: 2 })]);
      const info = log.append(batch, { assignOffsets: true, leaderEpoch: 7 });
      expect(info).to.include({ firstOffset: 0, lastOffset: 4, recordCount: 5, logAppendTimeMs: -1 });
      expect(log.logEndOffset).to.equal(5);
      const read = log.read(0, 1 << 20).records;
      expect(baseOffsetsIn(read)).to.deep.equal([0, 3]);
      expect(partitionLeaderEpochOf(read, 0)).to.equal(7);
      expect(log.leaderEpochCache.epochEntries).to.deep.equal([{ epoch: 7, startOffset: 0 }]);
    });

    it('stamps the broker time with message.timestamp.type=LogAppendTime and keeps the CRC valid', () => {
      const { log, time } = openLog({ messageTimestampType: 'LogAppendTime' });
      const info = log.append(testBatch({ maxTimestamp: T0 - 5000 }), { assignOffsets: true, leaderEpoch: 0 });
      expect(info.logAppendTimeMs).to.equal(time.milliseconds());
      const read = log.read(0, 1 << 20).records;
      expect(timestampTypeOf(read)).to.equal(TimestampType.LogAppendTime);
      expect(validateBatch(read).maxTimestamp).to.equal(time.milliseconds());
    });

    it('appends nothing when any batch in the buffer is corrupt', () => {
      const { log } = openLog();
      const bad = testBatch();
      bad[bad.length - 1]! ^= 0xff;
      expect(() => log.append(Buffer.concat([testBatch(), bad]), { assignOffsets: true, leaderEpoch: 0 }))
        .to.throw(ApiError)
        .with.property('errorName', 'CORRUPT_MESSAGE');
      expect(log.logEndOffset).to.equal(0);
      expect(log.size).to.equal(0);
    });

    it('rejects a batch above max.message.bytes with MESSAGE_TOO_LARGE', () => {
      const { log } = openLog({ maxMessageBytes: 500 });
      expect(() => append(log, 10, { payloadBytes: 1000 }))
        .to.throw(ApiError, /max.message.bytes/)
        .with.property('errorName', 'MESSAGE_TOO_LARGE');
    });

    it('rejects a batch above segment.bytes with RECORD_LIST_TOO_LARGE', () => {
      const { log } = openLog({ segmentBytes: 500 });
      expect(() => append(log, 10, { payloadBytes: 1000 }))
        .to.throw(ApiError, /segment.bytes/)
        .with.property('errorName', 'RECORD_LIST_TOO_LARGE');
    });

    it("keeps a follower's offsets and epochs, and rejects offsets that go backwards with INVALID_RECORD", () => {
      const { log } = openLog();
      const fromLeader = Buffer.concat([
        testBatch({ baseOffset: 0, recordCount: 5, partitionLeaderEpoch: 3 }),
        testBatch({ baseOffset: 5, recordCount: 5, partitionLeaderEpoch: 4 }),
      ]);
      log.append(fromLeader, { assignOffsets: false, leaderEpoch: -1 });
      expect(log.logEndOffset).to.equal(10);
      expect(log.leaderEpochCache.epochEntries).to.deep.equal([
        { epoch: 3, startOffset: 0 },
        { epoch: 4, startOffset: 5 },
      ]);
      expect(() => log.append(testBatch({ baseOffset: 8 }), { assignOffsets: false, leaderEpoch: -1 }))
        .to.throw(ApiError, /offsets must go forward/)
        .with.property('errorName', 'INVALID_RECORD');
      expect(log.logEndOffset).to.equal(10);
    });

    it('writes a follower buffer larger than a segment across segments', () => {
      const { log } = openLog({ segmentBytes: 1000 });
      const batches = range(0, 10).map((i) => testBatch({ baseOffset: i * 2, recordCount: 2, payloadBytes: 200 }));
      log.append(Buffer.concat(batches), { assignOffsets: false, leaderEpoch: -1 });
      expect(log.segments.length).to.be.greaterThan(2);
      expect(readAll(log)).to.deep.equal(range(0, 20));
    });

    it('leaves the log readable at its last good append when the disk write fails', () => {
      const { log } = openLog();
      append(log);
      const realWrite = fs.writeSync;
      deferFn(() => {
        fs.writeSync = realWrite;
      });
      fs.writeSync = () => {
        throw Object.assign(new Error('input/output error'), { code: 'EIO' });
      };
      expect(() => append(log))
        .to.throw(ApiError, /EIO/)
        .with.property('errorName', 'KAFKA_STORAGE_ERROR');
      fs.writeSync = realWrite;
      expect(log.logEndOffset).to.equal(10);
      expect(readAll(log)).to.deep.equal(range(0, 10));
      append(log);
      expect(readAll(log)).to.deep.equal(range(0, 20));
    });
  });

  describe('roll', () => {
    it('rolls when the next batch would pass segment.bytes', () => {
      const { log } = openLog({ segmentBytes: 1000 });
      for (let i = 0; i < 10; i++) append(log, 10, { payloadBytes: 200 });
      expect(log.segments.length).to.be.greaterThan(3);
      for (const s of log.segments) expect(s.size).to.be.at.most(1000);
      expect(log.segments.map((s) => s.baseOffset).every((o) => o % 10 === 0)).to.equal(true);
    });

    it('rolls by segment.ms using the first batch timestamp of the segment', () => {
      const { log } = openLog({ segmentMs: 60_000 });
      append(log, 1, { timestamp: T0 });
      append(log, 1, { timestamp: T0 + 60_000 });
      expect(log.segments.length).to.equal(1);
      append(log, 1, { timestamp: T0 + 60_001 });
      expect(log.segments.map((s) => s.baseOffset)).to.deep.equal([0, 2]);
    });

    it('rolls when the offset index is full', () => {
      const { log } = openLog({ segmentIndexBytes: 8 * 4, indexIntervalBytes: 1 });
      for (let i = 0; i < 12; i++) append(log, 1);
      expect(log.segments.length).to.be.greaterThan(2);
      expect(readAll(log)).to.deep.equal(range(0, 12));
    });

    it('trims the segment it rolls away from', () => {
      const { log } = openLog({ preallocate: true, segmentBytes: 1 << 20 });
      append(log);
      const first = log.activeSegment;
      log.roll();
      expect(fs.statSync(first.logFile).size).to.equal(first.size);
      expect(fs.statSync(log.activeSegment.logFile).size).to.equal(1 << 20);
    });
  });

  describe('#read', () => {
    it('returns one segment at a time; the next read continues in the next segment', () => {
      const { log } = openLog({ segmentBytes: 1000 });
      for (let i = 0; i < 6; i++) append(log, 10, { payloadBytes: 300 });
      const [first, second] = log.segments;
      const read = log.read(first!.baseOffset, 1 << 20);
      expect(baseOffsetsIn(read.records).every((o) => o < second!.baseOffset)).to.equal(true);
      expect(baseOffsetsIn(log.read(second!.baseOffset - 1, 1 << 20).records)[0]).to.be.below(second!.baseOffset);
      expect(readAll(log)).to.deep.equal(range(0, 60));
    });

    it('throws OFFSET_OUT_OF_RANGE below the log start and above the log end, and is empty at the end', () => {
      const { log } = openLog();
      append(log);
      log.updateHighWatermark(10);
      log.deleteRecordsBefore(5);
      expect(() => log.read(4, 100))
        .to.throw(ApiError, /holds offsets 5 to 9/)
        .with.property('errorName', 'OFFSET_OUT_OF_RANGE');
      expect(() => log.read(11, 100))
        .to.throw(ApiError)
        .with.property('errorName', 'OFFSET_OUT_OF_RANGE');
      expect(log.read(10, 100).records.length).to.equal(0);
    });

    it('leaves out batches at or above maxOffset', () => {
      const { log } = openLog();
      append(log);
      append(log);
      expect(baseOffsetsIn(log.read(0, 1 << 20, { maxOffset: 10 }).records)).to.deep.equal([0]);
      expect(log.read(10, 1 << 20, { maxOffset: 10 }).records.length).to.equal(0);
    });
  });

  describe('#truncateTo', () => {
    function threeSegments(): Harness {
      const h = openLog({ segmentBytes: 1000 });
      for (let i = 0; i < 9; i++) append(h.log, 10, { payloadBytes: 200, epoch: i < 5 ? 1 : 2 });
      expect(h.log.segments.length).to.be.at.least(3);
      return h;
    }

    it('truncates to the middle of a segment and deletes the later ones', () => {
      const { log } = threeSegments();
      const target = log.segments[1]!.baseOffset + 10;
      expect(log.truncateTo(target)).to.equal(true);
      expect(log.logEndOffset).to.equal(target);
      expect(log.segments.length).to.equal(2);
      expect(readAll(log)).to.deep.equal(range(0, target));
      append(log);
      expect(readAll(log)).to.deep.equal(range(0, target + 10));
    });

    it('truncates to a segment boundary, emptying that segment', () => {
      const { log } = threeSegments();
      const target = log.segments[1]!.baseOffset;
      log.truncateTo(target);
      expect(log.activeSegment.baseOffset).to.equal(target);
      expect(log.activeSegment.size).to.equal(0);
      expect(readAll(log)).to.deep.equal(range(0, target));
    });

    it('drops leader epoch entries from the truncation point on', () => {
      const { log } = threeSegments();
      log.truncateTo(50);
      expect(log.leaderEpochCache.epochEntries).to.deep.equal([{ epoch: 1, startOffset: 0 }]);
    });

    it('restarts the log at the offset when truncating before its start', () => {
      const { log } = threeSegments();
      log.updateHighWatermark(log.logEndOffset);
      log.deleteRecordsBefore(log.segments[1]!.baseOffset);
      log.truncateTo(2);
      expect([log.logStartOffset, log.logEndOffset, log.segments.length]).to.deep.equal([2, 2, 1]);
      append(log);
      expect(readAll(log)).to.deep.equal(range(2, 12));
    });

    it('renames removed segments .deleted and unlinks them after file.delete.delay.ms', async () => {
      const { log, scheduler, dir } = threeSegments();
      log.truncateTo(10);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.deleted')).length).to.be.greaterThan(0);
      await scheduler.tick(59_999);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.deleted')).length).to.be.greaterThan(0);
      await scheduler.tick(1);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.deleted'))).to.deep.equal([]);
    });
  });

  describe('#deleteOldSegments', () => {
    it('deletes segments whose newest record is older than retention.ms, never past the high watermark', () => {
      const { log, time } = openLog({ segmentBytes: 1000, retentionMs: 60_000 });
      for (let i = 0; i < 6; i++) append(log, 10, { payloadBytes: 200, timestamp: T0 + i * 10_000 });
      time.sleep(100_000);
      expect(log.deleteOldSegments()).to.equal(0);
      log.updateHighWatermark(log.logEndOffset);
      const deleted = log.deleteOldSegments();
      expect(deleted).to.be.greaterThan(0);
      for (const s of log.segments.slice(0, -1)) expect(time.milliseconds() - s.largestTimestamp).to.be.at.most(60_000);
      expect(log.logStartOffset).to.equal(log.segments[0]!.baseOffset);
      expect(readAll(log)).to.deep.equal(range(log.logStartOffset, 60));
    });

    it('rolls and deletes every old segment when all have expired, keeping an empty active one', () => {
      const { log, time } = openLog({ segmentBytes: 1000, retentionMs: 1000 });
      for (let i = 0; i < 4; i++) append(log, 10, { payloadBytes: 200 });
      log.updateHighWatermark(log.logEndOffset);
      time.sleep(10_000);
      log.deleteOldSegments();
      expect(log.segments.length).to.equal(1);
      expect([log.logStartOffset, log.logEndOffset, log.activeSegment.size]).to.deep.equal([40, 40, 0]);
    });

    it('deletes the oldest segments while the log exceeds retention.bytes by a whole segment', () => {
      const { log } = openLog({ segmentBytes: 1000, retentionBytes: 2000, retentionMs: -1 });
      for (let i = 0; i < 12; i++) append(log, 10, { payloadBytes: 200 });
      log.updateHighWatermark(log.logEndOffset);
      log.deleteOldSegments();
      expect(log.size).to.be.at.most(2000 + log.segments[0]!.size);
      expect(log.size - log.segments[0]!.size).to.be.below(2000);
    });

    it('only deletes segments below the log start offset under cleanup.policy=compact', () => {
      const { log, time } = openLog({ segmentBytes: 1000, retentionMs: 1, cleanupPolicy: ['compact'] });
      for (let i = 0; i < 12; i++) append(log, 10, { payloadBytes: 200 });
      log.updateHighWatermark(log.logEndOffset);
      time.sleep(10_000);
      const segments = log.segments.length;
      expect(log.deleteOldSegments()).to.equal(0);
      log.deleteRecordsBefore(log.segments[2]!.baseOffset);
      expect(log.segments.length).to.equal(segments - 2);
    });
  });

  describe('#offsetForTimestamp', () => {
    it('finds the first batch at or after a timestamp, and answers the special timestamps', () => {
      const { log } = openLog({ segmentBytes: 1000 });
      for (let i = 0; i < 6; i++) append(log, 10, { payloadBytes: 200, timestamp: T0 + i * 1000 });
      expect(log.offsetForTimestamp(T0 + 2500)).to.deep.equal({ timestamp: T0 + 3000, offset: 30 });
      expect(log.offsetForTimestamp(T0)).to.deep.equal({ timestamp: T0, offset: 0 });
      expect(log.offsetForTimestamp(T0 + 6000)).to.equal(undefined);
      expect(log.offsetForTimestamp(LATEST_TIMESTAMP)!.offset).to.equal(60);
      expect(log.offsetForTimestamp(EARLIEST_TIMESTAMP)!.offset).to.equal(0);
    });
  });

  describe('#awaitFlushed', () => {
    it('with flush.messages=1, resolves every append once an fdatasync covers it, sharing flushes', async () => {
      const { log } = openLog({ flushMessages: 1 });
      // eslint-disable-next-line @typescript-eslint/unbound-method -- saved to be put back on the prototype
      const realFlush = LogSegment.prototype.flush;
      let flushes = 0;
      deferFn(() => {
        LogSegment.prototype.flush = realFlush;
      });
      LogSegment.prototype.flush = function countedFlush(this: LogSegment, includeIndexes?: boolean) {
        flushes++;
        return realFlush.call(this, includeIndexes);
      };
      const acks: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) {
        const first = append(log);
        acks.push(log.awaitFlushed(first + 9));
      }
      await Promise.all(acks);
      expect(log.recoveryPoint).to.equal(500);
      // 50 appends arrived while the first flush ran: the second flush covered all that were left.
      expect(flushes).to.be.at.most(3);
    });

    it('rejects the flush of offsets that a truncation removed', async () => {
      const { log } = openLog();
      append(log);
      append(log);
      const ack = log.awaitFlushed(15);
      log.truncateTo(10);
      await ack.then(
        () => expect.fail('should reject'),
        (e: ApiError) => expect(e.errorName).to.equal('NOT_LEADER_OR_FOLLOWER'),
      );
    });
  });

  describe('#flushIfDue', () => {
    it('starts a flush once flush.ms has passed since the last one', async () => {
      const { log, time } = openLog({ flushMs: 1000 });
      append(log);
      expect(log.recoveryPoint).to.equal(0);
      time.sleep(1000);
      log.flushIfDue(time.milliseconds());
      await waitFor(() => log.recoveryPoint === 10, 'the flush.ms flush to reach the log end', { intervalMs: 2 });
    });
  });

  describe('leader epoch checkpoint', () => {
    const epochsOnDisk = (dir: string) =>
      fs.existsSync(`${dir}/leader-epoch-checkpoint`) ? fs.readFileSync(`${dir}/leader-epoch-checkpoint`, 'utf8') : '';

    it('closes an empty log whose replica became leader without writing its epoch', async () => {
      const { log, dir } = openLog();
      log.assignEpochStartOffset(5, 0);
      await log.close();
      expect(epochsOnDisk(dir)).to.equal('');
    });

    it('has the epoch on disk before a flush moves the recovery point past its first record', async () => {
      const { log, dir } = openLog();
      log.assignEpochStartOffset(5, 0);
      log.append(testBatch({ recordCount: 2 }), { assignOffsets: true, leaderEpoch: 5 });
      await log.flush();
      expect(log.recoveryPoint).to.equal(2);
      expect(epochsOnDisk(dir)).to.equal('0\n1\n5 0\n');
      log.assignEpochStartOffset(6, 2);
      await log.close();
      expect(epochsOnDisk(dir), 'epoch 6 has no record: not needed after a clean shutdown').to.equal('0\n1\n5 0\n');
    });
  });

  describe('recovery', () => {
    it('reopens after a clean close with the same offsets and data', async () => {
      const { log, dir, scheduler } = openLog({ segmentBytes: 1000 });
      for (let i = 0; i < 6; i++) append(log, 10, { payloadBytes: 200 });
      await log.close();
      const { log: reopened } = openLog({ segmentBytes: 1000 }, { dir, scheduler, hadCleanShutdown: true });
      expect([reopened.logEndOffset, reopened.recoveryPoint]).to.deep.equal([60, 60]);
      expect(readAll(reopened)).to.deep.equal(range(0, 60));
      append(reopened);
      expect(readAll(reopened)).to.deep.equal(range(0, 70));
    });

    it('truncates a bit-flipped batch in the middle of the last segment to the last valid batch', () => {
      const { log, dir, scheduler } = openLog();
      for (let i = 0; i < 5; i++) append(log, 10, { payloadBytes: 200 });
      const file = log.activeSegment.logFile;
      const batchBytes = log.activeSegment.size / 5;
      log.closeHandles();
      const bytes = fs.readFileSync(file);
      bytes[Math.floor(batchBytes * 2.5)]! ^= 0x10;
      fs.writeFileSync(file, bytes);
      const { log: reopened } = openLog({}, { dir, scheduler });
      expect(reopened.logEndOffset).to.equal(20);
      expect(readAll(reopened)).to.deep.equal(range(0, 20));
    });

    it('truncates a segment file cut in the middle of a batch', () => {
      const { log, dir, scheduler } = openLog();
      for (let i = 0; i < 3; i++) append(log);
      const file = log.activeSegment.logFile;
      const size = log.activeSegment.size;
      log.closeHandles();
      fs.truncateSync(file, size - 5);
      expect(openLog({}, { dir, scheduler }).log.logEndOffset).to.equal(20);
    });

    it('deletes every segment after the one holding an invalid batch', () => {
      const { log, dir, scheduler } = openLog({ segmentBytes: 1000 });
      for (let i = 0; i < 9; i++) append(log, 10, { payloadBytes: 200 });
      const second = log.segments[1]!;
      const { logFile, baseOffset } = second;
      log.closeHandles();
      const bytes = fs.readFileSync(logFile);
      bytes[bytes.length - 3]! ^= 0x01;
      fs.writeFileSync(logFile, bytes);
      const { log: reopened } = openLog({ segmentBytes: 1000 }, { dir, scheduler });
      expect(reopened.segments.length).to.equal(2);
      expect(reopened.logEndOffset).to.be.above(baseOffset);
      expect(readAll(reopened)).to.deep.equal(range(0, reopened.logEndOffset));
    });

    it('rebuilds a missing index file', async () => {
      const { log, dir, scheduler } = openLog({ segmentBytes: 1000, indexIntervalBytes: 100 });
      for (let i = 0; i < 6; i++) append(log, 10, { payloadBytes: 200 });
      const first = log.segments[0]!;
      const entries = first.offsetIndex.entries;
      await log.close();
      fs.rmSync(first.offsetIndexFile);
      const { log: reopened } = openLog(
        { segmentBytes: 1000, indexIntervalBytes: 100 },
        { dir, scheduler, hadCleanShutdown: true },
      );
      expect(fs.existsSync(first.offsetIndexFile)).to.equal(true);
      expect(reopened.segments[0]!.offsetIndex.entries).to.equal(entries);
      expect(readAll(reopened)).to.deep.equal(range(0, 60));
    });

    it('completes a cleaner swap interrupted by a crash', () => {
      const { log, dir, scheduler } = openLog();
      append(log);
      const segment = log.activeSegment;
      log.closeHandles();
      // A swap segment holding offsets 0..4 only replaces the old segment 0.
      const swap = LogSegment.open({
        dir,
        baseOffset: 0,
        config: logConfigWith({ segmentIndexBytes: 512 }),
        time: new MockTime(),
        fileAlreadyExists: false,
        fileSuffix: '.swap',
      });
      swap.append(testBatch({ recordCount: 5 }), { largestOffset: 4, maxTimestamp: T0, offsetOfMaxTimestamp: 4 });
      swap.close();
      const { log: reopened } = openLog({}, { dir, scheduler });
      expect(reopened.logEndOffset).to.equal(5);
      expect(fs.readdirSync(dir).filter((f) => f.includes('.swap'))).to.deep.equal([]);
      expect(fs.existsSync(segment.logFile)).to.equal(true);
    });
  });
});
