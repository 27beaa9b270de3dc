/**
 * The appends of one partition log that are on their way to disk, when the log writes in the threadpool (a broker's
 * logs): a FIFO of segment writes and of tasks that must wait for the writes before them (finishing a segment the log
 * rolled away from). Offsets, positions and index entries are assigned by the append itself, on the event loop; the
 * queue only moves the bytes and reports, in order, when each append is written.
 *
 * Layout: `entries` in append order; at most one write — a run of consecutive entries for the same segment at
 * contiguous positions, coalesced into one pwritev of up to MAX_WRITE_BUFFERS buffers — is in flight, from the head.
 * Invariants:
 * - Entries complete in queue order: the owner hears `onWritten` for an entry only after every entry before it, so
 *   the log end offset it advances never passes a byte that is not in the page cache.
 * - A write that fails completes the entries whose bytes it wrote whole and fails the rest of the queue: the entry it
 *   stopped in gets the storage error, every later one "not written" — exactly the appends not on disk — and the
 *   owner hears `onWriteFailed` once the queue is empty, to roll its assigned end back to its written end.
 * - A task runs once every entry before it is written (at once when the queue is idle), never after a failure.
 * Concurrency: `write` and `task` are called on the event loop by the owning log's append and roll; a completion runs
 * as a threadpool callback, between other events. The buffers of queued entries belong to the queue until they are
 * written (callers must not change them; a produce request's buffer is not touched after its append).
 * Ownership: one per LocalLog, which creates it when its log writes asynchronously and abandons it when the log is
 * deleted; waiters (`awaitWritten`) are the appends' callers.
 * Crash: nothing here survives a crash; an append not yet written was never acknowledged.
 */
import { ApiError } from '../common/errors.js';
import type { LogSegment } from './log-segment.js';
import { MAX_WRITE_BUFFERS } from './segment-io.js';

/** What the owning log learns from its queue. Called synchronously; must not throw. */
export interface LogWriteQueueOwner {
  /** `write` is on disk (in the page cache); called in queue order. */
  onWritten(write: QueuedWrite): void;
  /** A write failed (`error`); the queue is empty now and every append after the last written one was refused. */
  onWriteFailed(error: ApiError): void;
}

/** One append's bytes on their way to a segment. */
export interface QueuedWrite {
  readonly segment: LogSegment;
  readonly records: Buffer;
  /** Position of `records` in the segment file. */
  readonly position: number;
  /** The log end offset once it is written (its last offset + 1). */
  readonly endOffset: number;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

class PendingWrite implements QueuedWrite {
  /** Bytes already written by a short write. */
  done = 0;
  waiters: Waiter[] | null = null;

  constructor(
    readonly segment: LogSegment,
    readonly records: Buffer,
    readonly position: number,
    readonly endOffset: number,
  ) {}

  settle(error: unknown): void {
    const waiters = this.waiters;
    if (waiters === null) return;
    this.waiters = null;
    for (const w of waiters) {
      if (error === undefined) w.resolve();
      else w.reject(error);
    }
  }
}

class PendingTask {
  constructor(readonly run: () => void) {}
}

export class LogWriteQueue {
  private entries: Array<PendingWrite | PendingTask> = [];
  /** Entries of the write in flight, from the head; 0 when none is. */
  private inFlight = 0;
  private abandoned = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly owner: LogWriteQueueOwner,
    private readonly onTaskError: (e: unknown) => void,
  ) {}

  /** Nothing queued or in flight. */
  get idle(): boolean {
    return this.entries.length === 0 && this.inFlight === 0;
  }

  /** Queues `records` for `segment` at `position`; it starts at once when nothing is in flight. */
  write(segment: LogSegment, records: Buffer, position: number, endOffset: number): void {
    this.entries.push(new PendingWrite(segment, records, position, endOffset));
    if (this.inFlight === 0) this.pump();
  }

  /** Runs `run` once every write queued before it is written; at once when the queue is idle. */
  task(run: () => void): void {
    if (this.idle) this.runTask(run);
    else this.entries.push(new PendingTask(run));
  }

  /**
   * Resolves when the append holding `offset` is written; rejects with its KAFKA_STORAGE_ERROR, or the abandoning
   * error. The caller has checked that `offset` is queued (above the written end, below the assigned end).
   */
  awaitWritten(offset: number): Promise<void> {
    // Callers usually wait for the append they just queued: search from the tail.
    let found: PendingWrite | undefined;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (!(e instanceof PendingWrite)) continue;
      if (e.endOffset <= offset) break;
      found = e;
    }
    if (found === undefined) return Promise.resolve();
    const write = found;
    return new Promise((resolve, reject) => (write.waiters ??= []).push({ resolve, reject }));
  }

  /** Resolves once nothing is queued or in flight (successfully or not). */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Drops every queued append (the log is being deleted): their waiters get `error`; a write in flight still completes
   * in the threadpool but reports nothing.
   */
  abandon(error: ApiError): void {
    this.abandoned = true;
    for (const e of this.entries.splice(0)) if (e instanceof PendingWrite) e.settle(error);
    if (this.inFlight === 0) this.settleIdle();
  }

  private pump(): void {
    while (this.inFlight === 0 && !this.abandoned && this.entries.length > 0) {
      const first = this.entries[0]!;
      if (first instanceof PendingTask) {
        this.entries.shift();
        this.runTask(first.run);
        continue;
      }
      const buffers = [first.done > 0 ? first.records.subarray(first.done) : first.records];
      let end = first.position + first.records.length;
      let n = 1;
      while (n < this.entries.length && n < MAX_WRITE_BUFFERS) {
        const e = this.entries[n]!;
        if (!(e instanceof PendingWrite) || e.segment !== first.segment || e.position !== end) break;
        buffers.push(e.records);
        end += e.records.length;
        n++;
      }
      this.inFlight = n;
      first.segment.writeAsync(buffers, first.position + first.done, (error, bytes) => this.completed(error, bytes));
      return;
    }
    if (this.idle) this.settleIdle();
  }

  private completed(error: ApiError | null, bytesWritten: number): void {
    const n = this.inFlight;
    this.inFlight = 0;
    if (this.abandoned) {
      this.settleIdle();
      return;
    }
    let bytes = bytesWritten;
    let written = 0;
    for (; written < n; written++) {
      const e = this.entries[written] as PendingWrite;
      const rest = e.records.length - e.done;
      if (bytes < rest) {
        e.done += bytes;
        break;
      }
      bytes -= rest;
      this.owner.onWritten(e);
      e.settle(undefined);
    }
    this.entries.splice(0, written);
    if (error === null) this.pump();
    else this.fail(error);
  }

  private fail(error: ApiError): void {
    const dropped = this.entries.splice(0);
    const notWritten = new ApiError(
      'KAFKA_STORAGE_ERROR',
      `Not written: an earlier write to the same log failed (${error.message})`,
      { cause: error },
    );
    dropped.forEach((e, i) => {
      if (e instanceof PendingWrite) e.settle(i === 0 ? error : notWritten);
    });
    this.owner.onWriteFailed(error);
    this.settleIdle();
  }

  private runTask(run: () => void): void {
    try {
      run();
    } catch (e) {
      this.onTaskError(e);
    }
  }

  private settleIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
