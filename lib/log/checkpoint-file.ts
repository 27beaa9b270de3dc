/**
 * Kafka's checkpoint files (`CheckpointFile`): small text files replaced atomically.
 *
 * Layout: line 1 the format version (0), line 2 the number of entries, then one entry per line, fields separated
 * by single spaces. Used for `recovery-point-offset-checkpoint`, `log-start-offset-checkpoint`,
 * `replication-offset-checkpoint` and `cleaner-offset-checkpoint` (entries `topic partition offset`) and for each
 * partition's `leader-epoch-checkpoint` (entries `epoch startOffset`).
 *
 * Write: the entries go to `<file>.tmp`, which is fsynced and renamed over the file, and the directory is fsynced,
 * so a crash leaves either the old or the new file, never a mix (`write` synchronously, `writeAsync` in the
 * threadpool). Read: a missing file is empty; a wrong version,
 * a malformed line or a count that disagrees with the entries raises ApiError KAFKA_STORAGE_ERROR naming the file.
 * Concurrency: callers serialise writes to one file (a `writeAsync` must settle before the next write starts).
 */
import fs from 'node:fs';
import { dirname } from 'node:path';
import { ApiError } from '../common/errors.js';
import { tpKey } from '../common/topic-partition.js';
import { runWithIoSlot } from './io-slots.js';
import { TEMP_FILE_SUFFIX } from './log-file-names.js';

export const CHECKPOINT_VERSION = 0;

/** Turns entries into lines and back; `parse` returns undefined for a malformed line. */
export interface CheckpointFormat<T> {
  format(entry: T): string;
  parse(line: string): T | undefined;
}

export class CheckpointFile<T> {
  constructor(
    readonly file: string,
    private readonly entryFormat: CheckpointFormat<T>,
    readonly version = CHECKPOINT_VERSION,
  ) {}

  write(entries: readonly T[]): void {
    const tmp = this.file + TEMP_FILE_SUFFIX;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, this.text(entries));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    fsyncDir(dirname(this.file));
  }

  /**
   * `write` with every step in the threadpool: for files written often from the event loop (each partition's
   * leader-epoch-checkpoint). Callers must not start a second write of the same file before this one settles.
   */
  async writeAsync(entries: readonly T[]): Promise<void> {
    await runWithIoSlot(() => this.writeAsyncNow(entries));
  }

  private async writeAsyncNow(entries: readonly T[]): Promise<void> {
    const tmp = this.file + TEMP_FILE_SUFFIX;
    const handle = await fs.promises.open(tmp, 'w');
    try {
      await handle.writeFile(this.text(entries));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, this.file);
    const dir = await fs.promises.open(dirname(this.file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  read(): T[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    if (text === '') return [];
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (lines[0] !== String(this.version)) {
      throw this.corrupt(`has version '${lines[0]}', expected ${this.version}`);
    }
    const count = Number(lines[1]);
    if (lines[1] === undefined || !/^\d+$/.test(lines[1]))
      throw this.corrupt(`has entry count '${lines[1] ?? ''}', expected a number`);
    const entries: T[] = [];
    for (const line of lines.slice(2)) {
      const entry = this.entryFormat.parse(line);
      if (entry === undefined) throw this.corrupt(`has a malformed line '${line}'`);
      entries.push(entry);
    }
    if (entries.length !== count) throw this.corrupt(`declares ${count} entries but holds ${entries.length}`);
    return entries;
  }

  private text(entries: readonly T[]): string {
    return `${this.version}\n${entries.length}\n${entries.map((e) => `${this.entryFormat.format(e)}\n`).join('')}`;
  }

  private corrupt(what: string): ApiError {
    return new ApiError(
      'KAFKA_STORAGE_ERROR',
      `Checkpoint file ${this.file} ${what}. Remove the file to fall back to recovery from the start of each log.`,
    );
  }
}

/** fsync of a directory, so that a rename or a new file in it survives a power loss. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** One `topic partition offset` line of the per-log-dir checkpoints. */
export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export const TOPIC_PARTITION_OFFSET_FORMAT: CheckpointFormat<TopicPartitionOffset> = {
  format: (e) => `${e.topic} ${e.partition} ${e.offset}`,
  parse: (line) => {
    const m = /^(\S+) (\d+) (-?\d+)$/.exec(line);
    return m ? { topic: m[1]!, partition: Number(m[2]), offset: Number(m[3]) } : undefined;
  },
};

/** Offsets by `topic-partition` key, read from a per-log-dir checkpoint. */
export function readOffsetCheckpoint(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of new CheckpointFile(file, TOPIC_PARTITION_OFFSET_FORMAT).read())
    out.set(tpKey(e.topic, e.partition), e.offset);
  return out;
}

export function writeOffsetCheckpoint(file: string, entries: readonly TopicPartitionOffset[]): void {
  new CheckpointFile(file, TOPIC_PARTITION_OFFSET_FORMAT).write(entries);
}
