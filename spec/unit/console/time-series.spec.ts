import { expect } from 'chai';
import { SeriesStore, TimeSeries } from '../../../lib/console/time-series.js';

describe('console time series', () => {
  it('keeps only the samples inside its window', () => {
    const s = new TimeSeries(10_000);
    for (let t = 0; t <= 30_000; t += 5000) s.add(t, t / 1000);
    expect(s.points().map((p) => p.t)).to.deep.equal([20_000, 25_000, 30_000]);
  });

  it('computes a per-second rate over a window, and none before two samples', () => {
    const s = new TimeSeries(60_000);
    expect(s.ratePerSec(10_000)).to.equal(null);
    s.add(0, 100);
    expect(s.ratePerSec(10_000)).to.equal(null);
    s.add(2000, 300);
    s.add(4000, 700);
    expect(s.ratePerSec(10_000)).to.equal(150);
    expect(s.ratePerSec(2000)).to.equal(200);
    expect(s.rates()).to.deep.equal([
      { t: 2000, v: 100 },
      { t: 4000, v: 200 },
    ]);
  });

  it('restarts a counter that went backwards (a topic deleted and created again) instead of a negative rate', () => {
    const s = new TimeSeries(60_000);
    s.add(0, 1000);
    s.add(1000, 1100);
    s.add(2000, 5);
    expect(s.ratePerSec(60_000)).to.equal(null);
    s.add(3000, 25);
    expect(s.ratePerSec(60_000)).to.equal(20);
    expect(s.rates()).to.deep.equal([{ t: 3000, v: 20 }]);
  });

  it('forgets the series of keys that are gone', () => {
    const store = new SeriesStore(60_000);
    store.add('a', 0, 1);
    store.add('b', 0, 1);
    store.retain(new Set(['b']));
    expect(store.get('a')).to.equal(undefined);
    expect(store.get('b')?.points()).to.deep.equal([{ t: 0, v: 1 }]);
  });
});
