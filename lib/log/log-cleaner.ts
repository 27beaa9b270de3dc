/**
 * Log compaction for cleanup.policy=compact (Kafka's `LogCleaner` + `LogCleanerManager`): keeps the last record
 * of every key. This is the one place the broker decodes records, in the background, off the produce/fetch path.
 *
 * A compacted log is a clean prefix (compacted before) and a dirty suffix. One cleaning pass:
 *  1. Cleanable range: from the first dirty offset (cleaner-offset-checkpoint, or the log start) to the first
 *     uncleanable offset — the active segment, the last stable offset (nothing of an open transaction is cleaned),
 *     and segments with records younger than min.compaction.lag.ms all stop it — rounded down to a segment
 *     boundary. Nothing to do if empty.
 *  2. Offset map: key → offset of its last record in the dirty range, records of aborted transactions left out.
 *  3. Every segment below the end of that range is recopied, in groups whose merged size fits segment.bytes: a
 *     record is kept iff it has a key, it is the key's latest (its offset >= the map's, or the key is not in the
 *     map), and it is not a tombstone past its time. Keyless records are dropped. A tombstone (null value) is kept
 *     while its segment's mtime is newer than the last clean segment's mtime minus delete.retention.ms, i.e. for
 *     at least delete.retention.ms after the segment became clean.
 *  4. Batches keep their base offset, last offset delta, base timestamp, producer fields and codec; their kept
 *     records are copied byte for byte (their deltas stay valid), and count, length, max timestamp and CRC are
 *     rewritten. A batch left without records is dropped, unless it is the last batch of a producer the log still
 *     has state for: that one stays as an empty batch (header only: its offsets, producer id, epoch and sequences,
 *     no records, codec none), as Kafka keeps it, so that the producer's sequence survives a restart that rebuilds
 *     the state from the log.
 *     Transactions (see cleaned-transaction-metadata.ts): the records of aborted transactions go whatever their keys;
 *     a marker goes once its transaction's data is gone (ABORT) or was not in this pass (COMMIT) and its segment is
 *     past the delete horizon, like a tombstone — except a producer's last entry (a marker of its current epoch),
 *     which stays as an empty control batch. Retained ABORT markers keep their `.txnindex` entry in the new segment.
 *  5. The group is written as `.cleaned`, flushed, and swapped in by LocalLog.replaceSegments (`.swap`, old ones
 *     `.deleted`); the checkpoint then records the end of the range as the first dirty offset.
 * Which log: the one with the highest dirty ratio (cleanable bytes / (clean + cleanable bytes)) above
 * min.cleanable.dirty.ratio, or any whose oldest dirty record is past max.compaction.lag.ms.
 *
 * Concurrency: a pass awaits codecs and flushes, so appends, retention and truncation may run meanwhile. The
 * cleaner never touches the active segment; before swapping it checks that the segments it read are still in
 * the log, inactive and unchanged, and otherwise discards its output (Kafka aborts cleaning on truncation).
 * Passes do not overlap: `cleanLog` refuses a log already being cleaned.
 * Ownership: LogManager holds one LogCleaner and calls `cleanDirtiestLog` every log.cleaner.backoff.ms; tools and
 * specs may call `cleanLog(log)` directly. Crash: see LogLoader for `.cleaned` (discarded) and `.swap` (completed).
 */
import { dirname, join } from 'node:path';
import { silentLogger, type Logger } from '../common/logger.js';
import { SystemTime, type Time } from '../common/time.js';
import { tpKey } from '../common/topic-partition.js';
import { compress, decompress } from '../record/compression.js';
import { iterateBatches, type BatchView } from '../record/record-batch-reader.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_CODEC_MASK,
  CompressionType,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
  TimestampType,
  readInt64,
  writeBatchCrc,
  writeInt64,
} from '../record/record-batch.js';
import { RecordIterator } from '../record/record.js';
import { VarintReader } from '../record/varint.js';
import { readOffsetCheckpoint, writeOffsetCheckpoint } from './checkpoint-file.js';
import { CleanedTransactionMetadata } from './cleaned-transaction-metadata.js';
import { hasCompactPolicy } from './log-config.js';
import { CLEANED_FILE_SUFFIX } from './log-file-names.js';
import { LogSegment } from './log-segment.js';
import type { UnifiedLog } from './unified-log.js';

export const CLEANER_OFFSET_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';

export interface LogCleanerOptions {
  time?: Time;
  logger?: Logger;
}

/** What one pass did. */
export interface CleanerStats {
  /** The first dirty offset after the pass (the end of the cleaned range). */
  endOffset: number;
  segmentsRead: number;
  segmentsWritten: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsRetained: number;
}

/** The part of a log a pass may clean. */
interface CleanableRange {
  firstDirtyOffset: number;
  firstUncleanableOffset: number;
  cleanBytes: number;
  cleanableBytes: number;
  mustClean: boolean;
}

export class LogCleaner {
  private readonly time: Time;
  private readonly logger: Logger;
  private readonly inProgress = new Set<UnifiedLog>();

  constructor(opts: LogCleanerOptions = {}) {
    this.time = opts.time ?? SystemTime;
    this.logger = (opts.logger ?? silentLogger).child({ component: 'LogCleaner' });
  }

  /** Whether a pass over `log` runs now. */
  isCleaning(log: UnifiedLog): boolean {
    return this.inProgress.has(log);
  }

  /**
   * Picks the compacted log of `logDir` most in need of cleaning (see the class comment) among `logs` and cleans
   * it. Resolves to whether a log was cleaned; a failing log is logged and skipped.
   */
  async cleanDirtiestLog(logDir: string, logs: readonly UnifiedLog[]): Promise<boolean> {
    const checkpoint = readOffsetCheckpoint(join(logDir, CLEANER_OFFSET_CHECKPOINT_FILE));
    let best: { log: UnifiedLog; ratio: number } | undefined;
    for (const log of logs) {
      if (!hasCompactPolicy(log.config) || this.inProgress.has(log)) continue;
      const range = this.cleanableRange(log, checkpoint.get(keyOf(log)));
      if (range.cleanableBytes === 0) continue;
      const ratio = range.cleanableBytes / (range.cleanBytes + range.cleanableBytes);
      if (!range.mustClean && ratio <= log.config.minCleanableDirtyRatio) continue;
      const score = range.mustClean ? Number.POSITIVE_INFINITY : ratio;
      if (!best || score > best.ratio) best = { log, ratio: score };
    }
    if (!best) return false;
    try {
      return (await this.cleanLog(best.log)) !== null;
    } catch (e) {
      this.logger.error({ err: e, topicPartition: keyOf(best.log) }, 'cleaning failed; the log stays as it was');
      return false;
    }
  }

  /**
   * One cleaning pass over `log` regardless of its dirty ratio. Resolves to the pass's stats, or null when nothing
   * was cleanable (or the log changed under the pass, which then discarded its output).
   */
  async cleanLog(log: UnifiedLog): Promise<CleanerStats | null> {
    if (this.inProgress.has(log)) return null;
    this.inProgress.add(log);
    try {
      const checkpointFile = join(dirname(log.dir), CLEANER_OFFSET_CHECKPOINT_FILE);
      const checkpoint = readOffsetCheckpoint(checkpointFile);
      const range = this.cleanableRange(log, checkpoint.get(keyOf(log)));
      if (range.firstDirtyOffset >= range.firstUncleanableOffset) return null;
      const stats = await this.clean(log, range);
      if (stats === null) return null;
      const latest = readOffsetCheckpoint(checkpointFile);
      latest.set(keyOf(log), stats.endOffset);
      writeOffsetCheckpoint(
        checkpointFile,
        [...latest].map(([key, offset]) => {
          const i = key.lastIndexOf('-');
          return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)), offset };
        }),
      );
      this.logger.info({ topicPartition: keyOf(log), ...stats }, 'cleaned log');
      return stats;
    } finally {
      this.inProgress.delete(log);
    }
  }

  private cleanableRange(log: UnifiedLog, checkpointed: number | undefined): CleanableRange {
    const segments = log.segments;
    const active = log.activeSegment;
    const firstDirtyOffset =
      checkpointed !== undefined && checkpointed >= log.logStartOffset && checkpointed <= active.baseOffset
        ? checkpointed
        : log.logStartOffset;
    const now = this.time.milliseconds();
    let uncleanable = Math.min(active.baseOffset, log.lastStableOffset);
    const tooYoung = segments.find(
      (s) =>
        s !== active && s.baseOffset >= firstDirtyOffset && s.largestTimestamp > now - log.config.minCompactionLagMs,
    );
    if (tooYoung) uncleanable = Math.min(uncleanable, tooYoung.baseOffset);
    // Whole segments only: round down to the start of the segment holding the bound.
    const holding = [...segments].reverse().find((s) => s.baseOffset <= uncleanable);
    const firstUncleanableOffset = Math.max(firstDirtyOffset, holding ? holding.baseOffset : firstDirtyOffset);
    let cleanBytes = 0;
    let cleanableBytes = 0;
    // Kafka's max.compaction.lag.ms rule: the oldest first-batch timestamp among the dirty inactive segments.
    let earliestDirtyTimestamp = Number.POSITIVE_INFINITY;
    for (let i = 0; i < segments.length - 1; i++) {
      const s = segments[i]!;
      const end = segments[i + 1]!.baseOffset;
      if (end <= firstDirtyOffset) cleanBytes += s.size;
      else {
        if (end <= firstUncleanableOffset) cleanableBytes += s.size;
        if (s.firstBatchTimestamp > 0) earliestDirtyTimestamp = Math.min(earliestDirtyTimestamp, s.firstBatchTimestamp);
      }
    }
    const mustClean = now - earliestDirtyTimestamp > log.config.maxCompactionLagMs;
    return { firstDirtyOffset, firstUncleanableOffset, cleanBytes, cleanableBytes, mustClean };
  }

  private async clean(log: UnifiedLog, range: CleanableRange): Promise<CleanerStats | null> {
    const offsetMap = new Map<string, number>();
    const toClean = log.segments.filter(
      (s, i, all) => s !== log.activeSegment && all[i + 1]!.baseOffset <= range.firstUncleanableOffset,
    );
    const stats: CleanerStats = {
      endOffset: range.firstUncleanableOffset,
      segmentsRead: 0,
      segmentsWritten: 0,
      bytesRead: 0,
      bytesWritten: 0,
      recordsRead: 0,
      recordsRetained: 0,
    };
    const mapTransactions = new CleanedTransactionMetadata();
    mapTransactions.addAbortedTransactions(
      log.collectAbortedTransactions(range.firstDirtyOffset, range.firstUncleanableOffset),
    );
    for (const segment of toClean) {
      for (const batch of batchesOf(segment)) {
        if (batch.lastOffset < range.firstDirtyOffset) continue;
        if (batch.isControl) {
          mapTransactions.onControlBatchRead(batch);
          continue;
        }
        if (mapTransactions.onBatchRead(batch)) continue;
        for (const record of await batch.recordsAsync()) {
          if (record.key !== null && record.offset >= range.firstDirtyOffset)
            offsetMap.set(record.key.toString('latin1'), record.offset);
        }
      }
    }
    const lastClean = toClean
      .filter((_, i) => (toClean[i + 1]?.baseOffset ?? range.firstUncleanableOffset) <= range.firstDirtyOffset)
      .pop();
    const deleteHorizonMs = lastClean ? lastClean.lastModified - log.config.deleteRetentionMs : 0;
    // The last entry of every producer with state (Kafka's lastRecordsOfActiveProducers): its last data batch, or
    // (lastDataOffset -1) a marker of its current epoch.
    const producers = new Map<number, LastRecord>();
    for (const [id, entry] of log.producerState.activeProducers)
      producers.set(id, { lastDataOffset: entry.lastDataOffset, producerEpoch: entry.producerEpoch });
    const transactions = new CleanedTransactionMetadata();
    for (const group of groupBySize(toClean, log.config.segmentBytes)) {
      const sizes = group.map((s) => s.size);
      const cleaned = await this.cleanGroup(log, group, offsetMap, producers, transactions, deleteHorizonMs, stats);
      // The log may have changed during the awaits: swap only if every source segment is still there as it was.
      const current = new Set(log.segments);
      if (group.some((s, i) => !current.has(s) || s === log.activeSegment || s.size !== sizes[i])) {
        cleaned.deleteIfExists();
        this.logger.info(
          { topicPartition: keyOf(log) },
          'the log changed while it was being cleaned; discarded the pass',
        );
        return null;
      }
      log.replaceSegments(cleaned, group);
    }
    return stats;
  }

  private async cleanGroup(
    log: UnifiedLog,
    group: readonly LogSegment[],
    offsetMap: Map<string, number>,
    producers: ReadonlyMap<number, LastRecord>,
    transactions: CleanedTransactionMetadata,
    deleteHorizonMs: number,
    stats: CleanerStats,
  ): Promise<LogSegment> {
    const cleaned = LogSegment.open({
      dir: log.dir,
      baseOffset: group[0]!.baseOffset,
      config: log.config,
      time: this.time,
      fileAlreadyExists: false,
      fileSuffix: CLEANED_FILE_SUFFIX,
    });
    transactions.cleanedIndex = cleaned.txnIndex;
    try {
      let lastModified = 0;
      for (const segment of group) {
        const retainTombstones = segment.lastModified > deleteHorizonMs;
        lastModified = Math.max(lastModified, segment.lastModified);
        const nextBaseOffset = log.segments[log.segments.indexOf(segment) + 1]?.baseOffset ?? log.logEndOffset;
        transactions.addAbortedTransactions(log.collectAbortedTransactions(segment.baseOffset, nextBaseOffset));
        for (const batch of batchesOf(segment)) {
          stats.bytesRead += batch.size;
          stats.recordsRead += batch.recordCount;
          const producerId = readInt64(batch.buffer, batch.position + PRODUCER_ID_OFFSET);
          const last = producerId >= 0 ? producers.get(producerId) : undefined;
          let kept: Buffer | null;
          if (batch.isControl) {
            const discard = transactions.onControlBatchRead(batch) && !retainTombstones;
            const producersLast = last?.lastDataOffset === -1 && last.producerEpoch === batch.producerEpoch;
            kept = !discard ? batch.bytes : producersLast ? emptyBatch(batch) : null;
            if (kept === null) continue;
            stats.recordsRetained += discard ? 0 : batch.recordCount;
          } else {
            const aborted = transactions.onBatchRead(batch);
            kept = aborted ? null : await this.filterBatch(batch, offsetMap, retainTombstones, stats);
          }
          if (kept === null) {
            if (last?.lastDataOffset !== batch.lastOffset) continue;
            kept = emptyBatch(batch);
          }
          const maxTimestamp =
            kept.readInt32BE(MAX_TIMESTAMP_OFFSET) * 4294967296 + kept.readUInt32BE(MAX_TIMESTAMP_OFFSET + 4);
          cleaned.append(kept, {
            largestOffset: batch.lastOffset,
            maxTimestamp,
            offsetOfMaxTimestamp: batch.lastOffset,
          });
          stats.bytesWritten += kept.length;
        }
        stats.segmentsRead++;
      }
      cleaned.onBecomeInactiveSegment();
      await cleaned.flush();
      cleaned.closeWriteHandle();
      cleaned.lastModified = lastModified;
      stats.segmentsWritten++;
      return cleaned;
    } catch (e) {
      cleaned.deleteIfExists();
      throw e;
    }
  }

  /**
   * The batch with only the records to keep: the original bytes when all are kept, a rewritten batch when some
   * are, null when none are.
   */
  private async filterBatch(
    batch: BatchView,
    offsetMap: Map<string, number>,
    retainTombstones: boolean,
    stats: CleanerStats,
  ): Promise<Buffer | null> {
    const stored = batch.buffer.subarray(batch.position + RECORDS_OFFSET, batch.position + batch.size);
    const section = batch.compression === CompressionType.None ? stored : await decompress(batch.compression, stored);
    const records = new RecordIterator(section, {
      baseOffset: batch.baseOffset,
      baseTimestamp: batch.baseTimestamp,
      logAppendTime: batch.timestampType === TimestampType.LogAppendTime ? batch.maxTimestamp : null,
      recordCount: batch.recordCount,
    });
    // A second cursor walks the same bytes in step with the decoder, to find where each record starts and ends.
    const walker = new VarintReader(section);
    const keptRanges: number[] = [];
    let keptBytes = 0;
    let maxTimestamp = -1;
    for (const record of records) {
      const start = walker.pos;
      const end = walker.readVarint() + walker.pos;
      walker.pos = end;
      const latest = record.key === null ? undefined : offsetMap.get(record.key.toString('latin1'));
      const keep =
        record.key !== null &&
        (latest === undefined || record.offset >= latest) &&
        (record.value !== null || retainTombstones);
      if (!keep) continue;
      keptRanges.push(start, end);
      keptBytes += end - start;
      maxTimestamp = Math.max(maxTimestamp, record.timestamp);
    }
    const keptCount = keptRanges.length / 2;
    stats.recordsRetained += keptCount;
    if (keptCount === 0) return null;
    if (keptCount === batch.recordCount) return batch.bytes;
    let body: Buffer = Buffer.allocUnsafe(keptBytes);
    for (let i = 0, at = 0; i < keptRanges.length; i += 2)
      at += section.copy(body, at, keptRanges[i], keptRanges[i + 1]);
    if (batch.compression !== CompressionType.None) body = await compress(batch.compression, body);
    const out = Buffer.allocUnsafe(RECORDS_OFFSET + body.length);
    batch.buffer.copy(out, 0, batch.position, batch.position + RECORDS_OFFSET);
    body.copy(out, RECORDS_OFFSET);
    out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
    out.writeInt32BE(keptCount, RECORD_COUNT_OFFSET);
    if (batch.timestampType === TimestampType.CreateTime)
      out.writeBigInt64BE(BigInt(maxTimestamp), MAX_TIMESTAMP_OFFSET);
    writeBatchCrc(out);
    return out;
  }
}

/**
 * `batch` without its records (Kafka's `writeEmptyHeader`): same offsets, producer fields, timestamp type and flags
 * and max timestamp; codec none, base timestamp -1, record count 0.
 */
function emptyBatch(batch: BatchView): Buffer {
  const out = Buffer.allocUnsafe(RECORDS_OFFSET);
  batch.buffer.copy(out, 0, batch.position, batch.position + RECORDS_OFFSET);
  out.writeInt32BE(RECORDS_OFFSET - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  out.writeInt16BE(out.readInt16BE(ATTRIBUTES_OFFSET) & ~COMPRESSION_CODEC_MASK, ATTRIBUTES_OFFSET);
  writeInt64(out, BASE_TIMESTAMP_OFFSET, -1);
  out.writeInt32BE(0, RECORD_COUNT_OFFSET);
  writeBatchCrc(out);
  return out;
}

/** A producer's last entry in the log, which the cleaner keeps (at least as an empty batch). */
interface LastRecord {
  /** Last offset of its last data batch; -1 when its last entry is a marker. */
  lastDataOffset: number;
  producerEpoch: number;
}

function keyOf(log: UnifiedLog): string {
  return tpKey(log.topicPartition.topic, log.topicPartition.partition);
}

function* batchesOf(segment: LogSegment): Generator<BatchView> {
  if (segment.size === 0) return;
  yield* iterateBatches(segment.slice(0, segment.size));
}

/** Consecutive segments merged while their total size fits `maxBytes` and offsets fit one segment's int32 range. */
function groupBySize(segments: readonly LogSegment[], maxBytes: number): LogSegment[][] {
  const groups: LogSegment[][] = [];
  for (let i = 0; i < segments.length;) {
    const group = [segments[i]!];
    let bytes = segments[i]!.size;
    i++;
    while (
      i < segments.length &&
      bytes + segments[i]!.size <= maxBytes &&
      (segments[i + 1]?.baseOffset ?? segments[i]!.readNextOffset()) - group[0]!.baseOffset <= 0x7fffffff
    ) {
      bytes += segments[i]!.size;
      group.push(segments[i]!);
      i++;
    }
    groups.push(group);
  }
  return groups;
}
