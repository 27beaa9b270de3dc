/**
 * The producer's `buffer.memory` budget (the accounting half of Kafka's `BufferPool`; the bytes themselves live in
 * each batch's builder): batches reserve bytes when they are created and release them when they complete.
 *
 * Invariants: `availableBytes` never goes below 0 nor above `totalBytes`. Waiters are served first come, first
 * served: while one waits, `tryReserve` refuses even a request that would fit, so a stream of small reservations
 * cannot starve a large one.
 * Concurrency: all on the event loop; `reserve()` may be awaited by many senders at once.
 * Lifecycle: one per producer; `close()` rejects every waiter.
 */
import { IllegalStateError, InvalidArgumentError, TimeoutError } from '../../common/errors.js';
import type { Time } from '../../common/time.js';

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class MemoryPool {
  private available: number;
  private readonly waiters: Waiter[] = [];
  private closedError: Error | null = null;

  constructor(
    readonly totalBytes: number,
    private readonly time: Time,
  ) {
    this.available = totalBytes;
  }

  get availableBytes(): number {
    return this.available;
  }

  /** Whether some reservation is waiting for memory (the sender then sends what it has at once). */
  get exhausted(): boolean {
    return this.waiters.length > 0;
  }

  /** Reserves at once if the bytes are free and nobody waits; returns false otherwise. */
  tryReserve(bytes: number): boolean {
    if (this.waiters.length > 0 || bytes > this.available) return false;
    this.available -= bytes;
    return true;
  }

  /**
   * Reserves `bytes`, waiting up to `maxBlockMs` for completed batches to release memory. Rejects with
   * TimeoutError when the time runs out, InvalidArgumentError when `bytes` exceeds the whole pool.
   */
  reserve(bytes: number, maxBlockMs: number): Promise<void> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    if (bytes > this.totalBytes) {
      return Promise.reject(
        new InvalidArgumentError(
          `A batch of ${bytes} bytes cannot fit in buffer.memory ` +
            `(${this.totalBytes} bytes); raise 'buffer.memory' or send smaller records.`,
        ),
      );
    }
    if (this.tryReserve(bytes)) return Promise.resolve();
    const startMs = this.time.hiResMs();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(
            new TimeoutError(
              `Failed to allocate ${bytes} bytes of buffer memory within max.block.ms ` +
                `(${Math.round(this.time.hiResMs() - startMs)} ms): records are produced faster than the brokers accept ` +
                `them. Raise 'buffer.memory' or 'max.block.ms', or slow down.`,
            ),
          );
          this.serveWaiters();
        }, maxBlockMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Returns bytes to the pool and serves waiters in order. */
  release(bytes: number): void {
    this.available += bytes;
    if (this.available > this.totalBytes) {
      throw new IllegalStateError(`MemoryPool released more than it reserved: ${this.available} > ${this.totalBytes}.`);
    }
    this.serveWaiters();
  }

  /** Rejects every waiter with `error` and every later `reserve()`. */
  close(error: Error): void {
    this.closedError = error;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0 && this.waiters[0]!.bytes <= this.available) {
      const waiter = this.waiters.shift()!;
      clearTimeout(waiter.timer);
      this.available -= waiter.bytes;
      waiter.resolve();
    }
  }
}
