/**
 * `mq-bench`: benchmark harness. One commander program; each benchmark is a subcommand.
 *
 *   mq-bench log [--dir D] [--total-bytes N] [--repeat 3] [--inflight 32] [--partitions 0] [--json]
 *   mq-bench produce --bootstrap-server H:P --topic T --num-records N [--record-size 100] [--throughput -1]
 *       [--producer-props k=v ...] [--partitions 1] [--replication-factor 1] [--transactional-id ID
 *       --transaction-size N] [--json]                                                  (kafka-producer-perf-test)
 *   mq-bench consume --bootstrap-server H:P --topic T --messages N [--consumer-props k=v ...] [--json]
 *       (kafka-consumer-perf-test)
 *   mq-bench failover [--rounds 5] [--session-timeout-ms 6000] [--json]   (starts its own 3-broker cluster)
 *   mq-bench rebalance [--members 10] [--partitions 30] [--rounds 5] [--strategy range] [--heartbeat-interval-ms 3000]
 *       [--session-timeout-ms 10000] [--json]   (starts its own 3-broker cluster)
 *   mq-bench e2e [--bootstrap-server H:P] [--num-records N] [--throughput R] ...   (bench/e2e-command.ts)
 *   mq-bench compare [--bootstrap-server H:P] [--record-size B] [--num-records N] ...   (bench/compare-command.ts)
 *   mq-bench scale [--max 10000] [--num-records N] [--runs 3] ...   (bench/scale-command.ts)
 *   mq-bench suite [--runs 3] [--quick] ...   (npm run bench; bench/suite-command.ts)
 *   mq-bench delayed [--pending N] [--due-in-ms MS] [--spread-ms MS] [--probe-rate R] ...   (bench/delayed-command.ts)
 *
 * Result lines go to stdout, then a summary; with `--json` the last line of stdout is one JSON object with the
 * figures. A progress bar is drawn on stderr when it is a terminal and --json is not given; lines about clusters
 * being started go to stderr. Returns the exit code; only bin/mq-bench exits.
 */
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { runLogBench } from '../bench/log-bench.js';
import { runProducerPerf } from '../bench/producer-perf.js';
import { runConsumerPerf } from '../bench/consumer-perf.js';
import { runFailoverBench } from '../bench/failover-bench.js';
import { runRebalanceBench } from '../bench/rebalance-bench.js';
import { intArg, runProgram } from './args.js';
import { withProgress } from '../bench/progress.js';
import type { PerfToolOptions } from '../bench/perf-tool-options.js';
import { runStat } from '../bench/stats.js';
import { withOwnCluster } from './bench/bench-cluster.js';
import { consumerPropsOption, producerPropsOption } from './bench/client-props.js';
import { compareCommand } from './bench/compare-command.js';
import { delayedCommand } from './bench/delayed-command.js';
import { e2eCommand } from './bench/e2e-command.js';
import { scaleCommand } from './bench/scale-command.js';
import { suiteCommand } from './bench/suite-command.js';

/** Bytes with an optional k/m/g suffix (powers of 1024), e.g. 512m. */
function bytesArg(v: string): number {
  const m = /^(\d+)([kmg]?)i?b?$/i.exec(v.trim());
  if (!m) throw new CommanderArgError(`expected a byte count such as 1073741824, 512m or 1g; got '${v}'.`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * unit;
  if (n < 1024 * 1024) throw new CommanderArgError('--total-bytes must be at least 1m.');
  return n;
}

/** The flags `produce` and `consume` share, as kafka-producer-perf-test and kafka-consumer-perf-test do. */
interface PerfToolFlags {
  bootstrapServer: string;
  topic: string;
  json?: boolean;
}

/** Runs a perf tool with the options its shared flags give and a progress bar counting its records to `total`. */
function runPerfTool<T>(
  label: string,
  total: number,
  o: PerfToolFlags,
  run: (options: PerfToolOptions) => Promise<T>,
): Promise<T> {
  return withProgress(label, total, !!o.json, (progress) =>
    run({
      bootstrapServers: o.bootstrapServer,
      topic: o.topic,
      json: !!o.json,
      onProgress: (records) => progress.update(records),
    }),
  );
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('mq-bench')
    .description(
      'Benchmarks of mq: the storage engine alone; producer, consumer and end-to-end performance against a cluster; ' +
        'failover and rebalance times; one broker by partition count; the same workload beside Redis Streams, NATS ' +
        'JetStream and RabbitMQ streams; and the standard set behind `npm run bench`.',
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('log')
    .description(
      'Storage engine alone: append, read back, durable (group commit) appends, and the write path, each beside its reference.',
    )
    .option('--dir <path>', 'directory for the temporary log files (default: the OS temp dir)')
    .option('--total-bytes <bytes>', 'bytes written per phase and run (k/m/g suffixes)', bytesArg, 1024 ** 3)
    .option('--repeat <n>', 'runs of every phase; the summary reports median and range', intArg('--repeat', 1), 3)
    .option('--inflight <n>', 'durable appends in flight, each awaiting its flush', intArg('--inflight', 1), 32)
    .option(
      '--partitions <n>',
      'also time a log manager starting with this many logs, clean and after a crash',
      intArg('--partitions', 0),
      0,
    )
    .option('--json', 'print the figures as one JSON object on the last line')
    .action(
      async (o: {
        dir?: string;
        totalBytes: number;
        repeat: number;
        inflight: number;
        partitions: number;
        json?: boolean;
      }) => {
        const result = await runLogBench({
          dir: o.dir,
          totalBytes: o.totalBytes,
          repeat: o.repeat,
          inflight: o.inflight,
          partitions: o.partitions,
        });
        if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      },
    );

  program
    .command('produce')
    .description('Producer throughput and latency against a running cluster (shaped like kafka-producer-perf-test).')
    .requiredOption('--bootstrap-server <list>', 'host:port[,host:port] of brokers to bootstrap from')
    .requiredOption('--topic <name>', 'topic to produce to (created if missing)')
    .requiredOption('--num-records <n>', 'records to send', intArg('--num-records', 1))
    .option('--record-size <bytes>', 'bytes per record value', intArg('--record-size', 0), 100)
    .option('--throughput <n>', 'cap in records/s; -1 for none', (v: string) => Number(v), -1)
    .addOption(producerPropsOption())
    .option('--partitions <n>', 'partitions if the topic is created', intArg('--partitions', 1), 1)
    .option(
      '--replication-factor <n>',
      'replication factor if the topic is created',
      intArg('--replication-factor', 1),
      1,
    )
    .option('--transactional-id <id>', 'send in transactions with this transactional.id')
    .option(
      '--transaction-size <n>',
      "with --transactional-id: records per transaction (Kafka's tool commits by age instead)",
      intArg('--transaction-size', 1),
      1000,
    )
    .option(
      '--send-batch-size <n>',
      "records per sendBatch() call; 1 sends each record with send(record, callback), as Kafka's tool does",
      intArg('--send-batch-size', 1),
      1000,
    )
    .option('--max-pending <n>', 'calls awaiting acknowledgement at most', intArg('--max-pending', 1), 64)
    .option('--json', 'print the summary as one JSON object on the last line')
    .action(
      async (
        o: PerfToolFlags & {
          sendBatchSize: number;
          maxPending: number;
          numRecords: number;
          recordSize: number;
          throughput: number;
          producerProps: Record<string, string>;
          partitions: number;
          replicationFactor: number;
          transactionalId?: string;
          transactionSize: number;
        },
      ) => {
        await runPerfTool('produce', o.numRecords, o, (shared) =>
          runProducerPerf({
            ...shared,
            numRecords: o.numRecords,
            recordSize: o.recordSize,
            throughput: o.throughput,
            producerProps: o.producerProps,
            createTopic: { partitions: o.partitions, replicationFactor: o.replicationFactor },
            transactionalId: o.transactionalId,
            transactionSize: o.transactionSize,
            sendBatchSize: o.sendBatchSize,
            maxPendingChunks: o.maxPending,
          }),
        );
      },
    );

  program
    .command('consume')
    .description('Consumer throughput against a running cluster (shaped like kafka-consumer-perf-test).')
    .requiredOption('--bootstrap-server <list>', 'host:port[,host:port] of brokers to bootstrap from')
    .requiredOption('--topic <name>', 'topic to read from the beginning')
    .requiredOption('--messages <n>', 'records to read', intArg('--messages', 1))
    .addOption(consumerPropsOption())
    .option('--mode <mode>', 'eachBatch, eachMessage or iterator', 'eachBatch')
    .option('--json', 'print the result as one JSON object on the last line')
    .action(
      async (
        o: PerfToolFlags & {
          messages: number;
          consumerProps: Record<string, string>;
          mode: 'eachBatch' | 'eachMessage' | 'iterator';
        },
      ) => {
        await runPerfTool('consume', o.messages, o, (shared) =>
          runConsumerPerf({ ...shared, messages: o.messages, mode: o.mode, consumerProps: o.consumerProps }),
        );
      },
    );

  program
    .command('failover')
    .description(
      'Time from SIGKILL of a partition leader to the next acknowledged acks=all send (RF 3, min.insync 2), ' +
        'on a 3-broker cluster with ZooKeeper that this command starts in a temporary directory and stops.',
    )
    .option('--rounds <n>', 'leader kills', intArg('--rounds', 1), 5)
    .option(
      '--session-timeout-ms <ms>',
      'zookeeper.session.timeout.ms of the brokers',
      intArg('--session-timeout-ms', 2000),
      6000,
    )
    .option('--json', 'print the result as one JSON object on the last line')
    .action(async (o: { rounds: number; sessionTimeoutMs: number; json?: boolean }) => {
      const brokerProps = { 'zookeeper.session.timeout.ms': o.sessionTimeoutMs };
      await withOwnCluster({ brokers: 3, brokerProps, label: 'failover' }, async (cluster) => {
        const rounds = await withProgress('failover', o.rounds, !!o.json, (progress) =>
          runFailoverBench({
            cluster,
            rounds: o.rounds,
            onRound: (r) => {
              progress.advance();
              process.stdout.write(
                `round ${r.round}: killed leader ${r.killedBrokerId}; first acknowledged send after ${r.recoveryMs} ms\n`,
              );
            },
          }),
        );
        const recovery = runStat(rounds.map((r) => r.recoveryMs));
        process.stdout.write(
          `recovery median ${recovery.median} ms [${recovery.min}..${recovery.max}] over ${rounds.length} kills; ` +
            `session timeout ${o.sessionTimeoutMs} ms\n`,
        );
        if (o.json)
          process.stdout.write(
            `${JSON.stringify({ sessionTimeoutMs: o.sessionTimeoutMs, recoveryMs: [...recovery.runs].sort((a, b) => a - b), medianMs: recovery.median })}\n`,
          );
      });
    });

  program
    .command('rebalance')
    .description(
      'Time for a consumer group to reassign and resume after one member leaves (LeaveGroup), on a 3-broker ' +
        'cluster with ZooKeeper that this command starts in a temporary directory and stops.',
    )
    .option('--members <n>', 'consumers in the group', intArg('--members', 2), 10)
    .option('--partitions <n>', 'partitions of the topic they read', intArg('--partitions', 1), 30)
    .option('--rounds <n>', 'members leaving, one per round', intArg('--rounds', 1), 5)
    .option(
      '--strategy <name>',
      'partition.assignment.strategy: range, roundrobin, sticky, cooperative-sticky',
      'range',
    )
    .option(
      '--heartbeat-interval-ms <ms>',
      'heartbeat.interval.ms of the consumers',
      intArg('--heartbeat-interval-ms', 1),
      3000,
    )
    .option(
      '--session-timeout-ms <ms>',
      'session.timeout.ms of the consumers',
      intArg('--session-timeout-ms', 6000),
      10000,
    )
    .option('--json', 'print the result as one JSON object on the last line')
    .action(
      async (o: {
        members: number;
        partitions: number;
        rounds: number;
        strategy: string;
        heartbeatIntervalMs: number;
        sessionTimeoutMs: number;
        json?: boolean;
      }) => {
        await withOwnCluster({ brokers: 3, label: 'rebalance' }, async (cluster) => {
          const rounds = await withProgress('rebalance', o.rounds, !!o.json, (progress) =>
            runRebalanceBench({
              bootstrapServers: cluster.bootstrapServers,
              members: o.members,
              partitions: o.partitions,
              rounds: o.rounds,
              strategy: o.strategy,
              sessionTimeoutMs: o.sessionTimeoutMs,
              heartbeatIntervalMs: o.heartbeatIntervalMs,
              onProgress: (line) => process.stdout.write(`${line}\n`),
              onRound: (r) => {
                progress.advance();
                process.stdout.write(
                  `round ${r.round}: reassigned after ${r.reassignedMs} ms, the leaver's partitions ` +
                    `delivering after ${r.resumedMs} ms, longest pause on unmoved partitions ${r.unmovedStallMs} ms\n`,
                );
              },
            }),
          );
          const stats = (pick: (r: (typeof rounds)[number]) => number) => {
            const { median, min, max } = runStat(rounds.map(pick));
            return { median, min, max };
          };
          const summary = {
            strategy: o.strategy,
            members: o.members,
            partitions: o.partitions,
            heartbeatIntervalMs: o.heartbeatIntervalMs,
            reassignedMs: stats((r) => r.reassignedMs),
            resumedMs: stats((r) => r.resumedMs),
            unmovedStallMs: stats((r) => r.unmovedStallMs),
          };
          const show = (x: { median: number; min: number; max: number }) => `${x.median} ms [${x.min}..${x.max}]`;
          process.stdout.write(
            `${o.members} members, ${o.partitions} partitions, ${o.strategy}, heartbeat ${o.heartbeatIntervalMs} ms: ` +
              `reassigned ${show(summary.reassignedMs)}, resumed ${show(summary.resumedMs)}, unmoved partitions paused ` +
              `${show(summary.unmovedStallMs)} (median [min..max] over ${rounds.length} leaves)\n`,
          );
          if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        });
      },
    );

  program.addCommand(e2eCommand());
  program.addCommand(compareCommand());
  program.addCommand(scaleCommand());
  program.addCommand(suiteCommand());
  program.addCommand(delayedCommand());

  return runProgram('mq-bench', program, argv);
}
