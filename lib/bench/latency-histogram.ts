/**
 * Latency statistics for the benchmarks, in an HDR histogram (hdr-histogram-js): every sample is kept at three
 * significant digits, from 1 µs to one hour, in constant memory, so percentiles out to p99.99 are exact to 0.1%
 * however long the run. Values go in as milliseconds and are stored as whole microseconds.
 *
 * A sample may stand for several records (`record(latencyMs, weight)`): the producer bench measures a whole
 * `sendBatch()` call once, and every record in it had that latency.
 *
 * Coordinated omission is the caller's business: a fixed-rate bench records each latency from the record's
 * intended send time (see fixed-rate-schedule.ts), so a stall that delays sending counts against every record it
 * delayed, not only against the one that was in flight.
 */
import { build, type Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  avgMs: number;
  maxMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  p9999Ms: number;
}

const US_PER_MS = 1000;
/** One hour in µs: anything slower is clamped there (and shows as the maximum). */
const HIGHEST_US = 3_600_000_000;

export class LatencyHistogram {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
  });

  /** Records `weight` records that each took `latencyMs`. */
  record(latencyMs: number, weight = 1): void {
    const us = Math.min(HIGHEST_US, Math.max(1, Math.round(latencyMs * US_PER_MS)));
    this.histogram.recordValueWithCount(us, weight);
  }

  /** Adds every sample of `other` (one histogram per reporting window, added into the run's at each report). */
  add(other: LatencyHistogram): void {
    this.histogram.add(other.histogram);
  }

  /** Forgets every sample. */
  reset(): void {
    this.histogram.reset();
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /**
   * The latency at `percentile` (0-100), in ms: the highest value equivalent to the recorded one at this precision,
   * but never above the largest value recorded.
   */
  percentileMs(percentile: number): number {
    const h = this.histogram;
    return h.totalCount === 0 ? 0 : Math.min(h.getValueAtPercentile(percentile), h.maxValue) / US_PER_MS;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const empty = h.totalCount === 0;
    return {
      count: h.totalCount,
      avgMs: empty ? 0 : h.mean / US_PER_MS,
      maxMs: empty ? 0 : h.maxValue / US_PER_MS,
      p50Ms: this.percentileMs(50),
      p90Ms: this.percentileMs(90),
      p95Ms: this.percentileMs(95),
      p99Ms: this.percentileMs(99),
      p999Ms: this.percentileMs(99.9),
      p9999Ms: this.percentileMs(99.99),
    };
  }

  /** Percentile → latency (ms) at the points a latency-by-percentile chart plots, 0 to 99.99. */
  distribution(): { percentile: number; ms: number }[] {
    return [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99].map((percentile) => ({
      percentile,
      ms: this.percentileMs(percentile),
    }));
  }
}
