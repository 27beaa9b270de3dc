/**
 * The standard set's result (`npm run bench`, i.e. `mq-bench suite`): the rows of the performance table of issue
 * 14, each figure the median [min..max] of its runs beside the reference measured in the same run and the target,
 * and the generated section of docs/BENCHMARKS.md that shows them with the date, the machine and the charts.
 *
 * The generated section sits between two marker comments; `replaceGeneratedSection` swaps only what lies between
 * them (or appends the section when the file has none yet), so the hand-written rest of the file is kept byte for
 * byte. Pure functions: figures in, text out.
 */
import type { CompareResult, CompareRow } from './compare-bench.js';
import { compareTable } from './compare-report.js';
import { describeMachine, type MachineInfo } from './machine-info.js';
import { scaleTable } from './scale-report.js';
import type { ScalePoint } from './scale-bench.js';
import { formatTable } from './report-table.js';
import { formatInteger, formatStat, ratioStat, type RunStat } from './stats.js';

export const BEGIN_MARKER =
  '<!-- BEGIN GENERATED FIGURES: written by `npm run bench` (mq-bench suite); edits here are lost -->';
export const END_MARKER = '<!-- END GENERATED FIGURES -->';

export interface SuiteFigures {
  /** ISO date and time the run started. */
  startedAt: string;
  /** The command line that produced the figures. */
  command: string;
  /** 'standard' or 'quick' (reduced counts and runs; a check that the harness works, not a record). */
  mode: 'standard' | 'quick';
  runs: number;
  machine: MachineInfo;
  compare100: CompareResult;
  compare1k: CompareResult;
  /** 100 B, one producer.send(record, callback) per record. */
  sendPerRecord: RunStat;
  /** 100 B consumed with eachMessage. */
  consumeEachMessage: RunStat;
  rf1: RunStat;
  /** RF 3, acks=all, idempotent (the producer's default). */
  rf3: RunStat;
  /** RF 3, acks=all, enable.idempotence=false, in the same runs. */
  rf3NotIdempotent: RunStat;
  e2e: { ratePerSec: number; records: number; p50Ms: RunStat; p99Ms: RunStat; p999Ms: RunStat; p9999Ms: RunStat };
  scale: ScalePoint[];
  /** Chart files, relative to the docs folder, with their titles. */
  charts: { file: string; title: string }[];
}

export interface SuiteRow {
  what: string;
  figure: string;
  reference: string;
  target: string;
  /** Whether the target is met; null when this run cannot tell (e.g. the count was reduced). */
  met: boolean | null;
}

const rate = (s: RunStat) => `${formatStat(s)} rec/s`;
const ms = (s: RunStat) => formatStat(s, (n) => n.toFixed(2));
const seconds = (s: RunStat) => formatStat(s, (n) => (n / 1000).toFixed(2));

function rowOf(r: CompareResult, system: string): CompareRow | undefined {
  return r.rows.find((x) => x.system === system);
}

function peerReference(r: CompareResult, system: string, pick: (x: CompareRow) => RunStat, unit: string): string {
  const row = rowOf(r, system);
  if (row === undefined) return `${system}: ${r.skipped.find((s) => s.system === system)?.reason ?? 'not run'}`;
  return `${system} ${formatStat(pick(row))} ${unit} (${row.setting.text})`;
}

export function suiteRows(f: SuiteFigures): SuiteRow[] {
  const mq100 = rowOf(f.compare100, 'mq');
  const mq1k = rowOf(f.compare1k, 'mq');
  const redis100 = rowOf(f.compare100, 'Redis Streams');
  const rows: SuiteRow[] = [];

  const produceVsRedis =
    mq100 && redis100 ? ratioStat(mq100.produceRecordsPerSec, redis100.produceRecordsPerSec) : null;
  rows.push({
    what: `100 B, one producer, ${formatInteger(f.compare100.workload.batch)}-record calls`,
    figure: mq100 ? rate(mq100.produceRecordsPerSec) : 'not run',
    reference:
      peerReference(f.compare100, 'Redis Streams', (x) => x.produceRecordsPerSec, 'rec/s') +
      (produceVsRedis ? `; mq / Redis ${formatStat(produceVsRedis)}` : ''),
    target: '≥ 1.5M and ≥ 5× Redis',
    met:
      mq100 && produceVsRedis
        ? mq100.produceRecordsPerSec.median >= 1.5e6 && produceVsRedis.median >= 5
        : mq100
          ? null
          : false,
  });
  rows.push({
    what: '100 B, one record per `producer.send(record, callback)`',
    figure: rate(f.sendPerRecord),
    reference: '—',
    target: '≥ 1.2M',
    met: f.sendPerRecord.median >= 1.2e6,
  });
  rows.push({
    what: '1 KiB, one producer',
    figure: mq1k ? `${formatStat(mq1k.produceMbPerSec)} MB/s` : 'not run',
    reference:
      `${peerReference(f.compare1k, 'Redis Streams', (x) => x.produceMbPerSec, 'MB/s')}; loopback TCP ` +
      `${formatStat(f.compare1k.references.loopbackTcpMbPerSec)} MB/s, page-cache write ` +
      `${formatStat(f.compare1k.references.pageCacheWriteMbPerSec)} MB/s`,
    target: '≥ 300 MB/s',
    met: mq1k ? mq1k.produceMbPerSec.median >= 300 : false,
  });
  rows.push({
    what: 'consume 100 B, eachBatch / eachMessage',
    figure: `${mq100 ? formatStat(mq100.consumeRecordsPerSec) : 'not run'} / ${rate(f.consumeEachMessage)}`,
    reference: peerReference(f.compare100, 'Redis Streams', (x) => x.consumeRecordsPerSec, 'rec/s (XREAD)'),
    target: '≥ 2.5M / ≥ 1.5M',
    met: mq100 ? mq100.consumeRecordsPerSec.median >= 2.5e6 && f.consumeEachMessage.median >= 1.5e6 : false,
  });
  const rfRatio = ratioStat(f.rf3, f.rf1);
  rows.push({
    what: 'RF 3 acks=all vs RF 1 acks=1 (3 brokers)',
    figure: formatStat(rfRatio),
    reference: `RF 1 acks=1 ${rate(f.rf1)}; RF 3 acks=all ${rate(f.rf3)}`,
    target: '≥ 0.6',
    met: rfRatio.median >= 0.6,
  });
  const idempotenceRatio = ratioStat(f.rf3, f.rf3NotIdempotent);
  rows.push({
    what: 'idempotent vs not idempotent, RF 3 acks=all (3 brokers)',
    figure: formatStat(idempotenceRatio),
    reference: `idempotent ${rate(f.rf3)}; not idempotent ${rate(f.rf3NotIdempotent)}`,
    target: '≥ 0.9',
    met: idempotenceRatio.median >= 0.9,
  });
  rows.push({
    what: `end-to-end latency at ${formatInteger(f.e2e.ratePerSec)} rec/s, acks=all, RF 3, min.insync 2`,
    figure:
      `p50 ${ms(f.e2e.p50Ms)} ms, p99 ${ms(f.e2e.p99Ms)} ms, p99.9 ${ms(f.e2e.p999Ms)} ms, ` +
      `p99.99 ${ms(f.e2e.p9999Ms)} ms`,
    reference: '—',
    target: 'p50 < 2 ms, p99 < 10 ms',
    met: f.e2e.p50Ms.median < 2 && f.e2e.p99Ms.median < 10,
  });
  const one = f.scale.find((p) => p.partitions === 1);
  const thousand = f.scale.find((p) => p.partitions === 1000);
  const spread = one && thousand ? ratioStat(thousand.produceRecordsPerSec, one.produceRecordsPerSec) : null;
  rows.push({
    what: 'produce across 1,000 partitions vs 1',
    figure: spread ? `${formatStat(spread, (n) => `${Math.round(n * 100)}%`)}` : 'not run',
    reference:
      one && thousand ? `1: ${rate(one.produceRecordsPerSec)}; 1,000: ${rate(thousand.produceRecordsPerSec)}` : '—',
    target: '≥ 80%',
    met: spread ? spread.median >= 0.8 : null,
  });
  const top = f.scale.at(-1);
  if (top !== undefined) {
    rows.push({
      what: `${formatInteger(top.partitions)} partitions on one broker`,
      figure:
        `start ${seconds(top.startMs)} s (all led ${seconds(top.readyMs)} s), shutdown ${seconds(top.shutdownMs)} s, ` +
        `${formatStat(top.openFds, formatInteger)} fds, heap ${formatStat(top.heapUsedMiB)} MiB, ` +
        `RSS ${formatStat(top.rssMiB)} MiB; topic creation ${seconds(top.createMs)} s`,
      reference: '—',
      target: 'at 10,000: start < 10 s, shutdown < 3 s, fds bounded, heap < 256 MiB',
      met:
        top.partitions < 10000
          ? null
          : top.startMs.median < 10000 && top.shutdownMs.median < 3000 && top.heapUsedMiB.median < 256,
    });
  }
  return rows;
}

function verdict(met: boolean | null): string {
  return met === null ? 'not measured at full size' : met ? 'met' : '**short**';
}

/** The generated section, markers included. */
export function suiteSection(f: SuiteFigures): string {
  const lines = [
    BEGIN_MARKER,
    '## Figures from `npm run bench`',
    '',
    `Taken ${f.startedAt} with \`${f.command}\` (${f.mode === 'quick' ? 'a reduced run: fewer records, ' : ''}` +
      `${f.runs} run${f.runs === 1 ? '' : 's'} of every figure, median [min..max]). Machine: ${describeMachine(f.machine)}. ` +
      'Clients, brokers, ZooKeeper and the peers share the same cores.',
    '',
  ];
  if (f.mode === 'quick')
    lines.push(
      '**A reduced run** (`--quick`): it shows that the harness works end to end; its figures are not the record ' +
        '(short runs, and see the load average above). The standard set is `npm run bench` on a quiet machine.',
      '',
    );
  lines.push(
    ...formatTable(
      ['what', 'mq, median [range]', 'reference in the same run', 'target', 'verdict'],
      suiteRows(f).map((r) => [r.what, r.figure, r.reference, r.target, verdict(r.met)]),
      'markdown',
    ),
    '',
    '### Same workload on the peers (`mq-bench compare`)',
    '',
    ...compareTable(f.compare100, 'markdown'),
    '',
    ...compareTable(f.compare1k, 'markdown'),
    '',
    '### One broker by partition count (`mq-bench scale`)',
    '',
    ...scaleTable(f.scale, 'markdown'),
    '',
    ...f.charts.map((c) => `![${c.title}](${c.file})`),
    END_MARKER,
  );
  return lines.join('\n');
}

/** `doc` with its generated section replaced by `section` (appended after the rest when there is none yet). */
export function replaceGeneratedSection(doc: string, section: string): string {
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (begin >= 0 && end > begin) return doc.slice(0, begin) + section + doc.slice(end + END_MARKER.length);
  return `${doc.replace(/\n*$/, '')}\n\n${section}\n`;
}
