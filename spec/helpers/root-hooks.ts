/**
 * Mocha root hooks for every spec run: an unhandled rejection fails the run instead of being lost, and
 * resources registered with `defer()` are released after each test even when it fails; the shared ZooKeeper
 * (spec/helpers/zk-harness.ts) is stopped after the run.
 *
 * A run interrupted by SIGINT or SIGTERM (Ctrl-C, a CI timeout, `kill`) releases the same way before it exits: the
 * running test's clusters (brokers, ZooKeeper, network namespaces, mounts), child processes and the shared ZooKeeper,
 * within `INTERRUPT_GRACE_MS`; then it exits as the signal would have (128 + its number), which also runs the fault
 * library's exit hooks. A second signal, or the grace running out, exits at once.
 */
import { constants } from 'node:os';
import { runDeferred } from './cleanup.js';
import { stopSharedZooKeeper } from './zk-harness.js';

/** Longest a release after SIGINT or SIGTERM may take before the process exits anyway. */
const INTERRUPT_GRACE_MS = 60_000;

process.on('unhandledRejection', (reason) => {
  throw reason instanceof Error ? reason : new Error(`Unhandled rejection: ${String(reason)}`);
});

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    const code = 128 + constants.signals[signal];
    if (interrupted) process.exit(code);
    interrupted = true;
    process.stderr.write(
      `\n${signal}: releasing what the running spec holds (clusters, child processes), then exiting\n`,
    );
    setTimeout(() => process.exit(code), INTERRUPT_GRACE_MS).unref();
    void runDeferred()
      .catch((e: unknown) => process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`))
      .then(() => stopSharedZooKeeper())
      .finally(() => process.exit(code));
  });
}

export const mochaHooks = {
  async afterEach(): Promise<void> {
    await runDeferred();
  },
  /** Stops the run-wide ZooKeeper of zk-harness.ts, if any spec started it. */
  async afterAll(): Promise<void> {
    await stopSharedZooKeeper();
  },
};
