/** A fresh temporary directory per test, removed by the cleanup stack. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deferFn } from './cleanup.js';

export function tmpDir(prefix = 'mq-spec-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  deferFn(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
