/**
 * Mocha root hooks for every spec run: an unhandled rejection fails the run instead of being lost, and
 * resources registered with `defer()` are released after each test even when it fails.
 */
import { runDeferred } from './cleanup.js';

process.on('unhandledRejection', (reason) => {
  throw reason instanceof Error ? reason : new Error(`Unhandled rejection: ${String(reason)}`);
});

export const mochaHooks = {
  async afterEach(): Promise<void> {
    await runDeferred();
  },
};
