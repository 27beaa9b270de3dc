/**
 * Loads a partition directory into segments and offsets (Kafka's `LogLoader`), recovering it after an unclean
 * shutdown.
 *
 * Steps, in Kafka's order:
 *  1. Remove leftovers: `.deleted`, `.cleaned` and `.tmp` files, index `.swap` files, and index files without a
 *     `.log`; collect `.log.swap` files.
 *  2. Open every `<base>.log` as a segment (indexes stay closed until used, Kafka's lazy indexes). A segment
 *     missing an index file is recovered, which rebuilds it.
 *  3. Complete interrupted cleaner swaps: a `.swap` segment replaces the segments its offsets cover.
 *  4. Without a clean shutdown, recover every segment from the one holding the recovery point: re-validate each
 *     batch (size, magic, CRC, offsets), rebuild indexes, refill the leader epoch cache, and at the first invalid
 *     batch truncate there and delete every later segment.
 *  5. An empty directory gets one empty segment at the checkpointed log start offset.
 * The `.txnindex` of every segment from the first one recovered, completed from a swap, or found without a valid
 * `.txnindex` (missing, or torn) onwards is to be rebuilt: `txnIndexRebuildOffset` says from which base offset, and
 * UnifiedLog rebuilds those indexes from the markers while it replays the producer state.
 * A truncated or bit-flipped segment never makes loading fail: it costs the invalid tail only.
 * Concurrency: synchronous, before anyone else can see the log. Ownership: the returned segments belong to the
 * LocalLog built from them.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logger.js';
import type { Time } from '../common/time.js';
import type { LeaderEpochFileCache } from './leader-epoch-cache.js';
import type { LogConfig } from './log-config.js';
import {
  CLEANED_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  SWAP_FILE_SUFFIX,
  TEMP_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
  TXN_INDEX_FILE_SUFFIX,
  offsetFromFileName,
} from './log-file-names.js';
import { LogSegment } from './log-segment.js';
import { ABORTED_TXN_ENTRY_BYTES } from './transaction-index.js';

export interface LogLoaderParams {
  dir: string;
  config: LogConfig;
  time: Time;
  logger: Logger;
  /** Offset below which everything was flushed, from recovery-point-offset-checkpoint (0 when unknown). */
  recoveryPoint: number;
  /** From log-start-offset-checkpoint (0 when unknown). */
  logStartOffset: number;
  hadCleanShutdown: boolean;
  leaderEpochCache: LeaderEpochFileCache;
}

export interface LoadedLog {
  segments: LogSegment[];
  logStartOffset: number;
  recoveryPoint: number;
  logEndOffset: number;
  /** Base offset of the first segment whose `.txnindex` must be rebuilt (it and all later ones); undefined: none. */
  txnIndexRebuildOffset: number | undefined;
}

export class LogLoader {
  private readonly segments = new Map<number, LogSegment>();
  /** Segments whose `.txnindex` is missing, torn, or must follow a recovery. */
  private readonly txnIndexesToRebuild = new Set<number>();

  private constructor(private readonly p: LogLoaderParams) {}

  static load(params: LogLoaderParams): LoadedLog {
    return new LogLoader(params).load();
  }

  private load(): LoadedLog {
    // One listing serves both steps: 10,000 logs are loaded at start, and each readdir costs.
    const { names, swapFiles } = this.removeTempFilesAndCollectSwapFiles(fs.readdirSync(this.p.dir));
    this.loadSegmentFiles(names);
    this.completeSwapOperations(swapFiles);
    const sorted = () => [...this.segments.values()].sort((a, b) => a.baseOffset - b.baseOffset);
    if (this.segments.size === 0) {
      const segment = LogSegment.open({
        dir: this.p.dir,
        baseOffset: this.p.logStartOffset,
        config: this.p.config,
        time: this.p.time,
        fileAlreadyExists: false,
        logger: this.p.logger,
      });
      this.segments.set(segment.baseOffset, segment);
    } else if (!this.p.hadCleanShutdown) {
      this.recoverLog(sorted());
    }
    const segments = sorted();
    const active = segments[segments.length - 1]!;
    active.resizeIndexes(this.p.config.segmentIndexBytes);
    const logEndOffset = active.readNextOffset();
    const logStartOffset = Math.max(this.p.logStartOffset, segments[0]!.baseOffset);
    this.p.leaderEpochCache.truncateFromEnd(logEndOffset);
    this.p.leaderEpochCache.truncateFromStart(logStartOffset);
    // After a clean shutdown everything was flushed; otherwise only what the checkpoint says, up to the end.
    const recoveryPoint = this.p.hadCleanShutdown ? logEndOffset : Math.min(this.p.recoveryPoint, logEndOffset);
    const rebuild = segments.find((s) => this.txnIndexesToRebuild.has(s.baseOffset));
    return { segments, logStartOffset, recoveryPoint, logEndOffset, txnIndexRebuildOffset: rebuild?.baseOffset };
  }

  /** Removes temporary files from `listed`; returns the names that remain (swap files among them) and the `.log.swap` files. */
  private removeTempFilesAndCollectSwapFiles(listed: readonly string[]): { names: string[]; swapFiles: string[] } {
    const swapFiles: string[] = [];
    const names: string[] = [];
    for (const name of listed) {
      const file = join(this.p.dir, name);
      if (name.endsWith(DELETED_FILE_SUFFIX) || name.endsWith(CLEANED_FILE_SUFFIX) || name.endsWith(TEMP_FILE_SUFFIX)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (name.endsWith(SWAP_FILE_SUFFIX)) {
        // Index swap files are rebuilt from the log swap file; only the latter is kept.
        if (!name.endsWith(LOG_FILE_SUFFIX + SWAP_FILE_SUFFIX)) {
          fs.rmSync(file, { force: true });
          continue;
        }
        swapFiles.push(name);
      }
      names.push(name);
    }
    return { names, swapFiles };
  }

  private loadSegmentFiles(names: readonly string[]): void {
    const present = new Set(names);
    for (const name of names) {
      const baseOffset = offsetFromFileName(name);
      if (baseOffset === undefined) continue;
      const prefix = name.slice(0, 20);
      if (
        name.endsWith(INDEX_FILE_SUFFIX) ||
        name.endsWith(TIME_INDEX_FILE_SUFFIX) ||
        name.endsWith(TXN_INDEX_FILE_SUFFIX)
      ) {
        if (!present.has(prefix + LOG_FILE_SUFFIX)) {
          this.p.logger.warn({ file: name }, 'deleting an index file without a log file');
          fs.rmSync(join(this.p.dir, name), { force: true });
        }
        continue;
      }
      if (!name.endsWith(LOG_FILE_SUFFIX)) continue;
      const segment = LogSegment.open({
        dir: this.p.dir,
        baseOffset,
        config: this.p.config,
        time: this.p.time,
        fileAlreadyExists: true,
        logger: this.p.logger,
      });
      if (!present.has(prefix + INDEX_FILE_SUFFIX) || !present.has(prefix + TIME_INDEX_FILE_SUFFIX)) {
        this.p.logger.warn({ file: name }, 'an index file is missing; recovering the segment to rebuild it');
        this.recoverSegment(segment);
      }
      const txnIndexSize = present.has(prefix + TXN_INDEX_FILE_SUFFIX)
        ? fs.statSync(segment.txnIndexFile).size
        : undefined;
      if (txnIndexSize === undefined || txnIndexSize % ABORTED_TXN_ENTRY_BYTES !== 0) {
        this.p.logger.warn(
          { file: segment.txnIndexFile, size: txnIndexSize ?? 'missing' },
          'the transaction index is missing or torn; it will be rebuilt from the log',
        );
        this.txnIndexesToRebuild.add(baseOffset);
      }
      this.segments.set(baseOffset, segment);
    }
  }

  /** A cleaner swap interrupted by a crash: the `.swap` segment replaces whatever old segments its offsets overlap. */
  private completeSwapOperations(swapFiles: string[]): void {
    for (const name of swapFiles) {
      const baseOffset = offsetFromFileName(name)!;
      const swap = LogSegment.open({
        dir: this.p.dir,
        baseOffset,
        config: this.p.config,
        time: this.p.time,
        fileAlreadyExists: true,
        fileSuffix: SWAP_FILE_SUFFIX,
        logger: this.p.logger,
      });
      swap.recover();
      const swapEnd = swap.readNextOffset();
      for (const old of [...this.segments.values()]) {
        if (old.baseOffset >= baseOffset && old.baseOffset < swapEnd) {
          old.deleteIfExists();
          this.segments.delete(old.baseOffset);
        }
      }
      swap.changeFileSuffixes(SWAP_FILE_SUFFIX, '');
      this.p.logger.info({ baseOffset, endOffset: swapEnd }, 'completed an interrupted segment swap');
      this.segments.set(baseOffset, swap);
      this.txnIndexesToRebuild.add(baseOffset);
    }
  }

  private recoverLog(sorted: LogSegment[]): void {
    let first = sorted.findIndex((_, i) => i === sorted.length - 1 || sorted[i + 1]!.baseOffset > this.p.recoveryPoint);
    if (first < 0) first = 0;
    for (let i = first; i < sorted.length; i++) {
      const segment = sorted[i]!;
      this.txnIndexesToRebuild.add(segment.baseOffset);
      const truncated = this.recoverSegment(segment);
      if (truncated > 0) {
        this.p.logger.warn(
          { file: segment.logFile, truncatedBytes: truncated, deletedSegments: sorted.length - 1 - i },
          'found an invalid batch while recovering; truncated the segment there and deleted the later segments',
        );
        for (const later of sorted.slice(i + 1)) {
          later.deleteIfExists();
          this.segments.delete(later.baseOffset);
        }
        return;
      }
    }
  }

  private recoverSegment(segment: LogSegment): number {
    const cache = this.p.leaderEpochCache;
    return segment.recover((baseOffset, epoch) => {
      if (epoch >= 0 && epoch > cache.latestEpoch) cache.assign(epoch, baseOffset);
    });
  }
}
