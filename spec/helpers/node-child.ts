/**
 * A Node script as a child process whose stdout is handed over line by line and whose stderr is kept (its last
 * 4,000 characters), for the spec helpers that follow a child's events (copier-process.ts). `kill()` sends SIGKILL
 * and resolves with the exit code once the process is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export class NodeChild {
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private stderr = '';

  constructor(script: string, args: readonly string[], onLine: (line: string) => void) {
    this.child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The last lines the child wrote on stderr (its failure, if it failed). */
  get errors(): string {
    return this.stderr;
  }

  kill(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }
}
