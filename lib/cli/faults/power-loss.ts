/**
 * What a broker's disks keep when its machine loses power: only what was synced. A SIGKILL keeps the page cache (the
 * kernel still writes it back), so a power loss is simulated as SIGKILL followed by `discardUnflushed`, which cuts
 * every `.log` segment of the broker's log dirs back to the length its flushes made durable, as recorded in each
 * dir's durability journal (lib/log/durability-journal.ts: the broker must have run with
 * MQ_TEST_DURABILITY_JOURNAL=1). A segment never flushed loses everything. Indexes are left alone: recovery rebuilds
 * them past the recovery point, which is itself only moved by a flush.
 *
 * Call it only on the dirs of a broker that is not running. Pure file work; no root needed.
 */
import { readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { readDurabilityJournal } from '../../log/durability-journal.js';

export interface DiscardedBytes {
  file: string;
  /** Length before and after the cut. */
  from: number;
  to: number;
}

/** Cuts every `.log` file of `logDirs` to its journaled durable length; returns what was cut. */
export function discardUnflushed(logDirs: readonly string[]): DiscardedBytes[] {
  const cut: DiscardedBytes[] = [];
  for (const logDir of logDirs) {
    const durable = readDurabilityJournal(logDir);
    for (const partitionDir of readdirSync(logDir, { withFileTypes: true })) {
      if (!partitionDir.isDirectory()) continue;
      for (const name of readdirSync(join(logDir, partitionDir.name))) {
        if (!name.endsWith('.log')) continue;
        const file = join(logDir, partitionDir.name, name);
        const length = statSync(file).size;
        const keep = Math.min(length, durable.get(file) ?? 0);
        if (keep < length) {
          truncateSync(file, keep);
          cut.push({ file, from: length, to: keep });
        }
      }
    }
  }
  return cut;
}
