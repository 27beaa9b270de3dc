/**
 * The parent side of spec/helpers/consumer-member-child.ts: starts a group member as a child process, parses its
 * stdout into what it read, committed and was assigned, and stops it with SIGTERM (orderly) or SIGKILL.
 *
 * Every parsed event carries a sequence number from one counter shared by all members of a run (`seq()`), so a spec
 * can tell what happened after a given moment (e.g. records read after a kill) across processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MemberConfig } from './consumer-member-child.js';

const CHILD = fileURLToPath(new URL('./consumer-member-child.js', import.meta.url));
let counter = 0;

/** The next value of the run-wide event counter (events parsed after this call get a larger one). */
export const seq = (): number => ++counter;

export interface ReadRecord {
  seq: number;
  partition: number;
  offset: number;
  key: string;
  value: string;
}

export class MemberProcess {
  readonly records: ReadRecord[] = [];
  /** Per partition, the last commit the coordinator acknowledged (next offset to read). */
  readonly commits = new Map<number, number>();
  /** Partitions (of the topic) this member owns now, as its listener saw it. */
  readonly owned = new Set<number>();
  readonly refusedCommits: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private markStarted!: () => void;
  /** Resolves once the child handles SIGTERM in order (its `S` line). */
  private readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));
  private stderr = '';

  constructor(
    readonly name: string,
    config: MemberConfig,
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

  get pid(): number {
    return this.child.pid!;
  }

  /** The last lines the member wrote on stderr (its failure, if it failed). */
  get errors(): string {
    return this.stderr;
  }

  /** Highest offset read per partition. */
  lastRead(partition: number): number {
    let max = -1;
    for (const r of this.records) if (r.partition === partition && r.offset > max) max = r.offset;
    return max;
  }

  kill(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, once the member is up to handle it: the member commits, leaves its group and exits 0. */
  async stop(): Promise<number | null> {
    await Promise.race([this.started, this.exited]);
    this.child.kill('SIGTERM');
    return this.exited;
  }

  private parse(line: string): void {
    const kind = line[0];
    const rest = line.slice(2);
    const partitions = () =>
      rest === '' ? [] : rest.split(',').map((tp) => Number(tp.slice(tp.lastIndexOf('-') + 1)));
    switch (kind) {
      case 'S':
        this.markStarted();
        break;
      case 'R': {
        const [partition, offset, key, value] = rest.split(' ');
        this.records.push({
          seq: seq(),
          partition: Number(partition),
          offset: Number(offset),
          key: key!,
          value: value!,
        });
        break;
      }
      case 'C': {
        const [partition, offset] = rest.split(' ').map(Number);
        this.commits.set(partition!, offset!);
        break;
      }
      case 'A':
        for (const p of partitions()) this.owned.add(p);
        break;
      case 'V':
      case 'L':
        for (const p of partitions()) this.owned.delete(p);
        break;
      case 'E':
        this.refusedCommits.push(rest);
        break;
      default:
        break;
    }
  }
}
