/**
 * `mq-admin leader-election`: kafka-leader-election (Kafka 2.4+). Asks the controller (ElectLeaders, through the
 * Admin client) for a preferred or an unclean election of the partitions named by exactly one of
 * `--topic T --partition P`, `--all-topic-partitions` or `--path-to-json-file F` ({"partitions":[{"topic":"t",
 * "partition":0}]}), and prints Kafka's lines:
 *
 *   Successfully completed leader election (PREFERRED) for partitions t-0, t-1
 *   Valid replica already elected for partitions t-2
 *   Error completing leader election (PREFERRED) for partition: t-3: <the error>
 *
 * Exit code 1 with `N replica(s) could not be elected` on stderr when any partition failed, as Kafka's tool.
 * `--admin.config` is Kafka's name for the client properties file here.
 */
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import type { ApiError } from '../../common/errors.js';
import type { TopicPartition } from '../../common/topic-partition.js';
import { errorText, intArg } from '../args.js';
import { withAdmin, withConnectionOptions, type ConnectionFlags } from './connection.js';
import { CommandError, UsageError } from '../cli-errors.js';
import { parsePartitionsFile, readTextFile } from './partitions-file.js';

interface LeaderElectionFlags extends ConnectionFlags {
  'admin.config'?: string;
  electionType: string;
  topic?: string;
  partition?: number;
  allTopicPartitions?: boolean;
  pathToJsonFile?: string;
}

const EXAMPLE = '{"partitions":[{"topic":"t","partition":0}]}';

/** The partitions the flags name (null: all), checking that exactly one way of naming them was used. */
export function electionScope(
  flags: Omit<LeaderElectionFlags, 'bootstrapServer' | 'electionType'>,
  readFile = readTextFile,
): TopicPartition[] | null {
  const ways = [flags.topic !== undefined, flags.allTopicPartitions === true, flags.pathToJsonFile !== undefined];
  if (ways.filter(Boolean).length !== 1) {
    throw new UsageError(
      'One and only one of the following options is required: --all-topic-partitions, --topic, --path-to-json-file.',
    );
  }
  if (flags.partition !== undefined && flags.topic === undefined)
    throw new UsageError('Missing required option(s) [topic] with [partition].');
  if (flags.topic !== undefined) {
    if (flags.partition === undefined) throw new UsageError('Missing required option(s) [partition] with [topic].');
    return [{ topic: flags.topic, partition: flags.partition }];
  }
  if (flags.pathToJsonFile !== undefined)
    return parsePartitionsFile(readFile(flags.pathToJsonFile), 'partitions file', EXAMPLE, (_raw, tp) => tp);
  return null;
}

/** Kafka's output lines for the outcomes, and how many partitions failed. */
export function electionReport(
  electionType: 'PREFERRED' | 'UNCLEAN',
  outcomes: ReadonlyArray<TopicPartition & { error: ApiError | null }>,
): { text: string; failed: number } {
  const name = (o: TopicPartition) => `${o.topic}-${o.partition}`;
  const succeeded = outcomes.filter((o) => o.error === null).map(name);
  const noop = outcomes.filter((o) => o.error?.errorName === 'ELECTION_NOT_NEEDED').map(name);
  const failed = outcomes.filter((o) => o.error !== null && o.error.errorName !== 'ELECTION_NOT_NEEDED');
  let text = '';
  if (succeeded.length > 0)
    text += `Successfully completed leader election (${electionType}) for partitions ${succeeded.join(', ')}\n`;
  if (noop.length > 0) text += `Valid replica already elected for partitions ${noop.join(', ')}\n`;
  for (const o of failed)
    text += `Error completing leader election (${electionType}) for partition: ${name(o)}: ${errorText(o.error)}\n`;
  return { text, failed: failed.length };
}

export function leaderElectionCommand(): Command {
  return withConnectionOptions(new Command('leader-election'), '--admin.config')
    .description(
      'Elect partition leaders: the preferred (first) replica, or any live replica when no in-sync one is left ' +
        '(kafka-leader-election).',
    )
    .requiredOption('--election-type <type>', 'REQUIRED: preferred or unclean', (v: string) => {
      const t = v.toLowerCase();
      if (t !== 'preferred' && t !== 'unclean') throw new CommanderArgError('must be preferred or unclean.');
      return t;
    })
    .option('--topic <name>', 'the topic of the partition to elect a leader for (with --partition)')
    .option('--partition <n>', 'the partition to elect a leader for (with --topic)', intArg('--partition', 0))
    .option('--all-topic-partitions', 'every partition of the cluster')
    .option('--path-to-json-file <file>', `the partitions, ${EXAMPLE}`)
    .addHelpText(
      'after',
      `
An unclean election makes a replica that is not in sync the leader when no in-sync replica is alive: records
acknowledged only by the lost replicas are gone. Use it to bring an offline partition back.

Examples:
  mq-admin leader-election --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions
  mq-admin leader-election --bootstrap-server localhost:9092 --election-type unclean --topic orders --partition 3`,
    )
    .action(async (flags: LeaderElectionFlags) => {
      const partitions = electionScope(flags);
      const electionType = flags.electionType === 'unclean' ? 'unclean' : 'preferred';
      await withAdmin({ ...flags, commandConfig: flags['admin.config'] }, async (admin) => {
        const outcomes = await admin.electLeaders(electionType, partitions);
        const report = electionReport(electionType === 'unclean' ? 'UNCLEAN' : 'PREFERRED', outcomes);
        process.stdout.write(report.text);
        if (report.failed > 0) throw new CommandError(`${report.failed} replica(s) could not be elected`);
      });
    });
}
