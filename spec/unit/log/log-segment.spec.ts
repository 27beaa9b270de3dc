import { expect } from 'chai';
import fs from 'node:fs';
import { ApiError, CorruptIndexError } from '../../../lib/common/errors.js';
import { logConfigWith } from '../../../lib/log/log-config.js';
import { LogSegment, type SegmentConfig } from '../../../lib/log/log-segment.js';
import { baseOffsetOf, CompressionType, lastOffsetOf, stampBatch } from '../../../lib/record/record-batch.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { defer, deferFn } from '../../helpers/cleanup.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { T0, testBatch } from './test-batches.js';

const BASE = 100;

function config(overrides: Partial<SegmentConfig> = {}): SegmentConfig {
  return logConfigWith({ segmentBytes: 1 << 20, segmentIndexBytes: 8 * 100, indexIntervalBytes: 4096, ...overrides });
}

function createSegment(overrides: Partial<SegmentConfig> = {}, dir = tmpDir(), time = new MockTime()): LogSegment {
  return defer(
    LogSegment.open({ dir, baseOffset: BASE, config: config(overrides), time, fileAlreadyExists: false }),
    (s) => s.closeHandles(),
  );
}

function reopen(segment: LogSegment, overrides: Partial<SegmentConfig> = {}): LogSegment {
  return defer(
    LogSegment.open({
      dir: segment.dir,
      baseOffset: BASE,
      config: config(overrides),
      time: new MockTime(),
      fileAlreadyExists: true,
    }),
    (s) => s.closeHandles(),
  );
}

/** Appends `count` batches of `recordsPerBatch` records and `payloadBytes` each, one append per batch. */
function fill(segment: LogSegment, count: number, recordsPerBatch = 10, payloadBytes = 100, from = BASE): Buffer[] {
  const batches: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const baseOffset = from + i * recordsPerBatch;
    const b = testBatch({ baseOffset, recordCount: recordsPerBatch, payloadBytes, maxTimestamp: T0 + baseOffset });
    segment.append(b, {
      largestOffset: lastOffsetOf(b),
      maxTimestamp: T0 + baseOffset,
      offsetOfMaxTimestamp: lastOffsetOf(b),
    });
    batches.push(b);
  }
  return batches;
}

function baseOffsets(records: Buffer): number[] {
  const out: number[] = [];
  for (let pos = 0; pos < records.length; pos += 12 + records.readInt32BE(pos + 8))
    out.push(baseOffsetOf(records, pos));
  return out;
}

describe('LogSegment', () => {
  describe('#read', () => {
    it('returns whole batches from the one holding the start offset', () => {
      const segment = createSegment();
      const batches = fill(segment, 5);
      const read = segment.read(BASE + 25, 1 << 20)!;
      expect(read.firstBatchOffset).to.equal(BASE + 20);
      expect(baseOffsets(read.records)).to.deep.equal([BASE + 20, BASE + 30, BASE + 40]);
      expect(read.records.equals(Buffer.concat(batches.slice(2)))).to.equal(true);
    });

    it('returns views of one mapping rather than copies', () => {
      const segment = createSegment();
      fill(segment, 3);
      const a = segment.read(BASE, 1 << 20)!.records;
      const b = segment.read(BASE + 10, 1 << 20)!.records;
      expect(a.buffer).to.equal(b.buffer);
      expect(b.byteOffset - a.byteOffset).to.equal(segment.read(BASE + 10, 1)!.position);
    });

    it('stops at maxBytes on a batch boundary, and returns one batch anyway with minOneBatch', () => {
      const segment = createSegment();
      const [first] = fill(segment, 4);
      expect(baseOffsets(segment.read(BASE, first!.length * 2 + 1)!.records)).to.deep.equal([BASE, BASE + 10]);
      expect(segment.read(BASE, 10)!.records.length).to.equal(0);
      expect(baseOffsets(segment.read(BASE, 10, undefined, true)!.records)).to.deep.equal([BASE]);
    });

    it('leaves out batches at or above maxOffset', () => {
      const segment = createSegment();
      fill(segment, 4);
      expect(baseOffsets(segment.read(BASE, 1 << 20, BASE + 30)!.records)).to.deep.equal([BASE, BASE + 10, BASE + 20]);
      expect(baseOffsets(segment.read(BASE, 1 << 20, BASE + 29)!.records)).to.deep.equal([BASE, BASE + 10]);
    });

    it('returns null past the last offset and on an empty segment', () => {
      const segment = createSegment();
      expect(segment.read(BASE, 100)).to.equal(null);
      fill(segment, 2);
      expect(segment.read(BASE + 20, 100)).to.equal(null);
    });

    it('finds batches through index entries written every index.interval.bytes', () => {
      const segment = createSegment({ indexIntervalBytes: 300 });
      fill(segment, 20, 10, 200);
      expect(segment.offsetIndex.entries).to.be.greaterThan(5);
      for (let offset = BASE; offset < BASE + 200; offset += 7) {
        expect(segment.read(offset, 1)!.firstBatchOffset).to.equal(offset - ((offset - BASE) % 10));
      }
    });
  });

  describe('#append', () => {
    it('adds time index entries only when the max timestamp grows', () => {
      const segment = createSegment({ indexIntervalBytes: 0 });
      for (const [i, ts] of [T0 + 5, T0 + 5, T0 + 3, T0 + 9].entries()) {
        const b = testBatch({ baseOffset: BASE + i, maxTimestamp: ts });
        segment.append(b, { largestOffset: BASE + i, maxTimestamp: ts, offsetOfMaxTimestamp: BASE + i });
      }
      // Entries are written from the second append on (index.interval.bytes 0); the repeated and the lower
      // timestamp add none.
      expect(segment.timeIndex.entries).to.equal(2);
      expect(segment.timeIndex.entry(0)).to.deep.equal({ timestamp: T0 + 5, offset: BASE });
      expect(segment.timeIndex.lastEntry).to.deep.equal({ timestamp: T0 + 9, offset: BASE + 3 });
      expect(segment.maxTimestampAndOffset).to.deep.equal({ timestamp: T0 + 9, offset: BASE + 3 });
    });

    it('throws KAFKA_STORAGE_ERROR naming the file and errno when the write fails, and keeps its size', () => {
      const segment = createSegment();
      fill(segment, 2);
      const sizeBefore = segment.size;
      const realWrite = fs.writeSync;
      deferFn(() => {
        fs.writeSync = realWrite;
      });
      fs.writeSync = () => {
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      };
      expect(() => fill(segment, 1, 10, 100, BASE + 20))
        .to.throw(ApiError, /ENOSPC/)
        .with.property('errorName', 'KAFKA_STORAGE_ERROR');
      fs.writeSync = realWrite;
      expect(segment.size).to.equal(sizeBefore);
      expect(segment.readNextOffset()).to.equal(BASE + 20);
      fill(segment, 1, 10, 100, BASE + 20);
      expect(segment.readNextOffset()).to.equal(BASE + 30);
    });
  });

  describe('#recover', () => {
    it('rebuilds identical indexes from the log', () => {
      const segment = createSegment({ indexIntervalBytes: 300 });
      fill(segment, 20, 10, 200);
      const offsetEntries = (s: LogSegment) =>
        Array.from({ length: s.offsetIndex.entries }, (_, i) => s.offsetIndex.entry(i));
      const timeEntries = (s: LogSegment) =>
        Array.from({ length: s.timeIndex.entries }, (_, i) => s.timeIndex.entry(i));
      const [offsetsBefore, timesBefore] = [offsetEntries(segment), timeEntries(segment)];
      expect(offsetsBefore.length).to.be.greaterThan(5);
      expect(segment.recover()).to.equal(0);
      expect(offsetEntries(segment)).to.deep.equal(offsetsBefore);
      // Recovery also writes the final max-timestamp entry that a roll would write.
      expect(timeEntries(segment).slice(0, timesBefore.length)).to.deep.equal(timesBefore);
      expect(segment.timeIndex.lastEntry).to.deep.equal(segment.maxTimestampAndOffset);
    });

    it('truncates at a batch with a flipped byte, keeping the batches before it', () => {
      const segment = createSegment();
      const batches = fill(segment, 5);
      const position = batches[0]!.length * 3 + 40;
      segment.closeHandles();
      const fd = fs.openSync(segment.logFile, 'r+');
      fs.writeSync(fd, Buffer.from([0xff ^ batches[3]![40]!]), 0, 1, position);
      fs.closeSync(fd);
      const reopened = reopen(segment);
      expect(reopened.recover()).to.equal(batches[0]!.length * 2);
      expect(reopened.readNextOffset()).to.equal(BASE + 30);
      expect(fs.statSync(reopened.logFile).size).to.equal(batches[0]!.length * 3);
    });

    it('truncates a batch cut short at the end of the file', () => {
      const segment = createSegment();
      const batches = fill(segment, 3);
      segment.closeHandles();
      fs.truncateSync(segment.logFile, batches[0]!.length * 3 - 7);
      const reopened = reopen(segment);
      reopened.recover();
      expect(reopened.size).to.equal(batches[0]!.length * 2);
    });

    it('truncates at a batch whose base offset goes backwards (base offsets are outside the CRC)', () => {
      const segment = createSegment();
      fill(segment, 2);
      const stale = testBatch({ baseOffset: BASE + 5, recordCount: 10 });
      segment.append(stale, { largestOffset: BASE + 14, maxTimestamp: T0, offsetOfMaxTimestamp: BASE + 14 });
      expect(segment.recover()).to.equal(stale.length);
      expect(segment.readNextOffset()).to.equal(BASE + 20);
    });

    it('reports each valid batch with its leader epoch', () => {
      const segment = createSegment();
      const b = testBatch({ baseOffset: BASE, partitionLeaderEpoch: 7 });
      segment.append(b, { largestOffset: BASE, maxTimestamp: T0, offsetOfMaxTimestamp: BASE });
      const seen: [number, number][] = [];
      segment.recover((offset, epoch) => seen.push([offset, epoch]));
      expect(seen).to.deep.equal([[BASE, 7]]);
    });
  });

  describe('#truncateTo', () => {
    it('removes the batch holding the offset and all after it, zeroing their bytes', () => {
      const segment = createSegment({ indexIntervalBytes: 0 });
      const batches = fill(segment, 5);
      const held = segment.read(BASE + 30, 1 << 20)!.records;
      expect(segment.truncateTo(BASE + 30)).to.equal(batches[0]!.length * 2);
      expect(segment.readNextOffset()).to.equal(BASE + 30);
      expect(segment.read(BASE + 30, 100)).to.equal(null);
      expect(segment.offsetIndex.lastOffset).to.be.lessThan(BASE + 30);
      // A view handed out before the truncation stays mapped; it now reads zeros instead of the removed batches.
      expect(held.every((byte) => byte === 0)).to.equal(true);
      fill(segment, 1, 10, 100, BASE + 30);
      expect(segment.recover()).to.equal(batches[0]!.length);
      expect(segment.readNextOffset()).to.equal(BASE + 40);
    });

    it('empties the segment when truncated to its base offset', () => {
      const segment = createSegment();
      fill(segment, 3);
      segment.truncateTo(BASE);
      expect(segment.size).to.equal(0);
      expect(segment.readNextOffset()).to.equal(BASE);
    });
  });

  describe('#shouldRoll', () => {
    const params = {
      segmentBytes: 1 << 20,
      segmentMs: 1000,
      incomingBytes: 100,
      incomingMaxTimestamp: T0,
      incomingLargestOffset: BASE,
      nowMs: T0,
    };

    it('rolls when the append would pass segment.bytes', () => {
      const segment = createSegment();
      const [b] = fill(segment, 1);
      expect(segment.shouldRoll({ ...params, segmentBytes: b!.length + 100 })).to.equal(false);
      expect(segment.shouldRoll({ ...params, segmentBytes: b!.length + 99 })).to.equal(true);
    });

    it('rolls a non-empty segment by the first batch timestamp after segment.ms', () => {
      const segment = createSegment();
      expect(segment.shouldRoll({ ...params, incomingMaxTimestamp: T0 + 10_000 })).to.equal(false);
      fill(segment, 1, 1, 0, BASE);
      expect(segment.shouldRoll({ ...params, incomingMaxTimestamp: T0 + BASE + 1000 })).to.equal(false);
      expect(segment.shouldRoll({ ...params, incomingMaxTimestamp: T0 + BASE + 1001 })).to.equal(true);
    });

    it('rolls by wall time when batches carry no timestamp', () => {
      const time = new MockTime();
      const segment = createSegment({}, tmpDir(), time);
      const b = testBatch({ baseOffset: BASE, maxTimestamp: -1 });
      segment.append(b, { largestOffset: BASE, maxTimestamp: -1, offsetOfMaxTimestamp: BASE });
      time.sleep(1001);
      expect(segment.shouldRoll({ ...params, incomingMaxTimestamp: -1, nowMs: time.milliseconds() })).to.equal(true);
    });

    it('rolls when an index is full or the relative offset would overflow', () => {
      const segment = createSegment({ segmentIndexBytes: 24, indexIntervalBytes: 0 });
      expect(segment.shouldRoll({ ...params, incomingLargestOffset: BASE + 2 ** 31 })).to.equal(true);
      fill(segment, 2, 1, 0);
      expect(segment.shouldRoll(params)).to.equal(true);
    });
  });

  describe('#onBecomeInactiveSegment', () => {
    it('trims a preallocated file and its indexes, and a reopened segment passes the sanity check', () => {
      const segment = createSegment({ preallocate: true, indexIntervalBytes: 0 });
      expect(fs.statSync(segment.logFile).size).to.equal(1 << 20);
      fill(segment, 3);
      segment.onBecomeInactiveSegment();
      expect(fs.statSync(segment.logFile).size).to.equal(segment.size);
      expect(fs.statSync(segment.offsetIndexFile).size).to.equal(8 * 2);
      expect(segment.timeIndex.lastEntry).to.deep.equal({ timestamp: T0 + BASE + 20, offset: BASE + 29 });
      segment.close();
      const reopened = reopen(segment);
      reopened.sanityCheck();
      expect(baseOffsets(reopened.read(BASE, 1 << 20)!.records)).to.deep.equal([BASE, BASE + 10, BASE + 20]);
      expect(reopened.maxTimestampAndOffset).to.deep.equal({ timestamp: T0 + BASE + 20, offset: BASE + 29 });
    });
  });

  describe('#releaseWriteHandle', () => {
    /** The files this process holds open, by path. */
    const openFiles = (): string[] =>
      fs.readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          return [fs.readlinkSync(`/proc/self/fd/${fd}`)];
        } catch {
          return [];
        }
      });

    it('closes the descriptor; later writes reopen the file and a flush still syncs the bytes written before', async () => {
      const segment = createSegment();
      fill(segment, 2);
      expect(openFiles()).to.include(segment.logFile);
      expect(segment.releaseWriteHandle()).to.equal(true);
      expect(openFiles()).to.not.include(segment.logFile);
      expect(baseOffsets(segment.read(BASE, 1 << 20)!.records)).to.deep.equal([BASE, BASE + 10]);
      await segment.flush();
      // The flush reopened the file to sync what the released descriptor had written.
      expect(openFiles()).to.include(segment.logFile);
      segment.releaseWriteHandle();
      fill(segment, 1, 10, 100, BASE + 20);
      expect(openFiles()).to.include(segment.logFile);
      expect(baseOffsets(segment.read(BASE, 1 << 20)!.records)).to.deep.equal([BASE, BASE + 10, BASE + 20]);
      segment.close();
      expect(baseOffsets(reopen(segment).read(BASE, 1 << 20)!.records)).to.deep.equal([BASE, BASE + 10, BASE + 20]);
    });

    it('refuses while an fdatasync uses the descriptor', async () => {
      const segment = createSegment();
      fill(segment, 1);
      const flushed = segment.flush();
      expect(segment.releaseWriteHandle()).to.equal(false);
      expect(openFiles()).to.include(segment.logFile);
      await flushed;
      expect(segment.releaseWriteHandle()).to.equal(true);
    });
  });

  describe('#sanityCheck', () => {
    it('throws CorruptIndexError when an index entry points past the end of a cut .log file', () => {
      const segment = createSegment({ indexIntervalBytes: 0 });
      const [batch] = fill(segment, 4);
      segment.close();
      fs.truncateSync(segment.logFile, batch!.length * 2);
      expect(() => reopen(segment).sanityCheck()).to.throw(CorruptIndexError, /points at position/);
    });

    it('is run when an index is first opened, and a failing index is rebuilt from the log', () => {
      const segment = createSegment({ indexIntervalBytes: 0 });
      const [batch] = fill(segment, 4);
      segment.close();
      fs.truncateSync(segment.logFile, batch!.length * 2);
      const reopened = reopen(segment, { indexIntervalBytes: 0 });
      expect(reopened.read(BASE + 15, 1 << 20)!.firstBatchOffset).to.equal(BASE + 10);
      expect(reopened.offsetIndex.entries).to.equal(1);
      reopened.sanityCheck();
    });
  });

  describe('#findOffsetByTimestamp', () => {
    it('finds the first batch whose max timestamp reaches the target', () => {
      const segment = createSegment({ indexIntervalBytes: 0 });
      fill(segment, 5);
      expect(segment.findOffsetByTimestamp(T0 + BASE + 15)).to.deep.equal({
        timestamp: T0 + BASE + 20,
        offset: BASE + 20,
      });
      expect(segment.findOffsetByTimestamp(T0)).to.deep.equal({ timestamp: T0 + BASE, offset: BASE });
      expect(segment.findOffsetByTimestamp(T0 + BASE + 41)).to.equal(null);
    });

    /** One batch at BASE whose ten records carry timestamps T0, T0 + 10, ..., T0 + 90. */
    async function spreadBatch(compression: CompressionType): Promise<Buffer> {
      const builder = new RecordBatchBuilder({ compression });
      for (let i = 0; i < 10; i++) builder.append(T0 + 10 * i, `k${i}`, 'v');
      const batch = await builder.build();
      stampBatch(batch, 0, BASE, 0);
      return batch;
    }

    it('answers the first record reaching the target inside a batch, not the batch, as Kafka does', async () => {
      for (const codec of [CompressionType.None, CompressionType.Gzip, CompressionType.Lz4]) {
        const segment = createSegment();
        const b = await spreadBatch(codec);
        segment.append(b, {
          largestOffset: lastOffsetOf(b),
          maxTimestamp: T0 + 90,
          offsetOfMaxTimestamp: lastOffsetOf(b),
        });
        expect(segment.findOffsetByTimestamp(T0 + 45), `codec ${codec}`).to.deep.equal({
          timestamp: T0 + 50,
          offset: BASE + 5,
        });
        expect(segment.findOffsetByTimestamp(T0 + 45, BASE + 7), `codec ${codec}`).to.deep.equal({
          timestamp: T0 + 70,
          offset: BASE + 7,
        });
        expect(segment.findOffsetByTimestamp(T0)).to.deep.equal({ timestamp: T0, offset: BASE });
      }
    });

    it('falls back to batch precision for zstd, which has no synchronous codec', async () => {
      const segment = createSegment();
      const b = await spreadBatch(CompressionType.Zstd);
      segment.append(b, {
        largestOffset: lastOffsetOf(b),
        maxTimestamp: T0 + 90,
        offsetOfMaxTimestamp: lastOffsetOf(b),
      });
      expect(segment.findOffsetByTimestamp(T0 + 45)).to.deep.equal({ timestamp: T0 + 90, offset: BASE });
    });
  });
});
