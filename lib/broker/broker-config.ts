/**
 * The broker's configuration: Kafka's `server.properties` keys, types and defaults (Kafka 2.8 `KafkaConfig`),
 * defined once. `mq-broker --config FILE [--override k=v]` parses a properties file through `BROKER_CONFIG` and
 * fails at start with a message naming the bad key.
 *
 * Per-topic settings are the log engine's `LogConfig`; the `log.*` keys here are their broker-wide defaults,
 * mapped by `topicConfigDefaults()` (Kafka's `LogConfig.extractLogConfigMap`).
 */
import { ConfigDef, atLeast, between, define, oneOf, parseValue } from '../common/config-def.js';
import { InvalidArgumentError } from '../common/errors.js';
import { SSL_KEYS } from '../network/security/ssl-config.js';
import { parseListener, resolveListeners } from './broker-listeners.js';

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
    'Listener URIs NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9093. An empty host ' +
      'binds every interface; port 0 binds a free port, which is then registered in ZooKeeper. Brokers talk to each ' +
      'other over the listener named by inter.broker.listener.name (or security.inter.broker.protocol).',
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
    'Security protocol of each listener name, NAME:PROTOCOL pairs (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL); ' +
      'every listener needs one.',
  ),
  listenerWireProtocolMap: define<string[]>(
    'listener.wire.protocol.map',
    'list',
    [],
    'mq only (Kafka has no such key): the wire protocol of each listener, NAME:PROTOCOL pairs. MQ is this ' +
      "project's msgpack protocol, spoken by the mq client and between brokers; KAFKA is Apache Kafka's binary " +
      'protocol, for unchanged Kafka clients (kcat, librdkafka, KafkaJS, the Java client). Unnamed listeners speak ' +
      'MQ, and so must the inter-broker listener. E.g. listeners=PLAINTEXT://:9092,KAFKA://:9192 with ' +
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,KAFKA:PLAINTEXT and listener.wire.protocol.map=KAFKA:KAFKA.',
  ),
  interBrokerListenerName: define<string>(
    'inter.broker.listener.name',
    'string',
    '',
    'Name of the listener brokers talk to each other on (replication, controlled shutdown). When empty, the ' +
      'listener named by security.inter.broker.protocol. Set at most one of the two.',
  ),
  securityInterBrokerProtocol: define<string>(
    'security.inter.broker.protocol',
    'string',
    'PLAINTEXT',
    'Security protocol brokers talk to each other with, naming the listener of the same name, when ' +
      'inter.broker.listener.name is not set.',
    oneOf('PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'),
  ),
  // Security: TLS (each key may be overridden per listener as listener.name.<listener>.<key>)
  sslKeystoreType: define<string>(
    'ssl.keystore.type',
    'string',
    'PEM',
    "Format of the keystore: PEM or PKCS12. (Kafka's default, JKS, is a Java format Node cannot read; convert it.)",
    oneOf('PEM', 'PKCS12', 'JKS'),
  ),
  sslKeystoreLocation: define<string>(
    'ssl.keystore.location',
    'string',
    '',
    'The keystore file: a PEM file with the private key and its certificate chain, or a PKCS12 file.',
  ),
  sslKeystorePassword: define<string>('ssl.keystore.password', 'password', '', 'Password of a PKCS12 keystore.'),
  sslKeyPassword: define<string>('ssl.key.password', 'password', '', 'Password of an encrypted PEM private key.'),
  sslKeystoreKey: define<string>(
    'ssl.keystore.key',
    'password',
    '',
    'The PEM private key as a value instead of a file (with ssl.keystore.certificate.chain).',
  ),
  sslKeystoreCertificateChain: define<string>(
    'ssl.keystore.certificate.chain',
    'string',
    '',
    'The PEM certificate chain as a value instead of a file (with ssl.keystore.key).',
  ),
  sslTruststoreType: define<string>(
    'ssl.truststore.type',
    'string',
    'PEM',
    'Format of the truststore: PEM.',
    oneOf('PEM', 'PKCS12', 'JKS'),
  ),
  sslTruststoreLocation: define<string>(
    'ssl.truststore.location',
    'string',
    '',
    'PEM file of the CA certificates trusted to sign client certificates (ssl.client.auth) and, when this broker ' +
      'connects to others over TLS, their certificates.',
  ),
  sslTruststorePassword: define<string>(
    'ssl.truststore.password',
    'password',
    '',
    'Not used by PEM truststores (refused when set).',
  ),
  sslTruststoreCertificates: define<string>(
    'ssl.truststore.certificates',
    'string',
    '',
    'The trusted PEM certificates as a value instead of a file.',
  ),
  sslEnabledProtocols: define<string[]>(
    'ssl.enabled.protocols',
    'list',
    ['TLSv1.2', 'TLSv1.3'],
    'TLS versions enabled on TLS listeners and connections: TLSv1.2 and/or TLSv1.3.',
  ),
  sslClientAuth: define<string>(
    'ssl.client.auth',
    'string',
    'none',
    'Client certificates on TLS listeners: required, requested (checked when presented) or none. A verified ' +
      "certificate's subject is the principal of an SSL listener's connections.",
    oneOf('required', 'requested', 'none'),
  ),
  sslEndpointIdentificationAlgorithm: define<string>(
    'ssl.endpoint.identification.algorithm',
    'string',
    'https',
    "When this broker connects to another over TLS: https checks that the peer's certificate names its host; empty " +
      'turns the check off.',
  ),
  sslPrincipalMappingRules: define<string>(
    'ssl.principal.mapping.rules',
    'string',
    'DEFAULT',
    'Rules mapping a client certificate subject to a principal name: DEFAULT or RULE:pattern/replacement/[LU], ' +
      'comma-separated.',
  ),
  // Security: SASL (sasl.enabled.mechanisms may be overridden per listener; JAAS entries are per listener and
  // mechanism: listener.name.<listener>.<mechanism>.sasl.jaas.config)
  saslEnabledMechanisms: define<string[]>(
    'sasl.enabled.mechanisms',
    'list',
    ['GSSAPI'],
    "SASL mechanisms enabled on SASL listeners: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512. (Kafka's default, GSSAPI, " +
      'is not built and is refused on a SASL listener.)',
  ),
  saslMechanismInterBrokerProtocol: define<string>(
    'sasl.mechanism.inter.broker.protocol',
    'string',
    'GSSAPI',
    'SASL mechanism brokers authenticate to each other with over a SASL inter-broker listener; its credentials are ' +
      "the username and password of that listener and mechanism's JAAS entry.",
  ),
  connectionsMaxReauthMs: define<number>(
    'connections.max.reauth.ms',
    'long',
    0,
    'When positive, a SASL session lasts at most this long: clients must re-authenticate on the connection before ' +
      'it ends, or it is closed at their next request. 0: sessions do not expire.',
    atLeast(0),
  ),
  connectionFailedAuthenticationDelayMs: define<number>(
    'connection.failed.authentication.delay.ms',
    'int',
    100,
    'A failed SASL authentication is answered, and its connection closed, only after this delay (slows guessing).',
    atLeast(0),
  ),
  saslServerMaxReceiveSize: define<number>(
    'sasl.server.max.receive.size',
    'int',
    524288,
    'Largest request accepted on a SASL listener before the client has authenticated.',
    atLeast(1),
  ),
  // Security: authorization and ZooKeeper
  authorizerClassName: define<string>(
    'authorizer.class.name',
    'string',
    '',
    'kafka.security.authorizer.AclAuthorizer turns ACLs on (stored in ZooKeeper under /kafka-acl); empty: every ' +
      'principal may do everything.',
    oneOf('', 'kafka.security.authorizer.AclAuthorizer', 'kafka.security.auth.SimpleAclAuthorizer'),
  ),
  superUsers: define<string>(
    'super.users',
    'string',
    '',
    'Principals allowed everything whatever the ACLs, semicolon-separated: User:admin;User:broker.',
  ),
  allowEveryoneIfNoAclFound: define<boolean>(
    'allow.everyone.if.no.acl.found',
    'boolean',
    false,
    'Whether a resource without any ACL is open to every principal (with the authorizer on).',
  ),
  zookeeperSetAcl: define<boolean>(
    'zookeeper.set.acl',
    'boolean',
    false,
    "Create znodes with ACLs so that only the brokers (the ZooKeeper digest identity of the JAAS file's Client " +
      'section, named by -Djava.security.auth.login.config in KAFKA_OPTS) may change them; others may read all but ' +
      '/config/users and /config/brokers.',
  ),
  // Quotas
  quotaWindowNum: define<number>(
    'quota.window.num',
    'int',
    11,
    'Number of samples kept for client quota rates.',
    atLeast(1),
  ),
  quotaWindowSizeSeconds: define<number>(
    'quota.window.size.seconds',
    'int',
    1,
    'Time span of each client quota sample.',
    atLeast(1),
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
  replicaAlterLogDirsIoMaxBytesPerSecond: define<number>(
    'replica.alter.log.dirs.io.max.bytes.per.second',
    'long',
    LONG_MAX,
    'Bytes per second this broker copies when it moves replicas between its own log dirs (AlterReplicaLogDirs), ' +
      'measured over the quota window. Dynamic (set per broker by reassign-partitions --replica-alter-log-dirs-throttle).',
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
  // Delayed delivery (mq's own keys)
  delayedDeliveryTopicNumPartitions: define<number>(
    'delayed.delivery.topic.num.partitions',
    'int',
    10,
    'Partitions of __delayed_records, the internal topic holding records sent with a delivery time (created on first use).',
    atLeast(1),
  ),
  delayedDeliveryTopicReplicationFactor: define<number>(
    'delayed.delivery.topic.replication.factor',
    'int',
    3,
    'Replication factor of __delayed_records (capped by live brokers while fewer exist).',
    atLeast(1),
  ),
  delayedDeliveryTopicMinIsr: define<number>(
    'delayed.delivery.topic.min.isr',
    'int',
    2,
    'min.insync.replicas of __delayed_records (capped by its replication factor).',
    atLeast(1),
  ),
  delayedDeliveryTopicSegmentBytes: define<number>(
    'delayed.delivery.topic.segment.bytes',
    'int',
    104857600,
    'Segment size of __delayed_records; the log is trimmed a segment at a time below the oldest pending record.',
    atLeast(1024),
  ),
  delayedDeliveryTickMs: define<number>(
    'delayed.delivery.tick.ms',
    'int',
    100,
    'Resolution of the delivery timing wheel: a delayed record is appended to its target within one tick after it is due (plus the time to append it).',
    between(1, 60000),
  ),
  delayedDeliveryCheckpointIntervalMs: define<number>(
    'delayed.delivery.checkpoint.interval.ms',
    'int',
    1000,
    "How often a delay partition's leader records its delivery progress in the partition; records delivered since the last record are delivered again by a new leader.",
    atLeast(10),
  ),
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

export type BrokerConfig = ReturnType<typeof BROKER_CONFIG.parse> & {
  /**
   * `listener.name.<listener>.<key>` settings by upper-case listener name and key (`ssl.*`, `sasl.enabled.mechanisms`,
   * `<mechanism>.sasl.jaas.config`), overriding the broker-wide key for that listener, as in Kafka.
   */
  readonly listenerOverrides: Readonly<Record<string, Readonly<Record<string, string>>>>;
};

/** The keys that may be set per listener (`listener.name.<listener>.<key>`), besides the per-mechanism JAAS entries. */
export const LISTENER_OVERRIDABLE_KEYS: ReadonlySet<string> = new Set([
  ...SSL_KEYS,
  'ssl.client.auth',
  'ssl.principal.mapping.rules',
  'sasl.enabled.mechanisms',
]);

const LISTENER_PREFIX = /^listener\.name\.([A-Za-z][A-Za-z0-9_]*)\.(.+)$/;
const JAAS_KEY = /^(plain|scram-sha-256|scram-sha-512)\.sasl\.jaas\.config$/;

/** `listener.name.<l>.<key>` properties by listener, checked: known keys, valid values, listeners that exist. */
function listenerOverrides(props: Record<string, string>, listenerNames: ReadonlySet<string>) {
  const out: Record<string, Record<string, string>> = {};
  for (const [name, value] of Object.entries(props)) {
    const m = LISTENER_PREFIX.exec(name);
    if (!m) continue;
    const listener = m[1]!.toUpperCase();
    const key = m[2]!;
    if (!listenerNames.has(listener)) {
      throw new InvalidArgumentError(
        `Broker config key '${name}' names listener ${listener}, which is not in listeners ` +
          `(${[...listenerNames].join(', ')}).`,
      );
    }
    if (!LISTENER_OVERRIDABLE_KEYS.has(key) && !JAAS_KEY.test(key)) {
      throw new InvalidArgumentError(
        `Broker config key '${name}': '${key}' cannot be set per listener here; per-listener keys are ` +
          `${[...LISTENER_OVERRIDABLE_KEYS].join(', ')} and <mechanism>.sasl.jaas.config ` +
          '(plain, scram-sha-256, scram-sha-512).',
      );
    }
    const definition = BROKER_CONFIG.keyOf(key);
    if (definition !== undefined) parseValue(definition, value, `broker config (${name})`);
    (out[listener] ??= {})[key] = value;
  }
  return out;
}

/** Parses and cross-checks broker properties; throws InvalidArgumentError naming the bad key. */
export function parseBrokerConfig(props: Record<string, string>): BrokerConfig {
  const withAliases = { ...props };
  // Kafka accepts log.dir as the single-directory form of log.dirs.
  if (withAliases['log.dirs'] === undefined && withAliases['log.dir'] !== undefined)
    withAliases['log.dirs'] = withAliases['log.dir'];
  delete withAliases['log.dir'];
  const parsed = BROKER_CONFIG.parse(withAliases, { what: 'broker config' });
  if (parsed.interBrokerListenerName !== '' && props['security.inter.broker.protocol'] !== undefined) {
    throw new InvalidArgumentError(
      'Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.',
    );
  }
  const listenerNames = new Set(parsed.listeners.map((l) => parseListener(l).name));
  const config: BrokerConfig = { ...parsed, listenerOverrides: listenerOverrides(props, listenerNames) };
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

/**
 * The properties that parse back into `c` (parseBrokerConfig's inverse): every key's value, the per-listener keys
 * as `listener.name.<l>.<key>`, and security.inter.broker.protocol only when no inter.broker.listener.name chose
 * the listener (Kafka refuses both set). Dynamic broker configs re-parse these with their overrides on top.
 */
export function brokerConfigProperties(c: BrokerConfig): Record<string, string> {
  const props = BROKER_CONFIG.toProperties(c);
  if (c.interBrokerListenerName !== '') delete props['security.inter.broker.protocol'];
  for (const [listener, keys] of Object.entries(c.listenerOverrides)) {
    for (const [key, value] of Object.entries(keys)) props[`listener.name.${listener.toLowerCase()}.${key}`] = value;
  }
  return props;
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
