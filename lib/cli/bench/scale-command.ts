/**
 * `mq-bench scale`: throughput, create/start/shutdown times and memory (JS heap, RSS, open fds) of one broker at
 * 1, 100, 1,000 and 10,000 partitions (up to --max), each count on a fresh one-broker cluster that this command
 * starts and stops (lib/bench/scale-bench.ts).
 *
 *   mq-bench scale [--max 10000] [--num-records 500000] [--record-size 100] [--runs 3] [--format text|markdown]
 *       [--chart FILE.svg] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { IllegalStateError } from '../../common/errors.js';
import { withProgress } from '../../bench/progress.js';
import type { TableFormat } from '../../bench/report-table.js';
import { runScaleBench, type ScaleCluster, type ScalePoint } from '../../bench/scale-bench.js';
import { scaleChartSpec, scaleTable } from '../../bench/scale-report.js';
import { intArg } from '../args.js';
import { LocalCluster } from '../local-cluster.js';
import { writeChart } from './chart-file.js';

export const SCALE_COUNTS = [1, 100, 1000, 10000] as const;
const SHUTDOWN_GRACE_MS = 120_000;

interface ScaleFlags {
  max: number;
  numRecords: number;
  recordSize: number;
  runs: number;
  format: TableFormat;
  chart?: string;
  json?: boolean;
}

/** A fresh one-broker LocalCluster (Prometheus endpoint on) in a temporary directory. */
export async function startScaleCluster(): Promise<ScaleCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'mq-bench-scale-'));
  const cluster = new LocalCluster({ dir, brokers: 1, port: 0, zkPort: 0, brokerProps: { 'metrics.port': 0 } });
  const close = async () => {
    await cluster.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await cluster.start();
  } catch (e) {
    await close();
    throw e;
  }
  return {
    bootstrapServers: cluster.bootstrapServers,
    metricsPort: () => cluster.broker(1).metricsPort,
    stopBroker: async () => {
      if (!(await cluster.stopBroker(1, SHUTDOWN_GRACE_MS)))
        throw new IllegalStateError(
          `The broker did not shut down cleanly within ${SHUTDOWN_GRACE_MS} ms; see ${join(dir, 'broker-1', 'broker.log')}.`,
        );
    },
    startBroker: async () => {
      await cluster.startBroker(1);
    },
    close,
  };
}

/** Runs the scale bench at `counts` with a progress bar unless `json`. */
export async function scaleOnce(
  counts: readonly number[],
  opts: { records: number; recordSize: number; runs: number; json: boolean },
): Promise<ScalePoint[]> {
  return withProgress('scale', counts.length * opts.runs, opts.json, (progress) =>
    runScaleBench({
      partitionCounts: counts,
      records: opts.records,
      recordSize: opts.recordSize,
      runs: opts.runs,
      startCluster: startScaleCluster,
      onStep: (step) => progress.advance(1, step),
    }),
  );
}

export function scaleCommand(): Command {
  return new Command('scale')
    .description(
      'One broker at 1, 100, 1,000 and 10,000 partitions (up to --max): topic creation until every partition is ' +
        'led, produce throughput across the partitions, JS heap, RSS and open file descriptors, clean shutdown time, ' +
        'and start time (to `started` and until every partition is led again). Each count runs on a fresh ' +
        'one-broker cluster that this command starts and stops.',
    )
    .option('--max <n>', 'largest partition count to run', intArg('--max', 1), 10000)
    .option('--num-records <n>', 'records produced at each count', intArg('--num-records', 1), 500_000)
    .option('--record-size <bytes>', 'bytes per record value', intArg('--record-size', 0), 100)
    .option('--runs <n>', 'runs of every count; figures are median [min..max]', intArg('--runs', 1), 3)
    .addOption(new Option('--format <format>', 'table format').choices(['text', 'markdown']).default('text'))
    .option('--chart <file.svg>', 'also draw the figures over the partition count as an SVG chart')
    .option('--json', 'print the result as one JSON object instead of the table')
    .action(async (o: ScaleFlags) => {
      const counts = SCALE_COUNTS.filter((n) => n <= o.max);
      const points = await scaleOnce(counts, {
        records: o.numRecords,
        recordSize: o.recordSize,
        runs: o.runs,
        json: !!o.json,
      });
      if (o.json) process.stdout.write(`${JSON.stringify({ runs: o.runs, records: o.numRecords, points })}\n`);
      else process.stdout.write(`${scaleTable(points, o.format).join('\n')}\n`);
      if (o.chart !== undefined) await writeChart(o.chart, scaleChartSpec(points));
    });
}
