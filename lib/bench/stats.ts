/**
 * Median and range of repeated runs, the way every figure in docs/BENCHMARKS.md is reported: this machine is noisy
 * (runs differ up to 3x), so a figure is the median of its runs with the lowest and highest beside it, and a ratio
 * between two systems is taken per run (both measured in the same run) before its median is.
 *
 * Pure functions over plain numbers; no state.
 */

/** Median [min..max] of a set of runs, with every run's value kept. */
export interface RunStat {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

/** The median of the values (the upper one of the middle two when the count is even), min and max. */
export function runStat(values: readonly number[]): RunStat {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: [] };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)]!,
    min: sorted[0]!,
    max: sorted.at(-1)!,
    runs: [...values],
  };
}

/** Per-run ratios `a[i] / b[i]` of two figures measured side by side in each run. */
export function ratioStat(a: RunStat, b: RunStat): RunStat {
  return runStat(a.runs.map((v, i) => v / b.runs[i]!));
}

/** A number for a table: thousands separated from 100 up, two decimals below. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

/** A whole number with thousands separated (counts: descriptors, partitions). */
export function formatInteger(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—';
}

/** `median [min..max]`, or the single value when there was one run. */
export function formatStat(s: RunStat, format: (n: number) => string = formatNumber): string {
  if (s.runs.length <= 1) return format(s.median);
  return `${format(s.median)} [${format(s.min)}..${format(s.max)}]`;
}
