/**
 * Failed log dirs in the storage engine: which errors take a dir offline, how a log reports its disk failures, and
 * what the LogManager stops doing with a dir that failed. The disk failures are real: a segment file that is a
 * symbolic link to /dev/full answers every write with ENOSPC, and a log dir path that is a regular file cannot be
 * loaded (ENOTDIR).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../lib/common/errors.js';
import { silentLogger } from '../../../lib/common/logger.js';
import { logConfigWith } from '../../../lib/log/log-config.js';
import { isDiskFailure, LogDirFailureChannel } from '../../../lib/log/log-dir-failure-channel.js';
import { CLEAN_SHUTDOWN_FILE, LogManager, RECOVERY_POINT_CHECKPOINT_FILE } from '../../../lib/log/log-manager.js';
import { defer } from '../../helpers/cleanup.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { openLog, TP } from './log-fixtures.js';
import { T0, testBatch } from './test-batches.js';

const LEADER = { assignOffsets: true, leaderEpoch: 0 } as const;
const CONFIG = logConfigWith({ segmentIndexBytes: 4096, segmentBytes: 1 << 20 });

/** An errno error as Node's fs raises it. */
function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} failed`), { code, syscall, errno: -28 });
}

/** A partition directory whose first segment is /dev/full: the log loads, and every append fails with ENOSPC. */
function partitionDirOnFullDevice(logDir: string): string {
  const dir = join(logDir, `${TP.topic}-${TP.partition}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync('/dev/full', join(dir, '00000000000000000000.log'));
  return dir;
}

function openManager(logDirs: string[]): LogManager {
  const scheduler = new MockScheduler(new MockTime(T0));
  return defer(new LogManager({ logDirs, defaultConfig: CONFIG, time: scheduler.time, scheduler }), (m) => {
    for (const l of m.allLogs) l.closeHandles();
  });
}

describe('Failed log dirs', () => {
  describe('isDiskFailure', () => {
    it('counts errno errors and the KAFKA_STORAGE_ERRORs that carry one, nothing else', () => {
      const enospc = errno('ENOSPC', 'write');
      expect(isDiskFailure(enospc)).to.equal(true);
      expect(isDiskFailure(new ApiError('KAFKA_STORAGE_ERROR', 'append failed', { cause: enospc }))).to.equal(true);
      expect(isDiskFailure(new ApiError('KAFKA_STORAGE_ERROR', 'segment is corrupt'))).to.equal(false);
      expect(isDiskFailure(new ApiError('CORRUPT_MESSAGE', 'bad crc', { cause: enospc }))).to.equal(false);
      expect(isDiskFailure(new RangeError('offset does not fit'))).to.equal(false);
    });
  });

  describe('LogDirFailureChannel', () => {
    it('announces a dir once, after the failing call has returned, and ignores errors that are not disk failures', async () => {
      const channel = new LogDirFailureChannel(silentLogger);
      const announced: string[] = [];
      channel.on('offline', (dir) => announced.push(dir));
      expect(channel.maybeAddOfflineLogDir('/data/a', new RangeError('not a disk error'), 'append')).to.equal(false);
      expect(channel.maybeAddOfflineLogDir('/data/a', errno('EIO', 'fdatasync'), 'flush')).to.equal(true);
      expect(channel.maybeAddOfflineLogDir('/data/a', errno('EIO', 'write'), 'append')).to.equal(true);
      expect(announced, 'not from inside the failing call').to.deep.equal([]);
      await new Promise((r) => setImmediate(r));
      expect(announced).to.deep.equal(['/data/a']);
    });
  });

  describe('UnifiedLog', () => {
    it('reports a failed append before throwing KAFKA_STORAGE_ERROR, and appends nothing', () => {
      const reported: { error: unknown; operation: string }[] = [];
      const dir = partitionDirOnFullDevice(tmpDir());
      const { log } = openLog({}, { dir, onDiskFailure: (error, operation) => reported.push({ error, operation }) });
      expect(() => log.append(testBatch({ recordCount: 3 }), LEADER)).to.throw(ApiError, /ENOSPC/);
      expect(log.logEndOffset).to.equal(0);
      expect(reported).to.have.length(1);
      expect(isDiskFailure(reported[0]!.error)).to.equal(true);
      expect(reported[0]!.operation).to.equal(`append to partition ${TP.topic}-${TP.partition}`);
    });

    it('does not report a refused batch', () => {
      const reported: unknown[] = [];
      const { log } = openLog({ maxMessageBytes: 100 }, { onDiskFailure: (e) => reported.push(e) });
      expect(() => log.append(testBatch({ recordCount: 3, payloadBytes: 200 }), LEADER)).to.throw(ApiError);
      expect(reported).to.deep.equal([]);
    });
  });

  describe('LogManager', () => {
    it('takes the dir of a failed append offline through its channel; handleLogDirFailure drops its logs only', async () => {
      const [bad, good] = [tmpDir(), tmpDir()];
      partitionDirOnFullDevice(bad);
      const manager = openManager([bad, good]);
      const other = manager.getOrCreateLog({ topic: 'other', partition: 0 });
      expect(other.dir.startsWith(good)).to.equal(true);
      const offline = new Promise<string>((resolve) => manager.logDirFailureChannel.once('offline', resolve));
      expect(() => manager.getLog(TP)!.append(testBatch({ recordCount: 1 }), LEADER)).to.throw(ApiError);
      expect(await offline).to.equal(bad);

      expect(manager.handleLogDirFailure(bad)).to.deep.equal([TP]);
      expect(manager.handleLogDirFailure(bad), 'idempotent').to.deep.equal([]);
      expect([manager.liveLogDirs, manager.offlineLogDirs]).to.deep.equal([[good], [bad]]);
      expect(manager.getLog(TP)).to.equal(undefined);
      expect(manager.allLogs).to.deep.equal([other]);
      expect(fs.existsSync(join(bad, `${TP.topic}-${TP.partition}`)), 'files left as they are').to.equal(true);
      // New logs, checkpoints and the clean-shutdown marker go to the live dir only.
      expect(manager.getOrCreateLog({ topic: 'new', partition: 0 }).dir.startsWith(good)).to.equal(true);
      manager.checkpointRecoveryOffsets();
      expect(fs.existsSync(join(bad, RECOVERY_POINT_CHECKPOINT_FILE))).to.equal(false);
      expect(fs.existsSync(join(good, RECOVERY_POINT_CHECKPOINT_FILE))).to.equal(true);
      await manager.shutdown();
      expect([
        fs.existsSync(join(bad, CLEAN_SHUTDOWN_FILE)),
        fs.existsSync(join(good, CLEAN_SHUTDOWN_FILE)),
      ]).to.deep.equal([false, true]);
    });

    it('starts with a dir that cannot be loaded offline, and refuses to start when no dir can be', () => {
      const notADir = join(tmpDir(), 'file');
      fs.writeFileSync(notADir, 'not a directory');
      const good = tmpDir();
      const manager = openManager([notADir, good]);
      expect([manager.liveLogDirs, manager.offlineLogDirs]).to.deep.equal([[good], [notADir]]);
      expect(manager.getOrCreateLog(TP).dir.startsWith(good)).to.equal(true);
      expect(() => openManager([notADir])).to.throw(ApiError, /None of the log dirs .* could be loaded/);
    });

    it('refuses to create a log once every dir has failed', () => {
      const dir = tmpDir();
      const manager = openManager([dir]);
      manager.handleLogDirFailure(dir);
      expect(() => manager.getOrCreateLog(TP)).to.throw(ApiError, /Every log dir of this broker has failed/);
    });
  });
});
