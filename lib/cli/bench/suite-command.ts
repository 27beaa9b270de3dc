/**
 * `mq-bench suite` (what `npm run bench` runs): the standard set — every row of the performance table in
 * docs/BENCHMARKS.md, each with the reference taken in the same run, `--runs` times (median [min..max]) — then it
 * rewrites the generated section of docs/BENCHMARKS.md (between its markers; the rest of the file is kept) with the
 * date, the machine and the table, and draws the charts into docs/bench/*.svg.
 *
 *   mq-bench suite [--runs 3] [--quick] [--scale-max 10000] [--docs docs/BENCHMARKS.md] [--no-docs] [--json]
 *
 * Stages, each on clusters of its own that are stopped before the next stage:
 *  1. one broker: `compare` at 100 B and at 1 KiB (mq, Redis Streams, NATS JetStream, RabbitMQ streams, loopback
 *     TCP and page-cache write), then per run one producer.send(record, callback) per record and an eachMessage consumer;
 *  2. three brokers: per run RF 1 acks=1, RF 3 acks=all (min.insync.replicas 2) idempotent and not idempotent
 *     produce, and end-to-end latency at 10,000 records/s with acks=all on RF 3;
 *  3. `scale` at 1, 100, 1,000 and 10,000 partitions (up to --scale-max).
 * `--quick` cuts record counts by ten, runs once and stops scale at 1,000 partitions: a check that the harness
 * works end to end, labelled as such in the generated section. Stage lines go to stderr.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { compareChartSpec } from '../../bench/compare-report.js';
import { runConsumerPerf } from '../../bench/consumer-perf.js';
import type { E2eLatencyResult } from '../../bench/e2e-latency.js';
import { machineInfo } from '../../bench/machine-info.js';
import type { Workload } from '../../bench/peers/bench-system.js';
import { runProducerPerf } from '../../bench/producer-perf.js';
import { scaleChartSpec } from '../../bench/scale-report.js';
import { runStat } from '../../bench/stats.js';
import { replaceGeneratedSection, suiteRows, suiteSection, type SuiteFigures } from '../../bench/suite-report.js';
import { formatTable } from '../../bench/report-table.js';
import { intArg } from '../args.js';
import { checkoutRoot } from '../local-cluster.js';
import { withOwnCluster } from './bench-cluster.js';
import { writeChart } from './chart-file.js';
import { compareOnce } from './compare-command.js';
import { e2eChartSpec, e2eOnce } from './e2e-command.js';
import { SCALE_COUNTS, scaleOnce } from './scale-command.js';

interface SuiteFlags {
  runs?: number;
  quick?: boolean;
  scaleMax?: number;
  docs: string | false;
  json?: boolean;
}

/** Record counts of the standard set; --quick divides them by ten. */
const FULL = {
  compare100: 1_000_000,
  compare1k: 300_000,
  perRecord: 1_000_000,
  replication: 1_000_000,
  e2eSeconds: 30,
  scale: 500_000,
};
const E2E_RATE = 10_000;
const BATCH = 1000;
const INFLIGHT = 64_000;

const say = (line: string) => process.stderr.write(`suite: ${line}\n`);

export function suiteCommand(): Command {
  return new Command('suite')
    .description(
      'The standard set behind `npm run bench`: every row of the performance table, each with its same-run ' +
        'reference (peers started from the Debian packages, machine references), repeated --runs times; rewrites ' +
        'the generated section of docs/BENCHMARKS.md and the charts in docs/bench/.',
    )
    .option('--runs <n>', 'runs of every figure (default 3; 1 with --quick)', intArg('--runs', 1))
    .option('--quick', 'a reduced run (a tenth of the records, one run, scale up to 1,000 partitions)')
    .option(
      '--scale-max <n>',
      'largest partition count for scale (default 10000; 1000 with --quick)',
      intArg('--scale-max', 1),
    )
    .option('--docs <file>', 'the BENCHMARKS.md to rewrite (default: docs/BENCHMARKS.md of this checkout)')
    .option('--no-docs', 'leave docs/BENCHMARKS.md and the charts alone')
    .option('--json', 'print the figures as one JSON object on the last line')
    .action(async (o: SuiteFlags) => {
      const quick = !!o.quick;
      const runs = o.runs ?? (quick ? 1 : 3);
      const scaleMax = o.scaleMax ?? (quick ? 1000 : 10000);
      const n = (count: number) => (quick ? Math.ceil(count / 10) : count);
      const json = !!o.json;
      const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const machine = machineInfo();
      const workload = (recordSize: number, records: number): Workload => ({
        recordSize,
        records,
        batch: BATCH,
        inflight: INFLIGHT,
        durability: 'page-cache',
      });

      say('stage 1/3: one broker — compare at 100 B and 1 KiB, send() per record, eachMessage');
      const stage1 = await withOwnCluster({ brokers: 1, label: 'suite' }, async (cluster) => {
        const bootstrap = cluster.bootstrapServers;
        const systems = ['mq', 'redis', 'nats', 'rabbitmq'] as const;
        const compare100 = await compareOnce(bootstrap, systems, workload(100, n(FULL.compare100)), runs, { json });
        const compare1k = await compareOnce(bootstrap, systems, workload(1024, n(FULL.compare1k)), runs, { json });
        const perRecord: number[] = [];
        const eachMessage: number[] = [];
        for (let run = 1; run <= runs; run++) {
          say(`run ${run}/${runs}: one producer.send(record, callback) per record, then an eachMessage consumer`);
          const topic = `suite-send-${run}-${Date.now().toString(36)}`;
          const produced = await runProducerPerf({
            bootstrapServers: bootstrap,
            topic,
            numRecords: n(FULL.perRecord),
            sendBatchSize: 1,
            maxPendingChunks: INFLIGHT,
            producerProps: { acks: 1 },
            print: () => undefined,
          });
          perRecord.push(produced.recordsPerSec);
          const consumed = await runConsumerPerf({
            bootstrapServers: bootstrap,
            topic,
            messages: n(FULL.perRecord),
            mode: 'eachMessage',
            print: () => undefined,
          });
          eachMessage.push(consumed.messagesPerSec);
        }
        return { compare100, compare1k, perRecord: runStat(perRecord), eachMessage: runStat(eachMessage) };
      });

      say('stage 2/3: three brokers — RF 1 acks=1 against RF 3 acks=all, end-to-end latency');
      const e2eRecords = n(FULL.e2eSeconds * E2E_RATE);
      const stage2 = await withOwnCluster({ brokers: 3, label: 'suite' }, async (cluster) => {
        const bootstrap = cluster.bootstrapServers;
        const rf1: number[] = [];
        const rf3: number[] = [];
        const rf3NotIdempotent: number[] = [];
        const e2e: E2eLatencyResult[] = [];
        for (let run = 1; run <= runs; run++) {
          const stamp = `${run}-${Date.now().toString(36)}`;
          say(`run ${run}/${runs}: RF 1 acks=1, RF 3 acks=all (idempotent or not), e2e at ${E2E_RATE} records/s`);
          for (const [rf, acks, idempotence, into] of [
            [1, 1, false, rf1],
            [3, 'all', true, rf3],
            [3, 'all', false, rf3NotIdempotent],
          ] as const) {
            const r = await runProducerPerf({
              bootstrapServers: bootstrap,
              topic: `suite-rf${rf}-${idempotence ? 'idempotent-' : ''}${stamp}`,
              numRecords: n(FULL.replication),
              producerProps: { acks, 'enable.idempotence': idempotence },
              createTopic: {
                partitions: 1,
                replicationFactor: rf,
                ...(rf === 3 ? { configs: { 'min.insync.replicas': '2' } } : {}),
              },
              print: () => undefined,
            });
            into.push(r.recordsPerSec);
          }
          e2e.push(
            await e2eOnce(bootstrap, {
              records: e2eRecords,
              ratePerSec: E2E_RATE,
              recordSize: 100,
              acks: 'all',
              replicationFactor: 3,
              minInsyncReplicas: 2,
              json,
            }),
          );
        }
        return { rf1: runStat(rf1), rf3: runStat(rf3), rf3NotIdempotent: runStat(rf3NotIdempotent), e2e };
      });

      say(`stage 3/3: one broker at ${SCALE_COUNTS.filter((c) => c <= scaleMax).join(', ')} partitions`);
      const scale = await scaleOnce(
        SCALE_COUNTS.filter((c) => c <= scaleMax),
        { records: n(FULL.scale), recordSize: 100, runs, json },
      );

      const docsFile = o.docs === false ? null : (o.docs ?? join(checkoutRoot(), 'docs', 'BENCHMARKS.md'));
      const chartsDir = docsFile === null ? null : join(docsFile, '..', 'bench');
      const charts = [
        {
          name: 'compare-100b.svg',
          title: 'mq and its peers, 100 B records',
          spec: compareChartSpec(stage1.compare100),
        },
        {
          name: 'compare-1kib.svg',
          title: 'mq and its peers, 1 KiB records',
          spec: compareChartSpec(stage1.compare1k),
        },
        {
          name: 'e2e-latency.svg',
          title: `end-to-end latency at ${E2E_RATE} records/s, acks=all, RF 3`,
          spec: e2eChartSpec(
            `End-to-end latency at ${E2E_RATE} records/s, acks=all, RF 3`,
            stage2.e2e.map((result, i) => ({ label: `run ${i + 1}`, result })),
          ),
        },
        { name: 'scale.svg', title: 'one broker by partition count', spec: scaleChartSpec(scale) },
      ];
      const pick = (k: 'p50Ms' | 'p99Ms' | 'p999Ms' | 'p9999Ms') => runStat(stage2.e2e.map((r) => r[k]));
      const figures: SuiteFigures = {
        startedAt,
        command: `npm run bench${quick ? ' -- --quick' : ''}`,
        mode: quick ? 'quick' : 'standard',
        runs,
        machine,
        compare100: stage1.compare100,
        compare1k: stage1.compare1k,
        sendPerRecord: stage1.perRecord,
        consumeEachMessage: stage1.eachMessage,
        rf1: stage2.rf1,
        rf3: stage2.rf3,
        rf3NotIdempotent: stage2.rf3NotIdempotent,
        e2e: {
          ratePerSec: E2E_RATE,
          records: e2eRecords,
          p50Ms: pick('p50Ms'),
          p99Ms: pick('p99Ms'),
          p999Ms: pick('p999Ms'),
          p9999Ms: pick('p9999Ms'),
        },
        scale,
        charts:
          chartsDir === null
            ? []
            : charts.map((c) => ({ file: relative(join(docsFile!, '..'), join(chartsDir, c.name)), title: c.title })),
      };
      if (docsFile !== null && chartsDir !== null) {
        mkdirSync(chartsDir, { recursive: true });
        for (const c of charts) await writeChart(join(chartsDir, c.name), c.spec);
        writeFileSync(docsFile, replaceGeneratedSection(readFileSync(docsFile, 'utf8'), suiteSection(figures)));
        say(`rewrote the generated section of ${docsFile}`);
      }
      if (json) {
        process.stdout.write(`${JSON.stringify(figures)}\n`);
      } else {
        const rows = suiteRows(figures).map((r) => [
          r.what,
          r.figure,
          r.reference,
          r.target,
          r.met === null ? '-' : r.met ? 'met' : 'short',
        ]);
        process.stdout.write(`${formatTable(['what', 'mq', 'reference', 'target', ''], rows, 'text').join('\n')}\n`);
      }
    });
}
