/**
 * `mq-bench compare`: one workload on this cluster and, in the same run on loopback, Redis Streams, NATS JetStream
 * and RabbitMQ streams, started by the command from the Debian packages (`bash scripts/setup.sh --bench`), each on
 * free ports with its own data dir, stopped afterwards; plus the machine's loopback TCP and page-cache write
 * references. Prints a table (text or Markdown) or, with --json, one JSON object; --chart writes an SVG.
 *
 *   mq-bench compare [--bootstrap-server H:P] [--record-size 100] [--num-records 1000000] [--batch 100]
 *       [--inflight 1000] [--durability page-cache|fsync] [--runs 3] [--systems mq,redis,nats,rabbitmq]
 *       [--format text|markdown] [--chart FILE.svg] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import { runCompare, type CompareResult } from '../../bench/compare-bench.js';
import { compareChartSpec, compareTable } from '../../bench/compare-report.js';
import type { BenchSystem, Durability, Workload } from '../../bench/peers/bench-system.js';
import { MqSystem } from '../../bench/peers/mq-system.js';
import { NatsJetStream } from '../../bench/peers/nats-jetstream.js';
import { RabbitMqStreams } from '../../bench/peers/rabbitmq-streams.js';
import { RedisStreams } from '../../bench/peers/redis-streams.js';
import { withProgress } from '../../bench/progress.js';
import type { TableFormat } from '../../bench/report-table.js';
import { intArg } from '../args.js';
import { withBootstrap } from './bench-cluster.js';
import { writeChart } from './chart-file.js';

const SYSTEMS = ['mq', 'redis', 'nats', 'rabbitmq'] as const;
type SystemName = (typeof SYSTEMS)[number];

interface CompareFlags {
  bootstrapServer?: string;
  recordSize: number;
  numRecords: number;
  batch: number;
  inflight: number;
  durability: Durability;
  runs: number;
  systems: SystemName[];
  format: TableFormat;
  dir?: string;
  chart?: string;
  json?: boolean;
}

function systemsArg(v: string): SystemName[] {
  const names = v.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(SYSTEMS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0)
    throw new CommanderArgError(`--systems takes a comma-separated list of ${SYSTEMS.join(', ')}; got '${v}'.`);
  return names as SystemName[];
}

/** The drivers for `names`, mq's first. */
export function benchSystems(names: readonly SystemName[], bootstrapServers: string): BenchSystem[] {
  const make: Record<SystemName, () => BenchSystem> = {
    mq: () => new MqSystem(bootstrapServers),
    redis: () => new RedisStreams(),
    nats: () => new NatsJetStream(),
    rabbitmq: () => new RabbitMqStreams(),
  };
  return SYSTEMS.filter((n) => names.includes(n)).map((n) => make[n]());
}

/** Runs the comparison in a scratch dir (under `dir` when given), with a progress bar unless `json`. */
export async function compareOnce(
  bootstrapServers: string,
  systems: readonly SystemName[],
  workload: Workload,
  runs: number,
  opts: { dir?: string; json: boolean; referenceBytes?: number },
): Promise<CompareResult> {
  const scratch = mkdtempSync(join(opts.dir ?? tmpdir(), 'mq-bench-compare-'));
  try {
    return await withProgress('compare', 1, opts.json, (progress) =>
      runCompare({
        systems: benchSystems(systems, bootstrapServers),
        workload,
        runs,
        dir: scratch,
        ...(opts.referenceBytes === undefined ? {} : { referenceBytes: opts.referenceBytes }),
        onStep: (step, total) => {
          progress.setTotal(total);
          progress.advance(1, step);
        },
      }),
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function compareCommand(): Command {
  return new Command('compare')
    .description(
      'The same workload on this cluster and, in the same run on loopback, Redis Streams, NATS JetStream and ' +
        'RabbitMQ streams (started from the Debian packages that `bash scripts/setup.sh --bench` installs, on free ' +
        "ports, stopped afterwards; a system not installed is skipped with a note), beside the machine's loopback " +
        'TCP and page-cache write references. Starts its own one-broker cluster unless --bootstrap-server is given.',
    )
    .option('--bootstrap-server <list>', 'host:port[,host:port] of the mq cluster (default: start one broker)')
    .option('--record-size <bytes>', 'bytes per record value', intArg('--record-size', 1), 100)
    .option(
      '--num-records <n>',
      'records produced and then consumed per system and run',
      intArg('--num-records', 1),
      1_000_000,
    )
    .option('--batch <n>', 'records per client call where the system has a batch call', intArg('--batch', 1), 100)
    .option('--inflight <n>', 'records sent and not yet acknowledged, at most', intArg('--inflight', 1), 1000)
    .addOption(
      new Option('--durability <mode>', "acknowledge after the page-cache write or after fsync, in each system's terms")
        .choices(['page-cache', 'fsync'])
        .default('page-cache'),
    )
    .option('--runs <n>', 'runs; every figure is the median [min..max]', intArg('--runs', 1), 3)
    .option('--systems <list>', `systems to run, of ${SYSTEMS.join(',')}`, systemsArg, [...SYSTEMS])
    .addOption(new Option('--format <format>', 'table format').choices(['text', 'markdown']).default('text'))
    .option('--dir <path>', "scratch directory for the peers' data (default: the OS temp dir)")
    .option('--chart <file.svg>', 'also draw the result as an SVG chart')
    .option('--json', 'print the result as one JSON object instead of the table')
    .action(async (o: CompareFlags) => {
      if (o.batch > o.inflight) throw new CommanderArgError('--batch must not exceed --inflight.');
      const workload: Workload = {
        recordSize: o.recordSize,
        records: o.numRecords,
        batch: o.batch,
        inflight: o.inflight,
        durability: o.durability,
      };
      const run = (bootstrap: string) =>
        compareOnce(bootstrap, o.systems, workload, o.runs, {
          ...(o.dir === undefined ? {} : { dir: o.dir }),
          json: !!o.json,
        });
      // Without mq among the systems there is no cluster to start.
      const result = o.systems.includes('mq')
        ? await withBootstrap(o.bootstrapServer, { brokers: 1, label: 'compare' }, run)
        : await run('');
      if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`${compareTable(result, o.format).join('\n')}\n`);
      if (o.chart !== undefined) await writeChart(o.chart, compareChartSpec(result));
    });
}
