/**
 * A sampled rate, as Kafka's metrics measure quota usage (`Rate` over a `SampledStat`): `samples` windows of
 * `windowMs` each; a value is added to the current window (a new one starts when the current is `windowMs` old,
 * reusing the oldest once `samples` exist); windows older than `samples × windowMs` are forgotten.
 *
 * The rate is the sum of the kept windows over the time they span, that span being at least `samples - 1` whole
 * windows (Kafka's `Rate.windowSize`: a client that just started is measured over the full window, so a short
 * burst does not read as a huge rate). `throttleTimeMs` is Kafka's `QuotaUtils.throttleTime`: with observed rate O
 * over span W and bound T, the delay X for which O·W/(W+X) = T, i.e. (O − T)/T · W.
 *
 * Pure given the times passed in; not shared across threads (there are none).
 */
interface Sample {
  startMs: number;
  value: number;
}

export class QuotaRate {
  private readonly windows: Sample[] = [];
  private current = -1;

  constructor(
    private readonly samples: number,
    private readonly windowMs: number,
  ) {}

  /** Adds `value` (bytes, or request time percentage) at `nowMs`. */
  record(value: number, nowMs: number): void {
    let sample = this.windows[this.current];
    if (sample === undefined || nowMs - sample.startMs >= this.windowMs) {
      this.current = (this.current + 1) % this.samples;
      sample = this.windows[this.current];
      if (sample === undefined) this.windows[this.current] = sample = { startMs: nowMs, value: 0 };
      else {
        sample.startMs = nowMs;
        sample.value = 0;
      }
    }
    sample.value += value;
  }

  /** Units per second at `nowMs`. */
  rate(nowMs: number): number {
    const { total, spanMs } = this.measure(nowMs);
    return spanMs <= 0 ? 0 : (total * 1000) / spanMs;
  }

  /** How long the client must wait for its rate to fall back to `bound`; 0 when within it. */
  throttleTimeMs(bound: number, nowMs: number): number {
    const { total, spanMs } = this.measure(nowMs);
    const observed = spanMs <= 0 ? 0 : (total * 1000) / spanMs;
    if (observed <= bound) return 0;
    return Math.round(((observed - bound) / bound) * spanMs);
  }

  private measure(nowMs: number): { total: number; spanMs: number } {
    const expireMs = this.samples * this.windowMs;
    let total = 0;
    let oldest = Infinity;
    for (const s of this.windows) {
      if (nowMs - s.startMs >= expireMs) {
        s.startMs = nowMs;
        s.value = 0;
      }
      total += s.value;
      oldest = Math.min(oldest, s.startMs);
    }
    if (oldest === Infinity) return { total: 0, spanMs: 0 };
    let spanMs = nowMs - oldest;
    const fullWindows = Math.floor(spanMs / this.windowMs);
    if (fullWindows < this.samples - 1) spanMs += (this.samples - 1 - fullWindows) * this.windowMs;
    // With a single window the span can be 0: count it as 1 ms (a burst then waits total / bound).
    return { total, spanMs: Math.max(1, spanMs) };
  }
}
