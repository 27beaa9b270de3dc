/**
 * How the broker creates the internal topics it creates on first use: their partition count, replication factor
 * (capped by the live brokers, as Kafka caps __consumer_offsets') and topic configs, from the broker's config.
 */
import { DELAYED_TOPIC } from '../../record/delayed-record.js';
import type { CreatableTopic } from '../../controller/topic-admin.js';
import type { BrokerServices } from './broker-services.js';

/**
 * `__delayed_records`: kept until delivered, never by time or size (retention.ms and retention.bytes -1): the leader
 * of each partition trims it below the oldest record still pending.
 */
export function delayedTopicSpec(s: BrokerServices): CreatableTopic {
  const c = s.config;
  const replicationFactor = Math.min(
    c.delayedDeliveryTopicReplicationFactor,
    Math.max(s.metadataCache.aliveBrokers().length, 1),
  );
  return {
    name: DELAYED_TOPIC,
    numPartitions: c.delayedDeliveryTopicNumPartitions,
    replicationFactor,
    assignments: [],
    configs: {
      'cleanup.policy': 'delete',
      'retention.ms': '-1',
      'retention.bytes': '-1',
      'segment.bytes': String(c.delayedDeliveryTopicSegmentBytes),
      'min.insync.replicas': String(Math.min(c.delayedDeliveryTopicMinIsr, replicationFactor)),
    },
  };
}
