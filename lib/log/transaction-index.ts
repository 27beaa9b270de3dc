/**
 * The aborted transaction index of one segment (Kafka's `TransactionIndex`, the `.txnindex` file): one entry per
 * transaction whose ABORT marker is in the segment, so that a read_committed fetch can list the aborted transactions
 * overlapping the range it returns without reading the log, and the cleaner knows which data it may remove.
 *
 * Layout: entries of 34 bytes, big-endian, in the order the markers were appended (so by `lastOffset`):
 *   version int16 (0) | producerId int64 | firstOffset int64 | lastOffset int64 | lastStableOffset int64
 * `firstOffset` is the transaction's first offset in this partition, `lastOffset` its ABORT marker's offset, and
 * `lastStableOffset` the partition's last stable offset once the transaction was complete (the first offset of the
 * oldest transaction still open then, or the marker's offset + 1): a search for a range ending at `upperBound` may
 * stop at the first entry whose lastStableOffset reaches it, since no transaction overlapping the range can have
 * its marker further on.
 *
 * Unlike Kafka, which creates the file on the first abort, every segment has one from its creation (empty for a
 * segment without aborts): a missing `.txnindex` then means a lost one, which the log rebuilds from its batches.
 * Invariants: entries' `lastOffset` increases; every `lastOffset` is in this segment's offset range.
 * Concurrency: synchronous, called by the owning segment under the log's (event loop) serialisation; `flush()` runs
 * the fdatasync in the threadpool. Entries are read once from the file on first use and then kept in memory (aborts
 * are rare, so the index is small).
 * Ownership: one per LogSegment, which renames, truncates and deletes it with its other files.
 * Crash: entries are written whole with one write each; a file whose size is not a multiple of 34 (a torn last
 * entry) fails `sanityCheck` with CorruptIndexError, and the log rebuilds it from the segment's markers.
 */
import fs from 'node:fs';
import { CorruptIndexError } from '../common/errors.js';
import { readInt64, writeInt64 } from '../record/record-batch.js';

/** Bytes per entry. */
export const ABORTED_TXN_ENTRY_BYTES = 34;
const ENTRY_VERSION = 0;

/** A transaction a marker aborted, as the index stores it (Kafka's `AbortedTxn`). */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

/** What one segment contributed to a search: the matching entries and whether the search may stop here. */
export interface TxnIndexSearchResult {
  abortedTransactions: AbortedTxn[];
  isComplete: boolean;
}

export class TransactionIndex {
  private filePath: string;
  private entries: AbortedTxn[] | null = null;
  private dirty = false;

  constructor(
    readonly baseOffset: number,
    file: string,
  ) {
    this.filePath = file;
  }

  get file(): string {
    return this.filePath;
  }

  /** Creates the file empty (a new segment), replacing whatever was there. */
  create(): void {
    fs.writeFileSync(this.filePath, Buffer.alloc(0));
    this.entries = [];
    this.dirty = false;
  }

  /** The entries, read from the file on first use. Throws CorruptIndexError for a torn or malformed file. */
  allAbortedTxns(): readonly AbortedTxn[] {
    this.entries ??= this.load();
    return this.entries;
  }

  /** Appends an entry; its lastOffset must be above every entry's so far. */
  append(txn: AbortedTxn): void {
    const entries = this.allAbortedTxns() as AbortedTxn[];
    const last = entries[entries.length - 1];
    if (last !== undefined && txn.lastOffset <= last.lastOffset) {
      throw new CorruptIndexError(
        `Transaction index ${this.filePath}: the aborted transaction ending at ${txn.lastOffset} does not come after ` +
          `the last entry, which ends at ${last.lastOffset}; entries must follow the markers' order.`,
      );
    }
    fs.appendFileSync(this.filePath, encodeEntry(txn));
    entries.push({ ...txn });
    this.dirty = true;
  }

  /**
   * The entries overlapping [fetchOffset, upperBoundOffset) — aborted at or after fetchOffset and started before
   * upperBoundOffset — and whether the search is complete (an entry's lastStableOffset reached upperBoundOffset).
   */
  collectAbortedTxns(fetchOffset: number, upperBoundOffset: number): TxnIndexSearchResult {
    const abortedTransactions: AbortedTxn[] = [];
    for (const txn of this.allAbortedTxns()) {
      if (txn.lastOffset >= fetchOffset && txn.firstOffset < upperBoundOffset) abortedTransactions.push(txn);
      if (txn.lastStableOffset >= upperBoundOffset) return { abortedTransactions, isComplete: true };
    }
    return { abortedTransactions, isComplete: false };
  }

  /** Removes the entries whose marker is at or after `offset` (the segment is being truncated there). */
  truncateTo(offset: number): void {
    const entries = this.allAbortedTxns() as AbortedTxn[];
    const keep = entries.findIndex((t) => t.lastOffset >= offset);
    if (keep < 0) return;
    entries.length = keep;
    fs.truncateSync(this.filePath, keep * ABORTED_TXN_ENTRY_BYTES);
    this.dirty = true;
  }

  /** Empties the index (it is about to be rebuilt from the segment's markers). */
  reset(): void {
    this.create();
  }

  /** Checks that the file holds whole entries of a known version; throws CorruptIndexError otherwise. */
  sanityCheck(): void {
    this.entries = this.load();
  }

  /** Renames the file (a suffix change); a missing file stays missing. */
  renameTo(file: string): void {
    if (fs.existsSync(this.filePath)) fs.renameSync(this.filePath, file);
    this.filePath = file;
  }

  /** Follows a rename of the partition directory (the file moved with it). */
  updatePath(file: string): void {
    this.filePath = file;
  }

  /** Makes appended entries durable (fdatasync in the threadpool). */
  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const handle = await fs.promises.open(this.filePath, 'r+');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  deleteIfExists(): void {
    fs.rmSync(this.filePath, { force: true });
    this.entries = null;
  }

  private load(): AbortedTxn[] {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.filePath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    if (bytes.length % ABORTED_TXN_ENTRY_BYTES !== 0) {
      throw new CorruptIndexError(
        `Transaction index ${this.filePath} is ${bytes.length} bytes, not a multiple of the ` +
          `${ABORTED_TXN_ENTRY_BYTES}-byte entry: its last entry is torn. It will be rebuilt from the log.`,
      );
    }
    const entries: AbortedTxn[] = [];
    for (let pos = 0; pos < bytes.length; pos += ABORTED_TXN_ENTRY_BYTES) {
      const version = bytes.readInt16BE(pos);
      if (version !== ENTRY_VERSION) {
        throw new CorruptIndexError(
          `Transaction index ${this.filePath} has an entry of version ${version} at position ${pos}; only version ` +
            `${ENTRY_VERSION} is known. It will be rebuilt from the log.`,
        );
      }
      entries.push(decodeEntry(bytes, pos));
    }
    return entries;
  }
}

/** The 34 bytes of one entry. */
export function encodeEntry(txn: AbortedTxn): Buffer {
  const buf = Buffer.allocUnsafe(ABORTED_TXN_ENTRY_BYTES);
  buf.writeInt16BE(ENTRY_VERSION, 0);
  writeInt64(buf, 2, txn.producerId);
  writeInt64(buf, 10, txn.firstOffset);
  writeInt64(buf, 18, txn.lastOffset);
  writeInt64(buf, 26, txn.lastStableOffset);
  return buf;
}

/** The entry at `pos` of `bytes` (version already checked). */
export function decodeEntry(bytes: Buffer, pos: number): AbortedTxn {
  return {
    producerId: readInt64(bytes, pos + 2),
    firstOffset: readInt64(bytes, pos + 10),
    lastOffset: readInt64(bytes, pos + 18),
    lastStableOffset: readInt64(bytes, pos + 26),
  };
}
