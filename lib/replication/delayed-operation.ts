/**
 * An operation that completes later (Kafka's `DelayedOperation`): a produce waiting for replication, a fetch
 * waiting for data. A purgatory parks it under keys (partitions); whenever something changes for a key, the
 * purgatory calls `tryComplete()`, which checks the operation's condition and calls `forceComplete()` when it
 * holds. If the deadline passes first, the purgatory force-completes it and then calls `onExpiration()`.
 *
 * Invariants: `onComplete()` runs exactly once, whichever path completes the operation (condition, expiry,
 * purgatory shutdown); after it, the operation is out of every watch list and of the timer.
 * Concurrency: single event loop; nothing awaits inside these methods, so a check and its completion never
 * interleave with another.
 */
export abstract class DelayedOperation {
  private completed = false;
  /** Set by the purgatory that parks the operation: removes it from its watch lists and its timer. */
  private release: (() => void) | undefined;

  /** `delayMs`: how long the operation may wait before it expires. */
  constructor(readonly delayMs: number) {}

  get isCompleted(): boolean {
    return this.completed;
  }

  /**
   * Completes the operation unless it already is; returns true if this call completed it. Subclasses call it from
   * `tryComplete()` when their condition holds.
   */
  forceComplete(): boolean {
    if (this.completed) return false;
    this.completed = true;
    this.release?.();
    this.release = undefined;
    this.onComplete();
    return true;
  }

  /** Checks the condition; completes (through forceComplete) and returns true when it holds. */
  abstract tryComplete(): boolean;

  /** Produces the result; runs once. */
  protected abstract onComplete(): void;

  /** Called after an expiry completed the operation (onComplete has run). */
  onExpiration(): void {}

  /** For the purgatory: how to take the operation out of its structures once it completes. */
  setRelease(release: () => void): void {
    this.release = release;
  }
}
