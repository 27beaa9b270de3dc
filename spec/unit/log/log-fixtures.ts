/**
 * Opening a UnifiedLog for storage specs: in a fresh temporary directory (or `opts.dir`, to reopen one), with small
 * index files, a MockTime and MockScheduler, closed without flushing after the test.
 */
import { join } from 'node:path';
import { logConfigWith, type LogConfig } from '../../../lib/log/log-config.js';
import { UnifiedLog, type UnifiedLogOptions } from '../../../lib/log/unified-log.js';
import { defer } from '../../helpers/cleanup.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';
import { MockTime } from '../../helpers/mock-time.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { T0 } from './test-batches.js';

export const TP = { topic: 'orders', partition: 3 };

export interface Harness {
  log: UnifiedLog;
  dir: string;
  time: MockTime;
  scheduler: MockScheduler;
}

export function openLog(
  config: Partial<LogConfig> = {},
  opts: Partial<UnifiedLogOptions> & { scheduler?: MockScheduler } = {},
): Harness {
  const scheduler = opts.scheduler ?? new MockScheduler(new MockTime(T0));
  const dir = opts.dir ?? join(tmpDir(), 'orders-3');
  const log = defer(
    UnifiedLog.open({
      dir,
      topicPartition: TP,
      config: logConfigWith({ segmentIndexBytes: 8 * 64, ...config }),
      time: scheduler.time,
      scheduler,
      ...opts,
    }),
    async (l) => {
      l.closeHandles();
      await l.leaderEpochCache.settled();
    },
  );
  return { log, dir, time: scheduler.time, scheduler };
}
