import { expect } from 'chai';
import { FixedRateSchedule } from '../../../lib/bench/fixed-rate-schedule.js';
import { LatencyHistogram } from '../../../lib/bench/latency-histogram.js';

/** Within 0.1%, the HDR histogram's precision at three significant digits. */
function near(actual: number, expected: number): void {
  expect(actual).to.be.closeTo(expected, expected * 0.001 + 1e-9);
}

describe('LatencyHistogram', () => {
  it('gives the percentiles of 1..10,000 ms, each sample once, to 0.1%', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 10_000; ms++) h.record(ms);
    const s = h.summary();
    expect(s.count).to.equal(10_000);
    near(s.avgMs, 5000.5);
    near(s.maxMs, 10_000);
    near(s.p50Ms, 5000);
    near(s.p90Ms, 9000);
    near(s.p95Ms, 9500);
    near(s.p99Ms, 9900);
    near(s.p999Ms, 9990);
    near(s.p9999Ms, 9999);
  });

  it('counts a weighted sample as that many records', () => {
    const h = new LatencyHistogram();
    h.record(5, 990);
    h.record(100, 10);
    const s = h.summary();
    expect(s.count).to.equal(1000);
    near(s.p99Ms, 5);
    near(s.p999Ms, 100);
    near(s.avgMs, (5 * 990 + 100 * 10) / 1000);
  });

  it('keeps sub-millisecond resolution and never reports a percentile above the maximum', () => {
    const h = new LatencyHistogram();
    for (const ms of [0.25, 0.5, 0.75, 117.436]) h.record(ms);
    near(h.percentileMs(25), 0.25);
    near(h.percentileMs(50), 0.5);
    expect(h.percentileMs(99.99)).to.equal(h.summary().maxMs);
  });

  it('reports zeros when empty', () => {
    expect(new LatencyHistogram().summary()).to.include({ count: 0, avgMs: 0, maxMs: 0, p50Ms: 0, p9999Ms: 0 });
  });
});

describe('FixedRateSchedule', () => {
  it('spaces intended send times by 1/rate and counts the records due', () => {
    const s = new FixedRateSchedule(100, 1000, 5);
    expect([0, 1, 4].map((i) => s.intendedMs(i))).to.deep.equal([100, 101, 104]);
    expect(s.dueBy(99)).to.equal(0);
    expect(s.dueBy(100)).to.equal(1);
    expect(s.dueBy(102.5)).to.equal(3);
    expect(s.dueBy(10_000)).to.equal(5);
    expect(s.endMs).to.equal(104);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new FixedRateSchedule(0, 0, 1)).to.throw(/rate must be positive/);
  });

  /**
   * Coordinated omission, on known data: 10,000 records at 1,000/s, each seen 1 ms after it is sent, except that
   * the system stalls from 5 s to 6 s. The sender waits for its stalled request (as a client blocked in send or a
   * full buffer does), then sends everything that fell due meanwhile. Measured from the actual send time, the stall
   * is one slow sample; measured from the intended time (what e2e does), the ~1,000 records that should have gone
   * out during it carry 1000..1 ms, so p95 ≈ 500 ms and p99 ≈ 900 ms.
   */
  it('makes a stall count against every record it delayed when latency is taken from the intended time', () => {
    const STALL_START = 5000;
    const STALL_END = 6000;
    const schedule = new FixedRateSchedule(0, 1000, 10_000);
    const fromIntended = new LatencyHistogram();
    const fromSend = new LatencyHistogram();
    let next = 0;
    for (let t = 0; next < schedule.total;) {
      if (next >= schedule.dueBy(t)) {
        t++;
        continue;
      }
      const stalled = t >= STALL_START && t < STALL_END;
      const seen = (stalled ? STALL_END : t) + 1;
      fromIntended.record(seen - schedule.intendedMs(next));
      fromSend.record(seen - t);
      next++;
      if (stalled) t = STALL_END; // the sender was blocked until its request came back
    }
    const naive = fromSend.summary();
    near(naive.p99Ms, 1);
    near(naive.p9999Ms, 1);
    near(naive.maxMs, 1001);

    const safe = fromIntended.summary();
    expect(safe.count).to.equal(10_000);
    near(safe.p90Ms, 1);
    expect(safe.p95Ms).to.be.within(495, 505);
    expect(safe.p99Ms).to.be.within(895, 905);
    expect(safe.p9999Ms).to.be.within(995, 1005);
    near(safe.maxMs, 1001);
  });
});
