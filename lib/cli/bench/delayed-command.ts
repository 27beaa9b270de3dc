/**
 * `mq-bench delayed`: delayed delivery under load (lib/bench/delayed-bench.ts) — accept rate, delivery rate once
 * due, lateness after the due time (load and probe records), and the brokers' memory while records are pending.
 * Starts its own cluster (--brokers, metrics on) unless --bootstrap-server is given (then no memory samples).
 *
 *   mq-bench delayed [--bootstrap-server H:P] [--pending 100000] [--due-in-ms 20000] [--spread-ms 10000]
 *       [--record-size 100] [--probe-rate 100] [--probe-delay-ms 2000] [--max-run-ms 600000] [--partitions 6]
 *       [--replication-factor 1] [--brokers 1] [--restart] [--json]
 */
import { Command } from 'commander';
import { formatDelayedBench, runDelayedBench, type DelayedBenchResult } from '../../bench/delayed-bench.js';
import { withProgress, type Progress } from '../../bench/progress.js';
import { intArg } from '../args.js';
import { UsageError } from '../cli-errors.js';
import { withOwnCluster } from './bench-cluster.js';

interface DelayedFlags {
  bootstrapServer?: string;
  topic?: string;
  pending: number;
  dueInMs: number;
  spreadMs: number;
  recordSize: number;
  probeRate: number;
  probeDelayMs: number;
  maxRunMs: number;
  partitions: number;
  replicationFactor: number;
  brokers?: number;
  restart?: boolean;
  json?: boolean;
}

export function delayedCommand(): Command {
  return new Command('delayed')
    .description(
      'Delayed delivery under load: sends --pending records due over --spread-ms from --due-in-ms on, probe records ' +
        'due --probe-delay-ms after sending meanwhile, and measures the accept rate, the delivery rate once due, ' +
        "each record's lateness after its due time, and the brokers' memory. Starts its own cluster unless " +
        '--bootstrap-server is given.',
    )
    .option('--bootstrap-server <list>', 'host:port[,host:port] of brokers (default: start a cluster)')
    .option('--topic <name>', 'target topic (default: a fresh one)')
    .option('--pending <n>', 'delayed records of the load', intArg('--pending', 1), 100_000)
    .option('--due-in-ms <ms>', 'when the first load record is due, from the start', intArg('--due-in-ms', 0), 20_000)
    .option('--spread-ms <ms>', 'load due times spread evenly over this long', intArg('--spread-ms', 0), 10_000)
    .option('--record-size <bytes>', 'bytes per record value (at least 13)', intArg('--record-size', 13), 100)
    .option('--probe-rate <n>', 'probe records per second during the run (0: none)', intArg('--probe-rate', 0), 100)
    .option(
      '--probe-delay-ms <ms>',
      'each probe is due this long after it is sent',
      intArg('--probe-delay-ms', 0),
      2000,
    )
    .option(
      '--max-run-ms <ms>',
      'end the run after this long even if load records are pending',
      intArg('--max-run-ms', 1000),
      600_000,
    )
    .option('--partitions <n>', 'partitions of the target topic', intArg('--partitions', 1), 6)
    .option('--replication-factor <n>', 'replication factor of the target topic', intArg('--replication-factor', 1), 1)
    .option(
      '--brokers <n>',
      'brokers of the cluster this command starts (default: the replication factor)',
      intArg('--brokers', 1),
    )
    .option('--restart', 'restart the brokers once the load is accepted and measure how long reloading it takes')
    .option('--json', 'print the result as one JSON object instead of the summary lines')
    .action(async (o: DelayedFlags) => {
      if (o.restart === true && o.bootstrapServer !== undefined) {
        throw new UsageError('--restart restarts the cluster this command starts; leave out --bootstrap-server.');
      }
      const run = (
        progress: Progress,
        bootstrapServers: string,
        metricsPorts: number[],
        restartBrokers?: () => Promise<void>,
      ): Promise<DelayedBenchResult> =>
        runDelayedBench({
          bootstrapServers,
          topic: o.topic ?? `delayed-${Date.now().toString(36)}`,
          partitions: o.partitions,
          replicationFactor: o.replicationFactor,
          pending: o.pending,
          dueInMs: o.dueInMs,
          spreadMs: o.spreadMs,
          recordSize: o.recordSize,
          probeRatePerSec: o.probeRate,
          probeDelayMs: o.probeDelayMs,
          maxRunMs: o.maxRunMs,
          metricsPorts,
          ...(restartBrokers === undefined ? {} : { restartBrokers }),
          onProgress: (phase, done, total) => {
            progress.setTotal(total);
            progress.update(done, phase);
          },
        });
      const result = await withProgress('delayed', o.pending, !!o.json, (progress) =>
        o.bootstrapServer !== undefined
          ? run(progress, o.bootstrapServer, [])
          : withOwnCluster(
              {
                brokers: Math.max(o.replicationFactor, o.brokers ?? 1),
                brokerProps: { 'metrics.port': 0 },
                label: 'delayed',
              },
              (cluster) =>
                run(
                  progress,
                  cluster.bootstrapServers,
                  cluster.brokerIds().map((id) => cluster.broker(id).metricsPort),
                  o.restart === true
                    ? async () => {
                        for (const id of cluster.brokerIds()) await cluster.restartBroker(id);
                      }
                    : undefined,
                ),
            ),
      );
      if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(`${formatDelayedBench(result).join('\n')}\n`);
    });
}
