/**
 * The durability journal of fault tests: what a flush made durable, per .log file, as the power-loss fault reads it.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { logConfigWith } from '../../../lib/log/log-config.js';
import {
  DURABILITY_JOURNAL_FILE,
  DurabilityJournal,
  readDurabilityJournal,
} from '../../../lib/log/durability-journal.js';
import { LogManager } from '../../../lib/log/log-manager.js';
import { defer } from '../../helpers/cleanup.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { T0, testBatch } from './test-batches.js';

const LEADER = { assignOffsets: true, leaderEpoch: 0 } as const;

describe('DurabilityJournal', () => {
  it('records after each flush how many bytes of each segment it covered; appends since are not counted', async () => {
    const dir = tmpDir();
    const scheduler = new MockScheduler(new MockTime(T0));
    const manager = defer(
      new LogManager({
        logDirs: [dir],
        defaultConfig: logConfigWith({ segmentIndexBytes: 4096 }),
        durabilityJournal: true,
        time: scheduler.time,
        scheduler,
      }),
      (m) => m.shutdown(),
    );
    const log = manager.getOrCreateLog({ topic: 't', partition: 0 });
    log.append(testBatch({ recordCount: 5, payloadBytes: 100 }), LEADER);
    await log.flush();
    const flushed = log.activeSegment.size;
    log.append(testBatch({ recordCount: 5, payloadBytes: 100 }), LEADER);
    expect(readDurabilityJournal(dir)).to.deep.equal(new Map([[log.activeSegment.logFile, flushed]]));
    await log.flush();
    expect(readDurabilityJournal(dir).get(log.activeSegment.logFile)).to.equal(log.activeSegment.size);
  });

  it('keeps the last line of each path and ignores a torn last line', () => {
    const dir = tmpDir();
    const journal = new DurabilityJournal(dir);
    journal.flushed([
      { path: '/d/t-0/00000000000000000000.log', length: 100 },
      { path: '/d/t-1/00000000000000000000.log', length: 7 },
    ]);
    journal.flushed([{ path: '/d/t-0/00000000000000000000.log', length: 250 }]);
    fs.appendFileSync(join(dir, DURABILITY_JOURNAL_FILE), '99');
    expect(readDurabilityJournal(dir)).to.deep.equal(
      new Map([
        ['/d/t-0/00000000000000000000.log', 250],
        ['/d/t-1/00000000000000000000.log', 7],
      ]),
    );
    expect(readDurabilityJournal(tmpDir()).size, 'no journal').to.equal(0);
  });
});
