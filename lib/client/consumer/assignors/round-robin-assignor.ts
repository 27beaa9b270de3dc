/**
 * Kafka's RoundRobinAssignor: all partitions sorted by topic and partition, dealt over the members in member order in
 * turn, skipping members not subscribed to the partition's topic. Eager only.
 */
import type { TopicPartitionRef } from '../subscription-state.js';
import { memberOrder, type PartitionAssignor } from './partition-assignor.js';

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
