/**
 * The most recent durations of one kind (request times, election times), for percentiles at scrape time (the role
 * of the Yammer histogram's 1028-sample reservoir behind Kafka's TotalTimeMs percentiles): a ring of the last `size`
 * observations.
 *
 * Cost: `observe()` is one array store and an index increment, cheap enough for every request; sorting happens only
 * in `percentiles()`, when Prometheus scrapes. Percentiles describe the last `size` observations, whenever they
 * happened, as the reservoir's do.
 */
export const RESERVOIR_SIZE = 1028;

export class LatencyReservoir {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(size = RESERVOIR_SIZE) {
    this.samples = new Float64Array(size);
  }

  observe(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.samples.length;
    if (this.filled < this.samples.length) this.filled++;
  }

  /** The nearest-rank percentile of each quantile in `quantiles` (0..1); empty when nothing was observed. */
  percentiles(quantiles: readonly number[]): Array<[quantile: number, value: number]> {
    if (this.filled === 0) return [];
    const sorted = this.samples.slice(0, this.filled).sort();
    return quantiles.map((q) => [
      q,
      sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!,
    ]);
  }
}
