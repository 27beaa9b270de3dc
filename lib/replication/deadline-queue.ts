/**
 * A cheap timer for many delayed operations (the role of Kafka's SystemTimer/TimingWheel): items are grouped in
 * buckets by deadline (rounded up to `tickMs`), bucket deadlines sit in a binary min-heap, and ONE unref'd
 * setTimeout is armed for the earliest bucket. Adding and removing an item are O(1) (plus O(log n) for a new
 * bucket); cancelled items leave their bucket immediately, so completed operations are not retained until their
 * deadline. An empty bucket's heap entry is dropped lazily when it comes up.
 *
 * Time: deadlines are on `time.hiResMs()` (monotonic). `expireDue()` expires everything due now; the timer calls
 * it, and specs driving a MockTime call it directly after advancing the clock.
 * Concurrency: single event loop; `onExpire` runs synchronously from expireDue and may add or remove items.
 * Ownership: the purgatory owns it; `close()` cancels the timer (items stay, nothing expires afterwards).
 */
import type { Time } from '../common/time.js';

export class DeadlineQueue<T> {
  private readonly buckets = new Map<number, Set<T>>();
  private readonly bucketOf = new Map<T, number>();
  private readonly heap: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerDueMs = Infinity;
  private closed = false;

  constructor(
    private readonly time: Time,
    private readonly onExpire: (item: T) => void,
    private readonly tickMs = 1,
  ) {}

  get size(): number {
    return this.bucketOf.size;
  }

  add(item: T, deadlineMs: number): void {
    this.remove(item);
    const key = Math.ceil(deadlineMs / this.tickMs) * this.tickMs;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(key, bucket);
      this.push(key);
    }
    bucket.add(item);
    this.bucketOf.set(item, key);
    if (key < this.timerDueMs) this.arm();
  }

  remove(item: T): void {
    const key = this.bucketOf.get(item);
    if (key === undefined) return;
    this.bucketOf.delete(item);
    const bucket = this.buckets.get(key)!;
    bucket.delete(item);
    if (bucket.size === 0) this.buckets.delete(key);
  }

  /** Expires every item whose deadline has passed; returns how many. */
  expireDue(): number {
    const now = this.time.hiResMs();
    let expired = 0;
    while (this.heap.length > 0 && this.heap[0]! <= now) {
      const key = this.pop();
      const bucket = this.buckets.get(key);
      if (bucket === undefined) continue;
      this.buckets.delete(key);
      for (const item of bucket) {
        this.bucketOf.delete(item);
        expired++;
        this.onExpire(item);
      }
    }
    this.arm();
    return expired;
  }

  /** Every item still queued, removed from the queue (for shutdown). */
  drain(): T[] {
    const items = [...this.bucketOf.keys()];
    this.buckets.clear();
    this.bucketOf.clear();
    this.heap.length = 0;
    this.arm();
    return items;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueMs = Infinity;
  }

  /** Arms the one timer for the earliest live bucket. */
  private arm(): void {
    while (this.heap.length > 0 && !this.buckets.has(this.heap[0]!)) this.pop();
    const due = this.heap.length > 0 ? this.heap[0]! : Infinity;
    if (due === this.timerDueMs && this.timer !== undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueMs = due;
    if (due === Infinity || this.closed) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDueMs = Infinity;
        this.expireDue();
      },
      Math.max(0, due - this.time.hiResMs()),
    ).unref();
  }

  private push(key: number): void {
    const h = this.heap;
    h.push(key);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (h[parent]! <= key) break;
      h[i] = h[parent]!;
      h[parent] = key;
      i = parent;
    }
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]! < h[m]!) m = l;
        if (r < h.length && h[r]! < h[m]!) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
