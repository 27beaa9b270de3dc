import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { LogCleaner } from '../../../lib/log/log-cleaner.js';
import { logConfigWith, type LogConfig } from '../../../lib/log/log-config.js';
import { UnifiedLog } from '../../../lib/log/unified-log.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import { CompressionType } from '../../../lib/record/record-batch.js';
import { defer } from '../../helpers/cleanup.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { T0, keyedBatch } from './test-batches.js';

const DAY_MS = 86_400_000;

function openCompactedLog(
  config: Partial<LogConfig> = {},
  dir = join(tmpDir(), 'users-0'),
): { log: UnifiedLog; cleaner: LogCleaner; time: MockTime } {
  const time = new MockTime(T0);
  const log = defer(
    UnifiedLog.open({
      dir,
      topicPartition: { topic: 'users', partition: 0 },
      config: logConfigWith({ cleanupPolicy: ['compact'], segmentIndexBytes: 4096, ...config }),
      time,
      scheduler: new MockScheduler(time),
    }),
    async (l) => {
      l.closeHandles();
      await l.leaderEpochCache.settled();
    },
  );
  return { log, cleaner: new LogCleaner({ time }), time };
}

function appendKeyed(log: UnifiedLog, entries: readonly (readonly [string | null, string | null])[]): void {
  log.append(keyedBatch(entries), { assignOffsets: true, leaderEpoch: 0 });
}

/** Every record in the log as [offset, key, value]. */
function contents(log: UnifiedLog): [number, string | null, string | null][] {
  const out: [number, string | null, string | null][] = [];
  for (const segment of log.segments) {
    if (segment.size === 0) continue;
    for (const batch of iterateBatches(segment.slice(0, segment.size))) {
      for (const r of batch.records()) out.push([r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null]);
    }
  }
  return out;
}

/** Makes everything written so far cleanable: a roll, and the high watermark at the end. */
function seal(log: UnifiedLog): void {
  log.roll();
  log.updateHighWatermark(log.logEndOffset);
}

describe('LogCleaner', () => {
  describe('#cleanLog', () => {
    it('keeps the last record of each key at its original offset and drops keyless records', async () => {
      const { log, cleaner } = openCompactedLog();
      appendKeyed(log, [
        ['a', 'a1'],
        ['b', 'b1'],
        [null, 'x'],
        ['a', 'a2'],
      ]);
      appendKeyed(log, [
        ['c', 'c1'],
        ['b', 'b2'],
      ]);
      seal(log);
      const stats = await cleaner.cleanLog(log);
      expect(stats).to.include({ endOffset: 6, recordsRead: 6, recordsRetained: 3 });
      expect(contents(log)).to.deep.equal([
        [3, 'a', 'a2'],
        [4, 'c', 'c1'],
        [5, 'b', 'b2'],
      ]);
    });

    it("preserves each batch's base offset and last offset, and its CRC stays valid", async () => {
      const { log, cleaner } = openCompactedLog();
      appendKeyed(log, [
        ['a', '1'],
        ['b', '1'],
        ['c', '1'],
      ]);
      appendKeyed(log, [
        ['a', '2'],
        ['a', '3'],
      ]);
      seal(log);
      await cleaner.cleanLog(log);
      const batches = [...iterateBatches(log.segments[0]!.slice(0, log.segments[0]!.size))];
      expect(batches.map((b) => [b.baseOffset, b.lastOffset, b.recordCount])).to.deep.equal([
        [0, 2, 2],
        [3, 4, 1],
      ]);
      for (const b of batches) b.validate();
      expect(log.read(0, 1 << 20).records.length).to.be.greaterThan(0);
    });

    it('never cleans the active segment or past the high watermark', async () => {
      const { log, cleaner } = openCompactedLog();
      appendKeyed(log, [
        ['a', '1'],
        ['a', '2'],
      ]);
      log.updateHighWatermark(log.logEndOffset);
      expect(await cleaner.cleanLog(log)).to.equal(null);
      log.roll();
      log.updateHighWatermark(0);
      expect(await cleaner.cleanLog(log)).to.equal(null);
      expect(contents(log).length).to.equal(2);
    });

    it('keeps tombstones for delete.retention.ms after their segment became clean, then drops them', async () => {
      // segment.bytes 100 gives every batch a segment of its own, so that no two are merged.
      const { log, cleaner } = openCompactedLog({ deleteRetentionMs: DAY_MS, segmentBytes: 100 });
      const holding = (offset: number) =>
        log.segments.find((s) => s.baseOffset <= offset && s.readNextOffset() > offset)!;
      appendKeyed(log, [
        ['a', '1'],
        ['b', '1'],
      ]);
      appendKeyed(log, [['a', null]]);
      seal(log);
      await cleaner.cleanLog(log);
      expect(contents(log)).to.deep.equal([
        [1, 'b', '1'],
        [2, 'a', null],
      ]);
      appendKeyed(log, [['c', '1']]);
      seal(log);
      const now = Date.now();
      // The tombstone's segment is the newest clean one: the horizon is a day before it, so the tombstone stays.
      holding(2).lastModified = now - 3_600_000;
      await cleaner.cleanLog(log);
      expect(contents(log).map(([, key, value]) => `${key}=${value}`)).to.deep.equal(['b=1', 'a=null', 'c=1']);
      appendKeyed(log, [['d', '1']]);
      seal(log);
      // Its segment became clean more than delete.retention.ms before the newest clean segment: dropped.
      holding(2).lastModified = now - 2 * DAY_MS;
      holding(3).lastModified = now;
      await cleaner.cleanLog(log);
      expect(contents(log).map(([, key, value]) => `${key}=${value}`)).to.deep.equal(['b=1', 'c=1', 'd=1']);
    });

    it('filters and recompresses compressed batches', async () => {
      const { log, cleaner } = openCompactedLog();
      const builder = new RecordBatchBuilder({ compression: CompressionType.Gzip });
      for (const [k, v] of [
        ['a', '1'],
        ['b', '1'],
        ['a', '2'],
      ])
        builder.append(T0, k!, v!);
      log.append(await builder.build(), { assignOffsets: true, leaderEpoch: 0 });
      seal(log);
      await cleaner.cleanLog(log);
      const [batch] = [...iterateBatches(log.segments[0]!.slice(0, log.segments[0]!.size))];
      expect(batch!.compression).to.equal(CompressionType.Gzip);
      batch!.validate();
      expect([...(await batch!.recordsAsync())].map((r) => `${r.offset}:${r.key}=${r.value}`)).to.deep.equal([
        '1:b=1',
        '2:a=2',
      ]);
    });

    it('merges small segments into one, written through .cleaned and .swap files that do not remain', async () => {
      const { log, cleaner } = openCompactedLog();
      for (let i = 0; i < 4; i++) {
        appendKeyed(log, [
          [`k${i}`, 'v'],
          ['shared', String(i)],
        ]);
        log.roll();
      }
      log.updateHighWatermark(log.logEndOffset);
      const stats = await cleaner.cleanLog(log);
      expect(stats).to.include({ segmentsRead: 4, segmentsWritten: 1 });
      expect(log.segments.length).to.equal(2);
      expect(fs.readdirSync(log.dir).filter((f) => f.endsWith('.cleaned') || f.endsWith('.swap'))).to.deep.equal([]);
      expect(contents(log).map(([o, k]) => `${o}:${k}`)).to.deep.equal(['0:k0', '2:k1', '4:k2', '6:k3', '7:shared']);
    });

    it('keeps the last batch of a producer with state as an empty batch, so its sequence outlives its records', async () => {
      const { log, cleaner } = openCompactedLog();
      const idempotent = (producerId: number, baseSequence: number, key: string): void => {
        const b = new RecordBatchBuilder({ compression: CompressionType.Gzip });
        b.setProducerState(producerId, 2, baseSequence);
        b.append(T0, key, 'old');
        b.append(T0, key, 'old');
        log.append(b.buildSync(), { assignOffsets: true, leaderEpoch: 0 });
      };
      idempotent(7, 0, 'a'); // offsets 0-1: producer 7's earlier batch
      idempotent(7, 2, 'a'); // 2-3: its last batch
      idempotent(8, 0, 'b'); // 4-5: producer 8's last batch, but producer 8 has expired
      log.producerState.lastEntry(8)!.lastTimestamp = T0 - 8 * DAY_MS;
      log.removeExpiredProducers(T0);
      appendKeyed(log, [
        ['a', 'new'],
        ['b', 'new'],
      ]);
      seal(log);
      await cleaner.cleanLog(log);
      const batches = [...iterateBatches(log.segments[0]!.slice(0, log.segments[0]!.size))];
      expect(batches.map((b) => [b.baseOffset, b.lastOffset, b.recordCount, Number(b.producerId)])).to.deep.equal([
        [2, 3, 0, 7],
        [6, 7, 2, -1],
      ]);
      const empty = batches[0]!;
      empty.validate();
      expect([empty.producerEpoch, empty.baseSequence, empty.compression, empty.baseTimestamp]).to.deep.equal([
        2,
        2,
        CompressionType.None,
        -1,
      ]);
      expect(contents(log)).to.deep.equal([
        [6, 'a', 'new'],
        [7, 'b', 'new'],
      ]);
      // A state rebuilt from the cleaned log still knows producer 7's last sequence.
      const dir = log.dir;
      log.closeHandles();
      for (const f of fs.readdirSync(dir)) if (f.endsWith('.snapshot')) fs.rmSync(join(dir, f));
      const reopened = openCompactedLog({}, dir).log;
      expect(reopened.producerState.lastEntry(7)).to.include({ producerEpoch: 2, lastSeq: 3, lastDataOffset: 3 });
    });

    it('records the cleaned range in cleaner-offset-checkpoint and cleans only new data next time', async () => {
      const { log, cleaner } = openCompactedLog();
      appendKeyed(log, [
        ['a', '1'],
        ['a', '2'],
      ]);
      seal(log);
      await cleaner.cleanLog(log);
      const checkpoint = join(log.dir, '..', 'cleaner-offset-checkpoint');
      expect(fs.readFileSync(checkpoint, 'utf8')).to.equal('0\n1\nusers 0 2\n');
      expect(await cleaner.cleanLog(log)).to.equal(null);
    });
  });

  describe('#cleanDirtiestLog', () => {
    it('cleans a log only when its dirty ratio passes min.cleanable.dirty.ratio', async () => {
      const { log, cleaner } = openCompactedLog({ minCleanableDirtyRatio: 0.5 });
      appendKeyed(log, [
        ['a', '1'],
        ['b', '1'],
      ]);
      seal(log);
      expect(await cleaner.cleanDirtiestLog(join(log.dir, '..'), [log])).to.equal(true);
      // A small dirty tail on a larger clean head: below the ratio.
      appendKeyed(log, [['a', '3']]);
      appendKeyed(log, [
        ['c', '1'],
        ['d', '1'],
        ['e', '1'],
        ['f', '1'],
      ]);
      seal(log);
      await cleaner.cleanLog(log);
      appendKeyed(log, [['a', '4']]);
      seal(log);
      expect(await cleaner.cleanDirtiestLog(join(log.dir, '..'), [log])).to.equal(false);
    });

    it('cleans a log whose oldest dirty batch is past max.compaction.lag.ms, whatever its dirty ratio', async () => {
      // A ratio of 1 is never exceeded: only the lag can make this log due.
      const { log, cleaner, time } = openCompactedLog({ minCleanableDirtyRatio: 1, maxCompactionLagMs: 60_000 });
      appendKeyed(log, [
        ['a', '1'],
        ['a', '2'],
      ]);
      seal(log);
      time.sleep(60_000);
      expect(await cleaner.cleanDirtiestLog(join(log.dir, '..'), [log])).to.equal(false);
      time.sleep(1);
      expect(await cleaner.cleanDirtiestLog(join(log.dir, '..'), [log])).to.equal(true);
      expect(contents(log)).to.deep.equal([[1, 'a', '2']]);
    });
  });
});
