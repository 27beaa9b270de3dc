import { expect } from 'chai';
import fs from 'node:fs';
import { ApiError, IllegalStateError } from '../../../lib/common/errors.js';
import type { LogConfig } from '../../../lib/log/log-config.js';
import { logFilePath } from '../../../lib/log/log-file-names.js';
import type { LogAppendInfo, UnifiedLog } from '../../../lib/log/unified-log.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import { openLog } from './log-fixtures.js';
import { idempotentBatch, testBatch } from './test-batches.js';

/** A log of a broker: appends are written in the threadpool. */
const asyncLog = (config: Partial<LogConfig> = {}, dir?: string) =>
  openLog(config, { asyncWrites: true, ...(dir === undefined ? {} : { dir }) });

const appendBatch = (log: UnifiedLog, recordCount = 10, payloadBytes = 100): LogAppendInfo =>
  log.append(testBatch({ recordCount, payloadBytes }), { assignOffsets: true, leaderEpoch: 0 });

/** Base offsets of the batches readable from `from` on, segment after segment. */
function readBaseOffsets(log: UnifiedLog, from = 0): number[] {
  const offsets: number[] = [];
  for (let next = from; next < log.logEndOffset;) {
    const { records } = log.read(next, 1 << 20);
    for (const b of iterateBatches(records)) {
      offsets.push(b.baseOffset);
      next = b.nextOffset;
    }
  }
  return offsets;
}

describe('UnifiedLog with asyncWrites', () => {
  it('assigns offsets at once and shows an append to readers, the HW and flushes only once it is written', async () => {
    const { log } = asyncLog();
    const first = appendBatch(log);
    const second = appendBatch(log);
    expect([first.firstOffset, second.firstOffset]).to.deep.equal([0, 10]);
    expect(log.assignedEndOffset).to.equal(20);
    expect(log.logEndOffset).to.equal(0);
    expect(log.read(0, 1 << 20).records.length).to.equal(0);
    expect(log.updateHighWatermark(20)).to.equal(0);

    await log.awaitWritten(second.lastOffset);
    expect(log.logEndOffset).to.equal(20);
    expect(readBaseOffsets(log)).to.deep.equal([0, 10]);
    expect(log.updateHighWatermark(20)).to.equal(20);
  });

  it('writes many appends in order and each resolves only when everything before it is written', async () => {
    const { log } = asyncLog();
    const infos = Array.from({ length: 200 }, (_, i) => appendBatch(log, 1 + (i % 7)));
    const seen: number[] = [];
    await Promise.all(
      infos.map((info) =>
        log.awaitWritten(info.lastOffset).then(() => {
          expect(log.logEndOffset).to.be.above(info.lastOffset);
          seen.push(info.firstOffset);
        }),
      ),
    );
    expect(seen).to.deep.equal(infos.map((i) => i.firstOffset));
    expect(readBaseOffsets(log)).to.deep.equal(infos.map((i) => i.firstOffset));
    expect(fs.statSync(log.activeSegment.logFile).size).to.equal(log.activeSegment.size);
  });

  it('answers an idempotent batch sent again while its first copy is being written, after that write', async () => {
    const { log } = asyncLog();
    const batch = () => idempotentBatch({ producerId: 7, baseSequence: 0, recordCount: 5 });
    const first = log.append(batch(), { assignOffsets: true, leaderEpoch: 0 });
    const retry = log.append(batch(), { assignOffsets: true, leaderEpoch: 0 });
    expect(retry).to.include({ duplicate: true, firstOffset: 0, lastOffset: 4 });
    expect(log.logEndOffset).to.equal(0);
    await log.awaitWritten(retry.lastOffset);
    expect(log.logEndOffset).to.equal(5);
    expect(first.duplicate).to.equal(false);
    expect(readBaseOffsets(log)).to.deep.equal([0]);
  });

  it('rolls while writes are pending and finishes the old segment after its last write', async () => {
    const { log } = asyncLog({ segmentBytes: 2000 });
    const infos = Array.from({ length: 40 }, () => appendBatch(log, 10, 300));
    expect(log.segments.length).to.be.greaterThan(3);
    await log.whenWritesSettled();
    expect(log.logEndOffset).to.equal(400);
    expect(readBaseOffsets(log)).to.deep.equal(infos.map((i) => i.firstOffset));
    for (const segment of log.segments.slice(0, -1)) {
      // Finished: trimmed to what it holds, last time index entry written.
      expect(fs.statSync(segment.logFile).size).to.equal(segment.size);
      expect(segment.size).to.be.above(0).and.at.most(2000);
      expect(segment.timeIndex.entries).to.be.above(0);
    }
  });

  it('appends a follower fetch right after the previous one, before that is written', async () => {
    const leader = asyncLog().log;
    for (let i = 0; i < 3; i++) appendBatch(leader, 4);
    await leader.whenWritesSettled();
    const { log } = asyncLog();
    const fetched = leader.read(0, 1 << 20).records;
    const [a, b] = [fetched.subarray(0, fetched.length / 3), fetched.subarray(fetched.length / 3)];
    log.append(a, { assignOffsets: false, leaderEpoch: -1 });
    const info = log.append(b, { assignOffsets: false, leaderEpoch: -1 });
    expect(info).to.include({ firstOffset: 4, lastOffset: 11 });
    await log.awaitWritten(info.lastOffset);
    expect(readBaseOffsets(log)).to.deep.equal([0, 4, 8]);
  });

  it('truncates only once the writes in flight are done', async () => {
    const { log } = asyncLog();
    appendBatch(log);
    appendBatch(log);
    expect(() => log.truncateTo(10)).to.throw(IllegalStateError, /being written/);
    await log.whenWritesSettled();
    expect(log.truncateTo(10)).to.equal(true);
    expect([log.logEndOffset, log.assignedEndOffset]).to.deep.equal([10, 10]);
    expect(appendBatch(log).firstOffset).to.equal(10);
  });

  it('a truncation that waited for the writes finds the log dropped (its dir failed) and leaves the files alone', async () => {
    const { log } = asyncLog();
    appendBatch(log);
    const truncation = log.whenWritesSettled().then(() => log.truncateTo(5));
    log.closeHandles();
    const error = await truncation.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ApiError).and.to.have.property('errorName', 'KAFKA_STORAGE_ERROR');
    expect((error as ApiError).message).to.match(/is closed; nothing was truncated/);
    expect(fs.statSync(log.activeSegment.logFile).size, 'the write in flight, nothing zeroed or cut').to.be.above(0);
  });

  it('close waits for the pending writes; the log reopens with all of them', async () => {
    const { log, dir } = asyncLog({ segmentBytes: 4000 });
    for (let i = 0; i < 30; i++) appendBatch(log, 10, 200);
    await log.close();
    const reopened = asyncLog({ segmentBytes: 4000 }, dir).log;
    expect(reopened.logEndOffset).to.equal(300);
    expect(readBaseOffsets(reopened)).to.deep.equal(Array.from({ length: 30 }, (_, i) => 10 * i));
  });

  it('awaitFlushed of an offset being written waits for the write, then the flush', async () => {
    const { log } = asyncLog();
    const info = appendBatch(log);
    await log.awaitFlushed(info.lastOffset);
    expect(log.recoveryPoint).to.equal(10);
  });

  it('recovery deletes empty segments a crash left past the written data (rolled for appends never written)', () => {
    const { log, dir } = openLog();
    appendBatch(log);
    log.roll();
    log.closeHandles();
    // What a crash leaves when two rolls happened while appends were queued: the second starts past any data.
    fs.writeFileSync(logFilePath(dir, 25), '');
    const reopened = openLog({}, { dir, hadCleanShutdown: false }).log;
    expect(reopened.segments.map((s) => s.baseOffset)).to.deep.equal([0, 10]);
    expect(reopened.logEndOffset).to.equal(10);
    expect(fs.existsSync(logFilePath(dir, 25))).to.equal(false);
  });
});
