/**
 * The options every mq-admin command shares to reach a cluster, and the client set-up behind them:
 * `--bootstrap-server` (required, as in Kafka's tools) and `--command-config <file>` (client properties under
 * Kafka's names), merged with the command's own `--*-property k=v` flags, the later winning.
 *
 * `withAdmin` connects an Admin for one command and always closes it; commands call it once per run.
 * `withZooKeeper` does the same for the ZooKeeper-era commands that write /admin znodes (`--zookeeper`).
 */
import type { Command } from 'commander';
import { Admin } from '../../client/admin/admin.js';
import { jaasFileFromEnv, zookeeperCredentials } from '../../network/security/jaas-config.js';
import { KafkaZkClient } from '../../zk/kafka-zk-client.js';
import type { Logger } from '../../common/logger.js';
import { readPropertiesFile } from '../args.js';
import { toolLogger } from '../tool-logger.js';
import { CommandError, UsageError } from '../cli-errors.js';

export interface ConnectionFlags {
  bootstrapServer: string;
  commandConfig?: string;
}

/** Adds --bootstrap-server and --command-config to a command. */
export function withConnectionOptions(command: Command, configFlag = '--command-config'): Command {
  return command
    .requiredOption('--bootstrap-server <host:port>', 'REQUIRED: the server(s) to connect to, host:port[,host:port]')
    .option(
      `${configFlag} <file>`,
      "a properties file of client configs (Kafka's names, e.g. request.timeout.ms=10000)",
    );
}

/** Client options from the shared flags: the properties file, then `overrides`, then bootstrap.servers. */
export function clientProperties(
  flags: ConnectionFlags,
  configFile: string | undefined,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    ...(configFile === undefined ? {} : readPropertiesFile(configFile)),
    ...overrides,
    'bootstrap.servers': flags.bootstrapServer,
  };
}

/** A tool's client config: `props` and the tool logger, so the client's warnings (an unreachable broker) reach stderr. */
export function withToolLogger(props: Record<string, string>): { [key: string]: string | Logger; logger: Logger } {
  return { ...props, logger: toolLogger() };
}

/** Runs `fn` with a connected Admin, closing it afterwards whatever happens. `overrides` are client options. */
export async function withAdmin<T>(
  flags: ConnectionFlags,
  fn: (admin: Admin) => Promise<T>,
  overrides: Record<string, string> = {},
): Promise<T> {
  const admin = new Admin(withToolLogger(clientProperties(flags, flags.commandConfig, overrides)));
  try {
    await admin.connect();
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/**
 * Runs `fn` with a KafkaZkClient on `connect` (`host:port[/chroot]`), closing it afterwards. When `KAFKA_OPTS` names
 * a JAAS file with a ZooKeeper identity (a Client section), the session authenticates with it and creates znodes
 * with the same ACLs as the brokers (zookeeper.set.acl), as Kafka's tools do.
 */
export async function withZooKeeper<T>(
  connect: string,
  fn: (zk: KafkaZkClient) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  let zk: KafkaZkClient;
  try {
    const digestAuth = zookeeperCredentials(jaasFileFromEnv(env)?.file);
    zk = await KafkaZkClient.connect({
      connect,
      sessionTimeoutMs: 30_000,
      connectionTimeoutMs: 15_000,
      digestAuth,
      secureAcls: digestAuth !== undefined,
    });
  } catch (e) {
    throw new CommandError(`Cannot reach ZooKeeper at ${connect}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return await fn(zk);
  } finally {
    await zk.close();
  }
}

/**
 * Checks that exactly one of a command's action flags is set and returns it, as Kafka's tools demand
 * (`--list`, `--describe`, ...); throws a usage error naming them all otherwise.
 */
export function oneAction<A extends string>(flags: Partial<Record<A, unknown>>, actions: readonly A[]): A {
  const chosen = actions.filter((a) => flags[a] === true);
  if (chosen.length !== 1) {
    const names = actions.map((a) => `--${a.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new UsageError(
      `Command must include exactly one action: ${names.slice(0, -1).join(', ')} or ${names.at(-1)}.`,
    );
  }
  return chosen[0]!;
}

/** Where an action that reports per-item failures (a missing group, a group not deleted) records exit code 1. */
export interface ExitStatus {
  code: number;
}
