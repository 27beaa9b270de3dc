import { expect } from 'chai';
import type { CompareResult, CompareRow } from '../../../lib/bench/compare-bench.js';
import { compareTable } from '../../../lib/bench/compare-report.js';
import type { MachineInfo } from '../../../lib/bench/machine-info.js';
import { formatTable } from '../../../lib/bench/report-table.js';
import { parseBrokerMemory, type ScalePoint } from '../../../lib/bench/scale-bench.js';
import { formatStat, ratioStat, runStat, type RunStat } from '../../../lib/bench/stats.js';
import {
  BEGIN_MARKER,
  END_MARKER,
  replaceGeneratedSection,
  suiteRows,
  suiteSection,
  type SuiteFigures,
} from '../../../lib/bench/suite-report.js';

const one = (v: number): RunStat => runStat([v]);

function row(system: string, produce: number, consume: number, equivalent = true): CompareRow {
  return {
    system,
    setting: { text: `${system} setting`, equivalent },
    produceRecordsPerSec: one(produce),
    produceMbPerSec: one(produce / 10_000),
    ackP50Ms: one(1.5),
    ackP99Ms: one(9),
    consumeRecordsPerSec: one(consume),
    consumeMbPerSec: one(consume / 10_000),
  };
}

function compare(recordSize: number, rows: CompareRow[]): CompareResult {
  return {
    workload: { recordSize, records: 1000, batch: 100, inflight: 1000, durability: 'page-cache' },
    runs: 1,
    rows,
    skipped: [{ system: 'RabbitMQ streams', reason: 'rabbitmq-server is not installed' }],
    references: { loopbackTcpMbPerSec: one(1800), pageCacheWriteMbPerSec: one(3900) },
  };
}

function point(partitions: number, produce: number): ScalePoint {
  return {
    partitions,
    createMs: one(100),
    produceRecordsPerSec: one(produce),
    heapUsedMiB: one(100),
    rssMiB: one(200),
    openFds: one(partitions + 20),
    shutdownMs: one(1000),
    startMs: one(5000),
    readyMs: one(6000),
  };
}

const MACHINE: MachineInfo = {
  cores: 2,
  cpuModel: 'Test CPU',
  memoryGiB: 24,
  kernel: 'Linux 6.1.0',
  node: 'v20.20.2',
  loadAverage: [0.5, 0.4, 0.3],
};

function figures(overrides: Partial<SuiteFigures> = {}): SuiteFigures {
  return {
    startedAt: '2026-12-07T10:00:00Z',
    command: 'npm run bench',
    mode: 'standard',
    runs: 1,
    machine: MACHINE,
    compare100: compare(100, [row('mq', 1_600_000, 2_600_000), row('Redis Streams', 300_000, 260_000)]),
    compare1k: compare(1024, [row('mq', 3_100_000, 1_000_000), row('Redis Streams', 800_000, 200_000)]),
    sendPerRecord: one(1_300_000),
    consumeEachMessage: one(1_600_000),
    rf1: one(1_000_000),
    rf3: one(650_000),
    rf3NotIdempotent: one(680_000),
    e2e: { ratePerSec: 10_000, records: 300_000, p50Ms: one(1.2), p99Ms: one(8), p999Ms: one(12), p9999Ms: one(20) },
    scale: [point(1, 1_000_000), point(1000, 850_000), point(10_000, 700_000)],
    charts: [{ file: 'bench/scale.svg', title: 'scale' }],
    ...overrides,
  };
}

describe('bench stats', () => {
  it('takes the median and range of runs, and ratios run by run', () => {
    expect(runStat([3, 1, 2])).to.deep.equal({ median: 2, min: 1, max: 3, runs: [3, 1, 2] });
    const a = runStat([10, 20, 30]);
    const b = runStat([5, 40, 10]);
    expect(ratioStat(a, b).runs).to.deep.equal([2, 0.5, 3]);
    expect(ratioStat(a, b).median).to.equal(2);
    expect(formatStat(runStat([1_000_000, 900_000, 1_100_000]))).to.equal('1,000,000 [900,000..1,100,000]');
    expect(formatStat(one(1.234))).to.equal('1.23');
  });
});

describe('formatTable', () => {
  it('pads text columns and writes Markdown rows with escaped pipes', () => {
    expect(formatTable(['a', 'bb'], [['xyz', '1']], 'text')).to.deep.equal(['a    bb', '---  --', 'xyz  1']);
    expect(formatTable(['a', 'b'], [['x|y', '1']], 'markdown')).to.deep.equal([
      '| a | b |',
      '| --- | --- |',
      '| x\\|y | 1 |',
    ]);
  });
});

describe('compareTable', () => {
  it('shows every system, the references, the skipped systems and marks a durability that does not match', () => {
    const r = compare(100, [row('mq', 1_000_000, 2_000_000), row('NATS JetStream', 100_000, 150_000, false)]);
    const text = compareTable(r, 'text').join('\n');
    expect(text).to.include('1,000 records of 100 B, calls of 100, at most 1,000 in flight, durability page-cache');
    expect(text).to.match(/^mq\s+1,000,000\s+100\s+1\.50 \/ 9\.00\s+2,000,000/m);
    expect(text).to.include('NATS JetStream (*)');
    expect(text).to.include('loopback TCP 1,800 MB/s');
    expect(text).to.include('Skipped RabbitMQ streams: rabbitmq-server is not installed.');
  });
});

describe('parseBrokerMemory', () => {
  it("reads heap, RSS and descriptors from the broker's Prometheus text", () => {
    const text = [
      '# HELP mq_process_resident_memory_bytes Resident memory size in bytes.',
      'mq_process_resident_memory_bytes 104857600',
      'mq_process_open_fds 123',
      'mq_nodejs_heap_size_used_bytes 20971520',
      'mq_nodejs_heap_size_used_bytes_total 1',
    ].join('\n');
    expect(parseBrokerMemory(text)).to.deep.equal({ heapUsedBytes: 20971520, rssBytes: 104857600, openFds: 123 });
  });
});

describe('suite report', () => {
  it('judges every row of the table against its target', () => {
    const rows = suiteRows(figures());
    expect(rows.map((r) => r.met)).to.deep.equal([true, true, true, true, true, true, true, true, true]);
    expect(rows[0]!.reference).to.include('mq / Redis 5.33');
    expect(rows[5]!.what).to.equal('idempotent vs not idempotent, RF 3 acks=all (3 brokers)');
    expect(rows[5]!.figure).to.equal('0.96');
    expect(rows[7]!.figure).to.equal('85%');

    const short = suiteRows(
      figures({
        rf3: one(400_000),
        e2e: { ...figures().e2e, p99Ms: one(12) },
        scale: [point(1, 1e6), point(1000, 5e5)],
      }),
    );
    expect(short[4]!.met).to.equal(false);
    expect(short[5]!.met).to.equal(false);
    expect(short[6]!.met).to.equal(false);
    expect(short[7]!.met).to.equal(false);
    expect(short[8]!.what).to.equal('1,000 partitions on one broker');
    expect(short[8]!.met).to.equal(null);
  });

  it('writes the section between its markers with the date, the machine, the table and the charts', () => {
    const section = suiteSection(figures({ mode: 'quick', command: 'npm run bench -- --quick' }));
    expect(section.startsWith(BEGIN_MARKER)).to.equal(true);
    expect(section.endsWith(END_MARKER)).to.equal(true);
    expect(section).to.include('Taken 2026-12-07T10:00:00Z with `npm run bench -- --quick`');
    expect(section).to.include('2 cores (Test CPU), 24 GiB memory, Linux 6.1.0, Node v20.20.2');
    expect(section).to.include('**A reduced run**');
    expect(section).to.include('| 100 B, one producer, 100-record calls |');
    expect(section).to.include('![scale](bench/scale.svg)');
  });

  it('replaces only the generated section and keeps the hand-written text byte for byte', () => {
    const before = '# Benchmarks\n\nintro\n\n';
    const after = '\n\n## Hand-written\n\ntext | with | pipes\n';
    const doc = `${before}${BEGIN_MARKER}\nold figures\n${END_MARKER}${after}`;
    const updated = replaceGeneratedSection(doc, `${BEGIN_MARKER}\nnew\n${END_MARKER}`);
    expect(updated).to.equal(`${before}${BEGIN_MARKER}\nnew\n${END_MARKER}${after}`);
    expect(replaceGeneratedSection(updated, `${BEGIN_MARKER}\nnew\n${END_MARKER}`)).to.equal(updated);
  });

  it('appends the section to a document that has none yet', () => {
    expect(replaceGeneratedSection('# B\n\ntext\n\n\n', 'S')).to.equal('# B\n\ntext\n\nS\n');
  });
});
