/**
 * Runs the real command-line tools (bin/mq-admin, bin/mq-cluster, ...) in child processes, as an operator would, and
 * collects their exit code and output. Integration specs check a command's text and exit code, then check what it
 * claims through the Admin client or ZooKeeper. Each process is awaited to its end, so nothing is left running.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The path of a bin/ script. */
export const binPath = (name: string): string => fileURLToPath(new URL(`../../../bin/${name}`, import.meta.url));

/** The mq-admin script, for specs that run it as a long-lived child of their own. */
export const MQ_ADMIN_BIN = binPath('mq-admin');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/`name` to completion, feeding `input` to its stdin. */
export function runBin(name: string, args: readonly string[], input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath(name), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Runs mq-admin to completion, feeding `input` to its stdin. */
export function mqAdmin(args: readonly string[], input = ''): Promise<CliResult> {
  return runBin('mq-admin', args, input);
}
