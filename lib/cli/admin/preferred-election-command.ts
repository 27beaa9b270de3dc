/**
 * `mq-admin preferred-replica-election`: ZooKeeper-era kafka-preferred-replica-election. Writes
 * /admin/preferred_replica_election with the partitions of `--path-to-json-file` ({"partitions":[{"topic":"t",
 * "partition":0}]}) or, without one, every partition of every topic; the controller then makes each partition's
 * first replica its leader where that replica is alive and in sync, and deletes the znode. Refuses while another
 * election is pending, and names partitions that do not exist.
 */
import { CommandError } from '../cli-errors.js';
import { Command } from 'commander';
import type { TopicPartition } from '../../common/topic-partition.js';
import { withZooKeeper } from './connection.js';
import { parsePartitionsFile, readTextFile } from './partitions-file.js';

interface ElectionFlags {
  zookeeper: string;
  pathToJsonFile?: string;
}

/** Parses the partitions file; throws naming the first problem. */
export function parseElectionPartitions(text: string): TopicPartition[] {
  return parsePartitionsFile(text, 'partitions file', '{"partitions":[{"topic":"t","partition":0}]}', (_raw, tp) => tp);
}

export function preferredElectionCommand(): Command {
  return new Command('preferred-replica-election')
    .description(
      "Move leadership back to each partition's preferred (first) replica through ZooKeeper " +
        '(ZooKeeper-era kafka-preferred-replica-election).',
    )
    .requiredOption('--zookeeper <host:port[/chroot]>', 'REQUIRED: the ZooKeeper connection string of the cluster')
    .option(
      '--path-to-json-file <file>',
      'the partitions, {"partitions":[{"topic":"t","partition":0}]} (default: every partition)',
    )
    .action(async (flags: ElectionFlags) => {
      let requested: TopicPartition[] | null = null;
      if (flags.pathToJsonFile !== undefined) {
        requested = parseElectionPartitions(readTextFile(flags.pathToJsonFile));
      }
      await withZooKeeper(flags.zookeeper, async (zk) => {
        const existing: TopicPartition[] = [];
        const topics = requested === null ? await zk.getAllTopics() : [...new Set(requested.map((p) => p.topic))];
        for (const topic of topics) {
          for (const partition of (await zk.getTopicAssignment(topic))?.partitions.keys() ?? [])
            existing.push({ topic, partition });
        }
        const known = new Set(existing.map((p) => `${p.topic}-${p.partition}`));
        const missing = (requested ?? [])
          .filter((p) => !known.has(`${p.topic}-${p.partition}`))
          .map((p) => `${p.topic}-${p.partition}`);
        if (missing.length > 0) throw new CommandError(`These partitions do not exist: ${missing.join(', ')}.`);
        const partitions = requested ?? existing;
        const json = JSON.stringify({ version: 1, partitions });
        if (!(await zk.createPreferredReplicaElection(partitions))) {
          throw new CommandError(
            'Preferred replica leader election currently in progress; wait for the controller to finish it (the znode ' +
              '/admin/preferred_replica_election goes away) and run this again.',
          );
        }
        process.stdout.write(
          `Created preferred replica election path with ${json}\n` +
            `Successfully started preferred replica election for ${partitions.length} partition(s)\n`,
        );
      });
    });
}
