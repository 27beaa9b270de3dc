/**
 * The leader epoch cache of one partition (Kafka's `LeaderEpochFileCache`, KIP-101/279): which leader epoch
 * started at which offset, so that a follower can truncate by epoch rather than by high watermark.
 *
 * Layout: `leader-epoch-checkpoint` in the partition directory, a CheckpointFile of `epoch startOffset` lines,
 * replaced whole (temporary file, fsync, rename, directory fsync) in the threadpool.
 * Invariants: epochs and start offsets both strictly increase. `assign` of an entry that breaks this removes the
 * entries it contradicts (Kafka's maybeTruncateNonMonotonicEntries).
 * When the file is written: Kafka writes it, with its fsyncs, at every change. Here the in-memory entries change at
 * once and the file follows, in the background, one write at a time (a change made while a write runs is covered
 * by the next one, so pending changes coalesce):
 *  - a removal of entries (truncation from the end, clearing, an assign that contradicts earlier entries) is
 *    written right away, as Kafka does;
 *  - a new entry (`assign` of a later epoch, a new leader's or a follower's) is written once the log holds records
 *    at or after its start offset (`writeIfBelow(logEndOffset)` after each append), before the recovery point
 *    passes it (`syncBelow(target)` inside the log's flush) and at a clean shutdown only when records follow it.
 *    An entry with no record after it says only "this replica led epoch E from its log end": nothing is lost when
 *    it is lost, since a broker that restarts leads only in a newer epoch. So 10,000 partitions that become leaders
 *    of empty logs write no file at all, and 10,000 logs that close write only the checkpoints that describe records;
 *  - a truncation from the start (the log start moved up) waits for the next write: the loader applies the log start
 *    offset again, as it does after Kafka's asynchronous writes of it.
 * Concurrency: the in-memory entries change synchronously; writes run one at a time, each of the entries as they
 * were when it started; `settled()` resolves when no write runs. A write that fails because the directory was
 * renamed under it (`moveTo`) is made again at the new place; any other failure is logged and rejects the `sync`
 * or `syncBelow` waiting for it (a flush then fails and the log dir goes offline, as a failed checkpoint in Kafka).
 * Ownership: UnifiedLog creates it from the partition directory and moves it with the directory on rename.
 * Crash: the checkpoint is replaced atomically, so it holds the entries of some earlier moment, and every entry below
 * the recovery point is in it (the flush that moved the recovery point waited for it). Entries after the log end are
 * dropped when the log loads; recovery re-reads the batches after the recovery point and re-adds the epochs they
 * carry that the file lacks.
 */
import { join } from 'node:path';
import { ApiError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { CheckpointFile, type CheckpointFormat } from './checkpoint-file.js';

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

const EPOCH_ENTRY_FORMAT: CheckpointFormat<EpochEntry> = {
  format: (e) => `${e.epoch} ${e.startOffset}`,
  parse: (line) => {
    const m = /^(\d+) (\d+)$/.exec(line);
    return m ? { epoch: Number(m[1]), startOffset: Number(m[2]) } : undefined;
  },
};

export class LeaderEpochFileCache {
  private checkpoint: CheckpointFile<EpochEntry>;
  private entries: EpochEntry[];
  /** The running write loop; resolves with the error of a failed write, or undefined. */
  private writing: Promise<Error | undefined> | null = null;
  private writeRequested = false;
  /** Whether the entries differ from what the file holds (or from what a running write is writing). */
  private dirty = false;
  /** The lowest offset of a change that no write has started to cover; Infinity when there is none. */
  private unwrittenFrom = Infinity;
  /** The lowest offset of a change that the running write covers; Infinity when none runs. */
  private writingFrom = Infinity;

  /** Loads the cache from `dir`/leader-epoch-checkpoint (empty when the file does not exist). */
  constructor(
    dir: string,
    private readonly logger: Logger = silentLogger,
  ) {
    this.checkpoint = new CheckpointFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), EPOCH_ENTRY_FORMAT);
    this.entries = this.checkpoint.read();
  }

  /** Resolves once no write of the checkpoint file is running (for callers about to remove the directory). */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Writes the file now unless it holds the entries already; resolves once they are durable. */
  async sync(): Promise<void> {
    while (this.dirty || this.writing) await this.awaitWrite(this.dirty);
  }

  /**
   * Makes the file durable before the log's recovery point moves to `offset`: written (or its running write awaited)
   * unless every change since the last completed write concerns offsets at or after `offset`.
   */
  async syncBelow(offset: number): Promise<void> {
    while (Math.min(this.unwrittenFrom, this.writingFrom) < offset) await this.awaitWrite(this.unwrittenFrom < offset);
  }

  /** Starts a background write when a change concerns offsets below `offset` (the log end offset after an append). */
  writeIfBelow(offset: number): void {
    if (this.unwrittenFrom < offset) this.requestWrite();
  }

  get epochEntries(): readonly EpochEntry[] {
    return this.entries;
  }

  get latestEntry(): EpochEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  get latestEpoch(): number {
    return this.latestEntry?.epoch ?? UNDEFINED_EPOCH;
  }

  get earliestEntry(): EpochEntry | undefined {
    return this.entries[0];
  }

  /**
   * Records that `epoch` starts at `startOffset`. Ignored when it is the latest epoch already (unless the start
   * moves down); entries with an epoch >= `epoch` or a start offset >= `startOffset` are removed first.
   */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || startOffset < 0) {
      throw new RangeError(
        `Leader epoch entry (${epoch}, ${startOffset}) is invalid: epoch and start offset must be >= 0.`,
      );
    }
    const latest = this.latestEntry;
    if (latest && latest.epoch === epoch && latest.startOffset <= startOffset) return;
    let changedFrom = startOffset;
    while (this.entries.length > 0) {
      const last = this.entries[this.entries.length - 1]!;
      if (last.epoch < epoch && last.startOffset < startOffset) break;
      changedFrom = Math.min(changedFrom, last.startOffset);
      this.entries.pop();
    }
    this.entries.push({ epoch, startOffset });
    this.changed(changedFrom);
    // An entry that contradicted earlier ones is gone from memory: the file must not keep it either.
    if (changedFrom < startOffset) this.requestWrite();
  }

  /**
   * The answer to OffsetsForLeaderEpoch for `requestedEpoch` (Kafka's `endOffsetFor`): for the latest epoch the
   * log end offset; otherwise the largest known epoch <= requested, ending where the next higher epoch starts;
   * (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET) when the requested epoch is undefined or above every known epoch.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEntry {
    const undefinedEntry = { epoch: UNDEFINED_EPOCH, startOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH || this.entries.length === 0) return undefinedEntry;
    if (requestedEpoch === this.latestEpoch) return { epoch: requestedEpoch, startOffset: logEndOffset };
    const higherIndex = this.entries.findIndex((e) => e.epoch > requestedEpoch);
    if (higherIndex < 0) return undefinedEntry;
    const higher = this.entries[higherIndex]!;
    const floor = higherIndex > 0 ? this.entries[higherIndex - 1]! : undefined;
    return { epoch: floor ? floor.epoch : requestedEpoch, startOffset: higher.startOffset };
  }

  /** Removes the entries starting at or after `endOffset` (the log was truncated to it); written right away. */
  truncateFromEnd(endOffset: number): void {
    const before = this.entries.length;
    while (this.entries.length > 0 && this.entries[this.entries.length - 1]!.startOffset >= endOffset)
      this.entries.pop();
    if (this.entries.length === before) return;
    this.changed(endOffset);
    this.requestWrite();
  }

  /**
   * Drops the entries wholly before `startOffset` (the log start moved up); the last of them is kept with its
   * start clamped to `startOffset`, because its epoch still covers the first offsets of the log. Written with the
   * next write: the loader clamps the entries to the log start offset again.
   */
  truncateFromStart(startOffset: number): void {
    let removed = 0;
    while (removed < this.entries.length && this.entries[removed]!.startOffset <= startOffset) removed++;
    if (removed === 0 || (removed === 1 && this.entries[0]!.startOffset === startOffset)) return;
    const clamped = { epoch: this.entries[removed - 1]!.epoch, startOffset };
    this.entries = [clamped, ...this.entries.slice(removed)];
    this.dirty = true;
  }

  /** Removes every entry (the log restarted at a new offset); written right away. */
  clearAndFlush(): void {
    if (this.entries.length === 0) return;
    this.entries = [];
    this.changed(0);
    this.requestWrite();
  }

  /** Points the cache at the partition directory's new location (after the directory was renamed). */
  moveTo(dir: string): void {
    this.checkpoint = new CheckpointFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), EPOCH_ENTRY_FORMAT);
  }

  private changed(fromOffset: number): void {
    this.dirty = true;
    this.unwrittenFrom = Math.min(this.unwrittenFrom, fromOffset);
  }

  private requestWrite(): void {
    this.writeRequested = true;
    this.writing ??= this.writeWhileRequested();
  }

  /** Waits for the running write loop (after requesting one more write when `request`); rethrows its failure. */
  private async awaitWrite(request: boolean): Promise<void> {
    if (request) this.requestWrite();
    const error = await this.writing;
    if (error) throw error;
  }

  private async writeWhileRequested(): Promise<Error | undefined> {
    try {
      while (this.writeRequested) {
        this.writeRequested = false;
        this.writingFrom = this.unwrittenFrom;
        this.unwrittenFrom = Infinity;
        this.dirty = false;
        const checkpoint = this.checkpoint;
        try {
          await checkpoint.writeAsync([...this.entries]);
          this.writingFrom = Infinity;
        } catch (e) {
          this.unwrittenFrom = Math.min(this.unwrittenFrom, this.writingFrom);
          this.writingFrom = Infinity;
          this.dirty = true;
          // The directory was renamed under the write (a log moved or deleted): write again where it is now.
          if (checkpoint !== this.checkpoint) {
            this.writeRequested = true;
            continue;
          }
          this.logger.error({ err: e, file: checkpoint.file }, 'could not write the leader epoch checkpoint');
          return e instanceof Error
            ? e
            : new ApiError('KAFKA_STORAGE_ERROR', `Could not write ${checkpoint.file}: ${String(e)}.`);
        }
      }
      return undefined;
    } finally {
      this.writing = null;
    }
  }
}
