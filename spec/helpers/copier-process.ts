/**
 * The parent side of spec/helpers/transactional-copier-child.ts: starts a transactional copier as a child process,
 * follows its events (transactions open, committed, aborted) and kills it with SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CopierConfig } from './copier-config.js';

const CHILD = fileURLToPath(new URL('./transactional-copier-child.js', import.meta.url));

export class CopierProcess {
  committed = 0;
  aborted = 0;
  started = false;
  done = false;
  /** A transaction has records written and is not committed or aborted yet. */
  inTransaction = false;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private stderr = '';

  constructor(
    readonly name: string,
    config: CopierConfig,
  ) {
    this.child = spawn(process.execPath, [CHILD, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.parse(line);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The last lines the copier wrote on stderr (its failure, if it failed). */
  get errors(): string {
    return this.stderr;
  }

  kill(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  private parse(line: string): void {
    switch (line[0]) {
      case 'S':
        this.started = true;
        break;
      case 'T':
        this.inTransaction = true;
        break;
      case 'C':
        this.inTransaction = false;
        this.committed++;
        break;
      case 'A':
        this.inTransaction = false;
        this.aborted++;
        break;
      case 'D':
        this.done = true;
        break;
      default:
        break;
    }
  }
}
