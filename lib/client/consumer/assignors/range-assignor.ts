/**
 * Kafka's RangeAssignor (the default in 2.x): per topic, the subscribers in member order get contiguous ranges of
 * ⌊P/C⌋ partitions, the first P mod C one more — so co-partitioned topics line up, at the price of skew toward the
 * first members when a group reads many topics. Eager only.
 */
import type { TopicPartitionRef } from '../subscription-state.js';
import { memberOrder, type PartitionAssignor } from './partition-assignor.js';

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
