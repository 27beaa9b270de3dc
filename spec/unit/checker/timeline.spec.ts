/**
 * The chaos run's timeline: acknowledgements bucketed by second with their latency percentiles, and a chart that
 * shows every fault.
 */
import { expect } from 'chai';
import { renderSvg } from '../../../lib/bench/chart.js';
import { timelineChartSpec, timelineSeconds } from '../../helpers/checker/timeline.js';

const START = 1_000_000;

describe('chaos timeline', () => {
  it('counts acknowledgements per second and takes p50 and p99 of their latencies', () => {
    const samples = [
      ...Array.from({ length: 100 }, (_, i) => ({ atMs: START + 10 + i, latencyMs: i + 1 })),
      { atMs: START + 2500, latencyMs: 40 },
    ];
    const seconds = timelineSeconds(samples, START, START + 3000);
    expect(seconds.map((s) => s.acked)).to.deep.equal([100, 0, 1]);
    expect(seconds[0]!.p50Ms).to.be.closeTo(50, 0.1);
    expect(seconds[0]!.p99Ms).to.be.closeTo(99, 0.1);
    expect(seconds[1]).to.deep.equal({ second: 1, acked: 0, p50Ms: null, p99Ms: null });
    expect(seconds[2]!.p99Ms).to.be.closeTo(40, 0.1);
  });

  it('leaves out acknowledgements before the start and from the end on', () => {
    const seconds = timelineSeconds(
      [
        { atMs: START - 1, latencyMs: 1 },
        { atMs: START + 1999, latencyMs: 1 },
        { atMs: START + 2000, latencyMs: 1 },
      ],
      START,
      START + 2000,
    );
    expect(seconds.map((s) => s.acked)).to.deep.equal([0, 1]);
  });

  it('draws every fault with its target on the time axis of the run', async function () {
    // Vega's first render compiles its parsers: about a second, more on a loaded machine.
    this.timeout(30_000);
    const seconds = timelineSeconds([{ atMs: START + 500, latencyMs: 3 }], START, START + 60_000);
    const svg = await renderSvg(
      timelineChartSpec(
        'a run',
        seconds,
        [
          { kind: 'SIGKILL', target: 'broker 2 (leads 1)', startMs: START + 5000, healMs: START + 35_000 },
          {
            kind: 'ZooKeeper member stopped',
            target: 'ZooKeeper member 3',
            startMs: START + 12_000,
            healMs: START + 42_000,
          },
        ],
        START,
      ),
    );
    expect(svg).to.match(/^<svg/);
    for (const text of [
      'SIGKILL',
      'broker 2 (leads 1)',
      'ZooKeeper member stopped',
      'acknowledged values/s',
      'p99 red',
    ])
      expect(svg).to.include(text);
  });
});
