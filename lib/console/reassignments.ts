/**
 * The "reassignments and elections" page: partition moves and leader elections that are under way or waiting.
 *
 * From the brokers' metadata alone: partitions without a leader (waiting for an election) and partitions led by a
 * replica other than their preferred one (what a preferred leader election would move). Moves in flight and
 * pending requests are not in any API the Admin client has here, so they come from ZooKeeper when the console has
 * `--zookeeper`, read the way the ZooKeeper-era tools read them: each topic's assignment znode with its
 * `adding_replicas`/`removing_replicas` (KIP-455), `/admin/reassign_partitions` and
 * `/admin/preferred_replica_election`. Reads only; the console never writes these znodes.
 */
import type { TopicDescription } from '../client/admin/admin.js';
import { byTopicPartition } from '../client/admin/offset-reset.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';
import type { ReassignmentsPage, ReassignmentView } from './api-types.js';

/** What ZooKeeper says about moves and elections; null without --zookeeper. */
export interface ZooKeeperReassignments {
  inFlight: ReadonlyArray<Omit<ReassignmentView, 'isr'>>;
  requested: Array<{ topic: string; partition: number; replicas: number[] }> | null;
  electionRequested: Array<{ topic: string; partition: number }> | null;
}

export async function readZooKeeperReassignments(
  zk: KafkaZkClient,
  topics: readonly string[],
): Promise<ZooKeeperReassignments> {
  const [requested, election, assignments] = await Promise.all([
    zk.getPartitionReassignment(),
    zk.getPreferredReplicaElection(),
    Promise.all(topics.map(async (t) => [t, await zk.getTopicAssignment(t)] as const)),
  ]);
  const inFlight: Array<Omit<ReassignmentView, 'isr'>> = [];
  for (const [topic, assignment] of assignments) {
    for (const [partition, a] of assignment?.partitions ?? []) {
      if (a.addingReplicas.length > 0 || a.removingReplicas.length > 0) {
        inFlight.push({
          topic,
          partition,
          replicas: [...a.replicas],
          adding: [...a.addingReplicas],
          removing: [...a.removingReplicas],
        });
      }
    }
  }
  return {
    inFlight,
    requested: requested?.map((r) => ({ topic: r.topic, partition: r.partition, replicas: [...r.replicas] })) ?? null,
    electionRequested: election?.map((p) => ({ topic: p.topic, partition: p.partition })) ?? null,
  };
}

export function reassignmentsPage(
  topics: readonly TopicDescription[],
  fromZooKeeper: ZooKeeperReassignments | null,
): ReassignmentsPage {
  const isrOf = new Map<string, number[]>();
  const leaderless: ReassignmentsPage['leaderless'] = [];
  const notPreferredLeader: ReassignmentsPage['notPreferredLeader'] = [];
  for (const t of topics) {
    for (const p of t.partitions) {
      isrOf.set(`${t.name}-${p.partition}`, [...p.isr]);
      const preferred = p.replicas[0];
      if (p.leader < 0) {
        leaderless.push({ topic: t.name, partition: p.partition, replicas: [...p.replicas], isr: [...p.isr] });
      } else if (preferred !== undefined && p.leader !== preferred) {
        notPreferredLeader.push({ topic: t.name, partition: p.partition, leader: p.leader, preferred });
      }
    }
  }
  return {
    fromZooKeeper: fromZooKeeper !== null,
    inFlight: (fromZooKeeper?.inFlight ?? [])
      .map((r) => ({ ...r, isr: isrOf.get(`${r.topic}-${r.partition}`) ?? [] }))
      .sort(byTopicPartition),
    requested: fromZooKeeper?.requested ?? null,
    electionRequested: fromZooKeeper?.electionRequested ?? null,
    leaderless: leaderless.sort(byTopicPartition),
    notPreferredLeader: notPreferredLeader.sort(byTopicPartition),
  };
}
