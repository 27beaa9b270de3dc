/**
 * What `reassign-partitions --bootstrap-server` computes before and after it talks to the cluster (Kafka 2.8's
 * ReassignPartitionsCommand), as pure functions:
 *
 * - `--generate`: `parseTopicsToMove` reads {"version":1,"topics":[{"topic":"t"}]}; `proposeAssignment` places every
 *   partition of those topics over the --broker-list with the broker's own replica assignment (rack-aware when the
 *   brokers have racks, unless --disable-rack-aware), keeping each topic's replication factor.
 * - `--throttle`: `throttlePlan` names, per moving topic, the leader throttled replicas (`partition:broker` for every
 *   replica the partition has before the move: any of them may lead and serve the new ones) and the follower
 *   throttled replicas (the replicas the move adds), and the brokers whose rates are set (every broker that holds or
 *   will hold a moving replica). Moves already running are included, so that resubmitting keeps their throttles.
 * - `--verify`: `verifyReport` says per partition whether its move is complete, still in progress, or neither (no
 *   move runs, but the replicas are not the target).
 *
 * Invariants: throttled replica lists are sorted and without repeats, as Kafka's tool writes them.
 */
import { assignReplicasToBrokers, type BrokerMetadata } from '../../common/replica-assignment.js';
import type { TopicPartition } from '../../common/topic-partition.js';
import { UsageError } from '../cli-errors.js';

/** One partition's replicas (a move's target, or the assignment now). */
export interface PartitionReplicas extends TopicPartition {
  replicas: readonly number[];
}

/** A move the controller is carrying out (ListPartitionReassignments). */
export interface RunningMove extends TopicPartition {
  replicas: readonly number[];
  addingReplicas: readonly number[];
  removingReplicas: readonly number[];
}

/** The topic and broker configs `--throttle` sets. */
export interface ThrottlePlan {
  /** topic → leader.replication.throttled.replicas and follower.replication.throttled.replicas values. */
  topics: Map<string, { leader: string; follower: string }>;
  /** Brokers that get leader.replication.throttled.rate and follower.replication.throttled.rate, ascending. */
  brokers: number[];
}

export const TOPICS_TO_MOVE_EXAMPLE = '{"version":1,"topics":[{"topic":"orders"}]}';

/** The topics of a --topics-to-move-json-file; throws UsageError naming the first problem. */
export function parseTopicsToMove(text: string): string[] {
  let js: unknown;
  try {
    js = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`The topics-to-move file is not JSON: ${(e as Error).message}`);
  }
  const topics = (js as { topics?: unknown }).topics;
  if (!Array.isArray(topics) || topics.length === 0)
    throw new UsageError(`The topics-to-move file needs a non-empty "topics" array: ${TOPICS_TO_MOVE_EXAMPLE}`);
  const names = topics.map((t: { topic?: unknown }, i) => {
    if (typeof t?.topic !== 'string' || t.topic === '')
      throw new UsageError(`topics[${i}]: "topic" must be a topic name.`);
    return t.topic;
  });
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) throw new UsageError(`Topic ${repeated} is listed twice in the topics-to-move file.`);
  return names;
}

/**
 * Kafka's --generate: each topic's partitions assigned afresh over `brokers` with its current replication factor
 * (that of its first partition). Throws UsageError when a replication factor exceeds the brokers given.
 */
export function proposeAssignment(
  current: ReadonlyMap<string, readonly PartitionReplicas[]>,
  brokers: readonly BrokerMetadata[],
): PartitionReplicas[] {
  const proposed: PartitionReplicas[] = [];
  for (const [topic, partitions] of current) {
    const sorted = [...partitions].sort((a, b) => a.partition - b.partition);
    const replicationFactor = sorted[0]?.replicas.length ?? 0;
    if (replicationFactor > brokers.length)
      throw new UsageError(
        `Topic ${topic} has replication factor ${replicationFactor}, more than the ${brokers.length} broker(s) in ` +
          '--broker-list. List at least as many brokers.',
      );
    const assignment = assignReplicasToBrokers(brokers, sorted.length, replicationFactor);
    for (const p of sorted) proposed.push({ topic, partition: p.partition, replicas: assignment.get(p.partition)! });
  }
  return proposed;
}

/** The topic and broker throttles of a reassignment (header); `current` holds each moving partition's replicas now. */
export function throttlePlan(
  moves: readonly PartitionReplicas[],
  current: ReadonlyMap<string, readonly number[]>,
  running: readonly RunningMove[],
): ThrottlePlan {
  const byTopic = new Map<string, { leader: Set<string>; follower: Set<string> }>();
  const brokers = new Set<number>();
  const add = (topic: string, partition: number, sources: readonly number[], destinations: readonly number[]) => {
    const entry = byTopic.get(topic) ?? { leader: new Set<string>(), follower: new Set<string>() };
    byTopic.set(topic, entry);
    for (const id of sources) entry.leader.add(`${partition}:${id}`);
    for (const id of destinations) entry.follower.add(`${partition}:${id}`);
    for (const id of [...sources, ...destinations]) brokers.add(id);
  };
  const moving = new Set(moves.map((m) => `${m.topic}-${m.partition}`));
  for (const r of running) {
    if (moving.has(`${r.topic}-${r.partition}`)) continue;
    add(
      r.topic,
      r.partition,
      r.replicas.filter((id) => !r.addingReplicas.includes(id)),
      r.addingReplicas,
    );
  }
  for (const m of moves) {
    const now = current.get(`${m.topic}-${m.partition}`) ?? [];
    add(
      m.topic,
      m.partition,
      now,
      m.replicas.filter((id) => !now.includes(id)),
    );
  }
  const topics = new Map<string, { leader: string; follower: string }>();
  for (const [topic, e] of [...byTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    topics.set(topic, { leader: [...e.leader].sort().join(','), follower: [...e.follower].sort().join(',') });
  return { topics, brokers: [...brokers].sort((a, b) => a - b) };
}

/** Kafka's --verify lines, and whether every move is complete (then the throttles may go). */
export function verifyReport(
  targets: readonly PartitionReplicas[],
  current: ReadonlyMap<string, readonly number[]>,
  running: ReadonlySet<string>,
): { text: string; complete: boolean } {
  let complete = true;
  const lines = targets.map((t) => {
    const name = `${t.topic}-${t.partition}`;
    if (running.has(name)) {
      complete = false;
      return `Reassignment of partition ${name} is still in progress.`;
    }
    const now = current.get(name);
    if (now !== undefined && now.length === t.replicas.length && now.every((id, i) => id === t.replicas[i]))
      return `Reassignment of partition ${name} is complete.`;
    return `There is no active reassignment of partition ${name}, but replica set is [${now?.join(', ') ?? ''}] rather than [${t.replicas.join(', ')}].`;
  });
  return { text: `Status of partition reassignment:\n${lines.map((l) => `${l}\n`).join('')}`, complete };
}

/** Kafka's --list lines for the moves running now. */
export function listReport(running: readonly RunningMove[]): string {
  if (running.length === 0) return 'No partition reassignments found.\n';
  const sorted = [...running].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
  return `Current partition reassignments:\n${sorted
    .map(
      (r) =>
        `${r.topic}-${r.partition}: replicas: ${r.replicas.join(',')}. adding: ${r.addingReplicas.join(',')}. ` +
        `removing: ${r.removingReplicas.join(',')}.\n`,
    )
    .join('')}`;
}
