import { expect } from 'chai';
import { XMLValidator } from 'fast-xml-parser';
import { barChartSpec, lineChartSpec, renderSvg } from '../../../lib/bench/chart.js';

function expectValidSvg(svg: string): void {
  expect(XMLValidator.validate(svg)).to.equal(true);
  expect(svg).to.match(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  expect(svg.trimEnd()).to.match(/<\/svg>$/);
}

describe('chart', function () {
  this.timeout(20_000);

  it('draws bars with their run ranges as a well-formed SVG that names every series and panel', async () => {
    const svg = await renderSvg(
      barChartSpec('100 B records', [
        { panel: 'produce, records/s', series: 'mq', y: 1_200_000, low: 1_000_000, high: 1_300_000 },
        { panel: 'produce, records/s', series: 'Redis Streams', y: 220_000, low: 200_000, high: 260_000 },
        { panel: 'consume, records/s', series: 'mq', y: 2_000_000 },
        { panel: 'consume, records/s', series: 'Redis Streams', y: 260_000 },
      ]),
    );
    expectValidSvg(svg);
    for (const text of ['100 B records', 'produce, records/s', 'consume, records/s', 'mq', 'Redis Streams'])
      expect(svg).to.include(text);
    expect(svg.match(/aria-roledescription="bar"/g)).to.have.length(4);
    expect(svg.match(/aria-roledescription="rule mark"/g)).to.have.length(4);
  });

  it('draws lines over a log or an ordinal axis as a well-formed SVG', async () => {
    const log = await renderSvg(
      lineChartSpec(
        'by partition count',
        [1, 100, 1000].map((x) => ({ panel: 'time, ms', series: 'start', x, y: x * 2 })),
        { xTitle: 'partitions (log)', xScale: 'log', yTitle: 'ms' },
      ),
    );
    expectValidSvg(log);
    expect(log).to.include('partitions (log)');
    const ordinal = await renderSvg(
      lineChartSpec(
        'latency',
        ['p50', 'p99', 'p99.99'].map((x, i) => ({ panel: 'e2e', series: 'run 1', x, y: 10 ** i })),
        { xTitle: 'percentile', xScale: 'ordinal', yTitle: 'ms (log)', yLog: true },
      ),
    );
    expectValidSvg(ordinal);
    for (const label of ['p50', 'p99', 'p99.99']) expect(ordinal).to.include(`>${label}<`);
  });
});
