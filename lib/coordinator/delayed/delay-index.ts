/**
 * The timing wheel of one delay partition (Kafka's hierarchical TimingWheel and RocketMQ's timer log, over the
 * DelayEntryStore): which pending delayed records are due when, in the order they must be delivered, with memory
 * that does not grow with their number.
 *
 * Layout. Time is cut in ticks of `tickMs`. Every pending record is one store entry, linked into exactly one FIFO
 * list (head, tail, count; entries chained by their `next` field):
 * - `late`: records whose tick had already been delivered when they were indexed (deliverAt in the past, or read after
 *   a takeover); delivered first.
 * - level 0, the wheel: one list per tick for the `wheelTicks` ticks from `currentTick` on, in three typed arrays
 *   indexed by `tick % wheelTicks` (about 100 KiB at 4,096 ticks).
 * - level 1, overflow: one list per span of `wheelTicks / 2` ticks beyond the wheel, in a Map keyed by span number
 *   (one key per span that has records: a year at 100 ms ticks is under 80,000 keys however many records).
 * A span is rolled (its entries re-appended into the wheel, in list order) once it lies wholly within the wheel, which
 * happens half a wheel before it starts, a budget of entries at a time (`roll`); `rolledThrough` is the last span
 * rolled. A record goes to `late` if its tick is before `currentTick`, to the wheel if its span was rolled, else to
 * its span's list.
 * Order: entries are indexed in log order, and every list is FIFO, so records of one tick leave in log order: a span
 * is rolled in list order before anything of it goes straight into the wheel (direct appends wait in the span's list
 * while it is being rolled), and records indexed after their tick was delivered go to `late`, which is delivered
 * before any later tick. Records with the same target, key and due time therefore keep the order they were produced
 * in; `late` itself is in log order, not due order (everything in it is overdue).
 * Delivery: `takeDue(now)` hands out `late` and then every tick that has wholly passed (tick end <= now), so no record
 * is handed out before its due time; it never moves into a span that is not rolled yet (it rolls it first).
 * Concurrency: synchronous, on the event loop; one owner (the partition's DelayScheduler).
 */
import { computeIfAbsent } from '../../common/collections.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { DelayEntryStore } from './delay-entry-store.js';

export interface DelayIndexOptions {
  store: DelayEntryStore;
  /** Width of a wheel slot; a record is handed out within one tick after its due time. */
  tickMs: number;
  /** Slots of the wheel, a power of two (the wheel spans tickMs * wheelTicks). */
  wheelTicks: number;
  /** Ticks before this time count as delivered: records due earlier are late. */
  startMs: number;
}

interface List {
  head: number;
  tail: number;
  count: number;
}

/** Pending records due in one tick (`dueMs` is the tick's start), or overdue ones (`dueMs` -1). */
export interface DueSlot {
  dueMs: number;
  records: number;
}

export class DelayIndex {
  readonly tickMs: number;
  private readonly store: DelayEntryStore;
  private readonly wheelTicks: number;
  private readonly mask: number;
  private readonly spanTicks: number;
  private readonly heads: Float64Array;
  private readonly tails: Float64Array;
  private readonly counts: Float64Array;
  private readonly spans = new Map<number, List>();
  private readonly late: List = { head: -1, tail: -1, count: 0 };
  /** Pending records per target id. */
  private readonly perTarget = new Map<number, number>();
  private nextTick: number;
  private rolledThrough: number;
  private total = 0;

  constructor(opts: DelayIndexOptions) {
    const { wheelTicks, tickMs } = opts;
    if (!Number.isInteger(wheelTicks) || wheelTicks < 2 || (wheelTicks & (wheelTicks - 1)) !== 0) {
      throw new InvalidArgumentError(`A delay wheel needs a power of two of at least 2 slots; got ${wheelTicks}.`);
    }
    if (!Number.isInteger(tickMs) || tickMs < 1) {
      throw new InvalidArgumentError(`A delay wheel tick must be a whole number of ms >= 1; got ${tickMs}.`);
    }
    this.store = opts.store;
    this.tickMs = tickMs;
    this.wheelTicks = wheelTicks;
    this.mask = wheelTicks - 1;
    this.spanTicks = wheelTicks / 2;
    this.heads = new Float64Array(wheelTicks).fill(-1);
    this.tails = new Float64Array(wheelTicks).fill(-1);
    this.counts = new Float64Array(wheelTicks);
    this.nextTick = Math.floor(opts.startMs / tickMs);
    this.rolledThrough = Math.floor((this.nextTick + wheelTicks) / this.spanTicks) - 1;
  }

  /** Records indexed and not handed out. */
  get pending(): number {
    return this.total;
  }

  /** Every record due before this time has been handed out. */
  get deliveredBeforeMs(): number {
    return this.nextTick * this.tickMs;
  }

  /** Pending records per target id. */
  pendingPerTarget(): ReadonlyMap<number, number> {
    return this.perTarget;
  }

  /** Indexes a record (the next one in log order). */
  insert(offset: number, dueMs: number, targetId: number): void {
    const tick = Math.floor(dueMs / this.tickMs);
    const entry = this.store.append(offset, dueMs, targetId);
    if (tick < this.nextTick) this.push(this.late, entry);
    else if (this.spanOf(tick) <= this.rolledThrough) this.pushTick(tick, entry);
    else this.push(computeIfAbsent(this.spans, this.spanOf(tick), emptyList), entry);
    this.total++;
    this.perTarget.set(targetId, (this.perTarget.get(targetId) ?? 0) + 1);
  }

  /**
   * Removes and returns (as store entries, in delivery order) up to `max` records that are due at `nowMs`: the late
   * ones, then those of every tick that ended at or before `nowMs`. The caller reads them with `store` and releases
   * them once delivered.
   */
  takeDue(nowMs: number, max: number): number[] {
    const out: number[] = [];
    while (out.length < max && this.late.count > 0) out.push(this.shift(this.late));
    const endTick = Math.floor(nowMs / this.tickMs);
    while (out.length < max && this.nextTick < endTick) {
      if (this.spanOf(this.nextTick) > this.rolledThrough) {
        this.roll(Infinity);
        continue;
      }
      const slot = this.nextTick & this.mask;
      if (this.counts[slot] === 0) {
        this.nextTick++;
        continue;
      }
      while (out.length < max && this.counts[slot]! > 0) out.push(this.shiftTick(slot));
      if (this.counts[slot] === 0) this.nextTick++;
    }
    for (const entry of out) {
      const target = this.store.targetId(entry);
      const left = this.perTarget.get(target)! - 1;
      if (left === 0) this.perTarget.delete(target);
      else this.perTarget.set(target, left);
    }
    this.total -= out.length;
    return out;
  }

  /**
   * Rolls spans that now lie wholly within the wheel into it, at most `budget` entries; returns the entries moved.
   * Call it between deliveries so that rolling a large span never holds the event loop for long.
   */
  roll(budget: number): number {
    let moved = 0;
    for (;;) {
      const next = this.rolledThrough + 1;
      if ((next + 1) * this.spanTicks > this.nextTick + this.wheelTicks) return moved;
      const span = this.spans.get(next);
      while (span !== undefined && span.count > 0) {
        if (moved >= budget) return moved;
        const old = this.shift(span);
        const fresh = this.store.append(this.store.offset(old), this.store.dueMs(old), this.store.targetId(old));
        this.store.release(old);
        this.pushTick(Math.floor(this.store.dueMs(fresh) / this.tickMs), fresh);
        moved++;
      }
      this.spans.delete(next);
      this.rolledThrough = next;
    }
  }

  /** The smallest offset of any pending record, or null when none is pending. */
  lowestPendingOffset(): number | null {
    let lowest = Infinity;
    const consider = (head: number) => {
      if (head >= 0) lowest = Math.min(lowest, this.store.offset(head));
    };
    consider(this.late.head);
    for (let slot = 0; slot < this.wheelTicks; slot++) if (this.counts[slot]! > 0) consider(this.heads[slot]!);
    for (const span of this.spans.values()) consider(span.head);
    return lowest === Infinity ? null : lowest;
  }

  /**
   * The first `limit` non-empty slots in due order: overdue records (dueMs -1), then ticks of the wheel, then spans
   * beyond it (dueMs = the span's start; its records are due within `tickMs * wheelTicks / 2` from there).
   */
  nextDue(limit: number): DueSlot[] {
    const out: DueSlot[] = [];
    if (this.late.count > 0) out.push({ dueMs: -1, records: this.late.count });
    for (let tick = this.nextTick; tick < this.nextTick + this.wheelTicks && out.length < limit; tick++) {
      const count = this.counts[tick & this.mask]!;
      if (count > 0) out.push({ dueMs: tick * this.tickMs, records: count });
    }
    for (const span of [...this.spans.keys()].sort((a, b) => a - b)) {
      if (out.length >= limit) break;
      out.push({ dueMs: span * this.spanTicks * this.tickMs, records: this.spans.get(span)!.count });
    }
    return out.slice(0, limit);
  }

  /**
   * The earliest due time of each target id in `targets` (those with pending records), by walking the lists in due
   * order until every one was seen. Costs up to one read per pending entry; for describe calls, not the hot path.
   */
  earliestDue(targets: ReadonlySet<number>): Map<number, number> {
    const found = new Map<number, number>();
    /** Visits one list whole (its records are not in due order); true once every target was seen. */
    const visit = (head: number): boolean => {
      for (let e = head; e >= 0; e = this.store.next(e)) {
        const target = this.store.targetId(e);
        if (!targets.has(target)) continue;
        const due = this.store.dueMs(e);
        if (!found.has(target) || due < found.get(target)!) found.set(target, due);
      }
      return found.size === targets.size;
    };
    if (visit(this.late.head)) return found;
    for (let tick = this.nextTick; tick < this.nextTick + this.wheelTicks; tick++) {
      const slot = tick & this.mask;
      if (this.counts[slot]! > 0 && visit(this.heads[slot]!)) return found;
    }
    for (const span of [...this.spans.keys()].sort((a, b) => a - b)) {
      if (visit(this.spans.get(span)!.head)) return found;
    }
    return found;
  }

  private spanOf(tick: number): number {
    return Math.floor(tick / this.spanTicks);
  }

  private push(list: List, entry: number): void {
    if (list.tail >= 0) this.store.setNext(list.tail, entry);
    else list.head = entry;
    list.tail = entry;
    list.count++;
  }

  private shift(list: List): number {
    const entry = list.head;
    list.head = this.store.next(entry);
    if (list.head < 0) list.tail = -1;
    list.count--;
    return entry;
  }

  private pushTick(tick: number, entry: number): void {
    const slot = tick & this.mask;
    const tail = this.tails[slot]!;
    if (tail >= 0) this.store.setNext(tail, entry);
    else this.heads[slot] = entry;
    this.tails[slot] = entry;
    this.counts[slot]!++;
  }

  private shiftTick(slot: number): number {
    const entry = this.heads[slot]!;
    const next = this.store.next(entry);
    this.heads[slot] = next;
    if (next < 0) this.tails[slot] = -1;
    this.counts[slot]!--;
    return entry;
  }
}

function emptyList(): List {
  return { head: -1, tail: -1, count: 0 };
}
