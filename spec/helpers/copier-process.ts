/**
 * The parent side of spec/helpers/transactional-copier-child.ts: starts a transactional copier as a child process,
 * follows its events (transactions open, committed, aborted) and kills it with SIGKILL.
 */
import { fileURLToPath } from 'node:url';
import type { CopierConfig } from './copier-config.js';
import { NodeChild } from './node-child.js';

const CHILD = fileURLToPath(new URL('./transactional-copier-child.js', import.meta.url));

export class CopierProcess {
  committed = 0;
  aborted = 0;
  started = false;
  done = false;
  /** A transaction has records written and is not committed or aborted yet. */
  inTransaction = false;
  private readonly child: NodeChild;

  constructor(
    readonly name: string,
    config: CopierConfig,
  ) {
    this.child = new NodeChild(CHILD, [JSON.stringify(config)], (line) => this.parse(line));
  }

  get exited(): Promise<number | null> {
    return this.child.exited;
  }

  /** The last lines the copier wrote on stderr (its failure, if it failed). */
  get errors(): string {
    return this.child.errors;
  }

  kill(): Promise<number | null> {
    return this.child.kill();
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
