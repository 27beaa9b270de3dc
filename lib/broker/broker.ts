/**
 * The broker: the composition root that wires every component, in dependency order (Kafka's
 * `KafkaServer.startup`). Reading `startup()` gives the dependency graph.
 *
 * Lifecycle: New → Starting → Running → ShuttingDown → Shutdown. Requests that arrive while Starting wait
 * until startup completes. Shutting down a running broker first stops its follower fetchers and has the controller
 * move its leadership away (controlled shutdown), then closes everything. A ZooKeeper session expiry makes the
 * controller resign first (it listens to the session itself), then this broker re-registers its ephemeral znode on
 * the new session; the metadata cache re-reads the whole state through its re-armed watches. From the moment the
 * session may be gone ('sessionLost', or 'expired') until ZooKeeper speaks for the broker again, the replica
 * manager leads nothing (self-fencing, ARCHITECTURE.md "Brokers follow ZooKeeper").
 * Security: every listener's TLS and SASL settings and the inter-broker client's are resolved before anything binds
 * (listener-security.ts); the user and client configs (SCRAM credentials, quotas) and, with
 * `authorizer.class.name`, the ACLs are read from ZooKeeper before the first connection is accepted, and followed
 * through their change notifications from then on.
 * Readiness (`health()`, GET /health on the metrics port): Running and registered in ZooKeeper for the current
 * session; the endpoint starts first, so that it answers "starting" meanwhile.
 * Dynamic broker configs are read from ZooKeeper before any component is built (`dynamicConfig.current` is what
 * they start with) and handed to the running components when they change (`reconfigure`).
 * Ownership: owns the ZooKeeper session, the log manager, the socket server, the replica manager and the
 * controller, and closes them in reverse order on shutdown. A fatal error (its znode taken by another live
 * broker after a session expiry, or every log dir failed) emits 'fatal'; `main` then shuts down with exit code 1.
 * A failed log dir (but not the last) only takes its replicas offline: the broker tells the controller after each
 * registration and the controller asks it what it still serves (served-replicas-query.ts).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../common/logger.js';
import { silentLogger } from '../common/logger.js';
import { SystemTime, type Time } from '../common/time.js';
import { LogManager } from '../log/log-manager.js';
import { parseLogConfig } from '../log/log-config.js';
import { SocketServer } from '../network/socket-server.js';
import { ApiVersions } from '../protocol/api-versions.js';
import { KafkaServerCodec } from '../protocol/kafka/kafka-server-codec.js';
import { MqServerCodec } from '../protocol/mq-server-codec.js';
import { MetadataCache } from '../replication/metadata-cache.js';
import { ReplicaManager } from '../replication/replica-manager.js';
import { KafkaController } from '../controller/controller.js';
import { TopicAdmin } from '../controller/topic-admin.js';
import { ZkClient } from '../zk/zk-client.js';
import { KafkaZkClient } from '../zk/kafka-zk-client.js';
import { isZkError } from '../zk/zk-errors.js';
import { ConfigType, DEFAULT_CONFIG_ENTITY } from '../zk/zk-paths.js';
import { topicConfigDefaults, type BrokerConfig } from './broker-config.js';
import { resolveListeners } from './broker-listeners.js';
import { jaasFileFromEnv, zookeeperCredentials } from '../network/security/jaas-config.js';
import { RemoteLeaderEndPoint } from '../replication/remote-leader-end-point.js';
import { AclAuthorizer } from './security/acl-authorizer.js';
import { ClientEntityConfigs } from './security/client-entity-configs.js';
import { ClientQuotaManager } from './security/client-quota-manager.js';
import { resolveBrokerSecurity, type BrokerSecurity } from './security/listener-security.js';
import { createApiDispatcher, SERVED_API_KEYS } from './api-dispatcher.js';
import { GroupMetadataManager } from '../coordinator/group/group-metadata-manager.js';
import { GroupCoordinator } from '../coordinator/group/group-coordinator.js';
import { DelayedDeliveryManager } from '../coordinator/delayed/delayed-delivery-manager.js';
import { DEFAULT_DELAY_SCHEDULER_CONFIG } from '../coordinator/delayed/delay-scheduler.js';
import { BrokerClients } from '../coordinator/broker-clients.js';
import { GroupLag } from '../coordinator/group/group-lag.js';
import { ProducerIdManager } from '../coordinator/transaction/producer-id-manager.js';
import { TransactionCoordinator } from '../coordinator/transaction/transaction-coordinator.js';
import { TRANSACTION_STATE_TOPIC } from '../coordinator/transaction/transaction-log-codec.js';
import { TransactionMarkerChannelManager } from '../coordinator/transaction/transaction-marker-channel-manager.js';
import { TransactionStateManager } from '../coordinator/transaction/transaction-state-manager.js';
import { SystemScheduler } from '../common/scheduler.js';
import { OFFSETS_TOPIC } from '../coordinator/group/offsets-record-codec.js';
import { API_DEFINITIONS } from '../protocol/messages/index.js';
import { ConfigChangeListener } from './config-change-listener.js';
import { DynamicBrokerConfig, type DynamicConfigLevel } from './dynamic-broker-config.js';
import { controlledShutdown } from './controlled-shutdown.js';
import { BrokerMetrics, type BrokerHealth } from './broker-metrics.js';
import { BrokerTopicStats } from './broker-topic-stats.js';
import { RequestMetrics } from './request-metrics.js';
import type { BrokerServices } from './handlers/broker-services.js';
import { servedReplicasQuery } from './served-replicas-query.js';
import { ApiError } from '../common/errors.js';

type BrokerState = 'New' | 'Starting' | 'Running' | 'ShuttingDown' | 'Shutdown';

/** Pause before a transaction marker is sent again (no leader, a retriable error); Kafka retries at its backoff too. */
const MARKER_RETRY_BACKOFF_MS = 100;

export interface BrokerOptions {
  logger?: Logger;
  time?: Time;
  /** Keep each log dir's DurabilityJournal, for the power-loss fault of tests. @default false */
  durabilityJournal?: boolean;
}

export class Broker extends EventEmitter {
  /** The static config (server.properties); `dynamicConfig.current` is the effective one. */
  readonly config: BrokerConfig;
  readonly dynamicConfig: DynamicBrokerConfig;
  fatalError: Error | undefined;
  private readonly logger: Logger;
  private readonly time: Time;
  private readonly durabilityJournal: boolean;
  private state: BrokerState = 'New';
  private zkClient: ZkClient | undefined;
  private zk: KafkaZkClient | undefined;
  private logManager: LogManager | undefined;
  /** One per listener, in `listeners` order. */
  private socketServers: SocketServer[] = [];
  private metadataCache: MetadataCache | undefined;
  private replicaManager: ReplicaManager | undefined;
  private controller: KafkaController | undefined;
  private configChangeListener: ConfigChangeListener | undefined;
  private authorizer: AclAuthorizer | undefined;
  private security: BrokerSecurity | undefined;
  private metrics: BrokerMetrics | undefined;
  private groupCoordinator: GroupCoordinator | undefined;
  private delayedDelivery: DelayedDeliveryManager | undefined;
  private lagClients: BrokerClients | undefined;
  private transactionCoordinator: TransactionCoordinator | undefined;
  /** czxid of the current /brokers/ids registration: the broker epoch sent with ControlledShutdown. */
  private brokerEpoch = -1;
  /** Whether /brokers/ids/<id> exists for the current session (false from a session expiry until re-registered). */
  private registered = false;
  private readonly topicStats = new BrokerTopicStats();
  private readonly requestMetrics = new RequestMetrics();
  private resolveReady!: (s: BrokerServices) => void;
  private readonly ready = new Promise<BrokerServices>((r) => {
    this.resolveReady = r;
  });

  constructor(config: BrokerConfig, opts: BrokerOptions = {}) {
    super();
    this.config = config;
    this.dynamicConfig = new DynamicBrokerConfig(
      config,
      (opts.logger ?? silentLogger).child({ component: 'DynamicBrokerConfig', brokerId: config.brokerId }),
    );
    this.logger = (opts.logger ?? silentLogger).child({ component: 'Broker', brokerId: config.brokerId });
    this.time = opts.time ?? SystemTime;
    this.durabilityJournal = opts.durabilityJournal ?? false;
  }

  async startup(): Promise<void> {
    this.state = 'Starting';
    const logger = this.logger;
    const listeners = resolveListeners(this.config);
    const interBroker = listeners.find((l) => l.interBroker)!;
    const jaas = jaasFileFromEnv();

    // 0. The operator's endpoint first, so that /health answers (503, starting) while the rest comes up.
    if (this.config.metricsPort >= 0) {
      this.metrics = new BrokerMetrics({
        brokerId: this.config.brokerId,
        host: interBroker.host === '' ? '0.0.0.0' : interBroker.host,
        port: this.config.metricsPort,
        health: () => this.health(),
        logger,
      });
      await this.metrics.start();
    }

    // 1. ZooKeeper session (authenticated when zookeeper.set.acl), top-level paths and the cluster id.
    this.zkClient = new ZkClient({
      connect: this.config.zookeeperConnect,
      sessionTimeoutMs: this.config.zookeeperSessionTimeoutMs,
      connectionTimeoutMs: this.config.zookeeperConnectionTimeoutMs,
      digestAuth: zookeeperCredentials(jaas?.file),
      secureAcls: this.config.zookeeperSetAcl,
      logger,
    });
    await this.zkClient.connect();
    this.zk = new KafkaZkClient(this.zkClient, { logger, time: this.time });
    await this.zk.createTopLevelPaths();
    const clusterId = await this.zk.getOrCreateClusterId();
    logger.info({ clusterId }, 'cluster id');

    // 1b. Config changes are followed from here on (started before any config is read, so that no change in between
    //     is missed); then the dynamic broker configs, so that every component starts with the effective config
    //     (Kafka's DynamicBrokerConfig.initialize); then users and clients (SCRAM credentials, quotas), the ACLs and
    //     every listener's TLS and SASL settings.
    const entityConfigs = new ClientEntityConfigs(this.zk);
    this.configChangeListener = new ConfigChangeListener(this.zk, logger, {
      topicChanged: async (topic) => this.replicaManager?.reloadTopicConfig(topic),
      brokerChanged: async (entity) => {
        if (entity === DEFAULT_CONFIG_ENTITY) await this.reloadDynamicConfig('default');
        else if (entity === String(this.config.brokerId)) await this.reloadDynamicConfig('broker');
      },
      clientEntityChanged: (entityPath) => entityConfigs.reload(entityPath),
    });
    await this.configChangeListener.start();
    await this.reloadDynamicConfig('default');
    await this.reloadDynamicConfig('broker');
    const c = this.dynamicConfig.current;
    await entityConfigs.start();
    const quotas = new ClientQuotaManager({
      configs: entityConfigs,
      samples: c.quotaWindowNum,
      windowMs: c.quotaWindowSizeSeconds * 1000,
      time: this.time,
    });
    if (c.authorizerClassName !== '') {
      this.authorizer = new AclAuthorizer({
        zk: this.zkClient,
        superUsers: c.superUsers
          .split(';')
          .map((u) => u.trim())
          .filter((u) => u !== ''),
        allowEveryoneIfNoAclFound: c.allowEveryoneIfNoAclFound,
        logger,
      });
      await this.authorizer.start();
    }
    const security = resolveBrokerSecurity(c, listeners, entityConfigs, jaas?.file);
    this.security = security;

    // 2. Logs: load every partition directory (recovering after an unclean shutdown).
    const topicDefaults = topicConfigDefaults(c);
    this.logManager = new LogManager({
      logDirs: c.logDirs,
      defaultConfig: parseLogConfig({}, topicDefaults),
      retentionCheckIntervalMs: c.logRetentionCheckIntervalMs,
      flushRecoveryPointCheckpointIntervalMs: c.logFlushOffsetCheckpointIntervalMs,
      flushStartOffsetCheckpointIntervalMs: c.logFlushStartOffsetCheckpointIntervalMs,
      cleanerEnable: c.logCleanerEnable,
      cleanerBackoffMs: c.logCleanerBackoffMs,
      producerIdExpirationMs: c.transactionalIdExpirationMs,
      durabilityJournal: this.durabilityJournal,
      logger,
      time: this.time,
    });
    this.logManager.startup();

    // 3. The socket servers (one per listener, each speaking its wire protocol into the same dispatcher) bind now,
    //    so that the registered ports are the real ones (port 0 in specs); requests wait for `ready`.
    const apiVersions = new ApiVersions(API_DEFINITIONS.filter((d) => SERVED_API_KEYS.has(d.apiKey)));
    const dispatcher = createApiDispatcher(this.ready, this.requestMetrics);
    this.socketServers = listeners.map(
      (l) =>
        new SocketServer({
          host: l.host === '' ? undefined : l.host,
          port: l.port,
          listenerName: l.name,
          handler: dispatcher,
          codec: l.wireProtocol === 'KAFKA' ? new KafkaServerCodec(apiVersions) : new MqServerCodec(apiVersions),
          security: security.listeners.get(l.name),
          socketRequestMaxBytes: c.socketRequestMaxBytes,
          connectionsMaxIdleMs: c.connectionsMaxIdleMs,
          time: this.time,
          logger,
        }),
    );
    for (const server of this.socketServers) await server.start();

    // 4. Register this broker (ephemeral znode with the bound port) before acting on any partition, so that a
    //    duplicate broker.id stops here; re-register on every new session. After a kill -9 and a quick
    //    restart the previous session's znode lives until that session expires: wait for it, as long as one
    //    session timeout (plus a tick), before calling the id taken.
    const endpoints = listeners.map((l, i) => ({
      listenerName: l.name,
      securityProtocol: l.securityProtocol,
      host: l.advertisedHost,
      port: l.advertisedPort === 0 ? this.socketServers[i]!.port : l.advertisedPort,
    }));
    const register = async () => {
      this.brokerEpoch = await this.zk!.registerBroker({
        id: c.brokerId,
        endpoints,
        rack: c.brokerRack === '' ? null : c.brokerRack,
      });
      this.registered = true;
    };
    await this.registerWaitingForPreviousSession(register);
    let registered: Promise<void> = Promise.resolve();
    this.zkClient.on('expired', () => {
      this.registered = false;
    });
    this.zkClient.on('newSession', () => {
      registered = register();
      registered.catch((err: Error) => this.fail(err));
    });

    // 5. The cluster view from ZooKeeper watches, then the replicas this broker hosts.
    this.metadataCache = new MetadataCache({
      zk: this.zkClient,
      interBrokerListenerName: interBroker.name,
      logger,
    });
    await this.metadataCache.start();
    this.replicaManager = new ReplicaManager({
      brokerId: c.brokerId,
      config: {
        replicaLagTimeMaxMs: c.replicaLagTimeMaxMs,
        replicaFetchWaitMaxMs: c.replicaFetchWaitMaxMs,
        replicaFetchMinBytes: c.replicaFetchMinBytes,
        replicaFetchMaxBytes: c.replicaFetchMaxBytes,
        replicaFetchResponseMaxBytes: c.replicaFetchResponseMaxBytes,
        replicaFetchBackoffMs: c.replicaFetchBackoffMs,
        numReplicaFetchers: c.numReplicaFetchers,
        leaderReplicationThrottledRate: c.leaderReplicationThrottledRate,
        followerReplicationThrottledRate: c.followerReplicationThrottledRate,
        replicaAlterLogDirsIoMaxBytesPerSecond: c.replicaAlterLogDirsIoMaxBytesPerSecond,
        replicationQuotaWindowNum: c.replicationQuotaWindowNum,
        replicationQuotaWindowSizeSeconds: c.replicationQuotaWindowSizeSeconds,
        replicaHighWatermarkCheckpointIntervalMs: c.replicaHighWatermarkCheckpointIntervalMs,
        defaultTopicConfig: topicDefaults,
      },
      logManager: this.logManager,
      metadataCache: this.metadataCache,
      zk: this.zk,
      leaderEndPointFactory: (leader, fetcherId) =>
        RemoteLeaderEndPoint.connect(leader, {
          localBrokerId: c.brokerId,
          fetcherId,
          security: security.interBrokerClient,
          logger,
        }),
      logger,
      time: this.time,
    });
    await this.replicaManager.startup();
    this.replicaManager.on('allLogDirsFailed', () =>
      this.fail(
        new ApiError(
          'KAFKA_STORAGE_ERROR',
          `Every log dir of broker ${c.brokerId} has failed (${c.logDirs.join(', ')}); nothing can be served. ` +
            'Repair or replace the disks, then start the broker again.',
        ),
      ),
    );
    // Self-fencing (ARCHITECTURE.md "Brokers follow ZooKeeper"): once the session may be gone, lead nothing until
    // ZooKeeper speaks for this broker again — the same session confirmed, or a new one registered — and the cache
    // has re-read everything.
    const zkClient = this.zkClient;
    const replicaManager = this.replicaManager;
    const resume = (): void => {
      replicaManager
        .resumeLeadership(() => zkClient.refreshWatches())
        .catch((err: unknown) => logger.error({ err }, 'lifting the fence failed; it stays until the next session'));
    };
    zkClient.on('sessionLost', () => replicaManager.fenceLeadership('the ZooKeeper session may have expired'));
    zkClient.on('expired', () => replicaManager.fenceLeadership('the ZooKeeper session expired'));
    zkClient.on('sessionConfirmed', resume);
    zkClient.on('newSession', () => void registered.then(resume, () => undefined));
    // A log dir that failed under an earlier session: tell the controller again (it forgot on the re-registration).
    zkClient.on(
      'newSession',
      () =>
        void registered.then(
          () => replicaManager.notifyLogDirFailures(),
          () => undefined,
        ),
    );

    // 6. Every broker runs the controller election.
    this.controller = new KafkaController({
      brokerId: c.brokerId,
      zkClient: this.zk,
      config: {
        uncleanLeaderElectionEnable: c.uncleanLeaderElectionEnable,
        autoLeaderRebalanceEnable: c.autoLeaderRebalanceEnable,
        leaderImbalancePerBrokerPercentage: c.leaderImbalancePerBrokerPercentage,
        leaderImbalanceCheckIntervalSeconds: c.leaderImbalanceCheckIntervalSeconds,
        deleteTopicEnable: c.deleteTopicEnable,
      },
      servedReplicas: servedReplicasQuery({
        brokerId: c.brokerId,
        replicaManager: this.replicaManager,
        metadataCache: this.metadataCache,
        requestTimeoutMs: c.controllerSocketTimeoutMs,
        logger,
      }),
      logger,
      time: this.time,
    });
    await this.controller.startup();

    // 7. The group coordinator for the groups whose __consumer_offsets partition is led here, with their offsets.
    const metadataCache = this.metadataCache;
    const groupMetadataManager = new GroupMetadataManager(
      this.replicaManager,
      {
        offsetsTopicNumPartitions: c.offsetsTopicNumPartitions,
        offsetsCommitTimeoutMs: c.offsetsCommitTimeoutMs,
        offsetMetadataMaxBytes: c.offsetMetadataMaxBytes,
      },
      () => metadataCache.partitionCount(OFFSETS_TOPIC) ?? 0,
      this.time,
      logger,
    );
    const groupCoordinator = new GroupCoordinator(
      groupMetadataManager,
      {
        offsetsRetentionMs: c.offsetsRetentionMinutes * 60_000,
        offsetsRetentionCheckIntervalMs: c.offsetsRetentionCheckIntervalMs,
        groupMinSessionTimeoutMs: c.groupMinSessionTimeoutMs,
        groupMaxSessionTimeoutMs: c.groupMaxSessionTimeoutMs,
        groupInitialRebalanceDelayMs: c.groupInitialRebalanceDelayMs,
        groupMaxSize: c.groupMaxSize,
      },
      this.time,
      new SystemScheduler(),
      logger,
    );
    this.groupCoordinator = groupCoordinator;
    this.replicaManager.on('leadershipChange', (leaders, followers) =>
      groupCoordinator.onLeadershipChange(leaders, followers),
    );
    groupMetadataManager.loadLedPartitions();
    groupCoordinator.startup();
    // Lag in time of the groups coordinated here: record timestamps asked of partition leaders.
    this.lagClients = new BrokerClients({
      brokerId: c.brokerId,
      purpose: 'group-lag',
      metadataCache,
      requestTimeoutMs: c.offsetsCommitTimeoutMs,
      maxInFlightRequests: 5,
      security: security.interBrokerClient,
      logger,
    });
    const groupLag = new GroupLag({
      brokerId: c.brokerId,
      offsets: groupMetadataManager,
      replicaManager: this.replicaManager,
      metadataCache,
      clients: this.lagClients,
      time: this.time,
    });

    // 8. Delayed delivery for the __delayed_records partitions led here.
    const delayedDelivery = new DelayedDeliveryManager({
      brokerId: c.brokerId,
      logDirs: c.logDirs,
      replicaManager: this.replicaManager,
      metadataCache,
      config: {
        ...DEFAULT_DELAY_SCHEDULER_CONFIG,
        tickMs: c.delayedDeliveryTickMs,
        cursorIntervalMs: c.delayedDeliveryCheckpointIntervalMs,
      },
      requestTimeoutMs: c.offsetsCommitTimeoutMs,
      retryBackoffMs: 100,
      security: security.interBrokerClient,
      time: this.time,
      logger,
    });
    this.delayedDelivery = delayedDelivery;
    this.replicaManager.on('leadershipChange', (leaders, followers) =>
      delayedDelivery.onLeadershipChange(leaders, followers),
    );
    delayedDelivery.startLedPartitions();

    // 9. The transaction coordinator for the transactional ids whose __transaction_state partition is led here.
    const transactionStateManager = new TransactionStateManager(
      replicaManager,
      {
        transactionLogNumPartitions: c.transactionStateLogNumPartitions,
        transactionMaxTimeoutMs: c.transactionMaxTimeoutMs,
        transactionalIdExpirationMs: c.transactionalIdExpirationMs,
        requestTimeoutMs: c.requestTimeoutMs,
      },
      () => metadataCache.partitionCount(TRANSACTION_STATE_TOPIC) ?? 0,
      this.time,
      logger,
    );
    const transactionCoordinator = new TransactionCoordinator(
      transactionStateManager,
      new TransactionMarkerChannelManager({
        brokerId: c.brokerId,
        metadataCache,
        stateManager: transactionStateManager,
        requestTimeoutMs: c.requestTimeoutMs,
        retryBackoffMs: MARKER_RETRY_BACKOFF_MS,
        security: security.interBrokerClient,
        time: this.time,
        logger,
      }),
      new ProducerIdManager(c.brokerId, this.zk, logger),
      {
        abortTimedOutTransactionsIntervalMs: c.transactionAbortTimedOutTransactionCleanupIntervalMs,
        removeExpiredTransactionalIdsIntervalMs: c.transactionRemoveExpiredTransactionCleanupIntervalMs,
      },
      this.time,
      new SystemScheduler(),
      logger,
    );
    this.transactionCoordinator = transactionCoordinator;
    this.replicaManager.on('leadershipChange', (leaders, followers) =>
      transactionCoordinator.onLeadershipChange(leaders, followers),
    );
    const txnPartitions = metadataCache.partitionCount(TRANSACTION_STATE_TOPIC) ?? 0;
    transactionCoordinator.loadLedPartitions(
      Array.from({ length: txnPartitions }, (_, i) => replicaManager.getPartition(TRANSACTION_STATE_TOPIC, i)).filter(
        (p) => p !== undefined,
      ),
    );
    transactionCoordinator.startup();

    // 10. Metrics read from the components, then start serving requests.
    this.metrics?.attach({
      replicaManager: this.replicaManager,
      controller: this.controller,
      logManager: this.logManager,
      metadataCache: this.metadataCache,
      topicStats: this.topicStats,
      requests: this.requestMetrics,
      groupLag,
      delayedDelivery,
    });
    const topicAdmin = new TopicAdmin({
      zk: this.zk,
      metadataCache: this.metadataCache,
      topicDefaults,
      deleteTopicEnable: c.deleteTopicEnable,
      defaultNumPartitions: c.numPartitions,
      defaultReplicationFactor: c.defaultReplicationFactor,
      logger,
    });
    const dynamicConfig = this.dynamicConfig;
    this.dynamicConfig.onReconfigure((next, previous) => this.reconfigure(topicAdmin, next, previous));
    this.resolveReady({
      brokerId: c.brokerId,
      get config() {
        return dynamicConfig.current;
      },
      get topicDefaults() {
        return topicConfigDefaults(dynamicConfig.current);
      },
      dynamicConfig,
      metadataCache: this.metadataCache,
      replicaManager: this.replicaManager,
      controller: this.controller,
      topicAdmin,
      groupCoordinator,
      delayedDelivery,
      groupLag,
      transactionCoordinator,
      zk: this.zk,
      authorizer: this.authorizer ?? null,
      quotas,
      topicStats: this.topicStats,
      logger,
      time: this.time,
    });
    this.state = 'Running';
    // `port` (the inter-broker listener's) and `listeners` (every bound port by name) are read by LocalCluster.
    const ports = Object.fromEntries(this.socketServers.map((server) => [server.listenerName, server.port]));
    logger.info(
      {
        port: ports[interBroker.name],
        host: interBroker.advertisedHost,
        listeners: ports,
        metricsPort: this.metrics?.port ?? -1,
      },
      'started',
    );
    logger.flush();
  }

  /** Ready for traffic: started, registered in ZooKeeper (logs loaded before), not stopping. For GET /health. */
  health(): BrokerHealth {
    if (this.fatalError) return { ready: false, status: `failed: ${this.fatalError.message}` };
    if (this.state !== 'Running') return { ready: false, status: this.state.toLowerCase() };
    if (!this.registered)
      return { ready: false, status: 'not registered in ZooKeeper (the session expired; registering again)' };
    return { ready: true, status: `broker ${this.config.brokerId} registered in ZooKeeper, logs loaded, serving` };
  }

  /** Reads one level of dynamic broker configs from ZooKeeper and applies it (at start-up and on a notification). */
  private async reloadDynamicConfig(level: DynamicConfigLevel): Promise<void> {
    const entity = level === 'default' ? DEFAULT_CONFIG_ENTITY : String(this.config.brokerId);
    this.dynamicConfig.update(level, await this.zk!.getEntityConfig(ConfigType.Broker, entity));
  }

  /** Hands a changed dynamic broker config to the components that apply it while running (Kafka's Reconfigurables). */
  private reconfigure(topicAdmin: TopicAdmin, next: BrokerConfig, previous: BrokerConfig): void {
    const defaults = topicConfigDefaults(next);
    const before = topicConfigDefaults(previous);
    if (Object.keys(defaults).some((k) => defaults[k] !== before[k])) {
      topicAdmin.updateTopicDefaults(defaults);
      this.replicaManager!.updateDefaultTopicConfig(defaults).catch((err: unknown) =>
        this.logger.error({ err }, 'could not apply the new topic defaults to every log; the next change retries'),
      );
    }
    if (next.logCleanerBackoffMs !== previous.logCleanerBackoffMs)
      this.logManager!.setCleanerBackoffMs(next.logCleanerBackoffMs);
    if (next.numReplicaFetchers !== previous.numReplicaFetchers)
      this.replicaManager!.replicaFetcherManager.resize(next.numReplicaFetchers);
    this.replicaManager!.leaderQuota.setRate(next.leaderReplicationThrottledRate);
    this.replicaManager!.followerQuota.setRate(next.followerReplicationThrottledRate);
    this.replicaManager!.alterLogDirsQuota.setRate(next.replicaAlterLogDirsIoMaxBytesPerSecond);
    if (next.uncleanLeaderElectionEnable !== previous.uncleanLeaderElectionEnable)
      this.controller!.setUncleanLeaderElectionEnable(next.uncleanLeaderElectionEnable);
  }

  private async registerWaitingForPreviousSession(register: () => Promise<void>): Promise<void> {
    const deadline = this.time.hiResMs() + this.config.zookeeperSessionTimeoutMs + 3000;
    for (let warned = false; ; warned = true) {
      try {
        await register();
        return;
      } catch (err) {
        if (!isZkError(err, 'NODE_EXISTS') || this.time.hiResMs() > deadline) throw err;
        if (!warned) {
          this.logger.warn(
            { brokerId: this.config.brokerId },
            'broker.id is still registered by another session; waiting for it to expire (a previous run of this broker?)',
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private fail(err: Error): void {
    if (this.fatalError) return;
    this.fatalError = err;
    this.logger.fatal({ err }, 'fatal error; shutting down');
    this.emit('fatal', err);
  }

  /**
   * Clean shutdown in reverse start order; safe to call after a failed or partial startup. A running broker first
   * has the controller move its leadership away (controlled.shutdown.enable), while it still serves requests.
   */
  async shutdown(): Promise<void> {
    if (this.state === 'ShuttingDown' || this.state === 'Shutdown') return;
    const wasRunning = this.state === 'Running';
    this.state = 'ShuttingDown';
    const c = this.config;
    if (wasRunning && c.controlledShutdownEnable && !this.fatalError) {
      // Stop following first, so that no leader takes this broker back into an ISR it is about to leave.
      await this.replicaManager!.replicaFetcherManager.shutdown();
      await controlledShutdown({
        brokerId: c.brokerId,
        brokerEpoch: this.brokerEpoch,
        metadataCache: this.metadataCache!,
        controller: this.controller!,
        maxRetries: c.controlledShutdownMaxRetries,
        retryBackoffMs: c.controlledShutdownRetryBackoffMs,
        requestTimeoutMs: c.controllerSocketTimeoutMs,
        security: this.security!.interBrokerClient,
        logger: this.logger,
      });
    }
    const step = async (what: string, fn: (() => Promise<unknown>) | undefined) => {
      if (!fn) return;
      try {
        await fn();
      } catch (err) {
        this.logger.error({ err }, `error while shutting down the ${what}`);
      }
    };
    await step('metrics endpoint', this.metrics && (() => this.metrics!.close()));
    await step('socket servers', async () => {
      await Promise.all(this.socketServers.map((server) => server.close()));
    });
    await step(
      'transaction coordinator',
      this.transactionCoordinator && (() => this.transactionCoordinator!.shutdown()),
    );
    await step('group coordinator', this.groupCoordinator && (async () => this.groupCoordinator!.shutdown()));
    await step('delayed delivery', this.delayedDelivery && (() => this.delayedDelivery!.shutdown()));
    await step('group lag connections', this.lagClients && (async () => this.lagClients!.close()));
    await step('config change listener', this.configChangeListener && (async () => this.configChangeListener!.close()));
    await step('authorizer', this.authorizer && (async () => this.authorizer!.close()));
    await step('controller', this.controller && (() => this.controller!.shutdown()));
    await step('replica manager', this.replicaManager && (() => this.replicaManager!.shutdown()));
    await step('metadata cache', this.metadataCache && (async () => this.metadataCache!.close()));
    await step('log manager', this.logManager && (() => this.logManager!.shutdown()));
    await step('ZooKeeper client', this.zkClient && (() => this.zkClient!.close()));
    this.state = 'Shutdown';
  }
}
