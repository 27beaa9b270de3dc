/**
 * `mq-bench e2e`: end-to-end latency (produce → a consumer sees the record) at a fixed rate, from each record's
 * intended send time into an HDR histogram, percentiles to p99.99 (lib/bench/e2e-latency.ts). Starts its own
 * cluster of max(replication factor, --brokers) brokers unless --bootstrap-server is given.
 *
 *   mq-bench e2e [--bootstrap-server H:P] [--topic T] [--num-records 10000] [--throughput 1000] [--record-size 100]
 *       [--producer-props acks=all ...] [--consumer-props k=v ...] [--replication-factor 1] [--min-insync-replicas N]
 *       [--brokers N] [--chart FILE.svg] [--json]
 */
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import type { ProducerOptions } from '../../client/producer/producer-options.js';
import { lineChartSpec } from '../../bench/chart.js';
import { formatE2eLatency, runE2eLatency, type E2eLatencyResult } from '../../bench/e2e-latency.js';
import { withProgress } from '../../bench/progress.js';
import { intArg } from '../args.js';
import { withBootstrap } from './bench-cluster.js';
import { consumerPropsOption, producerPropsOption } from './client-props.js';
import { writeChart } from './chart-file.js';

interface E2eFlags {
  bootstrapServer?: string;
  topic?: string;
  numRecords: number;
  throughput: number;
  recordSize: number;
  producerProps: Record<string, string>;
  consumerProps: Record<string, string>;
  replicationFactor: number;
  minInsyncReplicas?: number;
  brokers?: number;
  chart?: string;
  json?: boolean;
}

type Acks = NonNullable<ProducerOptions['acks']>;
const ACKS: readonly string[] = ['0', '1', '-1', 'all'];

export interface E2eRun {
  records: number;
  ratePerSec: number;
  recordSize: number;
  acks: Acks;
  replicationFactor: number;
  minInsyncReplicas?: number;
  producerProps?: Record<string, string>;
  consumerProps?: Record<string, string>;
  topic?: string;
  json: boolean;
}

/** One e2e run against `bootstrapServers`, on a fresh topic unless `run.topic` names one. */
export async function e2eOnce(bootstrapServers: string, run: E2eRun): Promise<E2eLatencyResult> {
  return withProgress('e2e', run.records, run.json, (progress) =>
    runE2eLatency({
      bootstrapServers,
      topic: run.topic ?? `e2e-${Date.now().toString(36)}`,
      records: run.records,
      ratePerSec: run.ratePerSec,
      recordSize: run.recordSize,
      producerProps: { ...run.producerProps, acks: run.acks },
      consumerProps: { ...run.consumerProps },
      createTopic: {
        replicationFactor: run.replicationFactor,
        ...(run.minInsyncReplicas === undefined
          ? {}
          : { configs: { 'min.insync.replicas': String(run.minInsyncReplicas) } }),
      },
      onProgress: (received) => progress.update(received),
    }),
  );
}

/** Latency by percentile, one line per labelled result. */
export function e2eChartSpec(title: string, results: readonly { label: string; result: E2eLatencyResult }[]) {
  return lineChartSpec(
    title,
    results.flatMap(({ label, result }) =>
      result.distribution.map((d) => ({ panel: 'end-to-end latency', series: label, x: `p${d.percentile}`, y: d.ms })),
    ),
    { xTitle: 'percentile', xScale: 'ordinal', yTitle: 'ms (log)', yLog: true },
  );
}

export function e2eCommand(): Command {
  return new Command('e2e')
    .description(
      "End-to-end latency as Kafka's EndToEndLatency measures it (a record produced, the time until a consumer " +
        'sees it), at a fixed rate, each latency taken from the intended send time (coordinated-omission safe) into ' +
        'an HDR histogram. Starts its own cluster unless --bootstrap-server is given.',
    )
    .option('--bootstrap-server <list>', 'host:port[,host:port] of brokers (default: start a cluster)')
    .option('--topic <name>', 'topic of one partition to use (default: a fresh one)')
    .option('--num-records <n>', 'records in the timed run', intArg('--num-records', 1), 10000)
    .option('--throughput <n>', 'records/s the sender keeps to', intArg('--throughput', 1), 1000)
    .option('--record-size <bytes>', 'bytes per record value (at least 8)', intArg('--record-size', 8), 100)
    .addOption(producerPropsOption())
    .addOption(consumerPropsOption())
    .option('--replication-factor <n>', 'replication factor of the topic', intArg('--replication-factor', 1), 1)
    .option('--min-insync-replicas <n>', 'min.insync.replicas of the topic', intArg('--min-insync-replicas', 1))
    .option(
      '--brokers <n>',
      'brokers of the cluster this command starts (default: the replication factor)',
      intArg('--brokers', 1),
    )
    .option('--chart <file.svg>', 'also draw the latency by percentile as an SVG chart')
    .option('--json', 'print the result as one JSON object instead of the summary lines')
    .action(async (o: E2eFlags) => {
      const acks = o.producerProps.acks ?? '1';
      if (!ACKS.includes(acks)) throw new CommanderArgError(`acks must be one of ${ACKS.join(', ')}; got '${acks}'.`);
      const brokers = Math.max(o.replicationFactor, o.brokers ?? 1);
      const result = await withBootstrap(o.bootstrapServer, { brokers, label: 'e2e' }, (bootstrap) =>
        e2eOnce(bootstrap, {
          records: o.numRecords,
          ratePerSec: o.throughput,
          recordSize: o.recordSize,
          acks: acks as Acks,
          replicationFactor: o.replicationFactor,
          ...(o.minInsyncReplicas === undefined ? {} : { minInsyncReplicas: o.minInsyncReplicas }),
          producerProps: o.producerProps,
          consumerProps: o.consumerProps,
          ...(o.topic === undefined ? {} : { topic: o.topic }),
          json: !!o.json,
        }),
      );
      if (o.json)
        process.stdout.write(`${JSON.stringify({ acks, replicationFactor: o.replicationFactor, ...result })}\n`);
      else process.stdout.write(`${formatE2eLatency(result).join('\n')}\n`);
      if (o.chart !== undefined)
        await writeChart(
          o.chart,
          e2eChartSpec(`End-to-end latency at ${o.throughput} records/s`, [
            { label: `acks=${acks}, RF ${o.replicationFactor}`, result },
          ]),
        );
    });
}
