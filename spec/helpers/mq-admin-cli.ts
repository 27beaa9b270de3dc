/**
 * Runs the real bin/mq-admin in a child process, as an operator would, and collects its exit code and output.
 * The process is awaited to its end, so nothing is left running.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MQ_ADMIN_BIN = fileURLToPath(new URL('../../../bin/mq-admin', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs mq-admin to completion, feeding `input` to its stdin. */
export function mqAdmin(args: readonly string[], input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MQ_ADMIN_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
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
