/**
 * What request handlers may use: the broker's components, as narrow as the handlers need them. Built once by
 * `Broker` (the composition root) and passed to every handler; handlers hold no state of their own.
 */
import type { Logger } from '../../common/logger.js';
import type { KafkaController } from '../../controller/controller.js';
import type { GroupCoordinator } from '../../coordinator/group/group-coordinator.js';
import type { DelayedDeliveryManager } from '../../coordinator/delayed/delayed-delivery-manager.js';
import type { GroupLag } from '../../coordinator/group/group-lag.js';
import type { TransactionCoordinator } from '../../coordinator/transaction/transaction-coordinator.js';
import type { Time } from '../../common/time.js';
import type { TopicAdmin } from '../../controller/topic-admin.js';
import type { AliveBroker, MetadataCache } from '../../replication/metadata-cache.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import type { KafkaZkClient } from '../../zk/kafka-zk-client.js';
import type { BrokerConfig } from '../broker-config.js';
import type { AclAuthorizer } from '../security/acl-authorizer.js';
import type { ClientQuotaManager } from '../security/client-quota-manager.js';
import type { DynamicBrokerConfig } from '../dynamic-broker-config.js';
import type { BrokerTopicStats } from '../broker-topic-stats.js';

export interface BrokerServices {
  readonly brokerId: number;
  /** The effective config now: server.properties with the dynamic broker configs applied. */
  readonly config: BrokerConfig;
  /** Broker-wide defaults of the per-topic keys (`topicConfigDefaults(config)`), as they are now. */
  readonly topicDefaults: Readonly<Record<string, string>>;
  /** The dynamic broker configs, their sources and their validation. */
  readonly dynamicConfig: DynamicBrokerConfig;
  readonly metadataCache: MetadataCache;
  readonly replicaManager: ReplicaManager;
  readonly controller: KafkaController;
  readonly topicAdmin: TopicAdmin;
  readonly groupCoordinator: GroupCoordinator;
  readonly delayedDelivery: DelayedDeliveryManager;
  readonly groupLag: GroupLag;
  readonly transactionCoordinator: TransactionCoordinator;
  readonly zk: KafkaZkClient;
  /** The ACL authorizer; null when authorizer.class.name is empty (everyone may do everything). */
  readonly authorizer: AclAuthorizer | null;
  readonly quotas: ClientQuotaManager;
  /** Per-topic traffic for the metrics endpoint, counted by the produce and fetch handlers. */
  readonly topicStats: BrokerTopicStats;
  readonly logger: Logger;
  readonly time: Time;
}

/**
 * A broker's endpoint on the named listener, or undefined when it has none: responses that name brokers (Metadata,
 * FindCoordinator, DescribeCluster) give the address on the listener the request arrived on, as Kafka does.
 */
export function endpointOn(broker: AliveBroker, listenerName: string): { host: string; port: number } | undefined {
  return broker.endpoints.find((e) => e.listenerName === listenerName);
}

/**
 * The leader this broker names for a partition (Metadata, and the leaders CreateTopics/CreatePartitions wait for):
 * the state's leader, except -1 while the state names this broker but its replica does not lead yet (still being
 * hosted, its log being made). In Kafka a leader learns of its leadership in LeaderAndIsr before its metadata cache
 * advertises it; clients retry LEADER_NOT_AVAILABLE meanwhile.
 */
export function advertisedLeader(s: BrokerServices, topic: string, partition: number): number {
  const leader = s.metadataCache.partitionState(topic, partition)?.leader ?? -1;
  if (leader !== s.brokerId) return leader;
  return s.replicaManager.getPartition(topic, partition)?.role === 'Leader' ? leader : -1;
}
