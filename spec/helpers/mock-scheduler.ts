/**
 * A `Scheduler` driven by a `MockTime` (Kafka's MockScheduler): tasks run only inside `tick(ms)`, in due-time
 * order, each awaited before the next, so a spec controls exactly when background work happens.
 */
import type { ScheduledTask, Scheduler } from '../../lib/common/scheduler.js';
import { MockTime } from './mock-time.js';

interface Task {
  name: string;
  fn: () => unknown;
  dueMs: number;
  periodMs: number;
  cancelled: boolean;
}

export class MockScheduler implements Scheduler {
  private tasks: Task[] = [];

  constructor(readonly time: MockTime = new MockTime()) {}

  schedule(name: string, fn: () => unknown, delayMs: number, periodMs = 0): ScheduledTask {
    const task: Task = { name, fn, dueMs: this.time.milliseconds() + delayMs, periodMs, cancelled: false };
    this.tasks.push(task);
    return {
      cancel: () => {
        task.cancelled = true;
      },
    };
  }

  /** Names of the tasks still pending, in due order. */
  get pending(): string[] {
    return this.tasks
      .filter((t) => !t.cancelled)
      .sort((a, b) => a.dueMs - b.dueMs)
      .map((t) => t.name);
  }

  /** Advances the clock by `ms`, running every task that falls due, in order (periodic ones repeatedly). */
  async tick(ms = 0): Promise<void> {
    const target = this.time.milliseconds() + ms;
    for (;;) {
      this.tasks = this.tasks.filter((t) => !t.cancelled);
      const next = this.tasks.reduce<Task | undefined>(
        (a, t) => (t.dueMs <= target && (!a || t.dueMs < a.dueMs) ? t : a),
        undefined,
      );
      if (!next) break;
      this.time.sleep(Math.max(0, next.dueMs - this.time.milliseconds()));
      if (next.periodMs > 0) next.dueMs += next.periodMs;
      else next.cancelled = true;
      await next.fn();
    }
    this.time.sleep(Math.max(0, target - this.time.milliseconds()));
  }
}
