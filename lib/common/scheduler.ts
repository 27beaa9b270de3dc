/**
 * Injectable timers (Kafka's `Scheduler`), so that periodic and delayed background work — retention checks,
 * checkpoint writes, delayed file deletion — can be driven by `MockScheduler` (spec/helpers) in unit specs.
 *
 * A task may be async; a periodic task's next run is not started while the previous one is still running.
 * Errors thrown by a task go to `onError` (default: ignored by the task loop; callers log inside their tasks).
 * Timers are unref'd: a scheduler never keeps the process alive on its own.
 */
export interface ScheduledTask {
  cancel(): void;
}

export interface Scheduler {
  /** Runs `fn` after `delayMs`, then every `periodMs` if given (> 0), until cancelled. */
  schedule(name: string, fn: () => unknown, delayMs: number, periodMs?: number): ScheduledTask;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class SystemScheduler implements Scheduler {
  constructor(private readonly onError: (name: string, error: unknown) => void = () => {}) {}

  schedule(name: string, fn: () => unknown, delayMs: number, periodMs = 0): ScheduledTask {
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    // Node fires a timer longer than 2^31-1 ms after 1 ms; longer waits are chained instead.
    const wait = (ms: number, then: () => void): void => {
      timer = setTimeout(
        () => (ms > MAX_TIMER_MS ? wait(ms - MAX_TIMER_MS, then) : then()),
        Math.min(Math.max(0, ms), MAX_TIMER_MS),
      ).unref();
    };
    const run = async (): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        this.onError(name, e);
      }
      if (periodMs > 0 && !cancelled) wait(periodMs, () => void run());
    };
    wait(delayMs, () => void run());
    return {
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
      },
    };
  }
}
