/**
 * `mq-admin verifiable-consumer`: Kafka's kafka-verifiable-consumer, the group member that delivery tests drive from
 * outside. It joins `--group-id` subscribed to `--topic` and writes one JSON object per line to stdout, each starting
 * with `timestamp` (ms since the epoch) and `name`:
 *
 *   startup_complete
 *   partitions_assigned, partitions_revoked  {partitions: [{topic, partition}]}  (lost partitions are reported as
 *                                            revoked, as Kafka's listener does by default)
 *   records_consumed   {count, partitions: [{topic, partition, count, minOffset, maxOffset}]}, one per poll
 *   record_data        {key, value, topic, partition, offset}, one per record with --verbose
 *   offsets_committed  {offsets: [{topic, partition, offset}], success, error (only when it failed)}
 *   shutdown_complete
 *
 * Commits as Kafka's tool: without --enable-autocommit it commits after every poll, per partition the offset after the
 * last record, and reports the outcome. With --enable-autocommit Kafka's tool reports nothing, because Kafka's consumer
 * keeps the outcome of its automatic commits to itself; this one reports them too (Consumer.onAutoCommit), so that a
 * test can tell where redelivery after a crash must start.
 *
 * One poll here is one ConsumerBatch: one partition, at most max.poll.records records (set it in --consumer.config).
 * mq additions for delivery tests: `--processing-time-ms` makes the handling of each record slow and asynchronous (a
 * timer, like an application awaiting I/O) and `--processed-file` appends one JSON line per record once its handling
 * is done, so what was processed, unlike what was merely received, survives a SIGKILL of this process.
 *
 * It stops after `--max-messages` records (the partition's position is moved to just after the last one taken, so
 * nothing past it is committed) or on SIGTERM/SIGINT (after the poll being handled); it then closes the consumer
 * (committing with auto commit, leaving the group), prints shutdown_complete and exits 0, or 1 with the error on
 * stderr when the consumer failed. Flags and defaults are Kafka 2.8's, --broker-list (deprecated there) included.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Command, Option } from 'commander';
import { Consumer, type AutoCommitListener } from '../../client/consumer/consumer.js';
import type { OffsetToCommit } from '../../client/consumer/group-offsets.js';
import type { TopicPartitionRef } from '../../client/consumer/subscription-state.js';
import { toError } from '../../common/errors.js';
import type { Record as FetchedRecord } from '../../record/record.js';
import { errorText, intArg, readPropertiesFile, signedIntArg } from '../args.js';
import { UsageError } from '../cli-errors.js';

interface VerifiableConsumerFlags {
  bootstrapServer?: string;
  brokerList?: string;
  topic: string;
  groupId: string;
  groupInstanceId?: string;
  maxMessages: number;
  sessionTimeout: number;
  verbose?: boolean;
  enableAutocommit?: boolean;
  resetPolicy: string;
  assignmentStrategy: string;
  'consumer.config'?: string;
  processingTimeMs: number;
  processedFile?: string;
}

/** The flags that decide the consumer's configs. */
export type ConsumerConfigFlags = Pick<
  VerifiableConsumerFlags,
  | 'bootstrapServer'
  | 'brokerList'
  | 'groupId'
  | 'groupInstanceId'
  | 'sessionTimeout'
  | 'enableAutocommit'
  | 'resetPolicy'
  | 'assignmentStrategy'
>;

/** One record taken from a poll, its key and value read as UTF-8. */
export interface TakenRecord {
  offset: number;
  key: string | null;
  value: string | null;
}

/**
 * The consumer's configs: those of the --consumer.config file, overridden by the flags' (Kafka's precedence), and
 * enable.auto.commit always set, false unless --enable-autocommit.
 */
export function verifiableConsumerConfig(
  flags: ConsumerConfigFlags,
  fileProps: Readonly<Record<string, string>>,
): Record<string, string> {
  const bootstrap = flags.bootstrapServer ?? flags.brokerList;
  if (bootstrap === undefined)
    throw new UsageError('Name the brokers: --bootstrap-server host:port (or the deprecated --broker-list).');
  return {
    ...fileProps,
    'partition.assignment.strategy': flags.assignmentStrategy,
    'group.id': flags.groupId,
    ...(flags.groupInstanceId === undefined ? {} : { 'group.instance.id': flags.groupInstanceId }),
    'bootstrap.servers': bootstrap,
    'enable.auto.commit': String(flags.enableAutocommit === true),
    'auto.offset.reset': flags.resetPolicy,
    'session.timeout.ms': String(flags.sessionTimeout),
  };
}

/** One event line: `{"timestamp":…,"name":…,…fields}` and a newline. */
export function eventLine(name: string, nowMs: number, fields: object = {}): string {
  return `${JSON.stringify({ timestamp: nowMs, name, ...fields })}\n`;
}

/** Takes up to `limit` records of a poll, reading keys and values as UTF-8. */
export function takeRecords(batch: Iterable<FetchedRecord>, limit: number): TakenRecord[] {
  const taken: TakenRecord[] = [];
  if (limit <= 0) return taken;
  for (const r of batch) {
    taken.push({ offset: r.offset, key: r.key?.toString('utf8') ?? null, value: r.value?.toString('utf8') ?? null });
    if (taken.length === limit) break;
  }
  return taken;
}

/** The fields of a records_consumed event for the records taken from one partition's poll (at least one). */
export function recordsConsumedFields(
  topic: string,
  partition: number,
  records: readonly TakenRecord[],
): { count: number; partitions: object[] } {
  return {
    count: records.length,
    partitions: [
      {
        topic,
        partition,
        count: records.length,
        minOffset: records[0]!.offset,
        maxOffset: records[records.length - 1]!.offset,
      },
    ],
  };
}

/** The fields of an offsets_committed event. */
export function offsetsCommittedFields(offsets: readonly OffsetToCommit[], error: Error | null): object {
  return {
    offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
    ...(error === null ? {} : { error: errorText(error) }),
    success: error === null,
  };
}

/** The fields of a partitions_assigned or partitions_revoked event. */
export function partitionsFields(partitions: readonly TopicPartitionRef[]): object {
  return { partitions: partitions.map(({ topic, partition }) => ({ topic, partition })) };
}

/** The --processed-file line of a record whose handling finished. */
export function processedLine(topic: string, partition: number, r: TakenRecord): string {
  return `${JSON.stringify({ topic, partition, offset: r.offset, key: r.key, value: r.value })}\n`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function verifiableConsumerCommand(): Command {
  return new Command('verifiable-consumer')
    .description(
      'Consume a topic as a member of a group and write each event (assignments, records consumed, offsets ' +
        'committed) as a JSON object per line to standard output (kafka-verifiable-consumer).',
    )
    .option('--bootstrap-server <host:port>', 'REQUIRED unless --broker-list: the server(s) to connect to')
    .option('--broker-list <host:port>', 'DEPRECATED, use --bootstrap-server; ignored when it is given')
    .requiredOption('--topic <topic>', 'REQUIRED: consume this topic')
    .requiredOption('--group-id <id>', 'REQUIRED: the group the consumer joins')
    .option('--group-instance-id <id>', 'makes the member static (group.instance.id)')
    .option(
      '--max-messages <n>',
      'consume this many records, then exit; -1 consumes until the process is stopped',
      signedIntArg('--max-messages'),
      -1,
    )
    .option('--session-timeout <ms>', "the consumer's session timeout", intArg('--session-timeout', 1), 30000)
    .option('--verbose', 'print a record_data event for every record')
    .option('--enable-autocommit', 'let the consumer commit by itself (enable.auto.commit=true)')
    .addOption(
      new Option('--reset-policy <policy>', 'where to start without a committed offset')
        .choices(['earliest', 'latest', 'none'])
        .default('earliest'),
    )
    .option(
      '--assignment-strategy <strategy>',
      'the assignor: range, roundrobin, sticky, cooperative-sticky or a Kafka class name',
      'org.apache.kafka.clients.consumer.RangeAssignor',
    )
    .option('--consumer.config <file>', 'a properties file of consumer configs; the flags above override it')
    .option(
      '--processing-time-ms <ms>',
      '(mq) handle each record asynchronously for this long before it counts as processed',
      intArg('--processing-time-ms', 0),
      0,
    )
    .option('--processed-file <path>', '(mq) append a JSON line per record once its handling is done')
    .addHelpText(
      'after',
      `
Example:
  mq-admin verifiable-consumer --bootstrap-server localhost:9092 --topic orders --group-id checkers --enable-autocommit`,
    )
    .action(async (flags: VerifiableConsumerFlags) => {
      const fileProps = flags['consumer.config'] === undefined ? {} : readPropertiesFile(flags['consumer.config']);
      const consumer = new Consumer(verifiableConsumerConfig(flags, fileProps));
      const print = (name: string, fields?: object): void => {
        process.stdout.write(eventLine(name, Date.now(), fields));
      };
      const limit = flags.maxMessages < 0 ? Infinity : flags.maxMessages;
      const processed = flags.processedFile === undefined ? null : openSync(flags.processedFile, 'a');
      let consumed = 0;
      let stopping = false;
      const stop = () => {
        stopping = true;
        consumer.stop();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let failure: Error | undefined;
      try {
        await consumer.connect();
        print('startup_complete');
        const reportCommit: AutoCommitListener = (offsets, error) =>
          print('offsets_committed', offsetsCommittedFields(offsets, error));
        if (flags.enableAutocommit === true) consumer.onAutoCommit(reportCommit);
        consumer.subscribe([flags.topic], {
          onPartitionsAssigned: (partitions) => print('partitions_assigned', partitionsFields(partitions)),
          onPartitionsRevoked: (partitions) => print('partitions_revoked', partitionsFields(partitions)),
        });
        if (!stopping && limit > 0) {
          await consumer.run({
            eachBatch: async ({ batch }) => {
              const { topic, partition } = batch;
              const records = takeRecords(batch, limit - consumed);
              if (records.length === 0) return;
              consumed += records.length;
              print('records_consumed', recordsConsumedFields(topic, partition, records));
              if (flags.verbose === true) {
                for (const r of records)
                  print('record_data', { key: r.key, value: r.value, topic, partition, offset: r.offset });
              }
              for (const r of records) {
                if (flags.processingTimeMs > 0) await sleep(flags.processingTimeMs);
                if (processed !== null) writeSync(processed, processedLine(topic, partition, r));
              }
              const offsets = [{ topic, partition, offset: records[records.length - 1]!.offset + 1 }];
              if (flags.enableAutocommit !== true) {
                await consumer.commit(offsets).then(
                  () => reportCommit(offsets, null),
                  (err: unknown) => reportCommit(offsets, toError(err)),
                );
              }
              if (consumed >= limit) {
                consumer.seek(offsets[0]!);
                consumer.stop();
              }
            },
          });
        }
      } catch (e) {
        failure = toError(e);
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
        await consumer.close();
        if (processed !== null) closeSync(processed);
        print('shutdown_complete');
      }
      if (failure !== undefined) throw failure;
    });
}
