/**
 * How `mq-bench compare` shows its result: a table (text or Markdown) with one row per system — produce
 * records/s and MB/s, ack latency p50 and p99, consume records/s and MB/s, each median [min..max] of the runs —
 * and the system's setting, then the machine's references and the systems skipped with why; and a chart (produce
 * and consume records/s per system, with the run range). Pure formatting of a CompareResult.
 */
import type { TopLevelSpec } from 'vega-lite';
import { barChartSpec, type ChartPoint } from './chart.js';
import type { CompareResult, CompareRow } from './compare-bench.js';
import { formatTable, type TableFormat } from './report-table.js';
import { formatStat } from './stats.js';

/** One line naming the workload, e.g. `1,000,000 records of 100 B, calls of 100, ≤ 1,000 in flight, page-cache`. */
export function describeWorkload(r: CompareResult): string {
  const w = r.workload;
  return (
    `${w.records.toLocaleString('en-US')} records of ${w.recordSize} B, calls of ${w.batch}, ` +
    `at most ${w.inflight.toLocaleString('en-US')} in flight, durability ${w.durability}; ` +
    `median [min..max] of ${r.runs} run${r.runs === 1 ? '' : 's'}`
  );
}

export function compareTable(r: CompareResult, format: TableFormat): string[] {
  const row = (x: CompareRow) => [
    x.setting.equivalent ? x.system : `${x.system} (*)`,
    formatStat(x.produceRecordsPerSec),
    formatStat(x.produceMbPerSec),
    `${formatStat(x.ackP50Ms)} / ${formatStat(x.ackP99Ms)}`,
    formatStat(x.consumeRecordsPerSec),
    formatStat(x.consumeMbPerSec),
    x.setting.text,
  ];
  const lines = [
    describeWorkload(r),
    '',
    ...formatTable(
      [
        'system',
        'produce records/s',
        'produce MB/s',
        'ack p50 / p99 ms',
        'consume records/s',
        'consume MB/s',
        'setting',
      ],
      r.rows.map(row),
      format,
    ),
    '',
    `Machine references in the same run: loopback TCP ${formatStat(r.references.loopbackTcpMbPerSec)} MB/s (one Node ` +
      `connection), sequential page-cache write ${formatStat(r.references.pageCacheWriteMbPerSec)} MB/s (fs.writeSync, 1 MiB).`,
  ];
  if (r.rows.some((x) => !x.setting.equivalent))
    lines.push('(*) cannot be set to the durability asked; run as its setting says.');
  for (const s of r.skipped) lines.push(`Skipped ${s.system}: ${s.reason}.`);
  return format === 'markdown'
    ? lines.map((l) => (l.startsWith('Skipped') || l.startsWith('(*)') ? `${l}  ` : l))
    : lines;
}

/** Produce and consume records/s per system, one panel each, with the runs' range. */
export function compareChartSpec(r: CompareResult): TopLevelSpec {
  const points: ChartPoint[] = [];
  for (const panel of ['produce', 'consume'] as const) {
    for (const x of r.rows) {
      const s = panel === 'produce' ? x.produceRecordsPerSec : x.consumeRecordsPerSec;
      points.push({ panel: `${panel}, records/s`, series: x.system, y: s.median, low: s.min, high: s.max });
    }
  }
  return barChartSpec(
    `${r.workload.recordSize} B records, ${r.workload.durability} (median and range of ${r.runs} run${r.runs === 1 ? '' : 's'})`,
    points,
  );
}
