/**
 * The clusters mq-bench subcommands run against: the one named by --bootstrap-server, or one of their own — a
 * LocalCluster (ZooKeeper and N brokers on free loopback ports) in a temporary directory, started for the
 * command and stopped and deleted when it ends, whatever way it ends. Informational lines ("Starting ...") go to
 * stderr so that stdout carries only results (and `--json`'s object). Its brokers retry controlled shutdown after
 * 200 ms instead of Kafka's 5 s: the whole cluster stops at once, so no broker can take another's leadership and
 * the retries only delay the end of the command (by 10 s).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster } from '../local-cluster.js';

export interface OwnClusterOptions {
  brokers: number;
  brokerProps?: Record<string, string | number | boolean>;
  /** Names the temporary directory, e.g. 'failover'. */
  label: string;
}

/** Runs `fn` against a LocalCluster of its own, stopped and removed afterwards. */
export async function withOwnCluster<T>(
  opts: OwnClusterOptions,
  fn: (cluster: LocalCluster) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `mq-bench-${opts.label}-`));
  const cluster = new LocalCluster({
    dir,
    brokers: opts.brokers,
    port: 0,
    zkPort: 0,
    brokerProps: { 'controlled.shutdown.retry.backoff.ms': 200, ...opts.brokerProps },
  });
  const props = Object.entries(opts.brokerProps ?? {}).map(([k, v]) => `${k}=${v}`);
  process.stderr.write(
    `Starting ZooKeeper and ${opts.brokers} broker(s) in ${dir}${props.length > 0 ? ` (${props.join(', ')})` : ''} ...\n`,
  );
  try {
    await cluster.start();
    return await fn(cluster);
  } finally {
    await cluster.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn` against `bootstrapServer` when given, else against a cluster of its own. */
export async function withBootstrap<T>(
  bootstrapServer: string | undefined,
  own: OwnClusterOptions,
  fn: (bootstrapServers: string) => Promise<T>,
): Promise<T> {
  if (bootstrapServer !== undefined) return fn(bootstrapServer);
  return withOwnCluster(own, (cluster) => fn(cluster.bootstrapServers));
}
