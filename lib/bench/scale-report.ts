/**
 * How `mq-bench scale` shows its result: a table with one row per partition count (each cell median [min..max]
 * of the runs) and a chart of the same figures over the partition count (log scale), one panel per unit.
 * Pure formatting of ScalePoints.
 */
import type { TopLevelSpec } from 'vega-lite';
import { lineChartSpec, type ChartPoint } from './chart.js';
import { formatTable, type TableFormat } from './report-table.js';
import type { ScalePoint } from './scale-bench.js';
import { formatInteger, formatStat } from './stats.js';

export function scaleTable(points: readonly ScalePoint[], format: TableFormat): string[] {
  return formatTable(
    [
      'partitions',
      'create ms',
      'produce records/s',
      'heap MiB',
      'RSS MiB',
      'open fds',
      'shutdown ms',
      'start ms',
      'ready ms',
    ],
    points.map((p) => [
      p.partitions.toLocaleString('en-US'),
      formatStat(p.createMs),
      formatStat(p.produceRecordsPerSec),
      formatStat(p.heapUsedMiB),
      formatStat(p.rssMiB),
      formatStat(p.openFds, formatInteger),
      formatStat(p.shutdownMs),
      formatStat(p.startMs),
      formatStat(p.readyMs),
    ]),
    format,
  );
}

export function scaleChartSpec(points: readonly ScalePoint[]): TopLevelSpec {
  const series: [string, string, (p: ScalePoint) => number][] = [
    ['produce, records/s', 'produce', (p) => p.produceRecordsPerSec.median],
    ['time, ms', 'create', (p) => p.createMs.median],
    ['time, ms', 'start', (p) => p.startMs.median],
    ['time, ms', 'ready', (p) => p.readyMs.median],
    ['time, ms', 'shutdown', (p) => p.shutdownMs.median],
    ['memory, MiB', 'JS heap used', (p) => p.heapUsedMiB.median],
    ['memory, MiB', 'RSS', (p) => p.rssMiB.median],
    ['open file descriptors', 'fds', (p) => p.openFds.median],
  ];
  const data: ChartPoint[] = series.flatMap(([panel, name, pick]) =>
    points.map((p) => ({ panel, series: name, x: p.partitions, y: pick(p) })),
  );
  return lineChartSpec('One broker by partition count (medians)', data, {
    xTitle: 'partitions (log)',
    xScale: 'log',
    yTitle: '',
  });
}
