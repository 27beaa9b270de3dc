/**
 * The broker's configuration: Kafka's `server.properties` keys, types and defaults (Kafka 2.8 `KafkaConfig`),
 * defined once. `mq-broker --config FILE [--override k=v]` parses a properties file through `BROKER_CONFIG` and
 * fails at start with a message naming the bad key.
 *
 * Per-topic settings are the log engine's `LogConfig`; the `log.*` keys here are their broker-wide defaults,
 * mapped by `topicConfigDefaults()` (Kafka's `LogConfig.extractLogConfigMap`).
 */
import { ConfigDef, atLeast, between, define, oneOf } from '../common/config-def.js';
import { InvalidArgumentError } from '../common/errors.js';
import { resolveListeners } from './broker-listeners.js';

const MS_PER_HOUR = 3_600_000;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

export const BROKER_CONFIG = new ConfigDef({
  // Server basics
  brokerId: define<number>(
    'broker.id',
    'int',
    -1,
    'The broker id for this server; must be unique in the cluster.',
    atLeast(0),
  ),
  brokerRack: define<string>('broker.rack', 'string', '', 'Rack of the broker, for rack-aware replica assignment.'),
  listeners: define<string[]>(
    'listeners',
    'list',
    ['PLAINTEXT://127.0.0.1:9092'],
    'Listener URIs NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092,KAFKA://127.0.0.1:9192. An empty host binds ' +
      'every interface; port 0 binds a free port, which is then registered in ZooKeeper. Brokers talk to each ' +
      'other over the listener named PLAINTEXT.',
  ),
  advertisedListeners: define<string[]>(
    'advertised.listeners',
    'list',
    [],
    'Listeners published in ZooKeeper for clients, NAME://host:port, for the names whose address differs from `listeners`.',
  ),
  listenerSecurityProtocolMap: define<string[]>(
    'listener.security.protocol.map',
    'list',
    ['PLAINTEXT:PLAINTEXT', 'SSL:SSL', 'SASL_PLAINTEXT:SASL_PLAINTEXT', 'SASL_SSL:SASL_SSL'],
    'Security protocol of each listener name, NAME:PROTOCOL pairs; every listener needs one. Only PLAINTEXT is ' +
      'available in this build: a listener mapped to SSL or SASL_* is refused at start.',
  ),
  listenerWireProtocolMap: define<string[]>(
    'listener.wire.protocol.map',
    'list',
    [],
    'mq only (Kafka has no such key): the wire protocol of each listener, NAME:PROTOCOL pairs. MQ is this ' +
      "project's msgpack protocol, spoken by the mq client and between brokers; KAFKA is Apache Kafka's binary " +
      'protocol, for unchanged Kafka clients (kcat, librdkafka, KafkaJS, the Java client). Unnamed listeners speak ' +
      'MQ, and PLAINTEXT must. E.g. listeners=PLAINTEXT://:9092,KAFKA://:9192 with ' +
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,KAFKA:PLAINTEXT and listener.wire.protocol.map=KAFKA:KAFKA.',
  ),
  logDirs: define<string[]>('log.dirs', 'list', ['/tmp/mq-logs'], 'Directories in which the log data is kept.'),
  // ZooKeeper
  zookeeperConnect: define<string>(
    'zookeeper.connect',
    'string',
    undefined,
    'ZooKeeper connection string host:port[,host:port][/chroot].',
  ),
  zookeeperSessionTimeoutMs: define<number>(
    'zookeeper.session.timeout.ms',
    'int',
    18000,
    'ZooKeeper session timeout.',
    atLeast(1000),
  ),
  zookeeperConnectionTimeoutMs: define<number>(
    'zookeeper.connection.timeout.ms',
    'int',
    18000,
    'Max time to wait to establish a connection to ZooKeeper.',
    atLeast(1),
  ),
  // Topics
  numPartitions: define<number>(
    'num.partitions',
    'int',
    1,
    'Default number of partitions for auto-created topics.',
    atLeast(1),
  ),
  defaultReplicationFactor: define<number>(
    'default.replication.factor',
    'int',
    1,
    'Default replication factor for auto-created topics.',
    atLeast(1),
  ),
  autoCreateTopicsEnable: define<boolean>(
    'auto.create.topics.enable',
    'boolean',
    true,
    'Enable auto creation of topics on metadata requests.',
  ),
  deleteTopicEnable: define<boolean>('delete.topic.enable', 'boolean', true, 'Enables topic deletion.'),
  minInsyncReplicas: define<number>(
    'min.insync.replicas',
    'int',
    1,
    'Minimum ISR size for acks=all produce requests.',
    atLeast(1),
  ),
  uncleanLeaderElectionEnable: define<boolean>(
    'unclean.leader.election.enable',
    'boolean',
    false,
    'Allow replicas not in the ISR to be elected leader as a last resort, even though doing so may lose data.',
  ),
  autoLeaderRebalanceEnable: define<boolean>(
    'auto.leader.rebalance.enable',
    'boolean',
    true,
    'Enable periodic preferred leader election.',
  ),
  leaderImbalancePerBrokerPercentage: define<number>(
    'leader.imbalance.per.broker.percentage',
    'int',
    10,
    'Allowed ratio of leader imbalance per broker, in percent.',
    between(0, 100),
  ),
  leaderImbalanceCheckIntervalSeconds: define<number>(
    'leader.imbalance.check.interval.seconds',
    'long',
    300,
    'Frequency of the leader imbalance check.',
    atLeast(1),
  ),
  // Log defaults (per-topic overridable)
  logSegmentBytes: define<number>(
    'log.segment.bytes',
    'int',
    1073741824,
    'Maximum size of a single log file.',
    atLeast(14),
  ),
  logRollMs: define<number>(
    'log.roll.ms',
    'long',
    -1,
    'Maximum time before a new segment is rolled; overrides log.roll.hours.',
  ),
  logRollHours: define<number>(
    'log.roll.hours',
    'int',
    168,
    'Maximum time before a new segment is rolled.',
    atLeast(1),
  ),
  logRollJitterMs: define<number>(
    'log.roll.jitter.ms',
    'long',
    0,
    'Maximum jitter subtracted from the roll time.',
    atLeast(0),
  ),
  logRetentionMs: define<number>(
    'log.retention.ms',
    'long',
    -2,
    'Retention time; overrides minutes and hours. -1 = unlimited.',
  ),
  logRetentionMinutes: define<number>(
    'log.retention.minutes',
    'int',
    -2,
    'Retention time in minutes; overrides hours.',
  ),
  logRetentionHours: define<number>('log.retention.hours', 'int', 168, 'Retention time in hours.'),
  logRetentionBytes: define<number>(
    'log.retention.bytes',
    'long',
    -1,
    'Maximum size of a partition log before deletion; -1 = unlimited.',
  ),
  logRetentionCheckIntervalMs: define<number>(
    'log.retention.check.interval.ms',
    'long',
    300000,
    'How often the log cleaner checks whether any log is eligible for deletion.',
    atLeast(1),
  ),
  logIndexSizeMaxBytes: define<number>(
    'log.index.size.max.bytes',
    'int',
    10485760,
    'Maximum size of an offset index in bytes.',
    atLeast(4),
  ),
  logIndexIntervalBytes: define<number>(
    'log.index.interval.bytes',
    'int',
    4096,
    'Bytes between offset index entries.',
    atLeast(0),
  ),
  logFlushIntervalMessages: define<number>(
    'log.flush.interval.messages',
    'long',
    LONG_MAX,
    'Messages accumulated before a flush to disk; 1 makes every produce wait for a (group-committed) fsync.',
    atLeast(1),
  ),
  logFlushIntervalMs: define<number>(
    'log.flush.interval.ms',
    'long',
    -1,
    'Maximum time data stays unflushed; -1 = never (page cache).',
  ),
  logFlushOffsetCheckpointIntervalMs: define<number>(
    'log.flush.offset.checkpoint.interval.ms',
    'int',
    60000,
    'How often the recovery point checkpoint is written.',
    atLeast(0),
  ),
  logFlushStartOffsetCheckpointIntervalMs: define<number>(
    'log.flush.start.offset.checkpoint.interval.ms',
    'int',
    60000,
    'How often the log start offset checkpoint is written.',
    atLeast(0),
  ),
  logCleanupPolicy: define<string[]>(
    'log.cleanup.policy',
    'list',
    ['delete'],
    'Default cleanup policy: delete, compact or both.',
  ),
  logCleanerEnable: define<boolean>('log.cleaner.enable', 'boolean', true, 'Enable the log cleaner (compaction).'),
  logCleanerDeleteRetentionMs: define<number>(
    'log.cleaner.delete.retention.ms',
    'long',
    86400000,
    'How long tombstones are retained.',
    atLeast(0),
  ),
  logCleanerMinCleanableRatio: define<number>(
    'log.cleaner.min.cleanable.ratio',
    'double',
    0.5,
    'Minimum dirty ratio before cleaning.',
    between(0, 1),
  ),
  logCleanerMinCompactionLagMs: define<number>(
    'log.cleaner.min.compaction.lag.ms',
    'long',
    0,
    'Minimum time a message stays uncompacted.',
    atLeast(0),
  ),
  logCleanerBackoffMs: define<number>(
    'log.cleaner.backoff.ms',
    'long',
    15000,
    'Sleep time when there are no logs to clean.',
    atLeast(0),
  ),
  logSegmentDeleteDelayMs: define<number>(
    'log.segment.delete.delay.ms',
    'long',
    60000,
    'Delay before deleting a file from the filesystem.',
    atLeast(0),
  ),
  logMessageTimestampType: define<string>(
    'log.message.timestamp.type',
    'string',
    'CreateTime',
    'CreateTime or LogAppendTime.',
    oneOf('CreateTime', 'LogAppendTime'),
  ),
  logPreallocate: define<boolean>(
    'log.preallocate',
    'boolean',
    false,
    'Extend a new segment file to its full size when it is created.',
  ),
  messageMaxBytes: define<number>(
    'message.max.bytes',
    'int',
    1048588,
    'Largest record batch size allowed.',
    atLeast(0),
  ),
  compressionType: define<string>(
    'compression.type',
    'string',
    'producer',
    'Final compression type for a topic.',
    oneOf('producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'),
  ),
  // Network
  socketRequestMaxBytes: define<number>(
    'socket.request.max.bytes',
    'int',
    104857600,
    'Maximum bytes in a socket request.',
    atLeast(1),
  ),
  connectionsMaxIdleMs: define<number>(
    'connections.max.idle.ms',
    'long',
    600000,
    'Idle connections are closed after this.',
  ),
  // Replication
  replicaLagTimeMaxMs: define<number>(
    'replica.lag.time.max.ms',
    'long',
    30000,
    'A follower that has not caught up for this long is removed from the ISR.',
    atLeast(1),
  ),
  replicaFetchWaitMaxMs: define<number>(
    'replica.fetch.wait.max.ms',
    'int',
    500,
    'Max wait time for each follower fetch request.',
    atLeast(0),
  ),
  replicaFetchMinBytes: define<number>(
    'replica.fetch.min.bytes',
    'int',
    1,
    'Minimum bytes expected for each follower fetch response.',
    atLeast(1),
  ),
  replicaFetchMaxBytes: define<number>(
    'replica.fetch.max.bytes',
    'int',
    1048576,
    'Bytes fetched per partition by followers.',
    atLeast(0),
  ),
  replicaFetchResponseMaxBytes: define<number>(
    'replica.fetch.response.max.bytes',
    'int',
    10485760,
    'Bytes per follower fetch response.',
    atLeast(0),
  ),
  replicaFetchBackoffMs: define<number>(
    'replica.fetch.backoff.ms',
    'int',
    1000,
    'Sleep after a follower fetch error.',
    atLeast(0),
  ),
  numReplicaFetchers: define<number>('num.replica.fetchers', 'int', 1, 'Fetchers per source broker.', atLeast(1)),
  leaderReplicationThrottledRate: define<number>(
    'leader.replication.throttled.rate',
    'long',
    LONG_MAX,
    'Bytes per second this broker, as leader, serves of the replicas its topics list in ' +
      'leader.replication.throttled.replicas, measured over the quota window; out-of-sync followers of those replicas ' +
      'get no more. Dynamic (set per broker by reassign-partitions --throttle).',
    atLeast(0),
  ),
  followerReplicationThrottledRate: define<number>(
    'follower.replication.throttled.rate',
    'long',
    LONG_MAX,
    'Bytes per second this broker, as follower, fetches of the replicas its topics list in ' +
      'follower.replication.throttled.replicas while they are out of sync, measured over the quota window. Dynamic.',
    atLeast(0),
  ),
  replicationQuotaWindowNum: define<number>(
    'replication.quota.window.num',
    'int',
    11,
    'Number of samples kept to measure replication rates against the throttles.',
    atLeast(1),
  ),
  replicationQuotaWindowSizeSeconds: define<number>(
    'replication.quota.window.size.seconds',
    'int',
    1,
    'Time span of each sample of the replication rates. Unit: seconds.',
    atLeast(1),
  ),
  replicaHighWatermarkCheckpointIntervalMs: define<number>(
    'replica.high.watermark.checkpoint.interval.ms',
    'long',
    5000,
    'How often the high watermark is saved to disk.',
    atLeast(1),
  ),
  controlledShutdownEnable: define<boolean>(
    'controlled.shutdown.enable',
    'boolean',
    true,
    'Move leadership away before shutting down.',
  ),
  controlledShutdownMaxRetries: define<number>(
    'controlled.shutdown.max.retries',
    'int',
    3,
    'Controlled shutdown attempts.',
    atLeast(0),
  ),
  controlledShutdownRetryBackoffMs: define<number>(
    'controlled.shutdown.retry.backoff.ms',
    'long',
    5000,
    'Backoff between attempts.',
    atLeast(0),
  ),
  metricsPort: define<number>(
    'metrics.port',
    'int',
    -1,
    'Port of the Prometheus /metrics endpoint on the listener host; -1 serves none, 0 picks a free port.',
    atLeast(-1),
  ),
  controllerSocketTimeoutMs: define<number>(
    'controller.socket.timeout.ms',
    'int',
    30000,
    'Timeout of requests to the controller.',
    atLeast(0),
  ),
  // Group coordinator and offsets
  offsetsTopicNumPartitions: define<number>(
    'offsets.topic.num.partitions',
    'int',
    50,
    'Partitions of __consumer_offsets.',
    atLeast(1),
  ),
  offsetsTopicReplicationFactor: define<number>(
    'offsets.topic.replication.factor',
    'int',
    3,
    'Replication factor of __consumer_offsets (capped by live brokers while fewer exist).',
    atLeast(1),
  ),
  offsetsTopicSegmentBytes: define<number>(
    'offsets.topic.segment.bytes',
    'int',
    104857600,
    'Segment size of __consumer_offsets.',
    atLeast(1),
  ),
  offsetsRetentionMinutes: define<number>(
    'offsets.retention.minutes',
    'int',
    10080,
    'Offsets of empty groups expire after this.',
    atLeast(1),
  ),
  offsetsRetentionCheckIntervalMs: define<number>(
    'offsets.retention.check.interval.ms',
    'long',
    600000,
    'Offset expiry check interval.',
    atLeast(1),
  ),
  offsetMetadataMaxBytes: define<number>(
    'offset.metadata.max.bytes',
    'int',
    4096,
    'Largest metadata string of a committed offset.',
    atLeast(0),
  ),
  offsetsCommitTimeoutMs: define<number>(
    'offsets.commit.timeout.ms',
    'int',
    5000,
    'Offset commit replication timeout.',
    atLeast(1),
  ),
  groupMinSessionTimeoutMs: define<number>(
    'group.min.session.timeout.ms',
    'int',
    6000,
    'Minimum allowed consumer session timeout.',
  ),
  groupMaxSessionTimeoutMs: define<number>(
    'group.max.session.timeout.ms',
    'int',
    1800000,
    'Maximum allowed consumer session timeout.',
  ),
  groupInitialRebalanceDelayMs: define<number>(
    'group.initial.rebalance.delay.ms',
    'int',
    3000,
    'Delay of the first rebalance of an empty group.',
  ),
  groupMaxSize: define<number>('group.max.size', 'int', 2147483647, 'Maximum members in one group.', atLeast(1)),
  // Transactions and producer ids
  transactionStateLogNumPartitions: define<number>(
    'transaction.state.log.num.partitions',
    'int',
    50,
    'Partitions of __transaction_state (fixed once the topic exists).',
    atLeast(1),
  ),
  transactionStateLogReplicationFactor: define<number>(
    'transaction.state.log.replication.factor',
    'int',
    3,
    'Replication factor of __transaction_state. Until this many brokers are alive the topic is not created and ' +
      'transactional producers are answered COORDINATOR_NOT_AVAILABLE (a one-broker cluster sets it to 1).',
    atLeast(1),
  ),
  transactionStateLogMinIsr: define<number>(
    'transaction.state.log.min.isr',
    'int',
    2,
    'min.insync.replicas of __transaction_state: a transaction state write needs this many in-sync replicas.',
    atLeast(1),
  ),
  transactionStateLogSegmentBytes: define<number>(
    'transaction.state.log.segment.bytes',
    'int',
    104857600,
    'Segment size of __transaction_state.',
    atLeast(1),
  ),
  transactionMaxTimeoutMs: define<number>(
    'transaction.max.timeout.ms',
    'int',
    900000,
    'Largest transaction.timeout.ms a producer may ask for; a larger one is refused (INVALID_TRANSACTION_TIMEOUT).',
    atLeast(1),
  ),
  transactionAbortTimedOutTransactionCleanupIntervalMs: define<number>(
    'transaction.abort.timed.out.transaction.cleanup.interval.ms',
    'int',
    10000,
    'How often the transaction coordinator aborts transactions open longer than their timeout.',
    atLeast(1),
  ),
  transactionRemoveExpiredTransactionCleanupIntervalMs: define<number>(
    'transaction.remove.expired.transaction.cleanup.interval.ms',
    'int',
    3600000,
    'How often the transaction coordinator forgets transactional ids idle for transactional.id.expiration.ms.',
    atLeast(1),
  ),
  transactionalIdExpirationMs: define<number>(
    'transactional.id.expiration.ms',
    'int',
    604800000,
    'How long a transactional id without transactions is remembered by its coordinator, and (as in Kafka 2.8) how ' +
      "long a partition keeps an idle producer's state (epoch, last sequences); an expired producer that writes " +
      'again must start a new sequence.',
    atLeast(1),
  ),
  requestTimeoutMs: define<number>(
    'request.timeout.ms',
    'int',
    30000,
    "Timeout of this broker's own requests to other brokers (transaction markers) and of the appends they ask for.",
    atLeast(1),
  ),
});

export type BrokerConfig = ReturnType<typeof BROKER_CONFIG.parse>;

/** Parses and cross-checks broker properties; throws InvalidArgumentError naming the bad key. */
export function parseBrokerConfig(props: Record<string, string>): BrokerConfig {
  const withAliases = { ...props };
  // Kafka accepts log.dir as the single-directory form of log.dirs.
  if (withAliases['log.dirs'] === undefined && withAliases['log.dir'] !== undefined)
    withAliases['log.dirs'] = withAliases['log.dir'];
  delete withAliases['log.dir'];
  const config = BROKER_CONFIG.parse(withAliases, { what: 'broker config' });
  if (config.brokerId < 0) {
    throw new InvalidArgumentError(
      `Missing broker config key 'broker.id': set a non-negative, cluster-unique broker id.`,
    );
  }
  if (config.logDirs.length === 0)
    throw new InvalidArgumentError(`Broker config key 'log.dirs' must name at least one directory.`);
  resolveListeners(config);
  return config;
}

/** Retention in ms after Kafka's precedence: log.retention.ms, then minutes, then hours. */
export function effectiveRetentionMs(c: BrokerConfig): number {
  if (c.logRetentionMs !== -2) return c.logRetentionMs;
  if (c.logRetentionMinutes !== -2) return c.logRetentionMinutes < 0 ? -1 : c.logRetentionMinutes * 60_000;
  return c.logRetentionHours < 0 ? -1 : c.logRetentionHours * MS_PER_HOUR;
}

/**
 * The broker keys behind each topic key, in Kafka's order of precedence (LogConfig.TopicConfigSynonyms): the first
 * one set decides the topic's default. DescribeConfigs reports them as the topic config's synonyms.
 */
export const TOPIC_CONFIG_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  'segment.bytes': ['log.segment.bytes'],
  'segment.ms': ['log.roll.ms', 'log.roll.hours'],
  'segment.jitter.ms': ['log.roll.jitter.ms'],
  'segment.index.bytes': ['log.index.size.max.bytes'],
  'index.interval.bytes': ['log.index.interval.bytes'],
  'retention.ms': ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  'retention.bytes': ['log.retention.bytes'],
  'flush.messages': ['log.flush.interval.messages'],
  'flush.ms': ['log.flush.interval.ms'],
  'cleanup.policy': ['log.cleanup.policy'],
  'delete.retention.ms': ['log.cleaner.delete.retention.ms'],
  'min.cleanable.dirty.ratio': ['log.cleaner.min.cleanable.ratio'],
  'min.compaction.lag.ms': ['log.cleaner.min.compaction.lag.ms'],
  'file.delete.delay.ms': ['log.segment.delete.delay.ms'],
  'max.message.bytes': ['message.max.bytes'],
  'message.timestamp.type': ['log.message.timestamp.type'],
  'min.insync.replicas': ['min.insync.replicas'],
  'unclean.leader.election.enable': ['unclean.leader.election.enable'],
  'compression.type': ['compression.type'],
  preallocate: ['log.preallocate'],
};

/** Broker keys whose default here stands for Kafka's "not set" (null): a lower-precedence synonym decides. */
export const UNSET_BY_DEFAULT: ReadonlySet<string> = new Set([
  'log.roll.ms',
  'log.retention.ms',
  'log.retention.minutes',
  'log.flush.interval.ms',
]);

/** Broker-wide defaults of the per-topic keys, as topic-level property strings (Kafka `extractLogConfigMap`). */
export function topicConfigDefaults(c: BrokerConfig): Record<string, string> {
  const rollMs = c.logRollMs !== -1 ? c.logRollMs : c.logRollHours * MS_PER_HOUR;
  return {
    'segment.bytes': String(c.logSegmentBytes),
    'segment.ms': String(rollMs),
    'segment.jitter.ms': String(c.logRollJitterMs),
    'segment.index.bytes': String(c.logIndexSizeMaxBytes),
    'index.interval.bytes': String(c.logIndexIntervalBytes),
    'retention.ms': String(effectiveRetentionMs(c)),
    'retention.bytes': String(c.logRetentionBytes),
    'flush.messages': String(c.logFlushIntervalMessages),
    'flush.ms': String(c.logFlushIntervalMs < 0 ? LONG_MAX : c.logFlushIntervalMs),
    'cleanup.policy': c.logCleanupPolicy.join(','),
    'delete.retention.ms': String(c.logCleanerDeleteRetentionMs),
    'min.cleanable.dirty.ratio': String(c.logCleanerMinCleanableRatio),
    'min.compaction.lag.ms': String(c.logCleanerMinCompactionLagMs),
    'file.delete.delay.ms': String(c.logSegmentDeleteDelayMs),
    'max.message.bytes': String(c.messageMaxBytes),
    'message.timestamp.type': c.logMessageTimestampType,
    'min.insync.replicas': String(c.minInsyncReplicas),
    'unclean.leader.election.enable': String(c.uncleanLeaderElectionEnable),
    'compression.type': c.compressionType,
    preallocate: String(c.logPreallocate),
  };
}
