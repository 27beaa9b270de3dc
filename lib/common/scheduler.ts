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

export class SystemScheduler implements Scheduler {
  constructor(private readonly onError: (name: string, error: unknown) => void = () => {}) {}

  schedule(name: string, fn: () => unknown, delayMs: number, periodMs = 0): ScheduledTask {
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const run = async (): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        this.onError(name, e);
      }
      if (periodMs > 0 && !cancelled) timer = setTimeout(run, periodMs).unref();
    };
    timer = setTimeout(run, Math.max(0, delayMs)).unref();
    return {
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
      },
    };
  }
}
