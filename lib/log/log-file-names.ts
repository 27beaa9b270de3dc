/**
 * Names of the files in a partition directory, as Kafka names them: a segment's files share the base name
 * `<20-digit zero-padded base offset>` with the suffixes below; transient suffixes are appended to those
 * (`00000000000000000000.log.cleaned`). Producer state snapshots are named the same way by the offset they were
 * taken at (`00000000000000001000.snapshot`).
 */
import { join } from 'node:path';

export const LOG_FILE_SUFFIX = '.log';
export const INDEX_FILE_SUFFIX = '.index';
export const TIME_INDEX_FILE_SUFFIX = '.timeindex';
/** A segment's aborted transaction index (one entry per transaction aborted by a marker in the segment). */
export const TXN_INDEX_FILE_SUFFIX = '.txnindex';
/** A producer state snapshot, named by the offset it was taken at (the state of every batch below it). */
export const PRODUCER_SNAPSHOT_FILE_SUFFIX = '.snapshot';
/** A segment removed from the log, waiting for file.delete.delay.ms before the files are unlinked. */
export const DELETED_FILE_SUFFIX = '.deleted';
/** The cleaner's output while it is being written; discarded by the loader. */
export const CLEANED_FILE_SUFFIX = '.cleaned';
/** A cleaned segment ready to replace the originals; the loader completes the swap. */
export const SWAP_FILE_SUFFIX = '.swap';
/** A checkpoint or other file being replaced atomically. */
export const TEMP_FILE_SUFFIX = '.tmp';

/** Offset zero-padded to 20 digits, e.g. 42 → `00000000000000000042`. */
export function filenamePrefixFromOffset(offset: number): string {
  return String(offset).padStart(20, '0');
}

export const logFilePath = (dir: string, baseOffset: number, suffix = ''): string =>
  join(dir, filenamePrefixFromOffset(baseOffset) + LOG_FILE_SUFFIX + suffix);
export const offsetIndexFilePath = (dir: string, baseOffset: number, suffix = ''): string =>
  join(dir, filenamePrefixFromOffset(baseOffset) + INDEX_FILE_SUFFIX + suffix);
export const timeIndexFilePath = (dir: string, baseOffset: number, suffix = ''): string =>
  join(dir, filenamePrefixFromOffset(baseOffset) + TIME_INDEX_FILE_SUFFIX + suffix);
export const txnIndexFilePath = (dir: string, baseOffset: number, suffix = ''): string =>
  join(dir, filenamePrefixFromOffset(baseOffset) + TXN_INDEX_FILE_SUFFIX + suffix);
export const producerSnapshotFilePath = (dir: string, offset: number): string =>
  join(dir, filenamePrefixFromOffset(offset) + PRODUCER_SNAPSHOT_FILE_SUFFIX);

/** Base offset from a segment file name (`00000000000000000042.log[.suffix]` → 42), or undefined if it is not one. */
export function offsetFromFileName(name: string): number | undefined {
  const m = /^(\d{20})\./.exec(name);
  return m ? Number(m[1]) : undefined;
}
