/**
 * `mq-admin reassign-partitions`: kafka-reassign-partitions. Two ways to reach the cluster, as Kafka 2.8's tool:
 *
 * With `--bootstrap-server` (the API, KIP-455: AlterPartitionReassignments and ListPartitionReassignments through
 * the Admin client; reassign-plan.ts computes the rest):
 *   --generate --topics-to-move-json-file F --broker-list 1,2,3   prints the current assignment of those topics and a
 *                                                                 proposed one over the brokers (rack-aware unless
 *                                                                 --disable-rack-aware); changes nothing
 *   --execute --reassignment-json-file F [--throttle B/s]         prints the current assignment (the rollback file),
 *     [--replica-alter-log-dirs-throttle B/s] [--timeout ms]      sets the throttles, starts the moves, then the moves
 *                                                                 between log dirs ("log_dirs" paths), retrying those
 *                                                                 whose replica does not exist yet for --timeout
 *   --verify --reassignment-json-file F                           per partition: complete, in progress, or not moving
 *                                                                 to the target; per replica with a log dir: moved,
 *                                                                 moving, or not; once all are done, removes every
 *                                                                 throttle (unless --preserve-throttles)
 *   --cancel --reassignment-json-file F                           cancels the moves of those partitions that are
 *                                                                 running (back to their original replicas) and the
 *                                                                 log dir moves still copying (back to their current
 *                                                                 dir), then removes the throttles (unless
 *                                                                 --preserve-throttles)
 *   --list                                                        the moves running now
 * `--throttle` sets leader.replication.throttled.rate and follower.replication.throttled.rate on every broker holding
 * or getting a moving replica, and leader/follower.replication.throttled.replicas on the moving topics; the brokers
 * enforce them (replication-quota.ts). A new --execute while moves run is refused unless --additional.
 * `--replica-alter-log-dirs-throttle` sets replica.alter.log.dirs.io.max.bytes.per.second on every broker that moves a
 * replica between its log dirs (a "log_dirs" entry that is a path); --verify and --cancel remove it with the others.
 *
 * With `--zookeeper` (ZooKeeper-era, writes /admin/reassign_partitions directly): --execute and --verify only, and no
 * log dir moves (they need AlterReplicaLogDirs, sent to the brokers).
 *
 * The file is Kafka's: {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3,4],
 * "log_dirs":["any","/data/kafka-2","any"]}]} ("log_dirs" optional: one per replica, "any" or an absolute path). It is checked
 * before anything is written: every partition must exist, every broker must be registered (a broker that is down is
 * refused, as Kafka's tool refuses it), no partition may be listed twice nor a broker twice in one replica list.
 * The controller then carries the moves out (adds the new replicas, waits for them to join the ISR, also across
 * restarts of the brokers, moves leadership, removes the old ones).
 */
import { Command } from 'commander';
import type { Admin } from '../../client/admin/admin.js';
import type { KafkaZkClient } from '../../zk/kafka-zk-client.js';
import type { PartitionReassignment, ReplicaAssignment } from '../../zk/zk-paths.js';
import { errorText, intArg, intListArg } from '../args.js';
import { oneAction, withAdmin, withZooKeeper } from './connection.js';
import { CommandError, UsageError } from '../cli-errors.js';
import { parsePartitionsFile, readTextFile } from './partitions-file.js';
import {
  logDirMoveBrokers,
  logDirMovesOngoing,
  logDirMovesToCancel,
  logDirMoveStates,
  logDirMoveStatusText,
  parseLogDirs,
  replicaLogDirMoves,
  replicaName,
  type ReplicaTargets,
} from './log-dir-moves.js';
import type { ReplicaLogDirMove } from '../../client/admin/admin.js';
import {
  listReport,
  parseTopicsToMove,
  proposeAssignment,
  throttlePlan,
  TOPICS_TO_MOVE_EXAMPLE,
  verifyReport,
  type PartitionReplicas,
} from './reassign-plan.js';

const ZK_ACTIONS = ['execute', 'verify'] as const;
const API_ACTIONS = ['generate', 'execute', 'verify', 'cancel', 'list'] as const;

interface ReassignFlags {
  bootstrapServer?: string;
  commandConfig?: string;
  zookeeper?: string;
  reassignmentJsonFile?: string;
  topicsToMoveJsonFile?: string;
  brokerList?: number[];
  disableRackAware?: boolean;
  generate?: boolean;
  execute?: boolean;
  verify?: boolean;
  cancel?: boolean;
  list?: boolean;
  additional?: boolean;
  preserveThrottles?: boolean;
  throttle: number;
  replicaAlterLogDirsThrottle: number;
  timeout: number;
}

const THROTTLE_KEYS = ['leader.replication.throttled.rate', 'follower.replication.throttled.rate'];
const LOG_DIR_THROTTLE_KEY = 'replica.alter.log.dirs.io.max.bytes.per.second';
/** Pause between attempts to start log dir moves whose replicas do not exist yet (Kafka's tool: 100 ms). */
const LOG_DIR_RETRY_MS = 100;
const TOPIC_THROTTLE_KEYS = ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'];
const VERIFY_PERIODICALLY =
  'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.';

/** Parses and checks the shape of a reassignment file; throws naming the first problem. */
export function parseReassignment(text: string): ReplicaTargets[] {
  return parsePartitionsFile(
    text,
    'reassignment file',
    '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3],"log_dirs":["any","any","any"]}]}',
    (raw, tp, where) => {
      const replicas = raw.replicas;
      if (!Array.isArray(replicas) || replicas.length === 0 || !replicas.every((r) => Number.isInteger(r) && r >= 0)) {
        throw new UsageError(`${where}: "replicas" must be a non-empty list of broker ids.`);
      }
      if (new Set(replicas).size !== replicas.length) {
        throw new UsageError(`Partition ${tp.topic}-${tp.partition} lists a broker twice: [${replicas.join(',')}].`);
      }
      const logDirs = parseLogDirs(raw.log_dirs, replicas, where);
      return logDirs === undefined ? { ...tp, replicas } : { ...tp, replicas, logDirs };
    },
  );
}

/** One partition's state for --verify, as kafka-reassign-partitions words it. */
export function verifyLine(
  target: PartitionReassignment,
  pending: boolean,
  current: readonly number[] | undefined,
): string {
  const name = `${target.topic}-${target.partition}`;
  if (pending) return `Reassignment of partition ${name} is still in progress`;
  const done =
    current !== undefined &&
    current.length === target.replicas.length &&
    current.every((r, i) => r === target.replicas[i]);
  return done
    ? `Reassignment of partition ${name} completed successfully`
    : `Reassignment of partition ${name} failed: its replicas are [${current?.join(',') ?? ''}], not [${target.replicas.join(',')}]`;
}

/** Kafka's reassignment JSON for a set of assignments (also the rollback file). */
export function reassignmentJson(partitions: readonly PartitionReassignment[]): string {
  return JSON.stringify({
    version: 1,
    partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas })),
  });
}

/** Checks a throttle flag's value (-1: not given). */
function throttleArg(name: string) {
  const parse = intArg(name, 0);
  return (v: string): number => (v.trim() === '-1' ? -1 : parse(v));
}

export function reassignCommand(): Command {
  return new Command('reassign-partitions')
    .description(
      'Move partition replicas between brokers and between the log dirs of a broker, with optional throttles ' +
        '(kafka-reassign-partitions).',
    )
    .option('--bootstrap-server <host:port>', 'the server(s) to connect to (the reassignment API); or --zookeeper')
    .option('--command-config <file>', "a properties file of client configs (Kafka's names)")
    .option('--zookeeper <host:port[/chroot]>', 'ZooKeeper-era mode: write /admin/reassign_partitions directly')
    .option('--generate', 'propose an assignment of --topics-to-move-json-file over --broker-list (changes nothing)')
    .option('--execute', 'start the reassignment in --reassignment-json-file')
    .option('--verify', 'report the state of the reassignment in the file; remove the throttles once it is complete')
    .option(
      '--cancel',
      'cancel the running moves of the partitions in the file (back to their original replicas and log dirs)',
    )
    .option('--list', 'list the reassignments running now')
    .option(
      '--reassignment-json-file <file>',
      'the moves, {"version":1,"partitions":[{"topic":..,"partition":..,"replicas":[..],"log_dirs":[..]}]} ("log_dirs" optional)',
    )
    .option('--topics-to-move-json-file <file>', `with --generate: the topics to move, ${TOPICS_TO_MOVE_EXAMPLE}`)
    .option(
      '--broker-list <ids>',
      'with --generate: the brokers to move them to, e.g. 1,2,3',
      intListArg('--broker-list', 'broker ids'),
    )
    .option('--disable-rack-aware', 'with --generate: ignore broker.rack when placing replicas')
    .option(
      '--throttle <B/s>',
      'with --execute: bound replication of the moving replicas to this many bytes per second per broker (leader and follower side)',
      throttleArg('--throttle'),
      -1,
    )
    .option(
      '--replica-alter-log-dirs-throttle <B/s>',
      'with --execute: bound the copying of replicas between the log dirs of a broker to this many bytes per second per broker',
      throttleArg('--replica-alter-log-dirs-throttle'),
      -1,
    )
    .option(
      '--timeout <ms>',
      'with --execute: how long to wait for the moves between log dirs to start (their replicas may not exist yet)',
      intArg('--timeout', 0),
      10000,
    )
    .option(
      '--additional',
      'with --execute: start these moves although others are running (also to change the throttle)',
    )
    .option('--preserve-throttles', 'with --verify or --cancel: leave the throttles in place')
    .addHelpText(
      'after',
      `
The throttle sets leader.replication.throttled.rate and follower.replication.throttled.rate on the brokers that hold
or get a moving replica, and leader/follower.replication.throttled.replicas on the moving topics. "log_dirs" (one per
replica, "any" or an absolute path among that broker's log.dirs) moves replicas between the log dirs of their broker;
--replica-alter-log-dirs-throttle sets replica.alter.log.dirs.io.max.bytes.per.second on the brokers doing so. Run
--verify until it reports every move complete: that removes the throttles.

Examples:
  echo '{"version":1,"topics":[{"topic":"orders"}]}' > topics.json
  mq-admin reassign-partitions --bootstrap-server localhost:9092 --generate --topics-to-move-json-file topics.json --broker-list 2,3,4
  echo '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3,4]}]}' > move.json
  mq-admin reassign-partitions --bootstrap-server localhost:9092 --reassignment-json-file move.json --execute --throttle 50000000
  echo '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3,4],"log_dirs":["/data/d2","any","any"]}]}' > dirs.json
  mq-admin reassign-partitions --bootstrap-server localhost:9092 --reassignment-json-file dirs.json --execute --replica-alter-log-dirs-throttle 20000000
  mq-admin reassign-partitions --bootstrap-server localhost:9092 --reassignment-json-file move.json --verify
  mq-admin reassign-partitions --bootstrap-server localhost:9092 --reassignment-json-file move.json --cancel
  mq-admin reassign-partitions --zookeeper localhost:2181 --reassignment-json-file move.json --execute`,
    )
    .action(async (flags: ReassignFlags) => {
      if ((flags.bootstrapServer === undefined) === (flags.zookeeper === undefined))
        throw new UsageError('Give exactly one of --bootstrap-server (the reassignment API) and --zookeeper.');
      if (flags.zookeeper !== undefined) return zookeeperAction(flags.zookeeper, flags);
      const action = oneAction(flags, API_ACTIONS);
      await withAdmin({ bootstrapServer: flags.bootstrapServer!, commandConfig: flags.commandConfig }, (admin) =>
        API_ACTIONS_RUN[action](admin, flags),
      );
    });
}

const API_ACTIONS_RUN: Record<(typeof API_ACTIONS)[number], (admin: Admin, flags: ReassignFlags) => Promise<void>> = {
  generate: generateAction,
  execute: executeAction,
  verify: verifyAction,
  cancel: cancelAction,
  list: async (admin) => {
    process.stdout.write(listReport(await admin.listPartitionReassignments()));
  },
};

function movesFile(flags: ReassignFlags): ReplicaTargets[] {
  if (flags.reassignmentJsonFile === undefined)
    throw new UsageError('Missing required option --reassignment-json-file.');
  return parseReassignment(readTextFile(flags.reassignmentJsonFile));
}

async function generateAction(admin: Admin, flags: ReassignFlags): Promise<void> {
  if (flags.topicsToMoveJsonFile === undefined || flags.brokerList === undefined)
    throw new UsageError('--generate needs --topics-to-move-json-file and --broker-list.');
  const topics = parseTopicsToMove(readTextFile(flags.topicsToMoveJsonFile));
  const wanted = flags.brokerList;
  if (new Set(wanted).size !== wanted.length)
    throw new UsageError(`Duplicate brokers in --broker-list: ${wanted.join(',')}.`);
  const live = (await admin.describeCluster()).brokers;
  const missing = wanted.filter((id) => !live.some((b) => b.nodeId === id));
  if (missing.length > 0)
    throw new CommandError(
      `Brokers ${missing.join(',')} of --broker-list are not registered (live brokers: ${live
        .map((b) => b.nodeId)
        .sort((a, b) => a - b)
        .join(',')}).`,
    );
  const brokers = wanted.map((id) => ({
    id,
    rack: flags.disableRackAware === true ? null : (live.find((b) => b.nodeId === id)?.rack ?? null),
  }));
  const current = new Map<string, PartitionReplicas[]>();
  for (const t of await admin.describeTopics(topics))
    current.set(
      t.name,
      t.partitions.map((p) => ({ topic: t.name, partition: p.partition, replicas: p.replicas })),
    );
  const proposed = proposeAssignment(current, brokers);
  process.stdout.write(
    `Current partition replica assignment\n${reassignmentJson([...current.values()].flat())}\n\n` +
      `Proposed partition reassignment configuration\n${reassignmentJson(proposed)}\n`,
  );
}

async function executeAction(admin: Admin, flags: ReassignFlags): Promise<void> {
  const moves = movesFile(flags);
  const running = await admin.listPartitionReassignments();
  if (running.length > 0 && flags.additional !== true)
    throw new CommandError(
      'Cannot execute because there is an existing partition assignment. Use --additional to override this and ' +
        'create a new partition assignment in addition to the existing one. The --additional flag can also be used ' +
        'to change the throttle by resubmitting the current reassignment.',
    );
  const live = (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  const unknown = [...new Set(moves.flatMap((m) => m.replicas))].filter((id) => !live.includes(id));
  if (unknown.length > 0)
    throw new CommandError(
      `The proposed assignment contains brokers that are not registered: ${unknown.join(', ')} ` +
        `(live brokers: ${live.join(',')}). Start them, or move the partitions to live brokers.`,
    );
  const current = await currentReplicas(admin, moves);
  const missing = moves.filter((m) => !current.has(`${m.topic}-${m.partition}`));
  if (missing.length > 0)
    throw new CommandError(
      `The proposed assignment contains non-existent partitions: ${missing.map((m) => `${m.topic}-${m.partition}`).join(', ')}.`,
    );
  const rollback = moves.map((m) => ({ ...m, replicas: current.get(`${m.topic}-${m.partition}`)! }));
  let out =
    `Current partition replica assignment\n\n${reassignmentJson(rollback)}\n\n` +
    'Save this to use as the --reassignment-json-file option during rollback\n';
  if (flags.throttle >= 0 || flags.replicaAlterLogDirsThrottle >= 0) out += `${VERIFY_PERIODICALLY}\n`;
  if (flags.throttle >= 0) {
    const plan = throttlePlan(moves, current, running);
    await admin.incrementalAlterConfigs([
      ...plan.brokers.map((id) => ({
        type: 'broker' as const,
        name: String(id),
        ops: THROTTLE_KEYS.map((name) => ({ name, op: 'SET' as const, value: String(flags.throttle) })),
      })),
      ...[...plan.topics].map(([topic, t]) => ({
        type: 'topic' as const,
        name: topic,
        ops: [
          { name: TOPIC_THROTTLE_KEYS[0]!, op: 'SET' as const, value: t.leader },
          { name: TOPIC_THROTTLE_KEYS[1]!, op: 'SET' as const, value: t.follower },
        ],
      })),
    ]);
    out += `The inter-broker throttle limit was set to ${flags.throttle} B/s\n`;
  }
  const dirMoves = replicaLogDirMoves(moves);
  if (flags.replicaAlterLogDirsThrottle >= 0) {
    const brokers = logDirMoveBrokers(dirMoves);
    if (brokers.length === 0) {
      out +=
        'No replica of this reassignment moves between the log dirs of a broker: the replica-alter-dir throttle was set on no broker.\n';
    } else {
      await admin.incrementalAlterConfigs(
        brokers.map((id) => ({
          type: 'broker' as const,
          name: String(id),
          ops: [{ name: LOG_DIR_THROTTLE_KEY, op: 'SET' as const, value: String(flags.replicaAlterLogDirsThrottle) }],
        })),
      );
      out += `The replica-alter-dir throttle limit was set to ${flags.replicaAlterLogDirsThrottle} B/s\n`;
    }
  }
  process.stdout.write(out);
  const outcomes = await admin.alterPartitionReassignments(
    moves.map(({ topic, partition, replicas }) => ({ topic, partition, replicas })),
  );
  const failed = outcomes.filter((o) => o.error !== null);
  if (failed.length > 0)
    throw new CommandError(
      `Error reassigning partition(s):\n${failed.map((o) => `${o.topic}-${o.partition}: ${errorText(o.error)}`).join('\n')}`,
    );
  process.stdout.write(
    `Successfully started partition reassignment${moves.length === 1 ? '' : 's'} for ${moves.map((m) => `${m.topic}-${m.partition}`).join(',')}\n`,
  );
  if (dirMoves.length > 0) await startLogDirMoves(admin, dirMoves, flags.timeout);
}

/**
 * Kafka's executeMoves: asks each broker to move its replicas into the dirs named, again every 100 ms for those it
 * does not host yet (REPLICA_NOT_AVAILABLE: the reassignment has not created them), until --timeout.
 */
async function startLogDirMoves(admin: Admin, moves: readonly ReplicaLogDirMove[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = [...moves];
  for (;;) {
    const outcomes = await admin.alterReplicaLogDirs(pending);
    const failed = outcomes.filter((o) => o.error !== null && o.error.errorName !== 'REPLICA_NOT_AVAILABLE');
    if (failed.length > 0)
      throw new CommandError(
        `Failed to move replicas between log dirs:\n${failed.map((o) => `${replicaName(o)} to ${o.logDir}: ${errorText(o.error)}`).join('\n')}`,
      );
    const started = outcomes.filter((o) => o.error === null);
    if (started.length > 0)
      process.stdout.write(
        `Successfully started log directory move${started.length === 1 ? '' : 's'} for: ${started.map(replicaName).join(', ')}\n`,
      );
    pending = outcomes.filter((o) => o.error !== null);
    if (pending.length === 0) return;
    if (Date.now() >= deadline)
      throw new CommandError(
        `Timed out before log directory move${pending.length === 1 ? '' : 's'} could be started for: ` +
          `${pending.map(replicaName).join(', ')}. Their replicas do not exist yet on those brokers; run --execute ` +
          'again with --additional once the partition moves are complete.',
      );
    await new Promise((r) => setTimeout(r, LOG_DIR_RETRY_MS));
  }
}

async function verifyAction(admin: Admin, flags: ReassignFlags): Promise<void> {
  const moves = movesFile(flags);
  const running = await admin.listPartitionReassignments(moves);
  const current = await currentReplicas(admin, moves);
  const report = verifyReport(moves, current, new Set(running.map((r) => `${r.topic}-${r.partition}`)));
  process.stdout.write(report.text);
  const dirMoves = replicaLogDirMoves(moves);
  let movesOngoing = false;
  if (dirMoves.length > 0) {
    const states = logDirMoveStates(dirMoves, await admin.describeLogDirs(logDirMoveBrokers(dirMoves)));
    process.stdout.write(`\n${logDirMoveStatusText(states)}`);
    movesOngoing = logDirMovesOngoing(states);
  }
  if (report.complete && !movesOngoing && flags.preserveThrottles !== true) await clearThrottles(admin, moves);
}

async function cancelAction(admin: Admin, flags: ReassignFlags): Promise<void> {
  const moves = movesFile(flags);
  const running = await admin.listPartitionReassignments(moves);
  if (running.length > 0) {
    const outcomes = await admin.alterPartitionReassignments(running.map((r) => ({ ...r, replicas: null })));
    const failed = outcomes.filter((o) => o.error !== null);
    if (failed.length > 0)
      throw new CommandError(
        `Error cancelling partition reassignment(s):\n${failed.map((o) => `${o.topic}-${o.partition}: ${errorText(o.error)}`).join('\n')}`,
      );
    process.stdout.write(
      `Successfully cancelled partition reassignment${running.length === 1 ? '' : 's'} for: ${running.map((r) => `${r.topic}-${r.partition}`).join(',')}\n`,
    );
  } else {
    process.stdout.write('None of the specified partition reassignments are active.\n');
  }
  const dirMoves = replicaLogDirMoves(moves);
  if (dirMoves.length > 0) {
    const states = logDirMoveStates(dirMoves, await admin.describeLogDirs(logDirMoveBrokers(dirMoves)));
    const back = logDirMovesToCancel(states);
    const failed = (await admin.alterReplicaLogDirs(back)).filter((o) => o.error !== null);
    if (failed.length > 0)
      throw new CommandError(
        `Error cancelling log directory move(s):\n${failed.map((o) => `${replicaName(o)}: ${errorText(o.error)}`).join('\n')}`,
      );
    if (back.length > 0)
      process.stdout.write(
        `Successfully cancelled log directory move${back.length === 1 ? '' : 's'} for: ${back.map(replicaName).join(', ')}\n`,
      );
  }
  if (flags.preserveThrottles !== true) await clearThrottles(admin, moves);
}

/** Kafka's clearAllThrottles: the rates (log dir one too) off every broker, the throttled replica lists off the moved topics. */
async function clearThrottles(admin: Admin, moves: readonly PartitionReassignment[]): Promise<void> {
  const brokers = (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  const topics = [...new Set(moves.map((m) => m.topic))].sort();
  await admin.incrementalAlterConfigs([
    ...brokers.map((id) => ({
      type: 'broker' as const,
      name: String(id),
      ops: [...THROTTLE_KEYS, LOG_DIR_THROTTLE_KEY].map((name) => ({ name, op: 'DELETE' as const })),
    })),
    ...topics.map((topic) => ({
      type: 'topic' as const,
      name: topic,
      ops: TOPIC_THROTTLE_KEYS.map((name) => ({ name, op: 'DELETE' as const })),
    })),
  ]);
  process.stdout.write(
    `Clearing broker-level throttles on brokers ${brokers.join(',')}\n` +
      `Clearing topic-level throttles on topic${topics.length === 1 ? '' : 's'} ${topics.join(',')}\n`,
  );
}

/** The replicas of each listed partition now (absent when it does not exist), through the Admin client. */
async function currentReplicas(
  admin: Admin,
  moves: readonly PartitionReassignment[],
): Promise<Map<string, readonly number[]>> {
  const out = new Map<string, readonly number[]>();
  const topics = [...new Set(moves.map((m) => m.topic))];
  const described = await Promise.all(
    topics.map((t) =>
      admin.describeTopics([t]).then(
        ([d]) => d,
        () => undefined,
      ),
    ),
  );
  for (const d of described) for (const p of d?.partitions ?? []) out.set(`${d!.name}-${p.partition}`, p.replicas);
  return out;
}

/** ZooKeeper-era mode: --execute writes /admin/reassign_partitions, --verify reads it and the assignments. */
async function zookeeperAction(connect: string, flags: ReassignFlags): Promise<void> {
  const chosen = API_ACTIONS.filter((a) => flags[a] === true && !(ZK_ACTIONS as readonly string[]).includes(a));
  if (chosen.length > 0 || flags.throttle >= 0 || flags.replicaAlterLogDirsThrottle >= 0)
    throw new UsageError(
      'With --zookeeper only --execute and --verify are available; --generate, --cancel, --list and the throttles ' +
        'need --bootstrap-server.',
    );
  const action = oneAction(flags, ZK_ACTIONS);
  const moves = movesFile(flags);
  if (replicaLogDirMoves(moves).length > 0)
    throw new UsageError(
      'The file moves replicas between log dirs ("log_dirs" paths): that needs --bootstrap-server (AlterReplicaLogDirs ' +
        'is sent to the brokers). Use --bootstrap-server, or write "any" for every log dir.',
    );
  await withZooKeeper(connect, async (zk) => {
    const current = await currentAssignments(zk, moves);
    const key = (m: PartitionReassignment) => `${m.topic}-${m.partition}`;
    if (action === 'verify') {
      const requested = new Set(((await zk.getPartitionReassignment()) ?? []).map(key));
      const pending = (m: PartitionReassignment) => requested.has(key(m)) || isMoving(current.get(key(m)));
      process.stdout.write(
        `Status of partition reassignment:\n${moves
          .map((m) => `${verifyLine(m, pending(m), current.get(key(m))?.replicas)}\n`)
          .join('')}`,
      );
      return;
    }
    const missing = moves.filter((m) => !current.has(key(m))).map(key);
    if (missing.length > 0)
      throw new CommandError(`The proposed assignment contains non-existent partitions: ${missing.join(', ')}.`);
    const moving = moves.filter((m) => isMoving(current.get(key(m))));
    if (moving.length > 0)
      throw new CommandError(
        `Partitions still being reassigned: ${moving.map(key).join(', ')}. ` +
          'Wait until --verify reports them complete, then submit the new move.',
      );
    const live = (await zk.getAllBrokers()).map((b) => b.id).sort((a, b) => a - b);
    const unknown = [...new Set(moves.flatMap((m) => m.replicas))].filter((id) => !live.includes(id));
    if (unknown.length > 0)
      throw new CommandError(
        `The proposed assignment contains brokers that are not registered: ${unknown.join(', ')} ` +
          `(live brokers: ${live.join(',')}). Start them, or move the partitions to live brokers.`,
      );
    const rollback = moves.map((m) => ({
      topic: m.topic,
      partition: m.partition,
      replicas: current.get(key(m))!.replicas,
    }));
    process.stdout.write(
      `Current partition replica assignment\n\n${reassignmentJson(rollback)}\n\n` +
        'Save this to use as the --reassignment-json-file option during rollback\n',
    );
    if (!(await zk.createPartitionReassignment(moves))) {
      const running = await zk.getPartitionReassignment();
      throw new CommandError(
        `There is an existing assignment running: ${reassignmentJson(running ?? [])}. Wait for it (--verify) first.`,
      );
    }
    process.stdout.write('Successfully started reassignment of partitions.\n');
  });
}

/** True while the assignment records a move (KIP-455's adding or removing replicas). */
function isMoving(assignment: ReplicaAssignment | undefined): boolean {
  return assignment !== undefined && (assignment.addingReplicas.length > 0 || assignment.removingReplicas.length > 0);
}

/** Each listed partition's assignment now (absent when the topic or partition does not exist). */
async function currentAssignments(
  zk: KafkaZkClient,
  moves: readonly PartitionReassignment[],
): Promise<Map<string, ReplicaAssignment>> {
  const out = new Map<string, ReplicaAssignment>();
  for (const topic of new Set(moves.map((m) => m.topic))) {
    const assignment = await zk.getTopicAssignment(topic);
    for (const [p, a] of assignment?.partitions ?? []) out.set(`${topic}-${p}`, a);
  }
  return out;
}
