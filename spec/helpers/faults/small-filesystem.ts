/**
 * A full disk on demand: a tmpfs of a few hundred KiB mounted over a fresh temporary directory (root only, as in CI),
 * unmounted after the test. Writes past its size fail with ENOSPC, short writes first when one does not fit — the way a
 * real disk fills. Unmounted lazily (`umount -l`): a memory mapping of a file on it keeps the mount busy until garbage
 * collection.
 */
import { execFileSync } from 'node:child_process';
import { deferFn } from '../cleanup.js';
import { tmpDir } from '../tmp-dir.js';

export function mountSmallFilesystem(bytes: number): string {
  const dir = tmpDir('mq-spec-full-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  deferFn(() => execFileSync('umount', ['-l', dir]));
  return dir;
}
