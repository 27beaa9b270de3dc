/**
 * Disk faults for brokers' log dirs:
 *
 * - A small disk: a tmpfs of a chosen size mounted on the log dir before the broker starts (`mountTmpfs`); a tmpfs
 *   answers ENOSPC when full, as a real disk does.
 * - A full disk: `fillDisk` allocates the dir's free space (all but `leaveBytes`) to a file of its own,
 *   `.mq-fault-fill`, with fallocate; `emptyDisk` deletes it. The broker finds out on its next write.
 * - A failing disk: `injectIoError` makes the next write or fsync of one file fail with EIO or ENOSPC, by attaching
 *   strace to the broker with syscall tampering (`-e inject=...:error=EIO:when=1`, only calls on that file, `-P`),
 *   until the first injection is seen; then strace detaches. Nothing in the broker is built to fail on purpose.
 *   strace counts calls per thread, so a call on that file in each of several threads may fail before it detaches.
 *
 * Needs root, util-linux (mount, fallocate) and strace.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { TimeoutError } from '../../common/errors.js';
import { CommandError, UsageError } from '../cli-errors.js';
import { requireRoot, run, tryRun } from './system-command.js';

export const FILL_FILE = '.mq-fault-fill';

/** Mounts a tmpfs of `bytes` on `dir` (which must exist). */
export function mountTmpfs(dir: string, bytes: number): void {
  requireRoot('A tmpfs log dir');
  if (!Number.isInteger(bytes) || bytes < 1 << 20) throw new UsageError(`A tmpfs needs at least 1 MiB, not ${bytes}.`);
  run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir]);
}

/** Unmounts `dir` if something is mounted there (lazily, should a process still hold a file). */
export function unmount(dir: string): void {
  if (!isMountPoint(dir)) return;
  const error = tryRun('umount', [dir]);
  if (error !== undefined) run('umount', ['-l', dir]);
}

function isMountPoint(dir: string): boolean {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[1] === dir);
}

/** Bytes free for an unprivileged writer of `dir`'s filesystem. */
export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** How many times `fillDisk` measures and allocates again when the space shrank in between. */
const FILL_ATTEMPTS = 5;

/**
 * Fills `dir`'s filesystem but `leaveBytes`; returns the bytes allocated. The broker writes meanwhile (a new
 * segment preallocates its indexes), so the space measured may be gone when fallocate asks for it: then the fill
 * file is removed (a failed fallocate may keep part of it on some filesystems) and the space measured again.
 */
export function fillDisk(dir: string, leaveBytes = 0): number {
  const file = join(dir, FILL_FILE);
  for (let attempt = 1; ; attempt++) {
    const bytes = freeBytes(dir) - leaveBytes;
    if (bytes <= 0) return 0;
    const error = tryRun('fallocate', ['-l', String(bytes), file]);
    if (error === undefined) return bytes;
    if (attempt === FILL_ATTEMPTS || !/No space left on device/.test(error.message)) throw error;
    rmSync(file, { force: true });
  }
}

/** Frees what `fillDisk` took; returns whether there was anything. */
export function emptyDisk(dir: string): boolean {
  const file = join(dir, FILL_FILE);
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}

export type InjectedCall = 'write' | 'fsync';
export type InjectedError = 'EIO' | 'ENOSPC';

/** The system calls behind each kind of call, as Node.js and libuv make them. */
const SYSCALLS: Record<InjectedCall, string> = {
  write: 'write,pwrite64,writev,pwritev,pwritev2',
  fsync: 'fsync,fdatasync',
};

export interface IoErrorInjection {
  pid: number;
  call: InjectedCall;
  error: InjectedError;
  /** Only calls on this file fail (a segment of the partition to hit). */
  file: string;
  /** How long to wait for such a call. @default 30000 */
  timeoutMs?: number;
}

/**
 * Resolves once a `call` of process `pid` on `file` has failed with `error` (and strace has detached); rejects with
 * TimeoutError when no such call came within the timeout.
 */
export async function injectIoError(opts: IoErrorInjection): Promise<void> {
  requireRoot('Injecting an I/O error');
  if (!existsSync(opts.file)) throw new UsageError(`No file ${opts.file} to fail ${opts.call}s on.`);
  const syscalls = SYSCALLS[opts.call];
  const strace = spawn(
    'strace',
    [
      '-f',
      '-qq',
      '-p',
      String(opts.pid),
      '-P',
      opts.file,
      '-e',
      `trace=${syscalls}`,
      '-e',
      `inject=${syscalls}:error=${opts.error}:when=1`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => strace.on('exit', (code) => resolve(code)));
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new TimeoutError(
              `No ${opts.call} of process ${opts.pid} on ${opts.file} within ${opts.timeoutMs ?? 30_000} ms to fail.`,
            ),
          ),
        opts.timeoutMs ?? 30_000,
      );
      strace.on('error', (e) => {
        clearTimeout(timer);
        reject(
          (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? new CommandError('strace is not installed (apt-get install -y strace, or scripts/setup.sh).')
            : e,
        );
      });
      strace.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        output = (output + chunk).slice(-8000);
        if (output.includes('(INJECTED)')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new CommandError(`strace exited (code ${code}) before injecting: ${output.trim()}`));
      });
    });
  } finally {
    // SIGINT makes strace detach and leave the process running.
    if (strace.exitCode === null) strace.kill('SIGINT');
    await exited;
  }
}
