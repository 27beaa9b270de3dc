/**
 * Mocha root hooks for every spec run: an unhandled rejection fails the run instead of being lost, and
 * resources registered with `defer()` are released after each test even when it fails; the shared ZooKeeper
 * (spec/helpers/zk-harness.ts) is stopped after the run.
 */
import { runDeferred } from './cleanup.js';
import { stopSharedZooKeeper } from './zk-harness.js';

process.on('unhandledRejection', (reason) => {
  throw reason instanceof Error ? reason : new Error(`Unhandled rejection: ${String(reason)}`);
});

export const mochaHooks = {
  async afterEach(): Promise<void> {
    await runDeferred();
  },
  /** Stops the run-wide ZooKeeper of zk-harness.ts, if any spec started it. */
  async afterAll(): Promise<void> {
    await stopSharedZooKeeper();
  },
};
