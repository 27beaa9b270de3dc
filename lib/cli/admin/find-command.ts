/**
 * `mq-admin find`: where is the record for order 42? (mq's own; with Kafka one writes a consumer for it). Prints the
 * records found as `mq-admin consume` prints them (same `--property` settings), with partition and offset shown by
 * default:
 *
 *   --key K     the latest record with key K (UTF-8), in the partition the default partitioner gives K (or
 *               `--partition`), found by scanning backwards from the end in windows of `--window` records, the
 *               newest window first, with a progress line per window on stderr; `--max-messages N`: the N latest.
 *   --time T    the first record at or after T (ISO-8601 such as 2026-12-01T10:00:00Z, or ms since the epoch) in each
 *               partition (or `--partition`), through the time index (ListOffsets by timestamp).
 *   --offset N  the record at offset N of `--partition` (optional for a topic of one partition).
 * `--max-messages` (default 1) bounds the records printed per partition. Exit code 1 when nothing was found.
 */
import { Command } from 'commander';
import { Consumer } from '../../client/consumer/consumer.js';
import { partitionForKey } from '../../client/producer/partitioner.js';
import type { Record as FetchedRecord } from '../../record/record.js';
import { intArg, propArg } from '../args.js';
import { UsageError } from '../cli-errors.js';
import { formatBatch, recordFormatOf, type RecordFormat } from './console-consumer.js';
import {
  clientProperties,
  withAdmin,
  withConnectionOptions,
  type ConnectionFlags,
  type ExitStatus,
} from './connection.js';

interface FindFlags extends ConnectionFlags {
  topic: string;
  key?: string;
  time?: string;
  offset?: number;
  partition?: number;
  maxMessages: number;
  window: number;
  property: Record<string, string>;
  consumerProperty: Record<string, string>;
}

/** One record found, with what printing needs. */
export interface FoundRecord {
  partition: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  record: FetchedRecord;
}

/** `--time`'s value as ms since the epoch: digits are ms, anything else must parse as an ISO-8601 date. */
export function parseFindTime(value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new UsageError(
      `--time takes an ISO-8601 time such as 2026-12-01T10:00:00Z, or ms since the epoch; got '${value}'.`,
    );
  }
  return ms;
}

/** The windows a backward scan of [start, end) reads, newest first: [from, to) of at most `size` offsets each. */
export function backwardWindows(start: number, end: number, size: number): { from: number; to: number }[] {
  const windows: { from: number; to: number }[] = [];
  for (let to = end; to > start; to -= size) windows.push({ from: Math.max(start, to - size), to });
  return windows;
}

/** The print settings of `find`: consume's, with partition and offset shown unless set otherwise. */
export function findFormatOf(props: Readonly<Record<string, string>>): RecordFormat {
  return recordFormatOf({ 'print.partition': 'true', 'print.offset': 'true', 'print.key': 'true', ...props });
}

/** The printed form of `found`, in the order given. */
export function formatFound(found: readonly FoundRecord[], format: RecordFormat): Buffer {
  const out: Buffer[] = [];
  for (const f of found)
    formatBatch(Object.assign([f.record], { partition: f.partition, timestampType: f.timestampType }), format, out, 1);
  return Buffer.concat(out);
}

/**
 * Reads [from, to) of one partition, calling `visit` for each record (false stops early). The consumer is assigned
 * that partition alone and left wherever the read stopped. The read also ends once the position reaches `to`
 * without a record at `to - 1` (a compacted or transactional log has gaps).
 */
async function scan(
  consumer: Consumer,
  topic: string,
  partition: number,
  from: number,
  to: number,
  visit: (r: FetchedRecord, timestampType: FoundRecord['timestampType']) => boolean,
): Promise<void> {
  if (from >= to) return;
  const tp = { topic, partition };
  consumer.assign([tp]);
  consumer.seek({ ...tp, offset: from });
  const check = setInterval(() => {
    consumer.position(tp).then(
      (position) => {
        if (position >= to) consumer.stop();
      },
      () => undefined,
    );
  }, 200);
  try {
    await consumer.run({
      eachBatch: ({ batch }) => {
        for (const r of batch) {
          if (r.offset >= to || !visit(r, batch.timestampType)) {
            consumer.stop();
            return;
          }
        }
        if (batch.lastOffset >= to - 1) consumer.stop();
      },
    });
  } finally {
    clearInterval(check);
  }
}

export function findCommand(status: ExitStatus): Command {
  return withConnectionOptions(new Command('find'))
    .description(
      "Find records of a topic by key (the latest in the key's partition, scanning backwards from the end), by time " +
        '(through the time index) or by offset, and print them as consume does.',
    )
    .requiredOption('--topic <topic>', 'REQUIRED: the topic to search')
    .option('--key <key>', 'the latest record(s) with this key (UTF-8)')
    .option('--time <time>', 'the first record at or after this time: ISO-8601, or ms since the epoch')
    .option('--offset <offset>', 'the record at this offset (with --partition)', intArg('--offset', 0))
    .option(
      '--partition <n>',
      "search only this partition (default: the key's partition, or all)",
      intArg('--partition', 0),
    )
    .option('--max-messages <n>', 'records to print per partition', intArg('--max-messages', 1), 1)
    .option('--window <n>', 'records read per step of a backward key scan', intArg('--window', 1), 100_000)
    .option(
      '--property <name=value>',
      'a formatter setting as for consume (print.partition, print.offset and print.key default to true here)',
      propArg,
      {},
    )
    .option('--consumer-property <name=value>', "a consumer config under Kafka's name (repeatable)", propArg, {})
    .addHelpText(
      'after',
      `
Examples:
  mq-admin find --bootstrap-server localhost:9092 --topic orders --key order-42
  mq-admin find --bootstrap-server localhost:9092 --topic orders --time 2026-12-01T10:00:00Z
  mq-admin find --bootstrap-server localhost:9092 --topic orders --partition 2 --offset 1234`,
    )
    .action(async (flags: FindFlags) => {
      const ways = [flags.key, flags.time, flags.offset].filter((v) => v !== undefined).length;
      if (ways !== 1) throw new UsageError('Say what to find: --key, --time or --offset, one of them.');
      const format = findFormatOf(flags.property);
      const partitionCount = await withAdmin(flags, async (admin) => {
        const [description] = await admin.describeTopics([flags.topic]);
        return description!.partitions.length;
      });
      if (flags.partition !== undefined && flags.partition >= partitionCount) {
        throw new UsageError(
          `Topic ${flags.topic} has partitions 0..${partitionCount - 1}; --partition ${flags.partition} is not one.`,
        );
      }
      const consumer = new Consumer(
        clientProperties(flags, flags.commandConfig, {
          'client.id': 'mq-admin-find',
          'max.poll.records': '100000',
          ...flags.consumerProperty,
        }),
      );
      await consumer.connect();
      const found: FoundRecord[] = [];
      try {
        if (flags.key !== undefined) {
          const partition = flags.partition ?? partitionForKey(flags.key, partitionCount);
          found.push(...(await findByKey(consumer, flags, partition)));
        } else if (flags.time !== undefined) {
          const partitions =
            flags.partition !== undefined ? [flags.partition] : Array.from({ length: partitionCount }, (_, p) => p);
          found.push(...(await findByTime(consumer, flags, partitions, parseFindTime(flags.time))));
        } else {
          if (flags.partition === undefined && partitionCount > 1) {
            throw new UsageError(`Topic ${flags.topic} has ${partitionCount} partitions: say which with --partition.`);
          }
          found.push(...(await findAt(consumer, flags, flags.partition ?? 0, flags.offset!)));
        }
      } finally {
        await consumer.close();
      }
      if (found.length === 0) {
        status.code = 1;
        process.stderr.write('No record found.\n');
        return;
      }
      process.stdout.write(formatFound(found, format));
    });
}

async function findByKey(consumer: Consumer, flags: FindFlags, partition: number): Promise<FoundRecord[]> {
  const topic = flags.topic;
  const key = Buffer.from(flags.key!, 'utf8');
  const tp = { topic, partition };
  const [[start], [end]] = await Promise.all([consumer.beginningOffsets([tp]), consumer.endOffsets([tp])]);
  const total = end!.offset - start!.offset;
  let scanned = 0;
  let found: FoundRecord[] = [];
  const started = Date.now();
  for (const w of backwardWindows(start!.offset, end!.offset, flags.window)) {
    const matches: FoundRecord[] = [];
    await scan(consumer, topic, partition, w.from, w.to, (r, timestampType) => {
      if (r.key !== null && r.key.equals(key)) matches.push({ partition, timestampType, record: r });
      return true;
    });
    found = [...matches, ...found].slice(-flags.maxMessages);
    scanned += w.to - w.from;
    process.stderr.write(
      `Scanned ${topic}-${partition} back to offset ${w.from}: ${scanned} of ${total} records in ` +
        `${Date.now() - started} ms, ${found.length} found\n`,
    );
    if (found.length >= flags.maxMessages) break;
  }
  return found;
}

async function findByTime(
  consumer: Consumer,
  flags: FindFlags,
  partitions: readonly number[],
  timestampMs: number,
): Promise<FoundRecord[]> {
  const tps = partitions.map((partition) => ({ topic: flags.topic, partition }));
  const [starts, ends] = await Promise.all([
    consumer.offsetsForTimes(tps.map((tp) => ({ ...tp, timestamp: timestampMs }))),
    consumer.endOffsets(tps),
  ]);
  const found: FoundRecord[] = [];
  for (const [i, s] of starts.entries()) {
    if (s.offset < 0) continue;
    found.push(...(await readFrom(consumer, flags, s.partition, s.offset, ends[i]!.offset)));
  }
  return found;
}

async function findAt(consumer: Consumer, flags: FindFlags, partition: number, offset: number): Promise<FoundRecord[]> {
  const tp = { topic: flags.topic, partition };
  const [end] = await consumer.endOffsets([tp]);
  return readFrom(consumer, flags, partition, offset, end!.offset);
}

/** Up to `--max-messages` records of `partition` from `from` on (below `end`). */
async function readFrom(
  consumer: Consumer,
  flags: FindFlags,
  partition: number,
  from: number,
  end: number,
): Promise<FoundRecord[]> {
  const found: FoundRecord[] = [];
  await scan(
    consumer,
    flags.topic,
    partition,
    from,
    Math.min(end, from + flags.maxMessages),
    (record, timestampType) => {
      if (record.offset >= from) found.push({ partition, timestampType, record });
      return found.length < flags.maxMessages;
    },
  );
  return found;
}
