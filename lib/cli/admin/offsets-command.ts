/**
 * `mq-admin offsets`: kafka-get-offsets (GetOffsetShell). Prints `topic:partition:offset` for the partitions of
 * the topics matching `--topic` (a regular expression; all topics without it), or only `--partitions`, at
 * `--time`: -1 the latest offset (the default), -2 the earliest, or a timestamp in ms for the first offset whose
 * record is at or after it (partitions with no such record print nothing, as Kafka's tool does).
 * `--json`: [{"topic","partition","offset"}] (offset -1 where no record is at or after the timestamp).
 */
import { CommandError } from '../cli-errors.js';
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import type { OffsetSpec } from '../../client/admin/admin.js';
import { intListArg } from '../args.js';
import { withAdmin, withConnectionOptions, type ConnectionFlags } from './connection.js';
import { printJson, withJsonOption, type JsonFlag } from './json-output.js';
import { topicMatcher } from './topics-command.js';

interface OffsetsFlags extends ConnectionFlags, JsonFlag {
  topic?: string;
  partitions?: number[];
  time: OffsetSpec;
  excludeInternalTopics?: boolean;
}

/** Kafka's --time: -1 latest, -2 earliest, or a timestamp in ms. */
export function offsetSpecArg(v: string): OffsetSpec {
  if (v === '-1' || v === 'latest') return 'latest';
  if (v === '-2' || v === 'earliest') return 'earliest';
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
    throw new CommanderArgError('--time must be -1 (latest), -2 (earliest) or a timestamp in ms.');
  return n;
}

export function offsetsCommand(): Command {
  return withJsonOption(withConnectionOptions(new Command('offsets')))
    .description(
      'Print the offsets of topic partitions at a time: latest, earliest or by timestamp (kafka-get-offsets).',
    )
    .option('--topic <regex>', 'the topics, a regular expression (default: all)')
    .option(
      '--partitions <list>',
      'only these partitions, comma-separated',
      intListArg('--partitions', 'partition numbers'),
    )
    .option(
      '--time <time>',
      '-1 for the latest offset, -2 for the earliest, or a timestamp in ms',
      offsetSpecArg,
      'latest' as OffsetSpec,
    )
    .option('--exclude-internal-topics', 'leave internal topics out when --topic is not given')
    .action(async (flags: OffsetsFlags) => {
      await withAdmin(flags, async (admin) => {
        const matches = topicMatcher(flags.topic);
        const names = (
          await admin.listTopics({ includeInternal: flags.excludeInternalTopics !== true || flags.topic !== undefined })
        ).filter(matches);
        if (names.length === 0) throw new CommandError(`No topic matches '${flags.topic ?? '.*'}'.`);
        const wanted = flags.partitions === undefined ? null : new Set(flags.partitions);
        const queries = (await admin.describeTopics(names)).flatMap((t) =>
          t.partitions
            .filter((p) => wanted === null || wanted.has(p.partition))
            .map((p) => ({ topic: t.name, partition: p.partition, spec: flags.time })),
        );
        const offsets = await admin.listOffsets(queries);
        if (flags.json === true) {
          printJson(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })));
          return;
        }
        process.stdout.write(
          offsets
            .filter((o) => o.offset >= 0)
            .map((o) => `${o.topic}:${o.partition}:${o.offset}\n`)
            .join(''),
        );
      });
    });
}
