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
 * partition must exist, every broker must be registered, no partition may be listed twice nor a broker twice in
 * one replica list, and no other reassignment may be pending. The controller then carries the moves out (adds the
 * new replicas, waits for them to join the ISR, moves leadership, removes the old ones) and deletes the znode.
 */
import { Command } from 'commander';
import type { KafkaZkClient } from '../../zk/kafka-zk-client.js';
import type { PartitionReassignment } from '../../zk/zk-paths.js';
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
        const current = await currentReplicas(zk, moves);
        if (action === 'verify') {
          const pending = new Set(
            ((await zk.getPartitionReassignment()) ?? []).map((p) => `${p.topic}-${p.partition}`),
          );
          process.stdout.write(
            `Status of partition reassignment:\n${moves
              .map(
                (m) =>
                  `${verifyLine(m, pending.has(`${m.topic}-${m.partition}`), current.get(`${m.topic}-${m.partition}`))}\n`,
              )
              .join('')}`,
          );
          return;
        }
        const missing = moves
          .filter((m) => !current.has(`${m.topic}-${m.partition}`))
          .map((m) => `${m.topic}-${m.partition}`);
        if (missing.length > 0)
          throw new CommandError(`The proposed assignment contains non-existent partitions: ${missing.join(', ')}.`);
        const live = new Set((await zk.getAllBrokers()).map((b) => b.id));
        const unknown = [...new Set(moves.flatMap((m) => m.replicas))].filter((id) => !live.has(id));
        if (unknown.length > 0)
          throw new CommandError(
            `The proposed assignment contains brokers that are not registered: ${unknown.join(', ')}.`,
          );
        const rollback = moves.map((m) => ({
          topic: m.topic,
          partition: m.partition,
          replicas: current.get(`${m.topic}-${m.partition}`)!,
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

/** Each listed partition's replicas now (absent when the topic or partition does not exist). */
async function currentReplicas(
  zk: KafkaZkClient,
  moves: readonly PartitionReassignment[],
): Promise<Map<string, readonly number[]>> {
  const out = new Map<string, readonly number[]>();
  for (const topic of new Set(moves.map((m) => m.topic))) {
    const assignment = await zk.getTopicAssignment(topic);
    for (const [p, a] of assignment?.partitions ?? []) out.set(`${topic}-${p}`, a.replicas);
  }
  return out;
}
