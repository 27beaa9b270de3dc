/**
 * Runs `mq-admin verifiable-producer` (the real binary, as an operator would) as a child process and collects its
 * JSON event lines: what was acknowledged where, what failed, and the final summary; and its client's log on stderr
 * (at `logLevel`, fields included: epoch bumps, retries' causes), all of it, for a failed run's evidence.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deferFn } from './cleanup.js';
import { waitFor } from './wait-for.js';

const BIN = fileURLToPath(new URL('../../../bin/mq-admin', import.meta.url));

export interface AckedValue {
  value: string;
  partition: number;
  offset: number;
}

export interface ProducerEvent {
  name: string;
  [field: string]: unknown;
}

export class VerifiableProducerProcess {
  readonly acked: AckedValue[] = [];
  readonly errors: ProducerEvent[] = [];
  readonly events: ProducerEvent[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly stderrChunks: string[] = [];

  /**
   * Starts `mq-admin verifiable-producer <args>`, its client logging at `logLevel` (MQ_LOG_LEVEL, `warn` by default);
   * it is SIGKILLed after the test if still running.
   */
  constructor(args: string[], logLevel = 'warn') {
    this.child = spawn(process.execPath, [BIN, 'verifiable-producer', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MQ_LOG_LEVEL: logLevel },
    });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.parse(line);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrChunks.push(chunk);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    deferFn(() => {
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
      return this.exited;
    });
  }

  /** Everything the tool wrote on stderr. */
  get stderr(): string {
    return this.stderrChunks.join('');
  }

  /** The last lines the tool wrote on stderr. */
  get stderrTail(): string {
    return this.stderr.slice(-4000);
  }

  /** The `tool_data` summary, once printed. */
  get summary(): ProducerEvent | undefined {
    return this.events.find((e) => e.name === 'tool_data');
  }

  async ackedAtLeast(n: number, timeoutMs = 60_000, what = ''): Promise<void> {
    await waitFor(
      () => this.acked.length >= n,
      `${n} acknowledged values${what === '' ? '' : ` (${what})`}; stderr: ${this.stderrTail}`,
      { timeoutMs },
    );
  }

  /** SIGTERM: it stops sending, waits for every send to be answered, prints its summary and exits. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  private parse(line: string): void {
    if (!line.startsWith('{')) return;
    const event = JSON.parse(line) as ProducerEvent;
    this.events.push(event);
    if (event.name === 'producer_send_success') {
      this.acked.push({
        value: event['value'] as string,
        partition: event['partition'] as number,
        offset: event['offset'] as number,
      });
    } else if (event.name === 'producer_send_error') {
      this.errors.push(event);
    }
  }
}
