/**
 * `mq-admin reassign-partitions`: ZooKeeper-era kafka-reassign-partitions, which talks to ZooKeeper directly:
 *
 *   --zookeeper Z --reassignment-json-file F --execute   writes /admin/reassign_partitions (after printing the
 *                                                        current assignment, to keep for a rollback)
 *   --zookeeper Z --reassignment-json-file F --verify    says per partition whether its move completed, is still in
 *                                                        progress, or failed
 *
 * The file is Kafka's: {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3,4]}]} (a `log_dirs`
 * field is accepted and ignored: one log dir per broker here). It is checked before anything is written: every
 * partition must exist and not be moving already, every broker must be registered (a broker that is down is refused,
 * as Kafka's tool refuses it), no partition may be listed twice nor a broker twice in one replica list, and no other
 * reassignment may be pending. The controller then carries the moves out (adds the new replicas, waits for them to
 * join the ISR, also across restarts of the brokers, moves leadership, removes the old ones) and deletes the znode.
 * A partition whose assignment still lists replicas being added or removed counts as in progress for --verify.
 */
import { Command } from 'commander';
import type { KafkaZkClient } from '../../zk/kafka-zk-client.js';
import type { PartitionReassignment, ReplicaAssignment } from '../../zk/zk-paths.js';
import { oneAction, withZooKeeper } from './connection.js';
import { CommandError, UsageError } from '../cli-errors.js';
import { parsePartitionsFile, readTextFile } from './partitions-file.js';

const ACTIONS = ['execute', 'verify'] as const;

interface ReassignFlags {
  zookeeper: string;
  reassignmentJsonFile: string;
  execute?: boolean;
  verify?: boolean;
}

/** Parses and checks the shape of a reassignment file; throws naming the first problem. */
export function parseReassignment(text: string): PartitionReassignment[] {
  return parsePartitionsFile(
    text,
    'reassignment file',
    '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}',
    (raw, tp, where) => {
      const replicas = raw.replicas;
      if (!Array.isArray(replicas) || replicas.length === 0 || !replicas.every((r) => Number.isInteger(r) && r >= 0)) {
        throw new UsageError(`${where}: "replicas" must be a non-empty list of broker ids.`);
      }
      if (new Set(replicas).size !== replicas.length) {
        throw new UsageError(`Partition ${tp.topic}-${tp.partition} lists a broker twice: [${replicas.join(',')}].`);
      }
      return { ...tp, replicas: replicas as number[] };
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

export function reassignCommand(): Command {
  return new Command('reassign-partitions')
    .description('Move partition replicas between brokers through ZooKeeper (ZooKeeper-era kafka-reassign-partitions).')
    .requiredOption('--zookeeper <host:port[/chroot]>', 'REQUIRED: the ZooKeeper connection string of the cluster')
    .requiredOption(
      '--reassignment-json-file <file>',
      'REQUIRED: the moves, {"version":1,"partitions":[{"topic":..,"partition":..,"replicas":[..]}]}',
    )
    .option('--execute', 'start the reassignment in the file')
    .option('--verify', 'report the state of the reassignment in the file')
    .addHelpText(
      'after',
      `
Example:
  echo '{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3,4]}]}' > move.json
  mq-admin reassign-partitions --zookeeper localhost:2181 --reassignment-json-file move.json --execute
  mq-admin reassign-partitions --zookeeper localhost:2181 --reassignment-json-file move.json --verify`,
    )
    .action(async (flags: ReassignFlags) => {
      const action = oneAction(flags, ACTIONS);
      const moves = parseReassignment(readTextFile(flags.reassignmentJsonFile));
      await withZooKeeper(flags.zookeeper, async (zk) => {
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
