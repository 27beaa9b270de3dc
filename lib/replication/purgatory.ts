/**
 * Where delayed operations wait (Kafka's `DelayedOperationPurgatory`): each operation is watched under one or
 * more keys (partition keys, `topic-partition`) and sits in one DeadlineQueue for its expiry.
 *
 * - `tryCompleteElseWatch(op, keys)`: completes the operation now if its condition already holds, else parks it.
 * - `checkAndComplete(key)`: something changed for `key` (HW moved, data appended, leadership changed): every
 *   operation watched under it re-checks its condition.
 * - Expiry: the deadline queue force-completes the operation and then calls its `onExpiration()`.
 *
 * Invariants: a completed operation is in no watch list and not in the timer (it removes itself through the
 * release hook set here, whatever completed it); an empty watch list is removed from the map, so keys of
 * partitions that come and go do not accumulate.
 * Concurrency: single event loop; a check runs to completion without awaiting. Completion callbacks may park
 * or complete other operations.
 * Ownership: the ReplicaManager creates one per kind (produce, consumer fetch, follower fetch) and calls
 * `shutdown()`, which expires every pending operation, and every one offered later, so that no request is left
 * without an answer.
 */
import type { Time } from '../common/time.js';
import { DeadlineQueue } from './deadline-queue.js';
import type { DelayedOperation } from './delayed-operation.js';

export class Purgatory<T extends DelayedOperation> {
  private readonly watchers = new Map<string, Set<T>>();
  private readonly timer: DeadlineQueue<T>;
  private pending = 0;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly time: Time,
  ) {
    this.timer = new DeadlineQueue<T>(time, (op) => {
      if (op.forceComplete()) op.onExpiration();
    });
  }

  /** Operations parked and not yet completed. */
  get delayed(): number {
    return this.pending;
  }

  /** Operations watched under `key`. */
  watched(key: string): number {
    return this.watchers.get(key)?.size ?? 0;
  }

  /**
   * Completes `op` now if it can, else watches it under `keys` until it completes or expires. True if completed.
   * After shutdown nothing waits: an operation that cannot complete expires at once.
   */
  tryCompleteElseWatch(op: T, keys: readonly string[]): boolean {
    if (op.tryComplete()) return true;
    if (this.closed) {
      if (op.forceComplete()) op.onExpiration();
      return true;
    }
    for (const key of keys) {
      let set = this.watchers.get(key);
      if (set === undefined) {
        set = new Set();
        this.watchers.set(key, set);
      }
      set.add(op);
    }
    this.pending++;
    op.setRelease(() => {
      this.pending--;
      this.timer.remove(op);
      for (const key of keys) {
        const set = this.watchers.get(key);
        if (set === undefined) continue;
        set.delete(op);
        if (set.size === 0) this.watchers.delete(key);
      }
    });
    this.timer.add(op, this.time.hiResMs() + op.delayMs);
    return false;
  }

  /** Re-checks every operation watched under `key`; returns how many completed. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (set === undefined) return 0;
    let completed = 0;
    // Completing an operation deletes it from `set` while we iterate, which a Set tolerates.
    for (const op of set) {
      if (op.tryComplete()) completed++;
    }
    return completed;
  }

  /** Expires every operation whose deadline passed (the timer does this by itself; specs with MockTime call it). */
  expireDue(): number {
    return this.timer.expireDue();
  }

  /** Expires every pending operation now and stops the timer. */
  shutdown(): void {
    this.closed = true;
    this.timer.close();
    for (const op of this.timer.drain()) {
      if (op.forceComplete()) op.onExpiration();
    }
  }
}
