import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { LONG_MAX, logConfigWith, type LogConfig } from '../../../lib/log/log-config.js';
import { CLEAN_SHUTDOWN_FILE, LogManager, type LogManagerOptions } from '../../../lib/log/log-manager.js';
import type { UnifiedLog } from '../../../lib/log/unified-log.js';
import { defer } from '../../helpers/cleanup.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { T0, idempotentBatch, keyedBatch, testBatch } from './test-batches.js';

const CONFIG: LogConfig = logConfigWith({ segmentIndexBytes: 4096, segmentBytes: 2000 });

function openManager(
  logDirs: string[],
  opts: Partial<LogManagerOptions> = {},
  scheduler = new MockScheduler(new MockTime(T0)),
): { manager: LogManager; scheduler: MockScheduler } {
  const manager = new LogManager({ logDirs, defaultConfig: CONFIG, time: scheduler.time, scheduler, ...opts });
  defer(manager, (m) =>
    Promise.all(
      m.allLogs.map((l) => {
        l.closeHandles();
        return l.leaderEpochCache.settled();
      }),
    ),
  );
  return { manager, scheduler };
}

function fill(log: UnifiedLog, batches: number): void {
  for (let i = 0; i < batches; i++)
    log.append(testBatch({ recordCount: 10, payloadBytes: 300 }), { assignOffsets: true, leaderEpoch: 0 });
}

describe('LogManager', () => {
  describe('#getOrCreateLog', () => {
    it('creates each new log in the log dir holding the fewest logs', () => {
      const dirs = [tmpDir(), tmpDir()];
      const { manager } = openManager(dirs);
      for (let p = 0; p < 4; p++) manager.getOrCreateLog({ topic: 't', partition: p });
      expect(dirs.map((d) => fs.readdirSync(d).filter((f) => f.startsWith('t-')).length)).to.deep.equal([2, 2]);
      expect(manager.getOrCreateLog({ topic: 't', partition: 0 })).to.equal(
        manager.getLog({ topic: 't', partition: 0 }),
      );
    });
  });

  describe('#prepareNewLogs', () => {
    it("makes new logs' files ahead, spread over the dirs; the logs created there append, roll and reload", async () => {
      const dirs = [tmpDir(), tmpDir()];
      const { manager } = openManager(dirs);
      manager.getOrCreateLog({ topic: 'old', partition: 0 }); // dirs[0] holds one log already
      const tps = [0, 1, 2].map((partition) => ({ topic: 't', partition }));
      await manager.prepareNewLogs([...tps, { topic: 'old', partition: 0 }]);
      const listed = () =>
        dirs.map((d) =>
          fs
            .readdirSync(d)
            .filter((f) => f.startsWith('t-'))
            .sort(),
        );
      expect(listed()).to.deep.equal([['t-1'], ['t-0', 't-2']]);
      expect(fs.readdirSync(join(dirs[1]!, 't-0')).sort()).to.deep.equal([
        '00000000000000000000.index',
        '00000000000000000000.log',
        '00000000000000000000.timeindex',
        '00000000000000000000.txnindex',
      ]);
      for (const tp of tps) fill(manager.getOrCreateLog(tp), 12);
      expect(manager.logDirOf({ topic: 't', partition: 0 })).to.equal(dirs[1]);
      expect(manager.getLog({ topic: 't', partition: 2 })!.segments.length).to.be.greaterThan(1);
      await manager.shutdown();
      const { manager: reloaded } = openManager(dirs);
      expect(tps.map((tp) => reloaded.getLog(tp)!.logEndOffset)).to.deep.equal([120, 120, 120]);
    });

    it('removes the prepared files of a log not created after all, and never a directory it did not make', async () => {
      const dir = tmpDir();
      const { manager } = openManager([dir]);
      fs.mkdirSync(join(dir, 't-1'));
      fs.writeFileSync(join(dir, 't-1', 'kept'), 'x');
      await manager.prepareNewLogs([
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
      ]);
      manager.discardPreparedLogs();
      expect(fs.existsSync(join(dir, 't-0'))).to.equal(false);
      expect(fs.readdirSync(join(dir, 't-1'))).to.deep.equal(['kept']);
    });
  });

  describe('#shutdown', () => {
    it('writes checkpoints and the clean shutdown marker; the next start loads every log without recovery', async () => {
      const dir = tmpDir();
      const { manager } = openManager([dir]);
      fill(manager.getOrCreateLog({ topic: 'orders', partition: 0 }), 12);
      fill(manager.getOrCreateLog({ topic: 'orders', partition: 1 }), 3);
      await manager.shutdown();
      expect(fs.existsSync(join(dir, CLEAN_SHUTDOWN_FILE))).to.equal(true);
      expect(fs.readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).to.equal(
        '0\n2\norders 0 120\norders 1 30\n',
      );

      const { manager: reloaded } = openManager([dir]);
      expect(fs.existsSync(join(dir, CLEAN_SHUTDOWN_FILE))).to.equal(false);
      const log = reloaded.getLog({ topic: 'orders', partition: 0 })!;
      expect([log.logEndOffset, log.recoveryPoint]).to.deep.equal([120, 120]);
      expect(reloaded.getLog({ topic: 'orders', partition: 1 })!.logEndOffset).to.equal(30);
    });
  });

  describe('startup', () => {
    it('recovers logs from their checkpointed recovery point after an unclean shutdown', async () => {
      const dir = tmpDir();
      const { manager } = openManager([dir]);
      const log = manager.getOrCreateLog({ topic: 'orders', partition: 0 });
      fill(log, 3);
      await log.flush();
      manager.checkpointRecoveryOffsets();
      fill(log, 2);
      const file = log.activeSegment.logFile;
      log.closeHandles();
      fs.truncateSync(file, fs.statSync(file).size - 10);
      const reloaded = openManager([dir]).manager.getLog({ topic: 'orders', partition: 0 })!;
      expect([reloaded.logEndOffset, reloaded.recoveryPoint]).to.deep.equal([40, 30]);
    });

    it('rewrites the recovery-point checkpoint after a truncation below it, before records can be appended again', async () => {
      const dir = tmpDir();
      const { manager } = openManager([dir]);
      const log = manager.getOrCreateLog({ topic: 'orders', partition: 0 });
      fill(log, 5);
      await log.flush();
      manager.checkpointRecoveryOffsets();
      const checkpoint = () => fs.readFileSync(join(dir, 'recovery-point-offset-checkpoint'), 'utf8');
      expect(checkpoint()).to.equal('0\n1\norders 0 50\n');
      log.truncateTo(20); // a follower truncating to its new leader
      await new Promise((resolve) => setImmediate(resolve));
      expect(checkpoint()).to.equal('0\n1\norders 0 20\n');
      log.truncateTo(10);
      log.truncateTo(5); // one rewrite for a loop turn's truncations, with the last value
      await new Promise((resolve) => setImmediate(resolve));
      expect(checkpoint()).to.equal('0\n1\norders 0 5\n');
    });

    it('deletes leftover -delete directories and cleaner output', () => {
      const dir = tmpDir();
      fs.mkdirSync(join(dir, 'orders-0.0123abcd-delete'));
      fs.mkdirSync(join(dir, 'orders-1'));
      fs.writeFileSync(join(dir, 'orders-1', '00000000000000000000.log.cleaned'), 'partial');
      const { manager } = openManager([dir]);
      expect(fs.readdirSync(dir)).to.deep.equal(['orders-1']);
      expect(fs.existsSync(join(dir, 'orders-1', '00000000000000000000.log.cleaned'))).to.equal(false);
      expect(manager.allLogs.length).to.equal(1);
    });
  });

  describe('#deleteLog', () => {
    it('renames the directory -delete at once and removes it after file.delete.delay.ms', async () => {
      const dir = tmpDir();
      const { manager, scheduler } = openManager([dir]);
      fill(manager.getOrCreateLog({ topic: 'orders', partition: 0 }), 2);
      expect(manager.deleteLog({ topic: 'orders', partition: 0 })).to.equal(true);
      const doomed = fs.readdirSync(dir).filter((f) => f.endsWith('-delete'));
      expect(doomed).to.have.length(1);
      expect(doomed[0]).to.match(/^orders-0\.[0-9a-f]{32}-delete$/);
      expect(manager.getLog({ topic: 'orders', partition: 0 })).to.equal(undefined);
      await scheduler.tick(60_000);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('-delete'))).to.deep.equal([]);
    });
  });

  describe('background tasks', () => {
    it('applies retention every log.retention.check.interval.ms', async () => {
      // Only retention runs: checkpoint writes (two fsyncs each) every simulated minute would slow the spec down.
      const { manager, scheduler } = openManager([tmpDir()], {
        retentionCheckIntervalMs: 300_000,
        cleanerEnable: false,
        flushRecoveryPointCheckpointIntervalMs: LONG_MAX,
        flushStartOffsetCheckpointIntervalMs: LONG_MAX,
      });
      const log = manager.getOrCreateLog(
        { topic: 'orders', partition: 0 },
        logConfigWith({ ...CONFIG, retentionMs: 3_600_000 }),
      );
      fill(log, 12);
      log.updateHighWatermark(log.logEndOffset);
      manager.startup();
      const segments = log.segments.length;
      await scheduler.tick(3_000_000);
      expect(log.segments.length).to.equal(segments);
      await scheduler.tick(1_000_000);
      expect(log.segments.length).to.equal(1);
      expect(log.logStartOffset).to.equal(120);
    });

    it('compacts compacted logs every log.cleaner.backoff.ms', async () => {
      const { manager, scheduler } = openManager([tmpDir()], {
        cleanerBackoffMs: 15_000,
        flushRecoveryPointCheckpointIntervalMs: LONG_MAX,
        flushStartOffsetCheckpointIntervalMs: LONG_MAX,
      });
      const log = manager.getOrCreateLog(
        { topic: 'users', partition: 0 },
        logConfigWith({ ...CONFIG, cleanupPolicy: ['compact'] }),
      );
      for (let i = 0; i < 5; i++) log.append(keyedBatch([['k', String(i)]]), { assignOffsets: true, leaderEpoch: 0 });
      log.roll();
      log.updateHighWatermark(log.logEndOffset);
      const before = log.size;
      manager.startup();
      await scheduler.tick(15_000);
      expect(log.size).to.be.below(before);
    });

    it('expires idle producers in every log every producerIdExpirationCheckIntervalMs', async () => {
      const { manager, scheduler } = openManager([tmpDir()], {
        producerIdExpirationMs: 60_000,
        producerIdExpirationCheckIntervalMs: 10_000,
        cleanerEnable: false,
        flushRecoveryPointCheckpointIntervalMs: LONG_MAX,
        flushStartOffsetCheckpointIntervalMs: LONG_MAX,
      });
      const logs = [0, 1].map((partition) => manager.getOrCreateLog({ topic: 'orders', partition }));
      for (const log of logs)
        log.append(idempotentBatch({ producerId: 7, baseSequence: 0, timestampMs: T0 }), {
          assignOffsets: true,
          leaderEpoch: 0,
        });
      manager.startup();
      await scheduler.tick(50_000);
      expect(logs.map((l) => l.producerState.isEmpty)).to.deep.equal([false, false]);
      await scheduler.tick(10_000);
      expect(logs.map((l) => l.producerState.isEmpty)).to.deep.equal([true, true]);
    });
  });
});
