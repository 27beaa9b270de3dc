/**
 * The controller's one event queue (Kafka's `ControllerEventManager`): ZooKeeper watch callbacks, timers and
 * admin calls only `put` typed events here; `process` runs them strictly one at a time in arrival order, so all
 * controller state is mutated by one logical thread even though handlers await ZooKeeper.
 *
 * Layout: a FIFO array with a moving head (compacted when half consumed) plus, for events that make their handler
 * re-read ZooKeeper, a map of coalescing key → waiting event: putting such an event while one with the same key is
 * still waiting folds it into the waiting one (`merge`, by default a no-op), since that one will read the newer
 * state anyway.
 *
 * Invariants: at most one `process` call is running; events start in the order they were put (coalesced events
 * keep the position of the first one); an event that is dropped without running (by `clearAndPut` or `close`) is
 * handed to `preempt` so that callers waiting on it are answered.
 *
 * Concurrency: `put`/`clearAndPut` are synchronous and may be called from anywhere, including from inside
 * `process`. `clearAndPut` cannot stop the event that is running; it drops only the waiting ones.
 *
 * Ownership: the KafkaController owns it; `close()` drops what waits and resolves when the running event ended.
 * Crash: nothing persists; a new controller re-reads ZooKeeper.
 */
import type { Logger } from '../common/logger.js';
import { silentLogger } from '../common/logger.js';
import { SystemTime, type Time } from '../common/time.js';

export interface ControllerEventQueueOptions<E> {
  /** Handles one event; errors it throws are logged and do not stop the queue. */
  process: (event: E) => Promise<void>;
  /** Called for each event dropped without running (Kafka's `preempt`), e.g. to reject a caller's promise. */
  preempt?: (event: E) => void;
  /** Events with equal keys coalesce while waiting; undefined = never coalesce this event. */
  coalesceKey?: (event: E) => string | undefined;
  /** Folds an incoming event into the waiting one with the same key. @default drops the incoming event */
  merge?: (waiting: E, incoming: E) => void;
  /** Used to name events in logs. */
  describe?: (event: E) => string;
  logger?: Logger;
  /** Measures how long each event took (logged at debug). @default SystemTime */
  time?: Time;
}

const COMPACT_AT = 1024;

export class ControllerEventQueue<E> {
  private readonly opts: ControllerEventQueueOptions<E>;
  private readonly log: Logger;
  private readonly time: Time;
  private events: E[] = [];
  private head = 0;
  private readonly waitingByKey = new Map<string, E>();
  private running: Promise<void> | undefined;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: ControllerEventQueueOptions<E>) {
    this.opts = opts;
    this.log = (opts.logger ?? silentLogger).child({ component: 'ControllerEventQueue' });
    this.time = opts.time ?? SystemTime;
  }

  /** Events waiting to run (not counting the running one). */
  get size(): number {
    return this.events.length - this.head;
  }

  /** True while an event is being processed. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Appends an event, or folds it into a waiting event with the same coalescing key. After close: preempted. */
  put(event: E): void {
    if (this.closed) {
      this.opts.preempt?.(event);
      return;
    }
    const key = this.opts.coalesceKey?.(event);
    if (key !== undefined) {
      const waiting = this.waitingByKey.get(key);
      if (waiting !== undefined) {
        this.opts.merge?.(waiting, event);
        return;
      }
      this.waitingByKey.set(key, event);
    }
    this.events.push(event);
    if (this.running === undefined) this.running = this.drain();
  }

  /** Drops (and preempts) every waiting event, then appends this one: resignation and shutdown go first. */
  clearAndPut(event: E): void {
    this.clear();
    this.put(event);
  }

  /** Resolves when no event is waiting or running. */
  idle(): Promise<void> {
    if (this.running === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops waiting events (preempting them), refuses new ones, and resolves when the running event ended. */
  async close(): Promise<void> {
    this.closed = true;
    this.clear();
    await this.running;
  }

  private clear(): void {
    const dropped = this.events.slice(this.head);
    this.events = [];
    this.head = 0;
    this.waitingByKey.clear();
    for (const event of dropped) this.opts.preempt?.(event);
  }

  private async drain(): Promise<void> {
    // Start on a later tick so that put() never runs a handler inside its caller's stack.
    await Promise.resolve();
    while (this.head < this.events.length) {
      const event = this.events[this.head]!;
      this.events[this.head++] = undefined as unknown as E;
      if (this.head >= COMPACT_AT && this.head * 2 >= this.events.length) {
        this.events = this.events.slice(this.head);
        this.head = 0;
      }
      const key = this.opts.coalesceKey?.(event);
      if (key !== undefined) this.waitingByKey.delete(key);
      const startMs = this.time.hiResMs();
      try {
        await this.opts.process(event);
      } catch (e) {
        this.log.error({ err: e, event: this.opts.describe?.(event) }, 'controller event failed');
      }
      if (this.log.isLevelEnabled('debug')) {
        this.log.debug(
          { event: this.opts.describe?.(event), durationMs: this.time.hiResMs() - startMs, waiting: this.size },
          'controller event processed',
        );
      }
    }
    this.running = undefined;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
