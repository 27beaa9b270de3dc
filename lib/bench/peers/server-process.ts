/**
 * A peer's server process (redis-server, nats-server, RabbitMQ's Erlang VM, epmd) started by the benchmark on
 * loopback: spawned with its output appended to a log file in its data dir, ready once its TCP port accepts a
 * connection, stopped by its pid (SIGTERM, then SIGKILL after a grace period) and awaited.
 *
 * Ownership: the ServerProcess owns its child; nothing else signals it. A child that exits before it is ready
 * fails `start` with the last lines of its log. Binaries are looked up in PATH and in the sbin and library folders
 * Debian's packages use (`commandPath`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { IllegalStateError, TimeoutError } from '../../common/errors.js';

export interface ServerProcessOptions {
  /** Name in messages, e.g. 'redis-server'. */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  /** The loopback port that accepts connections once the server is ready. */
  port: number;
  /** @default 60000 */
  readyTimeoutMs?: number;
}

const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/lib/rabbitmq/bin'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The full path of an executable `name` from PATH or the system folders, or null when it is not installed. */
export function commandPath(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...EXTRA_DIRS].filter((d) => d !== '');
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly options: ServerProcessOptions,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const fd = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const server = new ServerProcess(child, options);
    try {
      await server.untilReady();
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  private async untilReady(): Promise<void> {
    const { name, port, logFile } = this.options;
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 60000);
    let spawnError: Error | null = null;
    this.child.once('error', (e) => (spawnError = e));
    while (!(await accepts(port))) {
      if (spawnError !== null || this.exited())
        throw new IllegalStateError(
          `${name} exited before it listened on 127.0.0.1:${port} (${spawnError ?? `code ${this.child.exitCode}`}). ` +
            `Last lines of ${logFile}:\n${tail(logFile)}`,
        );
      if (Date.now() > deadline)
        throw new TimeoutError(
          `${name} did not listen on 127.0.0.1:${port} in time. Last lines of ${logFile}:\n${tail(logFile)}`,
        );
      await sleep(100);
    }
  }

  private exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** SIGTERM, SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 15000): Promise<void> {
    if (this.exited() || this.child.pid === undefined) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
