/**
 * `mq-admin groups`: kafka-consumer-groups over the Admin client. Exactly one action per run:
 *
 *   --list           [--state [states]]
 *   --describe       (--group G ... | --all-groups) [--offsets | --members [--verbose] | --state | --offset-history]
 *   --delete         (--group G ... | --all-groups)
 *   --delete-offsets --group G --topic T[:P,P] ...   (of an empty group, or of topics an active group does not read)
 *   --reset-offsets  (--group G ... | --all-groups) (--all-topics | --topic T[:P,P] ...) one of --to-earliest,
 *                    --to-latest, --to-current, --to-offset N, --shift-by N, --to-datetime T, --by-duration D;
 *                    [--dry-run (the default) | --execute]
 *
 * Output keeps Kafka's columns and messages: the lag view `GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG
 * CONSUMER-ID HOST CLIENT-ID`, and ours last, LAG-TIME (lag = log end offset - committed offset; `-` where there is
 * none; the log end is the high watermark as in Kafka's tool, or with `--isolation-level read_committed`, an addition
 * of mq, the last stable offset that a read_committed group can reach; LAG-TIME the age of the oldest record not
 * consumed, from the group's coordinator), the members and state views, the offset history (`GROUP TOPIC PARTITION
 * OFFSET COMMITTED-AT ADVANCED RATE`: the last commits the coordinator keeps, with records and records/s since the
 * previous one), `GROUP TOPIC PARTITION NEW-OFFSET` for a reset plan. Status lines (no active members, rebalancing,
 * does not exist) go to stderr. Offsets can only be reset for a group without active members, as in Kafka; a plan
 * is only carried out with --execute.
 * `--json` (with --list or --describe): [{"group","state","protocolType"}], or per group every view at once:
 * [{"group","state","coordinator":{"id","host","port"},"assignmentStrategy","members":[{"consumerId",
 * "groupInstanceId","host","clientId","partitions":[{"topic","partition"}]}],"offsets":[{"topic","partition",
 * "currentOffset","logEndOffset","lag","consumerId","host","clientId","lagTimeMs"}]}] (null where the text shows `-`).
 */
import { Command } from 'commander';
import type { Admin, ClusterDescription, ConsumerGroupDescription } from '../../client/admin/admin.js';
import type { PartitionLagTime } from '../../client/admin/group-lag.js';
import { byTopicPartition, planGroupReset } from '../../client/admin/offset-reset.js';
import type { ResetSpec } from '../../client/admin/reset-spec.js';
import type { CommittedOffset } from '../../client/consumer/group-offsets.js';
import type { TopicPartitionRef } from '../../client/consumer/subscription-state.js';
import { errorText, intArg, listArg, signedIntArg } from '../args.js';
import { oneAction, withAdmin, withConnectionOptions, type ConnectionFlags, type ExitStatus } from './connection.js';
import { CommandError, UsageError } from '../cli-errors.js';
import { jsonOnlyFor, printJson, withJsonOption, type JsonFlag } from './json-output.js';
import { formatTable } from './table.js';

const ACTIONS = ['list', 'describe', 'delete', 'deleteOffsets', 'resetOffsets'] as const;
const RESET_SPECS = ['toEarliest', 'toLatest', 'toCurrent', 'toOffset', 'shiftBy', 'toDatetime', 'byDuration'] as const;

interface GroupsFlags extends ConnectionFlags, JsonFlag {
  list?: boolean;
  describe?: boolean;
  delete?: boolean;
  deleteOffsets?: boolean;
  resetOffsets?: boolean;
  group?: string[];
  allGroups?: boolean;
  topic?: string[];
  allTopics?: boolean;
  state?: boolean | string;
  members?: boolean;
  verbose?: boolean;
  offsets?: boolean;
  offsetHistory?: boolean;
  isolationLevel?: IsolationLevel;
  toEarliest?: boolean;
  toLatest?: boolean;
  toCurrent?: boolean;
  toOffset?: number;
  shiftBy?: number;
  toDatetime?: string;
  byDuration?: string;
  dryRun?: boolean;
  execute?: boolean;
  timeout: number;
}

/** ISO-8601 durations as Kafka's --by-duration takes them: PnDTnHnMnS (each part optional). Unit: ms. */
export function parseDuration(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (m === null || text.trim().toUpperCase() === 'P' || text.trim().toUpperCase().endsWith('T')) {
    throw new UsageError(`--by-duration '${text}' is not an ISO-8601 duration such as P1DT2H30M or PT15M.`);
  }
  const [, d, h, min, s] = m;
  return Math.round(((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000);
}

/** Kafka's --to-datetime format, YYYY-MM-DDTHH:mm:SS.sss with an optional zone (local time without one). Unit: ms. */
export function parseDatetime(text: string): number {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?$/.test(text);
  const ms = ok ? Date.parse(text) : NaN;
  if (Number.isNaN(ms))
    throw new UsageError(`--to-datetime '${text}' is not a date-time such as 2026-12-06T10:00:00.000.`);
  return ms;
}

/** `--topic orders` or `--topic orders:0,2` for a reset: the topic, and its partitions when listed. */
export function parseTopicScope(text: string): { topic: string; partitions: number[] | null } {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { topic: text, partitions: null };
  const partitions = text
    .slice(colon + 1)
    .split(',')
    .map((s) => s.trim());
  if (partitions.some((p) => !/^\d+$/.test(p)))
    throw new UsageError(`--topic '${text}': expected topic or topic:partition,partition.`);
  return { topic: text.slice(0, colon), partitions: partitions.map(Number) };
}

/** A member's assignment as Kafka prints it: `orders(0,1,2), audit(4)`. */
export function formatAssignment(partitions: readonly TopicPartitionRef[]): string {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  return [...byTopic]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([t, ps]) => `${t}(${ps.sort((a, b) => a - b).join(',')})`)
    .join(', ');
}

/** A lag in time for LAG-TIME: '12.3s', '3m04s', '2h05m'; '-' when unknown (negative). */
export function formatLagTime(ms: number): string {
  if (ms < 0) return '-';
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const whole = Math.floor(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${pad(whole % 60)}s`;
  return `${Math.floor(whole / 3600)}h${pad(Math.floor((whole % 3600) / 60))}m`;
}

/** The rows of the offset history view: per partition its kept commits, oldest first. */
export function offsetHistoryRows(groupId: string, lags: readonly PartitionLagTime[]): string[][] {
  const rows: string[][] = [];
  for (const p of [...lags].sort(byTopicPartition)) {
    p.history.forEach((h, i) => {
      const previous = i > 0 ? p.history[i - 1]! : null;
      const advanced = previous === null ? null : h.offset - previous.offset;
      const seconds = previous === null ? 0 : (h.commitTimestamp - previous.commitTimestamp) / 1000;
      rows.push([
        groupId,
        p.topic,
        String(p.partition),
        String(h.offset),
        new Date(h.commitTimestamp).toISOString(),
        advanced === null ? '-' : String(advanced),
        advanced === null || seconds <= 0 ? '-' : (advanced / seconds).toFixed(1),
      ]);
    });
  }
  return rows;
}

/** One row of the lag view; null where Kafka's text shows `-`. */
export interface GroupOffsetRow {
  topic: string | null;
  partition: number | null;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
  /** LAG-TIME: how old the oldest record not consumed is, in ms, from the group's coordinator (0 when caught up). */
  lagTimeMs: number | null;
}

/**
 * The rows of the lag view: every assigned partition with its owner, then partitions with a commit and no owner,
 * then members without partitions. `ends` maps `topic-partition` to the log end offset, `lagTimes` to the lag in ms.
 */
export function groupOffsetRows(
  group: ConsumerGroupDescription,
  committed: readonly CommittedOffset[],
  ends: ReadonlyMap<string, number>,
  lagTimes: ReadonlyMap<string, number> = new Map(),
): GroupOffsetRow[] {
  const commits = new Map(committed.filter((c) => c.offset >= 0).map((c) => [`${c.topic}-${c.partition}`, c.offset]));
  const rows: GroupOffsetRow[] = [];
  const owned = new Set<string>();
  const noMember = { consumerId: null, host: null, clientId: null };
  const row = (tp: TopicPartitionRef, member: Pick<GroupOffsetRow, 'consumerId' | 'host' | 'clientId'>) => {
    const key = `${tp.topic}-${tp.partition}`;
    const current = commits.get(key) ?? null;
    const end = ends.get(key) ?? null;
    const lag = current === null || end === null ? null : Math.max(0, end - current);
    const lagMs = current === null ? -1 : (lagTimes.get(key) ?? -1);
    const lagTimeMs = lagMs < 0 ? null : lagMs;
    rows.push({
      topic: tp.topic,
      partition: tp.partition,
      currentOffset: current,
      logEndOffset: end,
      lag,
      ...member,
      lagTimeMs,
    });
  };
  for (const m of group.members) {
    for (const tp of [...m.assignment].sort(byTopicPartition)) {
      owned.add(`${tp.topic}-${tp.partition}`);
      row(tp, { consumerId: m.memberId, host: m.clientHost, clientId: m.clientId });
    }
  }
  for (const c of [...committed].sort(byTopicPartition)) {
    if (c.offset >= 0 && !owned.has(`${c.topic}-${c.partition}`)) row(c, noMember);
  }
  for (const m of group.members) {
    if (m.assignment.length === 0) {
      rows.push({
        topic: null,
        partition: null,
        currentOffset: null,
        logEndOffset: null,
        lag: null,
        consumerId: m.memberId,
        host: m.clientHost,
        clientId: m.clientId,
        lagTimeMs: null,
      });
    }
  }
  return rows;
}

/** The lag view's rows as Kafka's text table prints them (`-` for none). */
export function offsetRows(
  group: ConsumerGroupDescription,
  committed: readonly CommittedOffset[],
  ends: ReadonlyMap<string, number>,
  lagTimes: ReadonlyMap<string, number> = new Map(),
): string[][] {
  const cell = (v: string | number | null) => (v === null ? '-' : String(v));
  return groupOffsetRows(group, committed, ends, lagTimes).map((r) => [
    group.groupId,
    cell(r.topic),
    cell(r.partition),
    cell(r.currentOffset),
    cell(r.logEndOffset),
    cell(r.lag),
    cell(r.consumerId),
    cell(r.host),
    cell(r.clientId),
    formatLagTime(r.lagTimeMs ?? -1),
  ]);
}

type IsolationLevel = 'read_uncommitted' | 'read_committed';

function isolationLevelArg(v: string): IsolationLevel {
  if (v !== 'read_uncommitted' && v !== 'read_committed')
    throw new UsageError(`--isolation-level must be read_uncommitted or read_committed; found '${v}'.`);
  return v;
}

export function groupsCommand(status: ExitStatus): Command {
  return withJsonOption(withConnectionOptions(new Command('groups')))
    .description(
      'List, describe and delete consumer groups, and delete or reset their offsets (kafka-consumer-groups).',
    )
    .option('--list', 'list all consumer groups')
    .option('--describe', 'describe consumer groups: their offsets and lag (default), --members or --state')
    .option('--delete', 'delete consumer groups without active members, with their offsets')
    .option(
      '--delete-offsets',
      'delete the committed offsets of --topic partitions of one group (not of topics its active members read)',
    )
    .option(
      '--reset-offsets',
      'reset the committed offsets of a group without active members (a plan unless --execute)',
    )
    .option('--group <group>', 'the consumer group (repeatable)', listArg)
    .option('--all-groups', 'every consumer group')
    .option(
      '--topic <topic>',
      'with --reset-offsets or --delete-offsets: the topic, or topic:partition,partition (repeatable)',
      listArg,
    )
    .option('--all-topics', 'with --reset-offsets: every topic the group has offsets for')
    .option(
      '--state [states]',
      'with --list: show states, or only groups in these comma-separated states; with --describe: the state view',
    )
    .option('--members', 'with --describe: the members view')
    .option('--verbose', "with --describe --members: each member's assignment")
    .option('--offsets', 'with --describe: the offsets and lag view (the default)')
    .option('--offset-history', 'with --describe: the last commits of each partition, with records/s between them')
    .option(
      '--isolation-level <level>',
      "with --describe: read_uncommitted (the default, as Kafka's tool: LOG-END-OFFSET is the high watermark) or " +
        'read_committed (the last stable offset, what a read_committed member can reach)',
      isolationLevelArg,
    )
    .option('--to-earliest', 'reset to the earliest offset')
    .option('--to-latest', 'reset to the latest offset')
    .option('--to-current', 'reset to the current committed offset')
    .option('--to-offset <n>', "reset to this offset (clamped into the log's range)", intArg('--to-offset', 0))
    .option('--shift-by <n>', 'move the committed offset by n, which may be negative', signedIntArg('--shift-by'))
    .option('--to-datetime <datetime>', 'reset to the first offset at or after YYYY-MM-DDTHH:mm:SS.sss')
    .option(
      '--by-duration <duration>',
      'reset to the first offset at or after now minus an ISO-8601 duration, e.g. PT1H',
    )
    .option('--dry-run', 'only show the reset plan (the default)')
    .option('--execute', 'carry out the reset')
    .option('--timeout <ms>', 'how long each admin call may take', intArg('--timeout', 1), 5000)
    .addHelpText(
      'after',
      `
Examples:
  mq-admin groups --bootstrap-server localhost:9092 --describe --group billing
  mq-admin groups --bootstrap-server localhost:9092 --reset-offsets --group billing --topic orders --to-earliest --execute`,
    )
    .action(async (flags: GroupsFlags) => {
      const action = oneAction(flags, ACTIONS);
      jsonOnlyFor(flags, action, ['list', 'describe']);
      let failed = false;
      await withAdmin(
        flags,
        async (admin) => {
          switch (action) {
            case 'list':
              await listGroups(admin, flags);
              break;
            case 'describe':
              failed = await describeGroups(admin, flags, await selectedGroups(admin, flags));
              break;
            case 'delete':
              failed = await deleteGroups(admin, await selectedGroups(admin, flags));
              break;
            case 'deleteOffsets':
              failed = await deleteOffsets(admin, flags);
              break;
            case 'resetOffsets':
              await resetOffsets(admin, flags, await selectedGroups(admin, flags));
              break;
          }
        },
        { 'default.api.timeout.ms': String(flags.timeout) },
      );
      if (failed) status.code = 1;
    });
}

async function selectedGroups(admin: Admin, flags: GroupsFlags): Promise<string[]> {
  if (flags.allGroups === true) {
    if (flags.group !== undefined) throw new UsageError('Use --group or --all-groups, not both.');
    return (await admin.listConsumerGroups()).map((g) => g.groupId);
  }
  if (flags.group === undefined) throw new UsageError('Name the group(s) with --group, or use --all-groups.');
  return flags.group;
}

async function listGroups(admin: Admin, flags: GroupsFlags): Promise<void> {
  const groups = await admin.listConsumerGroups();
  if (flags.json === true) {
    const wanted =
      typeof flags.state === 'string' ? new Set(flags.state.split(',').map((s) => s.trim().toLowerCase())) : null;
    printJson(
      groups
        .filter((g) => wanted === null || wanted.has(g.state.toLowerCase()))
        .map((g) => ({ group: g.groupId, state: g.state, protocolType: g.protocolType })),
    );
    return;
  }
  if (flags.state === undefined) {
    process.stdout.write(groups.map((g) => `${g.groupId}\n`).join(''));
    return;
  }
  const wanted =
    typeof flags.state === 'string' ? new Set(flags.state.split(',').map((s) => s.trim().toLowerCase())) : null;
  const shown = groups.filter((g) => wanted === null || wanted.has(g.state.toLowerCase()));
  process.stdout.write(
    formatTable(
      ['GROUP', 'STATE'],
      shown.map((g) => [g.groupId, g.state]),
    ),
  );
}

/** Returns true when a group did not exist. */
async function describeGroups(admin: Admin, flags: GroupsFlags, groupIds: readonly string[]): Promise<boolean> {
  const [descriptions, cluster] = await Promise.all([admin.describeConsumerGroups(groupIds), admin.describeCluster()]);
  if (flags.json === true) {
    const missing = descriptions.filter((g) => g.state === 'Dead');
    for (const g of missing) process.stderr.write(`Error: Consumer group '${g.groupId}' does not exist.\n`);
    printJson(
      await Promise.all(
        descriptions.map((g) => groupJson(admin, g, cluster, flags.isolationLevel ?? 'read_uncommitted')),
      ),
    );
    return missing.length > 0;
  }
  let missing = false;
  for (const g of descriptions) {
    if (g.state === 'Dead') {
      process.stderr.write(`Error: Consumer group '${g.groupId}' does not exist.\n`);
      missing = true;
      continue;
    }
    if (g.state === 'Empty') process.stderr.write(`\nConsumer group '${g.groupId}' has no active members.\n`);
    if (g.state === 'PreparingRebalance' || g.state === 'CompletingRebalance') {
      process.stderr.write(`\nWarning: Consumer group '${g.groupId}' is rebalancing.\n`);
    }
    process.stdout.write('\n');
    if (flags.state !== undefined) {
      const b = cluster.brokers.find((x) => x.nodeId === g.coordinator);
      process.stdout.write(
        formatTable(
          ['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'],
          [
            [
              g.groupId,
              `${b === undefined ? '?' : `${b.host}:${b.port}`} (${g.coordinator})`,
              g.partitionAssignor,
              g.state,
              String(g.members.length),
            ],
          ],
        ),
      );
    } else if (flags.members === true) {
      const statics = g.members.some((m) => m.groupInstanceId !== null);
      const header = [
        'GROUP',
        'CONSUMER-ID',
        ...(statics ? ['GROUP-INSTANCE-ID'] : []),
        'HOST',
        'CLIENT-ID',
        '#PARTITIONS',
        ...(flags.verbose === true ? ['ASSIGNMENT'] : []),
      ];
      process.stdout.write(
        formatTable(
          header,
          g.members.map((m) => [
            g.groupId,
            m.memberId,
            ...(statics ? [m.groupInstanceId ?? '-'] : []),
            m.clientHost,
            m.clientId,
            String(m.assignment.length),
            ...(flags.verbose === true ? [formatAssignment(m.assignment) || '-'] : []),
          ]),
        ),
      );
    } else if (flags.offsetHistory === true) {
      const lags = await admin.describeConsumerGroupLag(g.groupId, { offsetHistory: true });
      process.stdout.write(
        formatTable(
          ['GROUP', 'TOPIC', 'PARTITION', 'OFFSET', 'COMMITTED-AT', 'ADVANCED', 'RATE'],
          offsetHistoryRows(g.groupId, lags),
        ),
      );
    } else {
      const { committed, ends, lagTimes } = await lagInputs(admin, g, flags.isolationLevel ?? 'read_uncommitted');
      process.stdout.write(
        formatTable(
          [
            'GROUP',
            'TOPIC',
            'PARTITION',
            'CURRENT-OFFSET',
            'LOG-END-OFFSET',
            'LAG',
            'CONSUMER-ID',
            'HOST',
            'CLIENT-ID',
            'LAG-TIME',
          ],
          offsetRows(g, committed, ends, lagTimes),
        ),
      );
    }
  }
  return missing;
}

/**
 * A group's committed offsets, the log end offsets (for `isolationLevel`) of every partition it commits to or is
 * assigned, and the coordinator's lag in time by `topic-partition` (none for a group without commits).
 */
async function lagInputs(
  admin: Admin,
  g: ConsumerGroupDescription,
  isolationLevel: IsolationLevel,
): Promise<{ committed: CommittedOffset[]; ends: Map<string, number>; lagTimes: Map<string, number> }> {
  const committed = await admin.listConsumerGroupOffsets(g.groupId);
  const partitions = new Map<string, TopicPartitionRef>();
  for (const tp of [...committed.filter((c) => c.offset >= 0), ...g.members.flatMap((m) => m.assignment)]) {
    partitions.set(`${tp.topic}-${tp.partition}`, { topic: tp.topic, partition: tp.partition });
  }
  const [ends, lagTimes] = await Promise.all([
    endOffsets(admin, [...partitions.values()], isolationLevel),
    committed.some((c) => c.offset >= 0)
      ? admin
          .describeConsumerGroupLag(g.groupId)
          .then((lags) => new Map(lags.map((l) => [`${l.topic}-${l.partition}`, l.lagMs])))
      : new Map<string, number>(),
  ]);
  return { committed, ends, lagTimes };
}

/** One group as `--describe --json` prints it: state, coordinator, members and the lag view together. */
async function groupJson(
  admin: Admin,
  g: ConsumerGroupDescription,
  cluster: ClusterDescription,
  isolationLevel: IsolationLevel,
): Promise<object> {
  const b = cluster.brokers.find((x) => x.nodeId === g.coordinator);
  const { committed, ends, lagTimes } =
    g.state === 'Dead'
      ? { committed: [], ends: new Map<string, number>(), lagTimes: new Map<string, number>() }
      : await lagInputs(admin, g, isolationLevel);
  return {
    group: g.groupId,
    state: g.state,
    coordinator: { id: g.coordinator, host: b?.host ?? null, port: b?.port ?? null },
    assignmentStrategy: g.partitionAssignor,
    members: g.members.map((m) => ({
      consumerId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      host: m.clientHost,
      clientId: m.clientId,
      partitions: [...m.assignment].sort(byTopicPartition),
    })),
    offsets: groupOffsetRows(g, committed, ends, lagTimes),
  };
}

/**
 * Log end offsets by `topic-partition` for `isolationLevel` (the high watermark, or the last stable offset);
 * partitions of topics that no longer exist are left out.
 */
async function endOffsets(
  admin: Admin,
  partitions: readonly TopicPartitionRef[],
  isolationLevel: IsolationLevel,
): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics({ includeInternal: true }));
  const listed = await admin.listOffsets(
    partitions.filter((p) => existing.has(p.topic)).map((p) => ({ ...p, spec: 'latest' as const })),
    { isolationLevel },
  );
  return new Map(listed.map((o) => [`${o.topic}-${o.partition}`, o.offset]));
}

/** Returns true when a group could not be deleted. */
async function deleteGroups(admin: Admin, groupIds: readonly string[]): Promise<boolean> {
  const results = await Promise.all(
    groupIds.map(async (g) => {
      try {
        await admin.deleteConsumerGroups([g]);
        return null;
      } catch (e) {
        return `* Group '${g}' could not be deleted due to: ${errorText(e)}`;
      }
    }),
  );
  const failures = results.filter((r): r is string => r !== null);
  if (failures.length === 0) {
    process.stdout.write(
      `Deletion of requested consumer groups (${groupIds.map((g) => `'${g}'`).join(', ')}) was successful.\n`,
    );
    return false;
  }
  process.stderr.write(`Deletion of some consumer groups failed:\n${failures.join('\n')}\n`);
  return true;
}

/** kafka-consumer-groups --delete-offsets; returns true when the group or a partition failed. */
async function deleteOffsets(admin: Admin, flags: GroupsFlags): Promise<boolean> {
  if (flags.group?.length !== 1 || flags.allGroups === true)
    throw new UsageError('--delete-offsets takes exactly one --group.');
  if (flags.topic === undefined)
    throw new UsageError('--delete-offsets needs --topic (topic, or topic:partition,partition).');
  const groupId = flags.group[0]!;
  const partitions = await topicPartitions(admin, flags.topic);
  let results: Awaited<ReturnType<Admin['deleteConsumerGroupOffsets']>>;
  try {
    results = await admin.deleteConsumerGroupOffsets(groupId, partitions);
  } catch (e) {
    const name = (e as { errorName?: string }).errorName;
    process.stderr.write(
      name === 'GROUP_ID_NOT_FOUND'
        ? `Error: '${groupId}' does not exist.\n`
        : name === 'NON_EMPTY_GROUP'
          ? `Error: '${groupId}' is not empty.\n`
          : `Error: ${errorText(e)}\n`,
    );
    return true;
  }
  const failed = results.some((r) => r.error !== null);
  process.stdout.write(
    failed
      ? 'Encountered some partition level errors, see the details below:\n'
      : `Request succeeded for deleting offsets with topic ${[...new Set(partitions.map((p) => p.topic))].join(', ')} group ${groupId}\n`,
  );
  process.stdout.write(
    `\n${formatTable(
      ['TOPIC', 'PARTITION', 'STATUS'],
      [...results]
        .sort(byTopicPartition)
        .map((r) => [r.topic, String(r.partition), r.error === null ? 'Successful' : `Error: ${errorText(r.error)}`]),
    )}`,
  );
  return failed;
}

function resetSpecOf(flags: GroupsFlags): ResetSpec {
  const chosen = RESET_SPECS.filter((k) => flags[k] !== undefined && flags[k] !== false);
  if (chosen.length !== 1) {
    throw new UsageError(
      '--reset-offsets needs exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --shift-by, ' +
        '--to-datetime or --by-duration.',
    );
  }
  switch (chosen[0]!) {
    case 'toEarliest':
      return { kind: 'earliest' };
    case 'toLatest':
      return { kind: 'latest' };
    case 'toCurrent':
      return { kind: 'current' };
    case 'toOffset':
      return { kind: 'offset', offset: flags.toOffset! };
    case 'shiftBy':
      return { kind: 'shift', by: flags.shiftBy! };
    case 'toDatetime':
      return { kind: 'timestamp', timestampMs: parseDatetime(flags.toDatetime!) };
    case 'byDuration':
      return { kind: 'timestamp', timestampMs: Date.now() - parseDuration(flags.byDuration!) };
  }
}

async function resetOffsets(admin: Admin, flags: GroupsFlags, groupIds: readonly string[]): Promise<void> {
  const spec = resetSpecOf(flags);
  if (flags.dryRun === true && flags.execute === true) throw new UsageError('Use --dry-run or --execute, not both.');
  if ((flags.allTopics === true) === (flags.topic !== undefined))
    throw new UsageError('--reset-offsets needs --all-topics or --topic, one of them.');
  const rows: string[][] = [];
  for (const g of await admin.describeConsumerGroups(groupIds)) {
    if (g.state !== 'Empty' && g.state !== 'Dead') {
      throw new CommandError(
        `Assignments can only be reset if the group '${g.groupId}' is inactive, but the current state is ${g.state}. ` +
          'Stop its consumers first.',
      );
    }
    const scope = flags.allTopics === true ? 'committed' : await topicPartitions(admin, flags.topic!);
    const plan = await planGroupReset(admin, g.groupId, spec, scope);
    if (plan.length === 0) continue;
    if (flags.execute === true) await admin.alterConsumerGroupOffsets(g.groupId, plan);
    rows.push(...plan.map((p) => [g.groupId, p.topic, String(p.partition), String(p.offset)]));
  }
  process.stdout.write(`\n${formatTable(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], rows)}`);
  if (flags.execute !== true) {
    process.stderr.write('WARN: No action was performed: this is the plan. Add --execute to reset the offsets.\n');
  }
}

/** `--topic t` (every partition of t) or `--topic t:0,2` (those), for each flag given. */
async function topicPartitions(admin: Admin, topicFlags: readonly string[]): Promise<TopicPartitionRef[]> {
  const scopes = topicFlags.map(parseTopicScope);
  const described = await admin.describeTopics(scopes.filter((s) => s.partitions === null).map((s) => s.topic));
  return scopes.flatMap((s) =>
    (s.partitions ?? described.find((d) => d.name === s.topic)!.partitions.map((p) => p.partition)).map(
      (partition) => ({ topic: s.topic, partition }),
    ),
  );
}
