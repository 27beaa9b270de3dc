/**
 * `mq-admin dlq`: dead-letter topics, as consumers with `dead.letter.topic` fill them (mq's own; Kafka users write
 * this by hand). One action per run:
 *
 *   --list                                    topics named like dead-letter topics (…dlq, …dlt), with their records
 *   --describe --topic T [--where ...]        each dead letter: where it came from, attempts, group, when, the error
 *   --redrive --topic T [--to TOPIC] [--where ...] [--dry-run]
 *                                             sends the dead letters again: to their original topic and partition, or
 *                                             to --to (its partitioner placing them by key)
 *
 * `--where` (repeatable, all must hold): `key=K`, `topic=T` (original topic), `group=G`, `error~=TEXT` (the error
 * contains TEXT). What is read is the topic from its start to its end when the command starts. A redriven record
 * keeps its key, value and own headers (the retry headers are dropped) and gains `mq-redriven-from:
 * <topic>-<partition>@<offset>`; redriving twice sends twice (narrow it with --where, or delete what was redriven).
 */
import { Command } from 'commander';
import type { Admin } from '../../client/admin/admin.js';
import { Consumer } from '../../client/consumer/consumer.js';
import { retryInfoOf, withoutRetryHeaders, type RetryInfo } from '../../client/consumer/retry-stages.js';
import { Producer } from '../../client/producer/producer.js';
import type { Record as FetchedRecord } from '../../record/record.js';
import { intArg, listArg } from '../args.js';
import { UsageError } from '../cli-errors.js';
import { clientProperties, oneAction, withAdmin, withConnectionOptions, type ConnectionFlags } from './connection.js';
import { formatTable } from './table.js';

const ACTIONS = ['list', 'describe', 'redrive'] as const;
export const REDRIVEN_FROM_HEADER = 'mq-redriven-from';

interface DlqFlags extends ConnectionFlags {
  list?: boolean;
  describe?: boolean;
  redrive?: boolean;
  topic?: string;
  to?: string;
  where?: string[];
  maxMessages?: number;
  dryRun?: boolean;
}

/** A dead letter as read from its topic. */
export interface DeadLetter {
  partition: number;
  offset: number;
  timestamp: number;
  record: FetchedRecord;
  info: RetryInfo | null;
  group: string;
}

/** One `--where` condition. */
export type Condition = (d: DeadLetter) => boolean;

/** Whether a topic's name says it holds dead letters. */
export function isDeadLetterTopicName(topic: string): boolean {
  return /[._-](dlq|dlt|dead-letters?)$/i.test(topic);
}

/** Parses `--where` conditions; throws UsageError for an unknown one. */
export function parseWhere(conditions: readonly string[]): Condition[] {
  return conditions.map((c) => {
    const m = /^(key|topic|group)=(.*)$|^error~=(.*)$/.exec(c);
    if (m === null) {
      throw new UsageError(`--where takes key=K, topic=T, group=G or error~=TEXT; got '${c}'.`);
    }
    if (m[3] !== undefined) {
      const text = m[3];
      return (d) => d.info?.lastError.includes(text) === true;
    }
    const value = m[2]!;
    switch (m[1]) {
      case 'key':
        return (d) => d.record.key?.toString('utf8') === value;
      case 'topic':
        return (d) => d.info?.originalTopic === value;
      default:
        return (d) => d.group === value;
    }
  });
}

/** The describe view's rows. */
export function deadLetterRows(letters: readonly DeadLetter[]): string[][] {
  return letters.map((d) => [
    String(d.partition),
    String(d.offset),
    d.record.key?.toString('utf8') ?? 'null',
    d.info === null ? '-' : `${d.info.originalTopic}-${d.info.originalPartition}@${d.info.originalOffset}`,
    d.info === null ? '-' : String(d.info.attempt),
    d.group === '' ? '-' : d.group,
    new Date(d.timestamp).toISOString(),
    d.info?.lastError.replace(/\s+/g, ' ') || '-',
  ]);
}

/** Where a dead letter goes on redrive: `to`, or its original topic and partition. */
export function redriveTarget(d: DeadLetter, to: string | undefined): { topic: string; partition?: number } | null {
  if (to !== undefined) return { topic: to };
  if (d.info === null || d.info.originalPartition < 0) return null;
  return { topic: d.info.originalTopic, partition: d.info.originalPartition };
}

export function dlqCommand(): Command {
  return withConnectionOptions(new Command('dlq'))
    .description(
      'Inspect dead-letter topics (what consumers with dead.letter.topic sent there, with the original topic, ' +
        'partition, offset, attempts and error) and send their records again.',
    )
    .option('--list', 'list topics named like dead-letter topics (ending in .dlq, -dlq, .dlt, -dlt) and their records')
    .option('--describe', 'list the dead letters of --topic: origin, attempts, group, time and error')
    .option('--redrive', 'send the dead letters of --topic again (to their original topic, or --to)')
    .option('--topic <topic>', 'the dead-letter topic')
    .option('--to <topic>', 'with --redrive: send to this topic instead of each record’s original one')
    .option(
      '--where <condition>',
      'only dead letters with key=K, topic=T, group=G or error~=TEXT (repeatable)',
      listArg,
    )
    .option('--max-messages <n>', 'with --describe: show at most this many', intArg('--max-messages', 1))
    .option('--dry-run', 'with --redrive: show what would be sent, send nothing')
    .addHelpText(
      'after',
      `
Examples:
  mq-admin dlq --bootstrap-server localhost:9092 --list
  mq-admin dlq --bootstrap-server localhost:9092 --describe --topic orders.dlq
  mq-admin dlq --bootstrap-server localhost:9092 --redrive --topic orders.dlq --where key=order-42`,
    )
    .action(async (flags: DlqFlags) => {
      const action = oneAction(flags, ACTIONS);
      if (action !== 'list' && flags.topic === undefined) throw new UsageError(`dlq --${action} needs --topic.`);
      const conditions = parseWhere(flags.where ?? []);
      await withAdmin(flags, async (admin) => {
        if (action === 'list') return listDeadLetterTopics(admin);
        const letters = (await readDeadLetters(admin, flags)).filter((d) => conditions.every((c) => c(d)));
        if (action === 'describe') {
          const shown = letters.slice(0, flags.maxMessages ?? letters.length);
          process.stdout.write(
            formatTable(
              ['PARTITION', 'OFFSET', 'KEY', 'ORIGIN', 'ATTEMPTS', 'GROUP', 'TIMESTAMP', 'ERROR'],
              deadLetterRows(shown),
            ),
          );
          process.stderr.write(`${letters.length} dead letter(s) in ${flags.topic} match; ${shown.length} shown.\n`);
          return;
        }
        await redrive(flags, letters);
      });
    });
}

async function listDeadLetterTopics(admin: Admin): Promise<void> {
  const names = (await admin.listTopics()).filter(isDeadLetterTopicName).sort();
  const described = names.length === 0 ? [] : await admin.describeTopics(names);
  const queries = described.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
  const [starts, ends] = await Promise.all([
    admin.listOffsets(queries.map((q) => ({ ...q, spec: 'earliest' as const }))),
    admin.listOffsets(queries.map((q) => ({ ...q, spec: 'latest' as const }))),
  ]);
  const records = new Map<string, number>();
  ends.forEach((e, i) => records.set(e.topic, (records.get(e.topic) ?? 0) + e.offset - starts[i]!.offset));
  process.stdout.write(
    formatTable(
      ['TOPIC', 'PARTITIONS', 'RECORDS'],
      described.map((t) => [t.name, String(t.partitions.length), String(records.get(t.name) ?? 0)]),
    ),
  );
}

/** Every record of the dead-letter topic, from its start to its end when called. */
async function readDeadLetters(admin: Admin, flags: DlqFlags): Promise<DeadLetter[]> {
  const topic = flags.topic!;
  const [described] = await admin.describeTopics([topic]);
  const tps = described!.partitions.map((p) => ({ topic, partition: p.partition }));
  const [starts, ends] = await Promise.all([
    admin.listOffsets(tps.map((tp) => ({ ...tp, spec: 'earliest' as const }))),
    admin.listOffsets(tps.map((tp) => ({ ...tp, spec: 'latest' as const }))),
  ]);
  const remaining = new Map(ends.map((e, i) => [e.partition, { from: starts[i]!.offset, to: e.offset }]));
  for (const [p, range] of remaining) if (range.to <= range.from) remaining.delete(p);
  const letters: DeadLetter[] = [];
  if (remaining.size === 0) return letters;
  const consumer = new Consumer(clientProperties(flags, flags.commandConfig, { 'client.id': 'mq-admin-dlq' }));
  await consumer.connect();
  try {
    consumer.assign([...remaining.keys()].map((partition) => ({ topic, partition })));
    for (const [partition, range] of remaining) consumer.seek({ topic, partition, offset: range.from });
    await consumer.run({
      eachBatch: ({ batch }) => {
        const range = remaining.get(batch.partition);
        if (range === undefined) return;
        for (const record of batch) {
          if (record.offset >= range.to) break;
          const group = record.headers.find((h) => h.key === 'mq-group')?.value?.toString('utf8') ?? '';
          letters.push({
            partition: batch.partition,
            offset: record.offset,
            timestamp: record.timestamp,
            record,
            info: retryInfoOf(record.headers),
            group,
          });
        }
        if (batch.lastOffset >= range.to - 1) {
          remaining.delete(batch.partition);
          consumer.pause([{ topic, partition: batch.partition }]);
        }
        if (remaining.size === 0) consumer.stop();
      },
    });
  } finally {
    await consumer.close();
  }
  return letters.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

async function redrive(flags: DlqFlags, letters: readonly DeadLetter[]): Promise<void> {
  const planned = letters.map((d) => ({ d, target: redriveTarget(d, flags.to) }));
  const skipped = planned.filter((p) => p.target === null).length;
  if (skipped > 0) {
    process.stderr.write(
      `${skipped} record(s) carry no original topic and partition (mq-original-*): give --to to send them.\n`,
    );
  }
  const sendable = planned.filter((p) => p.target !== null);
  if (flags.dryRun === true) {
    for (const { d, target } of sendable) {
      process.stdout.write(
        `Would send ${flags.topic}-${d.partition}@${d.offset} (key ${d.record.key?.toString('utf8') ?? 'null'}) to ` +
          `${target!.topic}${target!.partition === undefined ? '' : `-${target!.partition}`}\n`,
      );
    }
    return;
  }
  const producer = new Producer(clientProperties(flags, flags.commandConfig, { 'client.id': 'mq-admin-dlq' }));
  await producer.connect();
  const perTarget = new Map<string, number>();
  try {
    await Promise.all(
      sendable.map(async ({ d, target }) => {
        await producer.send({
          topic: target!.topic,
          ...(target!.partition === undefined ? {} : { partition: target!.partition }),
          key: d.record.key,
          value: d.record.value,
          headers: [
            ...withoutRetryHeaders(d.record.headers),
            { key: REDRIVEN_FROM_HEADER, value: `${flags.topic}-${d.partition}@${d.offset}` },
          ],
        });
        perTarget.set(target!.topic, (perTarget.get(target!.topic) ?? 0) + 1);
      }),
    );
  } finally {
    await producer.close();
  }
  const summary = [...perTarget].map(([topic, n]) => `${n} to ${topic}`).join(', ');
  process.stdout.write(
    `Redrove ${sendable.length} record(s) from ${flags.topic}${summary === '' ? '' : `: ${summary}`}.\n`,
  );
}
