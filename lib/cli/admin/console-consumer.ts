/**
 * `mq-admin consume`: kafka-console-consumer. Writes the records of `--topic` (or of the topics matching
 * `--include`) to standard output, one per line, until `--max-messages` records, `--timeout-ms` without a record,
 * or Ctrl-C; then leaves its group and writes `Processed a total of N messages` to stderr.
 *
 * Membership as Kafka's tool: with `--group` the consumer joins that group and commits as it goes; without one it
 * joins a fresh `console-consumer-NNNNN` group with auto commit off (so the throwaway group leaves no offsets);
 * `--from-beginning` sets auto.offset.reset=earliest, which only matters where the group has no committed offset.
 * `--partition` reads one partition by manual assignment from `--offset` (earliest, latest or a number).
 *
 * Printing follows Kafka's DefaultMessageFormatter properties (`--property k=v`): print.timestamp, print.partition,
 * print.offset, print.headers, print.key, print.value (on by default), key.separator (TAB, also between every printed
 * field), line.separator (newline), headers.separator (`,`), null.literal (`null`). Keys, values and headers are
 * written as their raw bytes; each batch's lines are written to stdout at once, honouring back-pressure.
 */
import { randomInt } from 'node:crypto';
import { Command } from 'commander';
import { Consumer } from '../../client/consumer/consumer.js';
import type { ConsumerBatch } from '../../client/consumer/consumer-batch.js';
import type { Record as FetchedRecord } from '../../record/record.js';
import { intArg, propArg } from '../args.js';
import { clientProperties, withToolLogger, withConnectionOptions, type ConnectionFlags } from './connection.js';
import { UsageError } from '../cli-errors.js';

interface ConsumeFlags extends ConnectionFlags {
  topic?: string;
  include?: string;
  whitelist?: string;
  group?: string;
  fromBeginning?: boolean;
  partition?: number;
  offset: string;
  maxMessages?: number;
  timeoutMs?: number;
  property: Record<string, string>;
  consumerProperty: Record<string, string>;
  'consumer.config'?: string;
  isolationLevel?: string;
}

/** The formatter's settings, from `--property`, with Kafka's defaults. */
export interface RecordFormat {
  timestamp: boolean;
  partition: boolean;
  offset: boolean;
  headers: boolean;
  key: boolean;
  value: boolean;
  keySeparator: Buffer;
  lineSeparator: Buffer;
  headersSeparator: Buffer;
  nullLiteral: Buffer;
}

const FORMAT_PROPERTIES = new Set([
  'print.timestamp',
  'print.partition',
  'print.offset',
  'print.headers',
  'print.key',
  'print.value',
  'key.separator',
  'line.separator',
  'headers.separator',
  'null.literal',
]);

export function recordFormatOf(props: Readonly<Record<string, string>>): RecordFormat {
  const unknown = Object.keys(props).filter((k) => !FORMAT_PROPERTIES.has(k));
  if (unknown.length > 0)
    throw new UsageError(
      `Unknown --property ${unknown.join(', ')}; the formatter takes ${[...FORMAT_PROPERTIES].join(', ')}.`,
    );
  const on = (k: string, dflt: boolean) => (props[k] === undefined ? dflt : props[k].toLowerCase() === 'true');
  return {
    timestamp: on('print.timestamp', false),
    partition: on('print.partition', false),
    offset: on('print.offset', false),
    headers: on('print.headers', false),
    key: on('print.key', false),
    value: on('print.value', true),
    keySeparator: Buffer.from(props['key.separator'] ?? '\t'),
    lineSeparator: Buffer.from(props['line.separator'] ?? '\n'),
    headersSeparator: Buffer.from(props['headers.separator'] ?? ','),
    nullLiteral: Buffer.from(props['null.literal'] ?? 'null'),
  };
}

/**
 * Appends the printed form of a batch's records to `out`, stopping after `limit` records; returns how many were
 * printed and the offset after the last one. Field order as Kafka's: timestamp, partition, offset, headers, key, value.
 */
export function formatBatch(
  batch: Iterable<FetchedRecord> & Pick<ConsumerBatch, 'partition' | 'timestampType'>,
  f: RecordFormat,
  out: Buffer[],
  limit: number,
): { printed: number; nextOffset: number } {
  let printed = 0;
  let nextOffset = -1;
  const COLON = Buffer.from(':');
  for (const r of batch) {
    if (printed === limit) break;
    const fields: Buffer[][] = [];
    if (f.timestamp)
      fields.push([Buffer.from(r.timestamp < 0 ? 'NO_TIMESTAMP' : `${batch.timestampType}:${r.timestamp}`)]);
    if (f.partition) fields.push([Buffer.from(`Partition:${batch.partition}`)]);
    if (f.offset) fields.push([Buffer.from(`Offset:${r.offset}`)]);
    if (f.headers) {
      if (r.headers.length === 0) fields.push([Buffer.from('NO_HEADERS')]);
      else {
        fields.push(
          r.headers.flatMap((h, i) => [
            ...(i > 0 ? [f.headersSeparator] : []),
            Buffer.from(h.key),
            COLON,
            h.value ?? f.nullLiteral,
          ]),
        );
      }
    }
    if (f.key) fields.push([r.key ?? f.nullLiteral]);
    if (f.value) fields.push([r.value ?? f.nullLiteral]);
    fields.forEach((parts, i) => {
      if (i > 0) out.push(f.keySeparator);
      out.push(...parts);
    });
    out.push(f.lineSeparator);
    printed++;
    nextOffset = r.offset + 1;
  }
  return { printed, nextOffset };
}

export function consumeCommand(): Command {
  return withConnectionOptions(new Command('consume'), '--consumer.config')
    .description('Read records and write them to standard output (kafka-console-consumer).')
    .option('--topic <topic>', 'the topic to consume')
    .option('--include <regex>', 'consume every topic whose name matches this regular expression')
    .option('--whitelist <regex>', 'older name of --include')
    .option(
      '--group <group>',
      'the consumer group to join (default: a new console-consumer-NNNNN group without commits)',
    )
    .option('--from-beginning', 'start from the earliest record where the group has no committed offset')
    .option('--partition <n>', 'read only this partition (no group membership)', intArg('--partition', 0))
    .option('--offset <offset>', 'with --partition: earliest, latest or an offset', 'latest')
    .option('--max-messages <n>', 'exit after this many records', intArg('--max-messages', 1))
    .option('--timeout-ms <ms>', 'exit when no record arrived for this long', intArg('--timeout-ms', 1))
    .option(
      '--property <name=value>',
      'a formatter setting: print.key, print.timestamp, print.partition, print.offset, ' +
        'print.headers, print.value, key.separator, line.separator, headers.separator, null.literal (repeatable)',
      propArg,
      {},
    )
    .option('--consumer-property <name=value>', "a consumer config under Kafka's name (repeatable)", propArg, {})
    .option('--isolation-level <level>', 'read_uncommitted or read_committed')
    .addHelpText(
      'after',
      `
Example:
  mq-admin consume --bootstrap-server localhost:9092 --topic orders --from-beginning --property print.key=true --max-messages 10`,
    )
    .action(async (flags: ConsumeFlags) => {
      const include = flags.include ?? flags.whitelist;
      if ((flags.topic === undefined) === (include === undefined))
        throw new UsageError('Name what to read: --topic or --include, one of them.');
      if (flags.partition !== undefined && flags.topic === undefined)
        throw new UsageError('--partition needs --topic.');
      const format = recordFormatOf(flags.property);
      const props: Record<string, string> = { 'client.id': 'console-consumer', ...flags.consumerProperty };
      if (flags.isolationLevel !== undefined) props['isolation.level'] = flags.isolationLevel;
      if (flags.fromBeginning === true) props['auto.offset.reset'] = 'earliest';
      if (flags.group !== undefined) props['group.id'] = flags.group;
      else if (flags.partition === undefined && props['group.id'] === undefined) {
        props['group.id'] = `console-consumer-${randomInt(100000)}`;
        props['enable.auto.commit'] ??= 'false';
      }
      const consumer = new Consumer(withToolLogger(clientProperties(flags, flags['consumer.config'], props)));
      await consumer.connect();
      let total = 0;
      const limit = flags.maxMessages ?? Infinity;
      let idle: NodeJS.Timeout | undefined;
      const armIdle = () => {
        if (flags.timeoutMs === undefined) return;
        clearTimeout(idle);
        idle = setTimeout(() => consumer.stop(), flags.timeoutMs);
      };
      const interrupted = () => consumer.stop();
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);
      try {
        if (flags.partition !== undefined) {
          const tp = { topic: flags.topic!, partition: flags.partition };
          consumer.assign([tp]);
          if (flags.offset === 'earliest') consumer.seekToBeginning([tp]);
          else if (flags.offset === 'latest') consumer.seekToEnd([tp]);
          else if (/^\d+$/.test(flags.offset)) consumer.seek({ ...tp, offset: Number(flags.offset) });
          else throw new UsageError(`--offset must be earliest, latest or an offset >= 0, not '${flags.offset}'.`);
        } else {
          consumer.subscribe(flags.topic !== undefined ? [flags.topic] : new RegExp(`^(?:${include})$`));
        }
        armIdle();
        await consumer.run({
          eachBatch: async ({ batch }) => {
            armIdle();
            const out: Buffer[] = [];
            const { printed, nextOffset } = formatBatch(batch, format, out, limit - total);
            total += printed;
            if (total >= limit) {
              // Records of this batch past the limit stay unread: the position (and any commit) stops after the last printed.
              consumer.seek({ topic: batch.topic, partition: batch.partition, offset: nextOffset });
              consumer.stop();
            }
            if (out.length > 0 && !process.stdout.write(Buffer.concat(out))) {
              await new Promise((resolve) => process.stdout.once('drain', resolve));
            }
          },
        });
      } finally {
        clearTimeout(idle);
        process.removeListener('SIGINT', interrupted);
        process.removeListener('SIGTERM', interrupted);
        await consumer.close();
        process.stderr.write(`Processed a total of ${total} messages\n`);
      }
    });
}
