/**
 * `mq-admin topics`: kafka-topics over the Admin client. Exactly one action per run:
 *
 *   --list      [--topic REGEX] [--exclude-internal]
 *   --create    --topic T [--partitions N] [--replication-factor N | --replica-assignment 1:2,2:3] [--config k=v]...
 *               [--if-not-exists]
 *   --describe  [--topic REGEX] [--exclude-internal] [--under-replicated-partitions | --unavailable-partitions |
 *               --under-min-isr-partitions | --at-min-isr-partitions | --topics-with-overrides]
 *   --alter     --topic REGEX --partitions N [--replica-assignment ...] [--if-exists]
 *   --delete    --topic REGEX [--if-exists]
 *
 * Output keeps Kafka's text so that scripts written against kafka-topics keep working: `Created topic T.`, one name
 * per line for --list, and for --describe a tab-separated `Topic: T	PartitionCount: N	ReplicationFactor: N	Configs:
 * k=v,...` line followed by one `	Topic: T	Partition: P	Leader: L	Replicas: a,b	Isr: a,b` line per partition.
 * `--topic` is a regular expression matched against whole names except for --create, as in Kafka.
 * `--json` (with --list or --describe): ["name", ...], or [{"name","internal","partitionCount","replicationFactor",
 * "configs":{k:v},"partitions":[{"partition","leader","replicas","isr","offlineReplicas"}]}] (leader null when none;
 * the describe filters apply as in the text).
 */
import { Command } from 'commander';
import type { Admin, PartitionDescription, TopicDescription } from '../../client/admin/admin.js';
import { intArg, propArg } from '../args.js';
import { oneAction, withAdmin, withConnectionOptions, type ConnectionFlags } from './connection.js';
import { CommandError, UsageError } from '../cli-errors.js';
import { jsonOnlyFor, printJson, withJsonOption, type JsonFlag } from './json-output.js';

const ACTIONS = ['list', 'create', 'describe', 'alter', 'delete'] as const;

interface TopicsFlags extends ConnectionFlags, JsonFlag {
  list?: boolean;
  create?: boolean;
  describe?: boolean;
  alter?: boolean;
  delete?: boolean;
  topic?: string;
  partitions?: number;
  replicationFactor?: number;
  replicaAssignment?: string;
  config: Record<string, string>;
  ifExists?: boolean;
  ifNotExists?: boolean;
  excludeInternal?: boolean;
  underReplicatedPartitions?: boolean;
  unavailablePartitions?: boolean;
  underMinIsrPartitions?: boolean;
  atMinIsrPartitions?: boolean;
  topicsWithOverrides?: boolean;
}

/**
 * Parses Kafka's `--replica-assignment`: partitions separated by commas, their broker ids by colons, the first
 * the preferred leader (`1:2:3,2:3:1`). Every partition must list the same number of distinct brokers.
 */
export function parseReplicaAssignment(text: string): number[][] {
  const partitions = text.split(',').map((part, p) => {
    const ids = part.split(':').map((s) => s.trim());
    if (ids.some((s) => !/^\d+$/.test(s))) {
      throw new UsageError(
        `--replica-assignment: partition ${p} is '${part}'; expected broker ids separated by ':', e.g. 1:2:3.`,
      );
    }
    const brokers = ids.map(Number);
    if (new Set(brokers).size !== brokers.length)
      throw new UsageError(`--replica-assignment: partition ${p} lists a broker twice: '${part}'.`);
    return brokers;
  });
  if (partitions.some((b) => b.length !== partitions[0]!.length)) {
    throw new UsageError('--replica-assignment: every partition must have the same number of replicas.');
  }
  return partitions;
}

/** Kafka's whole-name match of `--topic`, which is a regular expression for every action but --create. */
export function topicMatcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new UsageError(`--topic '${pattern}' is not a valid regular expression: ${(e as Error).message}`);
  }
  return (name) => re.test(name);
}

/** Which partitions a describe filter keeps; `minIsr` is the topic's min.insync.replicas. */
export type PartitionFilter = 'all' | 'under-replicated' | 'unavailable' | 'under-min-isr' | 'at-min-isr';

export function keepsPartition(
  filter: PartitionFilter,
  p: PartitionDescription,
  minIsr: number,
  liveBrokers: ReadonlySet<number>,
): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'under-replicated':
      return p.isr.length < p.replicas.length;
    // Kafka: no leader, or the leader is not a live broker.
    case 'unavailable':
      return p.leader < 0 || !liveBrokers.has(p.leader);
    // Kafka counts a partition without a leader as under min ISR.
    case 'under-min-isr':
      return p.leader < 0 || p.isr.length < minIsr;
    case 'at-min-isr':
      return p.isr.length === minIsr;
  }
}

/** The two describe lines of Kafka's format. `configs` are the topic's non-default configs. */
export function describeLines(
  t: TopicDescription,
  configs: ReadonlyArray<[string, string]>,
  partitions: readonly PartitionDescription[],
  withTopicLine: boolean,
): string {
  const rf = t.partitions[0]?.replicas.length ?? 0;
  const out: string[] = [];
  if (withTopicLine) {
    out.push(
      `Topic: ${t.name}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${rf}\t` +
        `Configs: ${configs.map(([k, v]) => `${k}=${v}`).join(',')}`,
    );
  }
  for (const p of partitions) {
    out.push(
      `\tTopic: ${t.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\t` +
        `Replicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}` +
        (p.offlineReplicas.length > 0 ? `\tOffline: ${p.offlineReplicas.join(',')}` : ''),
    );
  }
  return out.map((l) => `${l}\n`).join('');
}

/** One topic as `--describe --json` prints it. */
export function topicJson(
  t: TopicDescription,
  configs: ReadonlyArray<[string, string]>,
  partitions: readonly PartitionDescription[],
): object {
  return {
    name: t.name,
    internal: t.isInternal,
    partitionCount: t.partitions.length,
    replicationFactor: t.partitions[0]?.replicas.length ?? 0,
    configs: Object.fromEntries(configs),
    partitions: partitions.map((p) => ({
      partition: p.partition,
      leader: p.leader < 0 ? null : p.leader,
      replicas: p.replicas,
      isr: p.isr,
      offlineReplicas: p.offlineReplicas,
    })),
  };
}

export function topicsCommand(): Command {
  const command = withJsonOption(withConnectionOptions(new Command('topics')))
    .description('Create, delete, describe, or change a topic (kafka-topics).')
    .option('--list', 'list all available topics')
    .option('--create', 'create a new topic')
    .option('--describe', 'list details for the given topics')
    .option('--alter', 'alter the number of partitions and replica assignment')
    .option('--delete', 'delete a topic')
    .option(
      '--topic <topic>',
      'the topic to create, alter, describe or delete; a regular expression except with --create',
    )
    .option(
      '--partitions <n>',
      "the number of partitions for the topic being created or altered (default: the broker's num.partitions)",
      intArg('--partitions', 1),
    )
    .option(
      '--replication-factor <n>',
      "the replication factor for each partition (default: the broker's default.replication.factor)",
      intArg('--replication-factor', 1),
    )
    .option(
      '--replica-assignment <list>',
      'manual assignment as broker_id_for_part1_replica1:broker_id_for_part1_replica2,...',
    )
    .option('--config <name=value>', 'a topic config override for the topic being created (repeatable)', propArg, {})
    .option('--if-exists', 'with --alter or --delete: act only if the topic exists')
    .option('--if-not-exists', 'with --create: create only if the topic does not exist yet')
    .option('--exclude-internal', 'leave internal topics out of --list and --describe')
    .option(
      '--under-replicated-partitions',
      'with --describe: only partitions whose ISR is smaller than their replica set',
    )
    .option('--unavailable-partitions', 'with --describe: only partitions whose leader is not available')
    .option(
      '--under-min-isr-partitions',
      'with --describe: only partitions whose ISR is smaller than min.insync.replicas',
    )
    .option('--at-min-isr-partitions', 'with --describe: only partitions whose ISR size equals min.insync.replicas')
    .option('--topics-with-overrides', 'with --describe: only topics that have config overrides')
    .addHelpText(
      'after',
      `
Examples:
  mq-admin topics --bootstrap-server localhost:9092 --create --topic orders --partitions 6 --replication-factor 3 \\
      --config min.insync.replicas=2
  mq-admin topics --bootstrap-server localhost:9092 --describe --topic 'orders.*'
  mq-admin topics --bootstrap-server localhost:9092 --alter --topic orders --partitions 12`,
    );
  return command.action(async (flags: TopicsFlags) => {
    const action = oneAction(flags, ACTIONS);
    jsonOnlyFor(flags, action, ['list', 'describe']);
    if (action !== 'list' && action !== 'describe' && flags.topic === undefined)
      throw new UsageError(`--${action} requires --topic.`);
    await withAdmin(flags, async (admin) => {
      switch (action) {
        case 'list':
          return listTopics(admin, flags);
        case 'create':
          return createTopic(admin, flags);
        case 'describe':
          return describeTopics(admin, flags);
        case 'alter':
          return alterTopics(admin, flags);
        case 'delete':
          return deleteTopics(admin, flags);
      }
    });
  });
}

async function matchingTopics(admin: Admin, flags: TopicsFlags): Promise<string[]> {
  const matches = topicMatcher(flags.topic);
  return (await admin.listTopics({ includeInternal: flags.excludeInternal !== true })).filter(matches);
}

/** For actions on named topics: the matches, or an error unless --if-exists. */
async function existingTopics(admin: Admin, flags: TopicsFlags): Promise<string[]> {
  const topics = await matchingTopics(admin, flags);
  if (topics.length === 0 && flags.ifExists !== true) {
    throw new CommandError(`Topic '${flags.topic}' does not exist as expected (add --if-exists to accept that).`);
  }
  return topics;
}

async function listTopics(admin: Admin, flags: TopicsFlags): Promise<void> {
  const names = await matchingTopics(admin, flags);
  if (flags.json === true) printJson(names);
  else process.stdout.write(names.map((t) => `${t}\n`).join(''));
}

async function createTopic(admin: Admin, flags: TopicsFlags): Promise<void> {
  const name = flags.topic!;
  if (
    flags.replicaAssignment !== undefined &&
    (flags.partitions !== undefined || flags.replicationFactor !== undefined)
  ) {
    throw new UsageError(
      '--replica-assignment cannot be combined with --partitions or --replication-factor: it sets both.',
    );
  }
  if (name.includes('.') || name.includes('_')) {
    process.stdout.write(
      "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. " +
        'To avoid issues it is best to use either, but not both.\n',
    );
  }
  const assignment =
    flags.replicaAssignment === undefined
      ? undefined
      : Object.fromEntries(parseReplicaAssignment(flags.replicaAssignment).map((brokers, p) => [p, brokers]));
  try {
    await admin.createTopics([
      {
        name,
        numPartitions: flags.partitions,
        replicationFactor: flags.replicationFactor,
        replicaAssignment: assignment,
        configs: flags.config,
      },
    ]);
  } catch (e) {
    if (flags.ifNotExists === true && (e as { errorName?: string }).errorName === 'TOPIC_ALREADY_EXISTS') return;
    throw e;
  }
  process.stdout.write(`Created topic ${name}.\n`);
}

async function describeTopics(admin: Admin, flags: TopicsFlags): Promise<void> {
  const names = await matchingTopics(admin, flags);
  if (names.length === 0) {
    if (flags.topic !== undefined && flags.ifExists !== true)
      throw new CommandError(`Topic '${flags.topic}' does not exist as expected.`);
    if (flags.json === true) printJson([]);
    return;
  }
  const filter: PartitionFilter =
    flags.underReplicatedPartitions === true
      ? 'under-replicated'
      : flags.unavailablePartitions === true
        ? 'unavailable'
        : flags.underMinIsrPartitions === true
          ? 'under-min-isr'
          : flags.atMinIsrPartitions === true
            ? 'at-min-isr'
            : 'all';
  const [topics, configs, cluster] = await Promise.all([
    admin.describeTopics(names),
    admin.describeConfigs(names.map((name) => ({ type: 'topic' as const, name }))),
    admin.describeCluster(),
  ]);
  const live = new Set(cluster.brokers.map((b) => b.nodeId));
  let out = '';
  const json: object[] = [];
  for (const t of topics) {
    const entries = configs.find((c) => c.name === t.name)?.configs ?? [];
    const minIsr = Number(entries.find((c) => c.name === 'min.insync.replicas')?.value ?? 1);
    // Kafka's describe shows every config not at its default: topic overrides and the broker's static settings.
    const shown = entries
      .filter((c) => c.source !== 'DEFAULT_CONFIG' && !c.isSensitive && c.value !== null)
      .map((c) => [c.name, c.value!] as [string, string]);
    if (flags.topicsWithOverrides === true && !entries.some((c) => c.source === 'DYNAMIC_TOPIC_CONFIG')) continue;
    const partitions = t.partitions.filter((p) => keepsPartition(filter, p, minIsr, live));
    if (filter !== 'all' && partitions.length === 0) continue;
    if (flags.json === true) json.push(topicJson(t, shown, partitions));
    else out += describeLines(t, shown, partitions, filter === 'all');
  }
  if (flags.json === true) printJson(json);
  else process.stdout.write(out);
}

async function alterTopics(admin: Admin, flags: TopicsFlags): Promise<void> {
  if (flags.partitions === undefined) throw new UsageError('--alter needs --partitions: the new partition count.');
  const topics = await existingTopics(admin, flags);
  if (topics.length === 0) return;
  const assignments =
    flags.replicaAssignment === undefined ? undefined : parseReplicaAssignment(flags.replicaAssignment);
  const current = await admin.describeTopics(topics);
  if (assignments !== undefined && topics.length !== 1) {
    throw new UsageError('--replica-assignment applies to one topic; --topic matches several.');
  }
  process.stdout.write(
    'WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the ' +
      'messages will be affected\n',
  );
  await admin.createPartitions(
    current.map((t) => ({
      topic: t.name,
      count: flags.partitions!,
      // Kafka's --replica-assignment for --alter lists every partition; the new ones are those past the current count.
      assignments: assignments?.slice(t.partitions.length),
    })),
  );
  process.stdout.write('Adding partitions succeeded!\n');
}

async function deleteTopics(admin: Admin, flags: TopicsFlags): Promise<void> {
  const topics = await existingTopics(admin, flags);
  const internal = (await admin.describeTopics(topics)).filter((t) => t.isInternal).map((t) => t.name);
  if (internal.length > 0) throw new CommandError(`Topic ${internal.join(', ')} is internal and cannot be deleted.`);
  if (topics.length > 0) await admin.deleteTopics(topics);
  for (const t of topics) process.stdout.write(`Topic ${t} is marked for deletion.\n`);
}
