/**
 * Samples over a sliding window of time, kept per key: a topic's total end offset (for its message rate) or a
 * group's total lag (for its lag chart). Samples older than `maxAgeMs` behind the newest are dropped on each add,
 * so memory is bounded by the window and the refresh interval. Times are ms; they need only increase.
 *
 * A counter that goes backwards (a topic deleted and re-created under the same name) restarts its series: a rate
 * is never computed across the drop.
 */
import type { Point } from './api-types.js';

export class TimeSeries {
  private samples: Point[] = [];

  constructor(private readonly maxAgeMs: number) {}

  add(t: number, v: number): void {
    this.samples.push({ t, v });
    const oldest = t - this.maxAgeMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.t < oldest) drop++;
    if (drop > 0) this.samples = this.samples.slice(drop);
  }

  points(): Point[] {
    return [...this.samples];
  }

  /** Per-second change of a counter over the last `windowMs` (at least two samples); null before that. */
  ratePerSec(windowMs: number): number | null {
    const run = this.counterRun();
    const last = run.at(-1);
    if (last === undefined) return null;
    const first = run.find((s) => s.t >= last.t - windowMs);
    if (first === undefined || first.t === last.t) return null;
    return ((last.v - first.v) * 1000) / (last.t - first.t);
  }

  /** The per-second change between consecutive samples of a counter, stamped with the later sample's time. */
  rates(): Point[] {
    const run = this.counterRun();
    const out: Point[] = [];
    for (let i = 1; i < run.length; i++) {
      const a = run[i - 1]!;
      const b = run[i]!;
      if (b.t > a.t) out.push({ t: b.t, v: ((b.v - a.v) * 1000) / (b.t - a.t) });
    }
    return out;
  }

  /** The samples since the counter last went backwards. */
  private counterRun(): Point[] {
    let start = 0;
    for (let i = 1; i < this.samples.length; i++) if (this.samples[i]!.v < this.samples[i - 1]!.v) start = i;
    return this.samples.slice(start);
  }
}

/** A TimeSeries per key; keys not seen in a round of `retain` are forgotten. */
export class SeriesStore {
  private readonly series = new Map<string, TimeSeries>();

  constructor(private readonly maxAgeMs: number) {}

  add(key: string, t: number, v: number): void {
    let s = this.series.get(key);
    if (s === undefined) {
      s = new TimeSeries(this.maxAgeMs);
      this.series.set(key, s);
    }
    s.add(t, v);
  }

  get(key: string): TimeSeries | undefined {
    return this.series.get(key);
  }

  /** Forgets the series of every key not in `keys` (deleted topics, groups that are gone). */
  retain(keys: ReadonlySet<string>): void {
    for (const key of [...this.series.keys()]) if (!keys.has(key)) this.series.delete(key);
  }
}
