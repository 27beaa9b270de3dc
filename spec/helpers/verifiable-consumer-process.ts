/**
 * `mq-admin verifiable-consumer` as a child process for delivery specs: starts the real binary, parses its JSON event
 * lines as they arrive, reads what it wrote to its --processed-file, and stops it with SIGTERM or SIGKILL. The process
 * is killed by the cleanup stack after the test whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defer } from './cleanup.js';

const BIN = fileURLToPath(new URL('../../../bin/mq-admin', import.meta.url));

/** One event line, as the tool printed it. */
export interface VerifiableEvent {
  timestamp: number;
  name: string;
  partitions?: { topic: string; partition: number; count?: number; minOffset?: number; maxOffset?: number }[];
  count?: number;
  offsets?: { topic: string; partition: number; offset: number }[];
  success?: boolean;
  error?: string;
  /** record_data (--verbose). */
  topic?: string;
  partition?: number;
  offset?: number;
  key?: string | null;
  value?: string;
}

/** One line of the --processed-file. */
export interface ProcessedRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
}

export class VerifiableConsumerProcess {
  readonly events: VerifiableEvent[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private stderr = '';

  /** Starts `mq-admin verifiable-consumer <args> --processed-file <processedFile>`. */
  constructor(
    readonly name: string,
    args: readonly string[],
    readonly processedFile: string,
  ) {
    this.child = spawn(process.execPath, [BIN, 'verifiable-consumer', ...args, '--processed-file', processedFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    defer(this, (p) => p.kill());
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (line !== '') this.events.push(JSON.parse(line) as VerifiableEvent);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The last lines the tool wrote on stderr. */
  get errors(): string {
    return this.stderr;
  }

  /** The events called `name`, in order. */
  named(name: string): VerifiableEvent[] {
    return this.events.filter((e) => e.name === name);
  }

  /** The highest offset of `partition` it reported reading (records_consumed), -1 when none. */
  lastReadOffset(partition: number): number {
    let max = -1;
    for (const e of this.events) {
      if (e.name !== 'records_consumed') continue;
      for (const p of e.partitions ?? []) if (p.partition === partition) max = Math.max(max, p.maxOffset ?? -1);
    }
    return max;
  }

  /** Records received so far (the sum of the records_consumed counts). */
  get consumed(): number {
    return this.named('records_consumed').reduce((n, e) => n + e.count!, 0);
  }

  /** What the tool finished handling, from its --processed-file (a line still being written is left out). */
  processed(): ProcessedRecord[] {
    if (!existsSync(this.processedFile)) return [];
    const lines = readFileSync(this.processedFile, 'utf8').split('\n');
    lines.pop();
    return lines.map((line) => JSON.parse(line) as ProcessedRecord);
  }

  kill(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.exited;
  }

  stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}
