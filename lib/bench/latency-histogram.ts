/**
 * Latency statistics for the perf tools, as Kafka's `ProducerPerformance.Stats` keeps them: count, average and
 * maximum over every sample, and percentiles from a bounded, evenly spread sample (at most `maxSamples` values;
 * beyond that every n-th sample is kept).
 *
 * A sample may stand for several records (`record(latencyMs, weight)`): the producer bench measures a whole
 * `sendBatch()` call once, and every record in it had that latency.
 */
export interface LatencySummary {
  count: number;
  avgMs: number;
  maxMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
}

export class LatencyHistogram {
  private count = 0;
  private totalMs = 0;
  private maxMs = 0;
  private readonly samples: Float64Array;
  private readonly weights: Float64Array;
  private kept = 0;
  private stride = 1;
  private seen = 0;

  constructor(private readonly maxSamples = 500_000) {
    this.samples = new Float64Array(maxSamples);
    this.weights = new Float64Array(maxSamples);
  }

  /** Records `weight` records that each took `latencyMs`. */
  record(latencyMs: number, weight = 1): void {
    this.count += weight;
    this.totalMs += latencyMs * weight;
    if (latencyMs > this.maxMs) this.maxMs = latencyMs;
    if (this.seen++ % this.stride !== 0) return;
    if (this.kept === this.maxSamples) {
      // Keep every other sample and halve the rate from now on.
      for (let i = 0; i < this.maxSamples / 2; i++) {
        this.samples[i] = this.samples[2 * i]!;
        this.weights[i] = this.weights[2 * i]!;
      }
      this.kept = this.maxSamples / 2;
      this.stride *= 2;
    }
    this.samples[this.kept] = latencyMs;
    this.weights[this.kept++] = weight;
  }

  summary(): LatencySummary {
    const order = Array.from({ length: this.kept }, (_, i) => i).sort((a, b) => this.samples[a]! - this.samples[b]!);
    let totalWeight = 0;
    for (let i = 0; i < this.kept; i++) totalWeight += this.weights[i]!;
    const percentile = (q: number): number => {
      const target = q * totalWeight;
      let acc = 0;
      for (const i of order) {
        acc += this.weights[i]!;
        if (acc >= target) return this.samples[i]!;
      }
      return order.length > 0 ? this.samples[order[order.length - 1]!]! : 0;
    };
    return {
      count: this.count,
      avgMs: this.count === 0 ? 0 : this.totalMs / this.count,
      maxMs: this.maxMs,
      p50Ms: percentile(0.5),
      p95Ms: percentile(0.95),
      p99Ms: percentile(0.99),
      p999Ms: percentile(0.999),
    };
  }
}
