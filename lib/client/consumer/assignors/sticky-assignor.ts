/**
 * Kafka's sticky assignors: a balanced assignment that moves as few partitions as possible from one rebalance to the
 * next, so that members keep their caches, state and positions.
 *
 * - `sticky` (eager protocol): members revoke everything before joining, so each one remembers its last assignment
 *   in its subscription's user data, in Kafka's StickyAssignor format v1:
 *     previous_assignment [topic string, partitions [int32]] | generation int32
 * - `cooperative-sticky` (cooperative and eager): members report what they own in the subscription's
 *   ownedPartitions; the user data is the generation it was assigned in (int32), Kafka's CooperativeStickyAssignor
 *   format. The result is the target assignment; the coordinator withholds, for the first round, partitions another
 *   member still owns (consumer-coordinator.ts).
 *
 * One algorithm for both (`stickyAssign`):
 *   1. Claims: a member's claim on a partition counts only while the member subscribes to its topic and the partition
 *      exists; of several claims on one partition the highest generation wins (ties: the first member in order).
 *   2. Unclaimed partitions go, in topic/partition order, to the least-loaded member subscribed to their topic.
 *   3. While a member holds a partition that another member subscribed to its topic could take with at least two
 *      fewer partitions, the most-loaded member gives its last such partition to the least-loaded such member.
 * The result is balanced in that sense (with identical subscriptions: counts differ by at most one), and stable: fed
 * back as the claims it returns the same assignment. A member joining a balanced group only takes partitions from
 * the others; a member leaving only adds to the others. Members are ordered by group.instance.id, else member id,
 * partitions by topic and number, so every leader computes the same result. Cost: O(P log P + moves x P/M x M).
 */
import { computeIfAbsent } from '../../../common/collections.js';
import type { TopicPartitionRef } from '../subscription-state.js';
import { malformed, readPartitions, writePartitions } from '../../../protocol/consumer-protocol.js';
import { decodeStruct, encodeStruct } from '../../../protocol/kafka/kafka-struct.js';
import {
  memberOrder,
  type MemberSubscription,
  type PartitionAssignor,
  type PreviousAssignment,
} from './partition-assignor.js';

/** What a member claims to own and the generation it got it in (-1: unknown). */
export interface MemberClaims {
  partitions: readonly TopicPartitionRef[];
  generationId: number;
}

/** Kafka's StickyAssignor user data v1. */
export function encodeStickyUserData(previous: PreviousAssignment): Buffer {
  return encodeStruct((w) => {
    writePartitions(w, previous.partitions);
    w.int32(previous.generationId);
  });
}

export function decodeStickyUserData(userData: Buffer | null): MemberClaims {
  if (userData === null || userData.length === 0) return { partitions: [], generationId: -1 };
  return decodeStruct(
    userData,
    (r) => {
      const partitions = readPartitions(r);
      return { partitions, generationId: r.remaining >= 4 ? r.int32() : -1 };
    },
    malformed('sticky assignor user data'),
  );
}

/** Kafka's CooperativeStickyAssignor user data: the generation alone. */
export function encodeCooperativeUserData(previous: PreviousAssignment): Buffer {
  return encodeStruct((w) => w.int32(previous.generationId));
}

export function decodeCooperativeGeneration(userData: Buffer | null): number {
  return userData !== null && userData.length >= 4 ? userData.readInt32BE(0) : -1;
}

export function stickyAssign(
  partitionsPerTopic: ReadonlyMap<string, number>,
  members: readonly MemberSubscription[],
  claimsOf: (m: MemberSubscription) => MemberClaims,
): Map<string, TopicPartitionRef[]> {
  const sorted = [...members].sort(memberOrder);
  const rank = new Map(sorted.map((m, i) => [m.memberId, i]));
  const subscribers = new Map<string, MemberSubscription[]>();
  for (const m of sorted) {
    for (const topic of new Set(m.topics)) {
      if (!partitionsPerTopic.has(topic)) continue;
      const list = computeIfAbsent(subscribers, topic, () => []);
      list.push(m);
    }
  }
  // Every assignable partition, in topic/partition order; `owner` maps its index to a member id.
  const partitions: TopicPartitionRef[] = [];
  const indexOf = new Map<string, number>();
  for (const topic of [...subscribers.keys()].sort()) {
    for (let partition = 0; partition < partitionsPerTopic.get(topic)!; partition++) {
      indexOf.set(`${topic}\u0000${partition}`, partitions.length);
      partitions.push({ topic, partition });
    }
  }
  const owner = new Array<string | undefined>(partitions.length);
  const ownerGeneration = new Array<number>(partitions.length).fill(-Infinity);
  for (const m of sorted) {
    const claims = claimsOf(m);
    for (const tp of claims.partitions) {
      const i = indexOf.get(`${tp.topic}\u0000${tp.partition}`);
      if (i === undefined || !m.topics.includes(tp.topic)) continue;
      if (claims.generationId > ownerGeneration[i]!) {
        owner[i] = m.memberId;
        ownerGeneration[i] = claims.generationId;
      }
    }
  }
  const load = new Map<string, number>(sorted.map((m) => [m.memberId, 0]));
  for (const id of owner) if (id !== undefined) load.set(id, load.get(id)! + 1);
  const leastLoaded = (candidates: readonly MemberSubscription[], except?: string) => {
    let best: MemberSubscription | undefined;
    for (const c of candidates) {
      if (c.memberId !== except && (best === undefined || load.get(c.memberId)! < load.get(best.memberId)!)) best = c;
    }
    return best;
  };
  const give = (i: number, to: string) => {
    const from = owner[i];
    if (from !== undefined) load.set(from, load.get(from)! - 1);
    owner[i] = to;
    load.set(to, load.get(to)! + 1);
  };
  partitions.forEach((tp, i) => {
    if (owner[i] === undefined) give(i, leastLoaded(subscribers.get(tp.topic)!)!.memberId);
  });

  // Balance: the most-loaded member that can give a partition away gives its last one to the least-loaded taker.
  const held = new Map<string, number[]>(sorted.map((m) => [m.memberId, []]));
  owner.forEach((id, i) => held.get(id!)!.push(i));
  for (;;) {
    const givers = [...sorted].sort(
      (a, b) => load.get(b.memberId)! - load.get(a.memberId)! || rank.get(a.memberId)! - rank.get(b.memberId)!,
    );
    let moved = false;
    for (const giver of givers) {
      const mine = held.get(giver.memberId)!;
      for (let k = mine.length - 1; k >= 0 && !moved; k--) {
        const i = mine[k]!;
        const taker = leastLoaded(subscribers.get(partitions[i]!.topic)!, giver.memberId);
        if (taker !== undefined && load.get(taker.memberId)! <= load.get(giver.memberId)! - 2) {
          give(i, taker.memberId);
          mine.splice(k, 1);
          const theirs = held.get(taker.memberId)!;
          theirs.splice(sortedIndex(theirs, i), 0, i);
          moved = true;
        }
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  return new Map(sorted.map((m) => [m.memberId, held.get(m.memberId)!.map((i) => partitions[i]!)]));
}

/** Where `value` goes in the ascending `list`. */
function sortedIndex(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const stickyAssignor: PartitionAssignor = {
  name: 'sticky',
  supportedProtocols: ['eager'],
  subscriptionUserData: encodeStickyUserData,
  assign(partitionsPerTopic, members) {
    return stickyAssign(partitionsPerTopic, members, (m) => {
      try {
        return decodeStickyUserData(m.userData);
      } catch {
        return { partitions: [], generationId: -1 };
      }
    });
  },
};

export const cooperativeStickyAssignor: PartitionAssignor = {
  name: 'cooperative-sticky',
  supportedProtocols: ['eager', 'cooperative'],
  subscriptionUserData: encodeCooperativeUserData,
  assign(partitionsPerTopic, members) {
    return stickyAssign(partitionsPerTopic, members, (m) => ({
      partitions: m.ownedPartitions,
      generationId: decodeCooperativeGeneration(m.userData),
    }));
  },
};
