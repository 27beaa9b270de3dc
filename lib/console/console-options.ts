/**
 * The console's options, typed, with their defaults in one place (`DEFAULT_CONSOLE_OPTIONS`). `mq-admin console`
 * fills them from its flags; specs set them directly (a short refresh interval, port 0).
 */
import { InvalidArgumentError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';

export interface ConsoleOptions {
  /** Client configs under Kafka's names, `bootstrap.servers` included (from --bootstrap-server and --command-config). */
  clientProperties: Record<string, string>;
  /** Address the HTTP server binds. @default '127.0.0.1' (only this machine can open the console) */
  host?: string;
  /** @default 8080; 0 picks a free port */
  port?: number;
  /** Refuse every change (topics, configs, offsets, test records): a console to look, not to touch. @default false */
  readOnly?: boolean;
  /** ZooKeeper `host:port[/chroot]`, for the ensemble's state and reassignments in flight. @default none */
  zookeeper?: string;
  /** How often the cluster is read and the pages updated. Unit: ms. @default 2000 */
  refreshIntervalMs?: number;
  /** How long a broker has to answer its probe before it is shown unreachable. Unit: ms. @default 1000 */
  probeTimeoutMs?: number;
  /** How far back the lag and rate charts go. Unit: ms. @default 900000 (15 minutes) */
  historyMs?: number;
  logger?: Logger;
}

export type ResolvedConsoleOptions = Required<Omit<ConsoleOptions, 'zookeeper'>> & { zookeeper: string | null };

export const DEFAULT_CONSOLE_OPTIONS = {
  host: '127.0.0.1',
  port: 8080,
  readOnly: false,
  refreshIntervalMs: 2000,
  probeTimeoutMs: 1000,
  historyMs: 15 * 60_000,
} as const;

export function resolveConsoleOptions(options: ConsoleOptions): ResolvedConsoleOptions {
  const o = { ...DEFAULT_CONSOLE_OPTIONS, logger: silentLogger, ...options, zookeeper: options.zookeeper ?? null };
  if (typeof o.clientProperties['bootstrap.servers'] !== 'string' || o.clientProperties['bootstrap.servers'] === '')
    throw new InvalidArgumentError('The console needs bootstrap.servers (--bootstrap-server host:port).');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)
    throw new InvalidArgumentError(`The console's port must be 0-65535; found ${o.port}.`);
  if (!Number.isInteger(o.refreshIntervalMs) || o.refreshIntervalMs < 100)
    throw new InvalidArgumentError(`The refresh interval must be at least 100 ms; found ${o.refreshIntervalMs}.`);
  if (!Number.isInteger(o.probeTimeoutMs) || o.probeTimeoutMs < 50)
    throw new InvalidArgumentError(`The broker probe timeout must be at least 50 ms; found ${o.probeTimeoutMs}.`);
  if (!Number.isInteger(o.historyMs) || o.historyMs < o.refreshIntervalMs)
    throw new InvalidArgumentError(
      `The chart history (${o.historyMs} ms) must be at least one refresh interval (${o.refreshIntervalMs} ms).`,
    );
  return o;
}
