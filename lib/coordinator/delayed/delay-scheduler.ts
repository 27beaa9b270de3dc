/**
 * Delivers the delayed records of one `__delayed_records` partition while this broker leads it (in one leader epoch):
 * indexes the partition's log into a timing wheel (DelayIndex over a DelayEntryStore), appends each record to its
 * target partition when it falls due (DeliverySender), and records its progress as cursor records in the same
 * partition, so that the next leader resumes there and the log can be trimmed below what is still pending.
 *
 * Life of one leadership:
 * 1. Load: find the last cursor (searching segments from the newest back, decoding single-record batches only), then
 *    read the log from its start (at most one segment below the oldest record still pending: the previous leader
 *    trimmed the rest) to the last stable offset, indexing every delayed record, while delivering what falls due
 *    (records the cursor says were delivered are skipped, so delivery need not wait for the whole load).
 * 2. Run, once per tick (`tickMs`): index what was appended since (below the last stable offset only, as a
 *    read_committed consumer reads: only replicated records, none of a transaction still open, and records of aborted
 *    transactions skipped), roll overflow spans into the wheel a budget at a time, take what is due
 *    (`takeDue`: nothing before its time), skip what the loaded cursor says was delivered, and deliver the rest; a
 *    round's records go out in wheel order, which keeps records of one target, key and due time in log order.
 * 3. Every `cursorIntervalMs`, after a round that took everything due (while loading, only once the cursor would
 *    cover at least what the one found at the start covers), append a cursor with acks=all (it is a leader append,
 *    so a deposed leader's cursor is never committed), then trim the log to the start of the segment holding the
 *    lowest offset still pending (whole segments go; followers follow the log start offset on their next fetch).
 * The run ends when the partition is no longer led here in the same leader epoch (the manager also stops it), or on
 * `stop()`. Its scratch directory (the entry store) is removed then.
 * Guarantees: every delayed record is delivered at least once, never before its due time: records delivered after
 * the last committed cursor are delivered again by the next leader. Records are not delivered before the
 * partition's last stable offset passes them, and never when their transaction aborted.
 * Concurrency: one loop (`run`); `describe()` may run between its awaits. What a loop round awaits: the log reads of
 * zstd batches, the delivery round, the cursor append; `stop()` and leadership changes interleave there, and the loop
 * re-checks them after each.
 * Crash: nothing but the cursor records is persisted; a broker that dies loses its wheel, and whoever leads next
 * rebuilds it from the log.
 */
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { tpKey } from '../../common/topic-partition.js';
import { ErrorCode, errorNameOf } from '../../common/error-codes.js';
import { RecordBatchBuilder } from '../../record/record-batch-builder.js';
import { CompressionType } from '../../record/record-batch.js';
import { iterateBatches, type BatchView } from '../../record/record-batch-reader.js';
import type { AbortedTxn } from '../../log/transaction-index.js';
import {
  classifyDelayRecord,
  CURSOR_HEADER,
  DELAYED_TOPIC,
  encodeCursor,
  ROUTING_HEADERS,
  type DelayCursor,
} from '../../record/delayed-record.js';
import type { Record } from '../../record/record.js';
import type { Partition } from '../../replication/partition.js';
import { DelayEntryStore } from './delay-entry-store.js';
import { DelayIndex, type DueSlot } from './delay-index.js';
import { DelayLogReader } from './delay-log-reader.js';
import type { DeliveryBatch, DeliverySender } from './delivery-sender.js';

export interface DelaySchedulerConfig {
  /** Wheel tick: records are handed out within one tick after they fall due. */
  tickMs: number;
  /** Slots of the wheel (a power of two). */
  wheelTicks: number;
  /** How often progress is recorded (at most; only when something changed). */
  cursorIntervalMs: number;
  /** Most records delivered in one round. */
  maxRecordsPerRound: number;
  /** Entries a round may roll from overflow spans into the wheel. */
  rollBudget: number;
  /** Bytes of log indexed per round. */
  indexBytesPerRound: number;
  /** Size at which a target's batch is closed and another started in the same round. */
  maxBatchBytes: number;
}

export const DEFAULT_DELAY_SCHEDULER_CONFIG: DelaySchedulerConfig = {
  tickMs: 100,
  wheelTicks: 4096,
  cursorIntervalMs: 1000,
  maxRecordsPerRound: 10_000,
  rollBudget: 50_000,
  indexBytesPerRound: 8 * 1024 * 1024,
  maxBatchBytes: 512 * 1024,
};

export interface DelaySchedulerOptions {
  partition: Partition;
  /** Scratch directory for the wheel's entries; created empty, removed when the run ends. */
  dir: string;
  sender: DeliverySender;
  /** Appends to this partition as its leader with acks=all (ReplicaManager.appendRecords); the error code. */
  appendAsLeader: (records: Buffer) => Promise<number>;
  config: DelaySchedulerConfig;
  time: Time;
  logger: Logger;
}

/** What `mq-admin delayed --describe` shows of one delay partition. */
export interface DelayPartitionDescription {
  partition: number;
  leaderEpoch: number;
  state: 'Loading' | 'Running';
  pending: number;
  delivered: number;
  /** Records skipped because the cursor found at the start said they had been delivered. */
  alreadyDelivered: number;
  /** Records given up on (their target is gone or refused them), and the last reason. */
  dropped: number;
  lastDropReason: string | null;
  /** Records of the delay topic without valid routing headers (never delivered). */
  invalid: number;
  logStartOffset: number;
  indexedUpTo: number;
  highWatermark: number;
  /** Every record due before this time has been delivered. */
  deliveredBeforeMs: number;
  nextDue: DueSlot[];
  targets: { topic: string; partition: number; pending: number; earliestDueMs: number }[];
  /** Bytes of the wheel's entry files. */
  indexBytes: number;
}

/** The figures of a delay partition that cost nothing to read (for the metrics). */
export interface DelayProgress {
  partition: number;
  pending: number;
  /** Every record due before this time has been delivered. */
  deliveredBeforeMs: number;
}

const READ_BYTES = 1024 * 1024;
const NEXT_DUE_SHOWN = 5;
/** Warnings about invalid records are logged for the first few only. */
const INVALID_WARNINGS = 5;

export class DelayScheduler {
  readonly partitionId: number;
  readonly leaderEpoch: number;
  private readonly cfg: DelaySchedulerConfig;
  private readonly log: Logger;
  private readonly store: DelayEntryStore;
  private readonly index: DelayIndex;
  private readonly reader: DelayLogReader;
  private readonly targets: { topic: string; partition: number }[] = [];
  private readonly targetIds = new Map<string, number>();
  private loading = true;
  private stopped = false;
  private indexedUpTo: number;
  /** The newest cursor read from the log: records it covers are skipped. */
  private filter: DelayCursor | null = null;
  private lastCursor: DelayCursor | null = null;
  private lastCursorAtMs = 0;
  /** Records were delivered, skipped or dropped since the last cursor. */
  private progressed = false;
  private stats = { delivered: 0, alreadyDelivered: 0, dropped: 0, invalid: 0 };
  private lastDropReason: string | null = null;
  private wake: (() => void) | null = null;
  /** Resolves when the loop has ended and the scratch directory is gone. */
  readonly done: Promise<void>;

  constructor(private readonly opts: DelaySchedulerOptions) {
    const p = opts.partition;
    this.partitionId = p.partition;
    this.leaderEpoch = p.leaderEpoch;
    this.cfg = opts.config;
    this.log = opts.logger.child({
      component: 'DelayScheduler',
      topicPartition: tpKey(DELAYED_TOPIC, p.partition),
      leaderEpoch: p.leaderEpoch,
    });
    this.store = DelayEntryStore.open(opts.dir);
    this.index = new DelayIndex({
      store: this.store,
      tickMs: this.cfg.tickMs,
      wheelTicks: this.cfg.wheelTicks,
      startMs: opts.time.milliseconds(),
    });
    this.reader = new DelayLogReader(p.log, READ_BYTES);
    this.indexedUpTo = p.log.logStartOffset;
    this.done = this.run()
      .catch((err: unknown) => this.log.error({ err }, 'delayed delivery stopped on an unexpected error'))
      .finally(() => this.store.close());
  }

  /** Ends the run after the current step; `done` resolves once it has. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  progress(): DelayProgress {
    return {
      partition: this.partitionId,
      pending: this.index.pending,
      deliveredBeforeMs: this.index.deliveredBeforeMs,
    };
  }

  describe(): DelayPartitionDescription {
    const log = this.opts.partition.log;
    const perTarget = this.index.pendingPerTarget();
    const earliest = this.index.earliestDue(new Set(perTarget.keys()));
    return {
      partition: this.partitionId,
      leaderEpoch: this.leaderEpoch,
      state: this.loading ? 'Loading' : 'Running',
      pending: this.index.pending,
      ...this.stats,
      lastDropReason: this.lastDropReason,
      logStartOffset: log.logStartOffset,
      indexedUpTo: this.indexedUpTo,
      highWatermark: log.highWatermark,
      deliveredBeforeMs: this.index.deliveredBeforeMs,
      nextDue: this.index.nextDue(NEXT_DUE_SHOWN),
      targets: [...perTarget].map(([id, pending]) => ({
        ...this.targets[id]!,
        pending,
        earliestDueMs: earliest.get(id) ?? -1,
      })),
      indexBytes: this.store.sizeInBytes,
    };
  }

  private get leading(): boolean {
    const p = this.opts.partition;
    return !this.stopped && p.isLeader && p.leaderEpoch === this.leaderEpoch;
  }

  private async run(): Promise<void> {
    const started = this.opts.time.hiResMs();
    const log = this.opts.partition.log;
    const backlogEnd = log.lastStableOffset;
    this.filter = await this.findLastCursor(log.highWatermark);
    this.lastCursor = this.filter;
    this.log.info(
      { logStartOffset: this.indexedUpTo, lastStableOffset: backlogEnd, cursor: this.filter },
      'loading delayed records (delivering what falls due meanwhile)',
    );
    while (this.leading) {
      const lso = log.lastStableOffset;
      await this.indexNew(lso);
      if (this.loading && this.indexedUpTo >= backlogEnd) {
        this.loading = false;
        this.log.info(
          {
            pending: this.index.pending,
            indexedUpTo: this.indexedUpTo,
            ms: Math.round(this.opts.time.hiResMs() - started),
          },
          'loaded delayed records',
        );
      }
      this.index.roll(this.cfg.rollBudget);
      const due = this.index.takeDue(this.opts.time.milliseconds(), this.cfg.maxRecordsPerRound);
      if (due.length > 0) await this.deliverRound(due);
      // A round that took everything due leaves nothing due behind: a cursor may say so, even while indexing catches up.
      const allDueTaken = due.length < this.cfg.maxRecordsPerRound;
      if (allDueTaken && this.leading) await this.maybeWriteCursor();
      if (!allDueTaken || this.indexedUpTo < lso) await yieldToEventLoop();
      else await this.sleepUntilNextTick();
    }
    this.log.info({ pending: this.index.pending, ...this.stats }, 'stopped delivering delayed records');
  }

  /**
   * The last cursor below `hw`, found before indexing so that delivery can start at once: segments are searched from
   * the newest back, and within one only single-record batches are decoded (a cursor is appended alone; producers'
   * batches of delayed records are walked by their headers only). Null when the log holds none.
   */
  private async findLastCursor(hw: number): Promise<DelayCursor | null> {
    const log = this.opts.partition.log;
    const segments = log.segments;
    for (let i = segments.length - 1; i >= 0; i--) {
      const from = Math.max(segments[i]!.baseOffset, log.logStartOffset);
      const to = Math.min(i + 1 < segments.length ? segments[i + 1]!.baseOffset : hw, hw);
      let found: DelayCursor | null = null;
      for (let offset = from; offset < to;) {
        const read = log.read(offset, READ_BYTES, { maxOffset: to, minOneBatch: true });
        if (read.records.length === 0) break;
        for (const batch of iterateBatches(read.records)) {
          if (batch.recordCount === 1 && !batch.isControl && batch.baseOffset >= from) {
            const records = batch.compression === CompressionType.Zstd ? await batch.recordsAsync() : batch.records();
            for (const r of records) {
              const kind = classifyDelayRecord(r.headers, r.value);
              if (kind.kind === 'cursor') found = kind.cursor;
            }
          }
          offset = Math.max(offset, batch.nextOffset);
        }
        await yieldToEventLoop();
      }
      if (found !== null) return found;
    }
    return null;
  }

  /**
   * Indexes records from `indexedUpTo` up to `lso` (the last stable offset), at most indexBytesPerRound of log;
   * batches of aborted transactions are skipped (looked up only once a transactional batch shows up).
   */
  private async indexNew(lso: number): Promise<void> {
    const log = this.opts.partition.log;
    const start = Math.max(this.indexedUpTo, log.logStartOffset);
    let aborted: AbortedTxn[] | null = null;
    const isAborted = (batch: BatchView): boolean => {
      aborted ??= log.collectAbortedTransactions(start, lso);
      const producerId = Number(batch.producerId);
      return aborted.some(
        (a) => a.producerId === producerId && a.firstOffset <= batch.baseOffset && batch.lastOffset <= a.lastOffset,
      );
    };
    let offset = start;
    let bytes = 0;
    while (offset < lso && bytes < this.cfg.indexBytesPerRound) {
      const read = log.read(offset, READ_BYTES, { maxOffset: lso, minOneBatch: true });
      if (read.records.length === 0) break;
      bytes += read.records.length;
      for (const batch of iterateBatches(read.records)) {
        if (!batch.isControl && batch.lastOffset >= offset && !(batch.isTransactional && isAborted(batch))) {
          const records = batch.compression === CompressionType.Zstd ? await batch.recordsAsync() : batch.records();
          for (const r of records) if (r.offset >= offset) this.indexRecord(r);
        }
        offset = Math.max(offset, batch.nextOffset);
      }
    }
    this.indexedUpTo = offset;
  }

  private indexRecord(r: Record): void {
    const kind = classifyDelayRecord(r.headers, r.value);
    if (kind.kind === 'delayed') {
      const key = tpKey(kind.topic, kind.partition);
      let id = this.targetIds.get(key);
      if (id === undefined) {
        id = this.targets.length;
        this.targets.push({ topic: kind.topic, partition: kind.partition });
        this.targetIds.set(key, id);
      }
      this.index.insert(r.offset, kind.deliverAtMs, id);
    } else if (kind.kind === 'cursor') {
      // Older cursors than the one found at the start say less: keep the newest.
      if (this.filter === null || kind.cursor.indexedUpTo >= this.filter.indexedUpTo) this.filter = kind.cursor;
    } else {
      if (++this.stats.invalid <= INVALID_WARNINGS) {
        this.log.warn({ offset: r.offset, reason: kind.reason }, 'a record of the delay topic cannot be delivered');
      }
    }
  }

  /** Reads the due records back from the log and appends them to their targets; releases their entries. */
  private async deliverRound(entries: readonly number[]): Promise<void> {
    const store = this.store;
    const hw = this.opts.partition.log.highWatermark;
    const builders = new Map<number, { done: Buffer[]; open: RecordBatchBuilder | null; count: number }>();
    for (const e of entries) {
      const offset = store.offset(e);
      const filter = this.filter;
      if (filter !== null && offset < filter.indexedUpTo && store.dueMs(e) <= filter.deliveredThroughMs) {
        this.stats.alreadyDelivered++;
        continue;
      }
      const record = await this.reader.recordAt(offset, hw);
      if (record === null) {
        this.drop(1, `offset ${offset} is no longer in the delay log`);
        continue;
      }
      const target = store.targetId(e);
      let b = builders.get(target);
      if (b === undefined) {
        b = { done: [], open: null, count: 0 };
        builders.set(target, b);
      }
      b.open ??= new RecordBatchBuilder();
      b.open.append(
        record.timestamp,
        record.key,
        record.value,
        record.headers.filter((h) => !ROUTING_HEADERS.has(h.key)),
      );
      b.count++;
      if (b.open.sizeInBytes >= this.cfg.maxBatchBytes) {
        b.done.push(b.open.buildSync());
        b.open = null;
      }
    }
    const batches: DeliveryBatch[] = [...builders].map(([id, b]) => ({
      ...this.targets[id]!,
      records: Buffer.concat(b.open === null ? b.done : [...b.done, b.open.buildSync()]),
      recordCount: b.count,
    }));
    this.progressed = true;
    const outcomes = await this.opts.sender.deliver(batches, () => !this.leading);
    outcomes.forEach((reason, i) => {
      if (reason === null) this.stats.delivered += batches[i]!.recordCount;
      else if (this.leading) this.drop(batches[i]!.recordCount, reason);
    });
    for (const e of entries) store.release(e);
  }

  private drop(count: number, reason: string): void {
    this.stats.dropped += count;
    this.lastDropReason = reason;
    this.log.warn({ records: count, reason }, 'delayed records given up on');
  }

  /** Appends a cursor (when due and something changed) and trims the log below the lowest pending offset. */
  private async maybeWriteCursor(): Promise<void> {
    const nowMs = this.opts.time.hiResMs();
    if (nowMs - this.lastCursorAtMs < this.cfg.cursorIntervalMs) return;
    const cursor: DelayCursor = {
      deliveredThroughMs: this.index.deliveredBeforeMs - 1,
      indexedUpTo: this.indexedUpTo,
      lowWatermark: this.index.lowestPendingOffset() ?? this.indexedUpTo,
    };
    // While loading, a cursor saying less than the one found at the start would make the next leader deliver again
    // what that one says was delivered: wait until this leader's progress covers it.
    const found = this.filter;
    if (
      this.loading &&
      found !== null &&
      (cursor.indexedUpTo < found.indexedUpTo || cursor.deliveredThroughMs < found.deliveredThroughMs)
    ) {
      return;
    }
    const last = this.lastCursor;
    if (!this.progressed && last?.indexedUpTo === cursor.indexedUpTo && last.lowWatermark === cursor.lowWatermark) {
      return;
    }
    this.progressed = false;
    const builder = new RecordBatchBuilder();
    builder.append(this.opts.time.milliseconds(), null, encodeCursor(cursor), [{ key: CURSOR_HEADER, value: '1' }]);
    const code = await this.opts.appendAsLeader(builder.buildSync());
    this.lastCursorAtMs = nowMs;
    if (code !== ErrorCode.NONE) {
      this.progressed = true;
      if (this.leading) this.log.warn({ error: errorNameOf(code) }, 'could not record delivery progress; retrying');
      return;
    }
    this.lastCursor = cursor;
    if (!this.leading) return;
    // Trim whole segments only: the log start moves when a segment can go, not on every cursor.
    const log = this.opts.partition.log;
    let trimTo = log.logStartOffset;
    for (const segment of log.segments) if (segment.baseOffset <= cursor.lowWatermark) trimTo = segment.baseOffset;
    if (trimTo > log.logStartOffset) log.deleteRecordsBefore(trimTo);
  }

  private sleepUntilNextTick(): Promise<void> {
    const tick = this.cfg.tickMs;
    const nowMs = this.opts.time.milliseconds();
    const waitMs = (Math.floor(nowMs / tick) + 1) * tick - nowMs + 1;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.wake = done;
    });
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
