/**
 * What a group leader's assignor is (Kafka's ConsumerPartitionAssignor): given each member's subscription and the
 * partition count of every subscribed topic, which partitions each member reads. Members are ordered by
 * group.instance.id when set, else by member id (`memberOrder`), so every leader computes the same result.
 * The assignors: range-assignor.ts, round-robin-assignor.ts, sticky-assignor.ts; assignor-registry.ts names them.
 */
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

/** The order in which assignors consider members: group.instance.id when set, else member id. */
export const memberOrder = (a: MemberSubscription, b: MemberSubscription): number => {
  const ka = a.groupInstanceId ?? a.memberId;
  const kb = b.groupInstanceId ?? b.memberId;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};
