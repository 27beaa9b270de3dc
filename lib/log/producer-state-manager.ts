/**
 * The producer state of one partition (Kafka's `ProducerStateManager`): producer id → ProducerStateEntry, as of the
 * offset `mapEndOffset`, and the `.snapshot` files that persist it. The leader checks a client's idempotent batch
 * against it before the append (a batch sent again is a duplicate, answered with its original offsets; a gap, an old
 * epoch or an unknown producer is refused); leader and followers alike update it from every batch they append, so
 * that a follower that becomes leader deduplicates what the old leader appended.
 *
 * The checks, for a client batch of producer p with epoch e and sequences [first, last], against p's entry (an
 * idempotent batch is alone in its append; see LogValidator):
 *   - e older than the entry's epoch → INVALID_PRODUCER_EPOCH;
 *   - same epoch and [first, last] equal to one of the retained batches → duplicate (nothing is appended);
 *   - same epoch and [first, last] wholly at or before the entry's last sequence, but no longer retained (older
 *     than the last five, or the state was restored from a snapshot, which keeps one batch per producer) →
 *     DUPLICATE_SEQUENCE_NUMBER: within an epoch a producer never numbers two batches alike and the log holds
 *     every sequence of the epoch up to the last in order, so the batch is in the log (its offsets are not known
 *     any more; Kafka's clients count the answer as written). Refusing it as out of order instead would make the
 *     producer bump its epoch and renumber its unfinished batches, writing them a second time;
 *   - same epoch, first not the entry's last sequence + 1 (wrapping) → OUT_OF_ORDER_SEQUENCE_NUMBER;
 *   - a new epoch must start at sequence 0 → else OUT_OF_ORDER_SEQUENCE_NUMBER;
 *   - no entry for p (never seen, expired, or lost with its data): sequence 0 starts it, any other →
 *     UNKNOWN_PRODUCER_ID. (Kafka ≥ 2.5 accepts any sequence here; this is the rule of earlier brokers, which the
 *     2.5+ client handles as KIP-360 describes: it bumps its epoch and starts again at 0.)
 * Appends by replication are not checked; an epoch going backwards there is only logged, as Kafka does.
 *
 * Transactions (KIP-98): a producer's first transactional batch opens its transaction at that batch's first offset
 * (`currentTxnFirstOffset`, and an entry in the ongoing transactions); a client batch without the transactional
 * flag while one is open is refused (INVALID_TXN_STATE). A transaction marker (a control batch the coordinator has
 * the leader write) closes it: checked first (`checkMarker`: an epoch older than the producer's →
 * INVALID_PRODUCER_EPOCH; a coordinator epoch older than the last marker's → TRANSACTION_COORDINATOR_FENCED), then
 * applied, which moves the producer to the marker's epoch and coordinator epoch and returns the completed
 * transaction (none when the producer wrote no data here). The log then indexes an aborted one (its `.txnindex`,
 * with `lastStableOffset(completed)`) and calls `completeTxn`, which keeps it as unreplicated until the high
 * watermark passes its marker (`onHighWatermarkUpdated`). `firstUnstableOffset` — the first offset of the oldest
 * transaction open or not yet replicated — bounds the last stable offset (LSO = min(it, HW)) that read_committed
 * consumers read up to.
 *
 * Snapshots (`<offset>.snapshot`, see producer-snapshot.ts) are taken at `mapEndOffset` when the log rolls, on clean
 * shutdown, and after loading or truncation; `truncateAndReload` restores the state from the newest snapshot at or
 * below the log end (a corrupt one is deleted and the next older one tried; none → empty state at the log start),
 * after which the log replays its batches from `mapEndOffset`. Snapshots above the log end or at or below the log start
 * are deleted then; when the log start moves at runtime only those below it are (the in-memory state keeps producers
 * whose data retention deleted, as Kafka 2.5+ does, until they expire).
 * Expiry: a producer without an open transaction whose last batch's timestamp is `producerIdExpirationMs`
 * (transactional.id.expiration.ms in Kafka 2.8) or more in the past is dropped by `removeExpiredProducers`.
 *
 * Concurrency: synchronous; the owning UnifiedLog calls it from its (synchronous) append, roll, truncation and load.
 * A snapshot file is written synchronously (it is small) and fdatasync'ed in the threadpool; `flushSnapshots()`
 * resolves once every snapshot written so far is durable (clean shutdown awaits it).
 * Ownership: one per UnifiedLog; owns the `.snapshot` files of the partition directory.
 * Crash: a snapshot cut short fails its CRC and is ignored; the state then comes from an older snapshot and the log.
 */
import fs from 'node:fs';
import { ApiError, CorruptSnapshotError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { tpKey, type TopicPartition } from '../common/topic-partition.js';
import { ControlRecordType } from '../record/record-batch-builder.js';
import { BatchView, type ControlRecord } from '../record/record-batch-reader.js';
import {
  BASE_SEQUENCE_OFFSET,
  CONTROL_FLAG_MASK,
  TRANSACTIONAL_FLAG_MASK,
  ATTRIBUTES_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  MAX_SEQUENCE,
  MAX_TIMESTAMP_OFFSET,
  NO_PRODUCER_EPOCH,
  NO_SEQUENCE,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  incrementSequence,
  readInt64,
  type BatchInfo,
} from '../record/record-batch.js';
import { PRODUCER_SNAPSHOT_FILE_SUFFIX, offsetFromFileName, producerSnapshotFilePath } from './log-file-names.js';
import { decodeProducerSnapshot, encodeProducerSnapshot } from './producer-snapshot.js';
import { ProducerStateEntry } from './producer-state-entry.js';

/** Kafka 2.8's transactional.id.expiration.ms, which also expires idempotent producers' state: 7 days. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 604_800_000;

/** Where an append comes from (Kafka's AppendOrigin): client batches and coordinator markers are checked first. */
export type AppendOrigin = 'Client' | 'Coordinator' | 'Replication';

export interface ProducerStateManagerOptions {
  /** The partition directory holding the `.snapshot` files. */
  dir: string;
  topicPartition: TopicPartition;
  /** Idle time after which a producer's state is dropped. @default DEFAULT_PRODUCER_ID_EXPIRATION_MS */
  producerIdExpirationMs?: number;
  logger: Logger;
}

/** A transaction a marker closed in this partition (Kafka's `CompletedTxn`). */
export interface CompletedTxn {
  producerId: number;
  /** Offset of the producer's first transactional batch here. */
  firstOffset: number;
  /** Offset of the marker. */
  lastOffset: number;
  isAborted: boolean;
}

/** A transaction open in this partition, or completed with its marker not yet below the high watermark. */
interface TxnMetadata {
  producerId: number;
  firstOffset: number;
  /** The marker's offset; -1 while open. */
  lastOffset: number;
}

/** The batch a re-sent batch duplicates: where it was written. */
export interface DuplicateBatch {
  firstOffset: number;
  lastOffset: number;
  /** Max timestamp of the original batch. */
  timestamp: number;
}

export class ProducerStateManager {
  private dir: string;
  private readonly topicPartition: TopicPartition;
  private readonly producerIdExpirationMs: number;
  private readonly logger: Logger;
  private readonly producers = new Map<number, ProducerStateEntry>();
  /** Open transactions, ascending by first offset. */
  private readonly ongoingTxns: TxnMetadata[] = [];
  /** Completed transactions whose marker the high watermark has not passed, ascending by first offset. */
  private readonly unreplicatedTxns: TxnMetadata[] = [];
  /** Offsets of the snapshot files in the directory, ascending. */
  private snapshots: number[];
  private lastMapOffset = 0;
  private lastSnapOffset = 0;
  /** Settles once every snapshot written so far is fdatasync'ed (or failed to be, which is logged). */
  private snapshotSyncs: Promise<void> = Promise.resolve();

  constructor(opts: ProducerStateManagerOptions) {
    this.dir = opts.dir;
    this.topicPartition = opts.topicPartition;
    this.producerIdExpirationMs = opts.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    this.logger = opts.logger.child({ component: 'ProducerStateManager' });
    this.snapshots = this.listSnapshotOffsets();
  }

  /** The offset up to which (exclusive) the state reflects the log. */
  get mapEndOffset(): number {
    return this.lastMapOffset;
  }

  /** Producers with state, by id (the cleaner keeps each one's last batch). */
  get activeProducers(): ReadonlyMap<number, ProducerStateEntry> {
    return this.producers;
  }

  get isEmpty(): boolean {
    return this.producers.size === 0 && this.unreplicatedTxns.length === 0;
  }

  /** Offsets of the snapshot files, ascending. */
  get snapshotOffsets(): readonly number[] {
    return this.snapshots;
  }

  get latestSnapshotOffset(): number | undefined {
    return this.snapshots[this.snapshots.length - 1];
  }

  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  // ---- the leader's checks ----

  /** The retained batch that client batch `b` (producer id >= 0) repeats, or null when it is not a duplicate. */
  findDuplicate(b: BatchInfo): DuplicateBatch | null {
    const entry = this.producers.get(b.producerId);
    if (entry === undefined) return null;
    const i = entry.findDuplicateBatch(
      b.producerEpoch,
      b.baseSequence,
      incrementSequence(b.baseSequence, b.lastOffsetDelta),
    );
    if (i < 0) return null;
    return {
      firstOffset: entry.batchFirstOffset(i),
      lastOffset: entry.batchLastOffset(i),
      timestamp: entry.batchTimestamp(i),
    };
  }

  /**
   * Checks client batch `b` (producer id >= 0, not a duplicate) against its producer's state (see the class
   * comment). Throws ApiError INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID.
   */
  checkClientBatch(b: BatchInfo): void {
    const entry = this.producers.get(b.producerId);
    const currentEpoch = entry?.producerEpoch ?? NO_PRODUCER_EPOCH;
    const pid = b.producerId;
    if (b.producerEpoch < currentEpoch) {
      throw new ApiError(
        'INVALID_PRODUCER_EPOCH',
        `Producer ${pid} sent a batch with epoch ${b.producerEpoch} to ${this.describe()}, older than its current ` +
          `epoch ${currentEpoch}: a newer epoch of this producer has written since. The batch was not appended.`,
      );
    }
    if (b.producerEpoch !== currentEpoch) {
      if (b.baseSequence === 0) return;
      if (currentEpoch !== NO_PRODUCER_EPOCH) {
        throw new ApiError(
          'OUT_OF_ORDER_SEQUENCE_NUMBER',
          `Invalid sequence number for new epoch ${b.producerEpoch} of producer ${pid} in ${this.describe()}: ` +
            `${b.baseSequence} (a new epoch starts at sequence 0; current epoch ${currentEpoch}).`,
        );
      }
      throw new ApiError(
        'UNKNOWN_PRODUCER_ID',
        `${this.describe()} has no state for producer ${pid} (it expired after transactional.id.expiration.ms, or ` +
          `went with the data retention deleted), so its batch at sequence ${b.baseSequence} cannot be placed. ` +
          'The producer must start again at sequence 0 (it bumps its epoch).',
      );
    }
    if (!b.isTransactional && entry !== undefined && entry.currentTxnFirstOffset >= 0) {
      throw new ApiError(
        'INVALID_TXN_STATE',
        `Producer ${pid} sent a non-transactional batch to ${this.describe()} while its transaction that started at ` +
          `offset ${entry.currentTxnFirstOffset} is open; a transactional producer sends inside its transaction.`,
      );
    }
    const lastSeq = entry?.lastSeq ?? NO_SEQUENCE;
    if (!inSequence(lastSeq, b.baseSequence)) {
      const batchLastSeq = incrementSequence(b.baseSequence, b.lastOffsetDelta);
      if (lastSeq !== NO_SEQUENCE && isAtOrBefore(b.baseSequence, batchLastSeq, lastSeq)) {
        throw new ApiError(
          'DUPLICATE_SEQUENCE_NUMBER',
          `Producer ${pid} sent sequences ${b.baseSequence}-${batchLastSeq} of epoch ${b.producerEpoch} again to ` +
            `${this.describe()}, which holds its sequences up to ${lastSeq}: the batch was written before ` +
            '(its offsets are no longer retained). Nothing was appended.',
        );
      }
      throw new ApiError(
        'OUT_OF_ORDER_SEQUENCE_NUMBER',
        `Out of order sequence number for producer ${pid} in ${this.describe()}: ${b.baseSequence} (incoming), ` +
          `${lastSeq} (current end sequence): the batches in between were not written. The batch was not appended.`,
      );
    }
  }

  /**
   * Checks a coordinator's data batch of producer `b.producerId` (transactional offsets): only its epoch, which must
   * not be older than the producer's (INVALID_PRODUCER_EPOCH); coordinators write no sequences.
   */
  checkProducerEpoch(b: BatchInfo): void {
    const entry = this.producers.get(b.producerId);
    if (entry !== undefined && b.producerEpoch < entry.producerEpoch) {
      throw new ApiError(
        'INVALID_PRODUCER_EPOCH',
        `Producer ${b.producerId} wrote with epoch ${b.producerEpoch} to ${this.describe()}, older than its current ` +
          `epoch ${entry.producerEpoch}: a newer epoch of this producer has written since. Nothing was appended.`,
      );
    }
  }

  /**
   * Checks a transaction marker `marker` the coordinator has the leader write for batch `b`'s producer (see the class
   * comment). Throws ApiError INVALID_PRODUCER_EPOCH or TRANSACTION_COORDINATOR_FENCED.
   */
  checkMarker(b: BatchInfo, marker: ControlRecord): void {
    const entry = this.producers.get(b.producerId);
    if (entry === undefined) return;
    if (b.producerEpoch < entry.producerEpoch) {
      throw new ApiError(
        'INVALID_PRODUCER_EPOCH',
        `The ${markerName(marker)} marker for producer ${b.producerId} in ${this.describe()} has epoch ` +
          `${b.producerEpoch}, older than the producer's current epoch ${entry.producerEpoch}; it was not written.`,
      );
    }
    if (marker.coordinatorEpoch < entry.coordinatorEpoch) {
      throw new ApiError(
        'TRANSACTION_COORDINATOR_FENCED',
        `The ${markerName(marker)} marker for producer ${b.producerId} in ${this.describe()} comes from coordinator ` +
          `epoch ${marker.coordinatorEpoch}, older than ${entry.coordinatorEpoch} of the last marker: a zombie ` +
          'coordinator wrote it. It was not written.',
      );
    }
  }

  // ---- updates ----

  /**
   * Records the batch at `pos` of `buf` (already written, ending at `lastOffset`) if it has a producer id, and
   * returns the transaction it completed when it is a marker (see the class comment). An append by replication whose
   * epoch goes backwards is logged and applied, as Kafka does; client batches and markers were checked first. Reads
   * the header only, except for a control batch, which must be whole in `buf` (its one record is the marker).
   */
  updateFromBatch(buf: Buffer, pos: number, lastOffset: number, origin: AppendOrigin): CompletedTxn | null {
    const producerId = readInt64(buf, pos + PRODUCER_ID_OFFSET);
    if (producerId < 0) return null;
    const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
    const epoch = buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET);
    const offsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
    let entry = this.producers.get(producerId);
    if (entry === undefined) {
      entry = new ProducerStateEntry(producerId);
      this.producers.set(producerId, entry);
    } else if (origin === 'Replication' && epoch < entry.producerEpoch) {
      this.logger.warn(
        { producerId, epoch, currentEpoch: entry.producerEpoch, offset: lastOffset - offsetDelta },
        'replicated batch of a producer has an epoch older than the last seen one',
      );
    }
    const timestamp = readInt64(buf, pos + MAX_TIMESTAMP_OFFSET);
    if ((attributes & CONTROL_FLAG_MASK) !== 0) return this.applyMarker(entry, buf, pos, epoch, lastOffset, timestamp);
    entry.addBatch(
      epoch,
      incrementSequence(buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET), offsetDelta),
      lastOffset,
      offsetDelta,
      timestamp,
    );
    if ((attributes & TRANSACTIONAL_FLAG_MASK) !== 0 && entry.currentTxnFirstOffset < 0) {
      const firstOffset = lastOffset - offsetDelta;
      entry.currentTxnFirstOffset = firstOffset;
      insertByFirstOffset(this.ongoingTxns, { producerId, firstOffset, lastOffset: -1 });
    }
    return null;
  }

  /**
   * The last stable offset right after `completed` is done (Kafka's `lastStableOffset(completedTxn)`): the first
   * offset of the oldest other transaction still open, else the offset after the marker. Stored in the `.txnindex`.
   */
  lastStableOffset(completed: CompletedTxn): number {
    const next = this.ongoingTxns.find((t) => t.producerId !== completed.producerId);
    return next !== undefined ? next.firstOffset : completed.lastOffset + 1;
  }

  /** Moves a completed transaction from the open ones to those waiting for the high watermark to pass its marker. */
  completeTxn(completed: CompletedTxn): void {
    const i = this.ongoingTxns.findIndex((t) => t.firstOffset === completed.firstOffset);
    if (i < 0) {
      this.logger.warn({ ...completed }, 'completed a transaction that was not open here; ignored');
      return;
    }
    const [txn] = this.ongoingTxns.splice(i, 1);
    txn!.lastOffset = completed.lastOffset;
    insertByFirstOffset(this.unreplicatedTxns, txn!);
  }

  /** The high watermark moved to `highWatermark`: completed transactions whose marker is below it are stable. */
  onHighWatermarkUpdated(highWatermark: number): void {
    removeWhere(this.unreplicatedTxns, (t) => t.lastOffset < highWatermark);
  }

  /** First offset of the oldest transaction open or completed above the high watermark; undefined when none. */
  get firstUnstableOffset(): number | undefined {
    const open = this.ongoingTxns[0]?.firstOffset;
    const unreplicated = this.unreplicatedTxns[0]?.firstOffset;
    if (open === undefined) return unreplicated;
    return unreplicated === undefined ? open : Math.min(open, unreplicated);
  }

  /** Transactions open here: producer id and first offset, oldest first. */
  get openTransactions(): readonly { producerId: number; firstOffset: number }[] {
    return this.ongoingTxns;
  }

  private applyMarker(
    entry: ProducerStateEntry,
    buf: Buffer,
    pos: number,
    epoch: number,
    offset: number,
    timestamp: number,
  ): CompletedTxn | null {
    if (buf.readInt32BE(pos + RECORD_COUNT_OFFSET) === 0) {
      // The cleaner emptied this marker (its transaction is gone from the log): it only keeps the producer's epoch.
      entry.maybeUpdateProducerEpoch(epoch);
      return null;
    }
    const marker = new BatchView(buf, pos).controlRecord();
    const completed =
      entry.currentTxnFirstOffset >= 0
        ? {
            producerId: entry.producerId,
            firstOffset: entry.currentTxnFirstOffset,
            lastOffset: offset,
            isAborted: marker.type === ControlRecordType.Abort,
          }
        : null;
    entry.maybeUpdateProducerEpoch(epoch);
    entry.currentTxnFirstOffset = -1;
    entry.coordinatorEpoch = marker.coordinatorEpoch;
    entry.lastTimestamp = timestamp;
    return completed;
  }

  updateMapEndOffset(offset: number): void {
    this.lastMapOffset = offset;
  }

  /** Drops producers idle for producerIdExpirationMs (see the class comment); returns how many. */
  removeExpiredProducers(nowMs: number): number {
    let removed = 0;
    for (const [id, entry] of this.producers) {
      if (this.isExpired(nowMs, entry)) {
        this.producers.delete(id);
        removed++;
      }
    }
    return removed;
  }

  // ---- snapshots, truncation, log start ----

  /**
   * Writes `<mapEndOffset>.snapshot` unless a snapshot at that offset or later exists (Kafka's rule: only a new
   * offset is worth a snapshot). The fdatasync runs in the threadpool; see `flushSnapshots`.
   */
  takeSnapshot(): void {
    if (this.lastMapOffset <= this.lastSnapOffset) return;
    const offset = this.lastMapOffset;
    const file = producerSnapshotFilePath(this.dir, offset);
    fs.writeFileSync(file, encodeProducerSnapshot(this.producers.values()));
    this.snapshots = this.snapshots.filter((o) => o !== offset);
    this.snapshots.push(offset);
    this.snapshots.sort((a, b) => a - b);
    this.lastSnapOffset = offset;
    this.logger.debug({ offset, producers: this.producers.size }, 'wrote producer snapshot');
    this.snapshotSyncs = this.snapshotSyncs.then(() => this.syncFile(file));
  }

  /** Resolves once every snapshot written so far is on disk (failures are logged: a lost snapshot costs a replay). */
  flushSnapshots(): Promise<void> {
    return this.snapshotSyncs;
  }

  /**
   * Deletes the snapshots above `logEndOffset` or at or below `logStartOffset` and, unless the state already ends at
   * `logEndOffset`, reloads it from the newest remaining snapshot (see the class comment) at or below `reloadAt` (a
   * log rebuilding transaction indexes from there asks for an older state). The caller then replays the log from
   * `mapEndOffset` to `logEndOffset`.
   */
  truncateAndReload(logStartOffset: number, logEndOffset: number, nowMs: number, reloadAt = logEndOffset): void {
    for (const offset of [...this.snapshots]) {
      if (offset > logEndOffset || offset <= logStartOffset) this.removeAndDeleteSnapshot(offset);
    }
    if (logEndOffset !== this.lastMapOffset || reloadAt !== logEndOffset) {
      this.clear();
      this.loadFromSnapshot(logStartOffset, nowMs, reloadAt);
    } else {
      this.onLogStartOffsetIncremented(logStartOffset);
    }
  }

  /** Forgets every producer and snapshot; the state restarts empty at `offset` (the log was emptied). */
  truncateFullyAndStartAt(offset: number): void {
    this.clear();
    for (const s of [...this.snapshots]) this.removeAndDeleteSnapshot(s);
    this.lastSnapOffset = 0;
    this.lastMapOffset = offset;
  }

  /**
   * The log start moved up (retention, DeleteRecords): snapshots below it go; producers stay until they expire
   * (Kafka 2.5+'s `truncateHead`).
   */
  onLogStartOffsetIncremented(logStartOffset: number): void {
    removeWhere(this.unreplicatedTxns, (t) => t.lastOffset < logStartOffset);
    if (this.lastMapOffset < logStartOffset) this.lastMapOffset = logStartOffset;
    this.deleteSnapshotsBefore(logStartOffset);
    this.lastSnapOffset = this.latestSnapshotOffset ?? logStartOffset;
  }

  deleteSnapshotsBefore(offset: number): void {
    for (const s of [...this.snapshots]) if (s < offset) this.removeAndDeleteSnapshot(s);
  }

  /**
   * Deletes snapshots that belong to no segment (left by truncations), keeping the newest one when it is above
   * every segment's base offset (the one a clean shutdown wrote at the log end).
   */
  removeStraySnapshots(segmentBaseOffsets: readonly number[]): void {
    const bases = new Set(segmentBaseOffsets);
    const maxBase = segmentBaseOffsets.length > 0 ? Math.max(...segmentBaseOffsets) : -1;
    const strays = this.snapshots.filter((o) => !bases.has(o));
    const newest = strays[strays.length - 1];
    for (const o of strays) if (o !== newest || o < maxBase) this.removeAndDeleteSnapshot(o);
  }

  /** Follows a rename of the partition directory. */
  updateParentDir(dir: string): void {
    this.dir = dir;
  }

  private clear(): void {
    this.producers.clear();
    this.ongoingTxns.length = 0;
    this.unreplicatedTxns.length = 0;
  }

  private loadFromSnapshot(logStartOffset: number, nowMs: number, maxOffset: number): void {
    for (;;) {
      const offset = this.snapshots.filter((o) => o <= maxOffset).pop();
      if (offset === undefined) {
        this.lastSnapOffset = logStartOffset;
        this.lastMapOffset = logStartOffset;
        return;
      }
      const file = producerSnapshotFilePath(this.dir, offset);
      try {
        for (const e of decodeProducerSnapshot(fs.readFileSync(file), file)) {
          const entry = new ProducerStateEntry(e.producerId);
          entry.producerEpoch = e.producerEpoch;
          entry.coordinatorEpoch = e.coordinatorEpoch;
          entry.currentTxnFirstOffset = e.currentTxnFirstOffset;
          entry.lastTimestamp = e.timestamp;
          if (e.lastOffset >= 0)
            entry.addBatch(e.producerEpoch, e.lastSequence, e.lastOffset, e.offsetDelta, e.timestamp);
          if (this.isExpired(nowMs, entry)) continue;
          this.producers.set(e.producerId, entry);
          if (entry.currentTxnFirstOffset >= 0) {
            insertByFirstOffset(this.ongoingTxns, {
              producerId: e.producerId,
              firstOffset: entry.currentTxnFirstOffset,
              lastOffset: -1,
            });
          }
        }
        this.lastSnapOffset = offset;
        this.lastMapOffset = offset;
        this.logger.debug({ file, producers: this.producers.size }, 'loaded producer state from snapshot');
        return;
      } catch (e) {
        if (!(e instanceof CorruptSnapshotError) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        this.logger.warn({ err: e, file }, 'could not load producer snapshot; deleting it and trying an older one');
        this.clear();
        this.removeAndDeleteSnapshot(offset);
      }
    }
  }

  private isExpired(nowMs: number, entry: ProducerStateEntry): boolean {
    return entry.currentTxnFirstOffset < 0 && nowMs - entry.lastTimestamp >= this.producerIdExpirationMs;
  }

  private removeAndDeleteSnapshot(offset: number): void {
    this.snapshots = this.snapshots.filter((o) => o !== offset);
    fs.rmSync(producerSnapshotFilePath(this.dir, offset), { force: true });
  }

  private async syncFile(file: string): Promise<void> {
    try {
      const handle = await fs.promises.open(file, 'r+');
      try {
        await handle.datasync();
      } finally {
        await handle.close();
      }
    } catch (e) {
      // Deleted meanwhile (a truncation or retention) is fine; anything else costs a replay after a crash.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warn({ err: e, file }, 'could not fsync producer snapshot');
    }
  }

  private listSnapshotOffsets(): number[] {
    if (!fs.existsSync(this.dir)) return [];
    const offsets: number[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (!name.endsWith(PRODUCER_SNAPSHOT_FILE_SUFFIX)) continue;
      const offset = offsetFromFileName(name);
      if (offset !== undefined && name.length === 20 + PRODUCER_SNAPSHOT_FILE_SUFFIX.length) offsets.push(offset);
    }
    return offsets.sort((a, b) => a - b);
  }

  private describe(): string {
    return `partition ${tpKey(this.topicPartition.topic, this.topicPartition.partition)}`;
  }
}

/** Inserts `txn` keeping `list` ascending by first offset (appends are the usual case: offsets grow). */
function insertByFirstOffset(list: TxnMetadata[], txn: TxnMetadata): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.firstOffset > txn.firstOffset) i--;
  list.splice(i, 0, txn);
}

function removeWhere<T>(list: T[], predicate: (item: T) => boolean): void {
  let kept = 0;
  for (const item of list) if (!predicate(item)) list[kept++] = item;
  list.length = kept;
}

const markerName = (marker: ControlRecord): string => (marker.type === ControlRecordType.Abort ? 'ABORT' : 'COMMIT');

/**
 * Whether the batch [first, last] lies wholly at or before sequence `end`, in sequence space (wrapping after
 * MAX_SEQUENCE): `last` is at most half the space behind `end`, and `first` is not past `last`.
 */
function isAtOrBefore(first: number, last: number, end: number): boolean {
  const space = MAX_SEQUENCE + 1;
  const behind = (from: number, to: number) => (((to - from) % space) + space) % space;
  return behind(last, end) < space / 2 && behind(first, last) <= behind(first, end);
}

/** Whether `next` follows `last` (wrapping after MAX_SEQUENCE). */
function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === MAX_SEQUENCE);
}
