/**
 * Progress lines for long benchmark runs: one cli-progress bar on stderr (label, bar, done/total, elapsed, ETA and
 * a short status such as the current step), redrawn at most 5 times a second. Off — every call a no-op — when
 * stderr is not a terminal (CI logs, pipes) or when the command prints `--json`, so that machine-read output is
 * never interleaved with it. Stdout is never touched: summaries and JSON stay clean there.
 *
 * Ownership: `withProgress` starts the bar for one run and stops it when the run ends, however it ends; a stopped
 * bar ignores further updates.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the count done so far and, optionally, the status text. */
  update(done: number, status?: string): void;
  /** Adds `n` (default 1) to the count done. */
  advance(n?: number, status?: string): void;
  /** Revises the total (a count of steps learnt once the run has started). */
  setTotal(total: number): void;
  stop(): void;
}

const NO_PROGRESS: Progress = {
  update: () => undefined,
  advance: () => undefined,
  setTotal: () => undefined,
  stop: () => undefined,
};

/** Whether progress bars should be drawn for a command run with or without `--json`. */
function progressWanted(json: boolean): boolean {
  return !json && process.stderr.isTTY === true;
}

/** A bar counting to `total` under `label`, or a no-op when `enabled` is false. */
function startProgress(label: string, total: number, enabled: boolean): Progress {
  if (!enabled) return NO_PROGRESS;
  const bar = new cliProgress.SingleBar({
    format: `${label} [{bar}] {value}/{total} | {duration_formatted} elapsed, ETA {eta_formatted} | {status}`,
    stream: process.stderr,
    fps: 5,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
  });
  bar.start(total, 0, { status: '' });
  let done = 0;
  let stopped = false;
  return {
    update(value, status) {
      if (stopped) return;
      done = value;
      bar.update(value, status === undefined ? {} : { status });
    },
    advance(n = 1, status) {
      this.update(done + n, status);
    },
    setTotal(total) {
      if (!stopped) bar.setTotal(total);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

/**
 * Runs `run` with a bar counting to `total` under `label` (none with `json`, or when stderr is not a terminal) and
 * stops the bar when the run ends, however it ends.
 */
export async function withProgress<T>(
  label: string,
  total: number,
  json: boolean,
  run: (progress: Progress) => Promise<T>,
): Promise<T> {
  const progress = startProgress(label, total, progressWanted(json));
  try {
    return await run(progress);
  } finally {
    progress.stop();
  }
}
