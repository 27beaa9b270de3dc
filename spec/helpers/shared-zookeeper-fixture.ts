/**
 * Mocha global fixtures for the integration run (required by .mocharc.integration.json only): one ZooKeeper for the
 * whole run, started in the main mocha process before any worker of a parallel run is forked, its address passed
 * to the workers through the environment (SHARED_ZOOKEEPER_ENV), and stopped after the last spec file. Without
 * this, every spec file of a parallel run would start and stop a JVM of its own.
 */
import { SHARED_ZOOKEEPER_ENV, startZooKeeper, type ZooKeeperServer } from './zk-harness.js';

let server: ZooKeeperServer | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  server = await startZooKeeper();
  process.env[SHARED_ZOOKEEPER_ENV] = server.connect;
}

export async function mochaGlobalTeardown(): Promise<void> {
  delete process.env[SHARED_ZOOKEEPER_ENV];
  await server?.stop();
  server = undefined;
}
