/**
 * The group leader's assignors (Kafka's ConsumerPartitionAssignor): given each member's
 * subscription and the partition count of every subscribed topic, which partitions each member reads. Members are
 * ordered by group.instance.id when set, else by member id, so every leader computes the same result.
 *
 * - `range` (Kafka's default in 2.x): per topic, the sorted subscribers get contiguous ranges of ⌊P/C⌋ partitions,
 *   the first P mod C one more.
 * - `roundrobin`: all partitions sorted by topic and partition, dealt over the sorted members in turn, skipping
 *   members not subscribed to the partition's topic.
 * - `sticky` and `cooperative-sticky`: balanced, moving as little as possible between rebalances (sticky-assignor.ts).
 * `assignorsByName` resolves partition.assignment.strategy (short names or Kafka's Java class names).
 */
import { InvalidArgumentError } from '../../../common/errors.js';
import { cooperativeStickyAssignor, stickyAssignor } from './sticky-assignor.js';
import type { TopicPartitionRef } from '../subscription-state.js';

export interface MemberSubscription {
  memberId: string;
  groupInstanceId: string | null;
  topics: readonly string[];
  /** The partitions the member reads now (ConsumerProtocol Subscription v1); empty under the eager protocol. */
  ownedPartitions: readonly TopicPartitionRef[];
  /** What the member's `subscriptionUserData` of this assignor returned; null when it has none. */
  userData: Buffer | null;
}

/** Kafka's RebalanceProtocol: eager revokes everything before joining; cooperative only what moves. */
export type RebalanceProtocol = 'eager' | 'cooperative';

/** What a member knows of its last assignment when it joins, for assignors that remember (sticky ones). */
export interface PreviousAssignment {
  partitions: readonly TopicPartitionRef[];
  /** The generation the partitions were assigned in; -1 before the first. */
  generationId: number;
}

export interface PartitionAssignor {
  readonly name: string;
  /** The protocols this assignor's results are valid for; a consumer is cooperative if all of its assignors are. */
  readonly supportedProtocols: readonly RebalanceProtocol[];
  /** Bytes the member adds to its subscription for this assignor (Kafka's subscriptionUserData); null for none. */
  subscriptionUserData?(previous: PreviousAssignment): Buffer | null;
  assign(
    partitionsPerTopic: ReadonlyMap<string, number>,
    members: readonly MemberSubscription[],
  ): Map<string, TopicPartitionRef[]>;
}

/** The protocol of a consumer's assignors: cooperative only if every one of them supports it (Kafka's rule). */
export function rebalanceProtocolOf(assignors: readonly PartitionAssignor[]): RebalanceProtocol {
  return assignors.every((a) => a.supportedProtocols.includes('cooperative')) ? 'cooperative' : 'eager';
}

const memberOrder = (a: MemberSubscription, b: MemberSubscription) => {
  const ka = a.groupInstanceId ?? a.memberId;
  const kb = b.groupInstanceId ?? b.memberId;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

export const rangeAssignor: PartitionAssignor = {
  name: 'range',
  supportedProtocols: ['eager'],
  assign(partitionsPerTopic, members) {
    const out = new Map<string, TopicPartitionRef[]>(members.map((m) => [m.memberId, []]));
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic);
      if (count === undefined) continue;
      const subscribers = members.filter((m) => m.topics.includes(topic)).sort(memberOrder);
      const per = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      let next = 0;
      subscribers.forEach((m, i) => {
        const n = per + (i < extra ? 1 : 0);
        for (let k = 0; k < n; k++) out.get(m.memberId)!.push({ topic, partition: next++ });
      });
    }
    return out;
  },
};

export const roundRobinAssignor: PartitionAssignor = {
  name: 'roundrobin',
  supportedProtocols: ['eager'],
  assign(partitionsPerTopic, members) {
    const out = new Map<string, TopicPartitionRef[]>(members.map((m) => [m.memberId, []]));
    const sorted = [...members].sort(memberOrder);
    const topics = [...new Set(members.flatMap((m) => m.topics))].filter((t) => partitionsPerTopic.has(t)).sort();
    let turn = 0;
    for (const topic of topics) {
      for (let partition = 0; partition < partitionsPerTopic.get(topic)!; partition++) {
        for (let tries = 0; tries < sorted.length; tries++) {
          const m = sorted[turn++ % sorted.length]!;
          if (m.topics.includes(topic)) {
            out.get(m.memberId)!.push({ topic, partition });
            break;
          }
        }
      }
    }
    return out;
  },
};

const BY_NAME = new Map<string, PartitionAssignor>([
  ['range', rangeAssignor],
  ['org.apache.kafka.clients.consumer.RangeAssignor', rangeAssignor],
  ['roundrobin', roundRobinAssignor],
  ['org.apache.kafka.clients.consumer.RoundRobinAssignor', roundRobinAssignor],
  ['sticky', stickyAssignor],
  ['org.apache.kafka.clients.consumer.StickyAssignor', stickyAssignor],
  ['cooperative-sticky', cooperativeStickyAssignor],
  ['org.apache.kafka.clients.consumer.CooperativeStickyAssignor', cooperativeStickyAssignor],
]);

/** The assignors named by partition.assignment.strategy, in preference order. */
export function assignorsByName(names: readonly string[]): PartitionAssignor[] {
  if (names.length === 0)
    throw new InvalidArgumentError('partition.assignment.strategy must name at least one assignor, e.g. range.');
  return names.map((name) => {
    const assignor = BY_NAME.get(name);
    if (!assignor) {
      throw new InvalidArgumentError(
        `Unknown partition.assignment.strategy '${name}'; available: range, roundrobin, ` +
          'sticky, cooperative-sticky (or their Kafka class names).',
      );
    }
    return assignor;
  });
}
