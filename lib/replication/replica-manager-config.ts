/**
 * The broker settings replication uses (Kafka's keys in camelCase; the broker maps them in lib/broker/broker-config.ts),
 * with Kafka 2.8's defaults. Read by the ReplicaManager, its PartitionStateApplier and the follower fetchers.
 */
export interface ReplicaManagerConfig {
  /** replica.lag.time.max.ms */
  replicaLagTimeMaxMs: number;
  /** replica.high.watermark.checkpoint.interval.ms */
  replicaHighWatermarkCheckpointIntervalMs: number;
  /** replica.fetch.wait.max.ms */
  replicaFetchWaitMaxMs: number;
  /** replica.fetch.min.bytes */
  replicaFetchMinBytes: number;
  /** replica.fetch.max.bytes (per partition) */
  replicaFetchMaxBytes: number;
  /** replica.fetch.response.max.bytes */
  replicaFetchResponseMaxBytes: number;
  /** replica.fetch.backoff.ms */
  replicaFetchBackoffMs: number;
  /** num.replica.fetchers: fetchers per source broker */
  numReplicaFetchers: number;
  /** leader.replication.throttled.rate, bytes/s (Long.MAX_VALUE: none); changes through the leader quota. */
  leaderReplicationThrottledRate: number;
  /** follower.replication.throttled.rate, bytes/s (Long.MAX_VALUE: none); changes through the follower quota. */
  followerReplicationThrottledRate: number;
  /** replica.alter.log.dirs.io.max.bytes.per.second, bytes/s (Long.MAX_VALUE: none); changes through its quota. */
  replicaAlterLogDirsIoMaxBytesPerSecond: number;
  /** replication.quota.window.num */
  replicationQuotaWindowNum: number;
  /** replication.quota.window.size.seconds */
  replicationQuotaWindowSizeSeconds: number;
  /** The broker's defaults of the topic config keys (`topicConfigDefaults(brokerConfig)`), under topic overrides. */
  defaultTopicConfig: Readonly<Record<string, string>>;
}

/** Kafka 2.8's defaults. */
export const DEFAULT_REPLICA_MANAGER_CONFIG: ReplicaManagerConfig = Object.freeze({
  replicaLagTimeMaxMs: 30_000,
  replicaHighWatermarkCheckpointIntervalMs: 5000,
  replicaFetchWaitMaxMs: 500,
  replicaFetchMinBytes: 1,
  replicaFetchMaxBytes: 1_048_576,
  replicaFetchResponseMaxBytes: 10_485_760,
  replicaFetchBackoffMs: 1000,
  numReplicaFetchers: 1,
  leaderReplicationThrottledRate: Number.MAX_SAFE_INTEGER,
  followerReplicationThrottledRate: Number.MAX_SAFE_INTEGER,
  replicaAlterLogDirsIoMaxBytesPerSecond: Number.MAX_SAFE_INTEGER,
  replicationQuotaWindowNum: 11,
  replicationQuotaWindowSizeSeconds: 1,
  defaultTopicConfig: {},
});
