/**
 * A record, kept for fault tests only, of how much of each `.log` file has reached the disk: after every successful
 * flush, one line `<length> <path>` per segment it covered, appended to `<log dir>/.mq-durability-journal`. The
 * power-loss fault (lib/cli/faults/power-loss.ts) SIGKILLs the broker and cuts every `.log` file of the dir back to
 * its last journaled length — nothing for a file never flushed — which is what a machine that lost its page cache
 * keeps of them. Indexes need no record: recovery rebuilds them past the recovery point, which only moves after a
 * flush; checkpoints, snapshots and the epoch cache are written to a temporary file, synced and renamed.
 *
 * Only the broker's process environment turns it on (MQ_TEST_DURABILITY_JOURNAL=1, read by `mq-broker`): no config
 * key can, so a production broker never writes it. It costs one small synchronous append per flush.
 * Layout: text lines, newest last; the last line of a path wins. A torn last line (the process was killed in the
 * middle of the append) is ignored by the reader.
 * Concurrency: appends come from flush completions on the event loop, one at a time.
 * Ownership: the LogManager creates one per log dir when asked (LogManagerOptions.durabilityJournal).
 */
import fs from 'node:fs';
import { join } from 'node:path';

export const DURABILITY_JOURNAL_FILE = '.mq-durability-journal';

export class DurabilityJournal {
  private readonly file: string;

  constructor(logDir: string) {
    this.file = join(logDir, DURABILITY_JOURNAL_FILE);
  }

  /** Records that the first `length` bytes of each file are on disk. */
  flushed(files: readonly { path: string; length: number }[]): void {
    if (files.length === 0) return;
    fs.appendFileSync(this.file, files.map((f) => `${f.length} ${f.path}\n`).join(''));
  }
}

/** The journal of `logDir`: path → last journaled length (empty when there is none). */
export function readDurabilityJournal(logDir: string): Map<string, number> {
  const out = new Map<string, number>();
  let text: string;
  try {
    text = fs.readFileSync(join(logDir, DURABILITY_JOURNAL_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw e;
  }
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    const length = Number(line.slice(0, space));
    if (space > 0 && Number.isInteger(length)) out.set(line.slice(space + 1), length);
  }
  return out;
}
