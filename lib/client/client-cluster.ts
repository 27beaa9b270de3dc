/**
 * The client's view of the cluster and its way to reach it (kafkajs `Cluster`, Kafka's `Metadata` +
 * `NetworkClient` pair): the current `ClusterMetadata` snapshot, the topics the client cares about, the
 * connections (one `NetworkClient` per broker, via `ConnectionPool`) and request routing.
 *
 * Coordinator connections: `sendToCoordinator` reaches a broker on a second connection of its own (pool key
 * `coordinatorKey(nodeId)`, as Kafka's clients key it Integer.MAX_VALUE − id). A broker answers a connection's
 * requests in order, so an OffsetCommit sent behind a Fetch long-poll on the shared connection would wait out
 * fetch.max.wait.ms; a consumer that commits after every batch would then read one batch per long-poll.
 *
 * Metadata refresh:
 * - A Metadata request names the topics of interest (`addTopics`), or none: then it only learns brokers and the
 *   controller; after `watchAllTopics()` (pattern subscriptions) it asks for every topic. It goes to a broker of
 *   the current metadata (Kafka's `leastLoadedNode`): the connected one with the fewest requests in flight, else
 *   one to connect to, in turn; before the first answer, and when no known broker can be reached, to the bootstrap
 *   servers in turn. A broker missing from the latest answer is not asked (a broker cut off from ZooKeeper leaves
 *   itself out of its own answers: it no longer knows the cluster).
 * - Unresponsive brokers: a broker whose request timed out in flight (the connection is then closed) or that
 *   answered REQUEST_TIMED_OUT (`markUnresponsive`) is not asked for metadata for `request.timeout.ms` while another
 *   broker can be: a leader whose requests keep timing out may be a zombie that no longer knows it lost its
 *   leadership, and asking it again would send the client straight back to it.
 * - `refresh()` is de-duplicated: concurrent callers share the request in flight.
 * - Periodic: every `metadata.max.age.ms`. On demand: `requestUpdate()` (callers do so on NOT_LEADER_OR_FOLLOWER,
 *   LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION and lost connections) refreshes at once, or
 *   `retry.backoff.ms` after the previous attempt, and keeps retrying with backoff until one succeeds.
 * - `waitForTopic()` waits until a topic's partitions are known, refreshing as needed, up to a deadline.
 *
 * Invariants: the snapshot is replaced, never mutated; listeners (`onUpdate`) run after each successful refresh.
 * Concurrency: all on the event loop; any number of callers may send, refresh and wait at once.
 * Lifecycle: created by a client facade; `connect()` fetches the first metadata (failing when no bootstrap server
 * answers in time); `close()` cancels timers, fails waiters and closes every connection.
 */
import { ErrorCode } from '../common/error-codes.js';
import { ApiError, apiErrorFromCode, IllegalStateError, TimeoutError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Time } from '../common/time.js';
import { ApiKey } from '../protocol/api-keys.js';
import type { RequestOf, ResponseOf } from '../protocol/messages/index.js';
import type { NetworkClient, SendOptions } from '../network/network-client.js';
import { ClusterMetadata, type TopicMetadata } from './cluster-metadata.js';
import { ConnectionPool } from './connection-pool.js';
import { ExponentialBackoff, isRetriable } from './retry.js';
import { PLAINTEXT, type ClientSecurity } from '../network/security/client-security.js';
import { securityFromOptions, type BrokerAddress } from './client-options.js';

export interface ClientClusterOptions {
  bootstrapServers: readonly BrokerAddress[];
  clientId: string;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  metadataMaxAgeMs: number;
  retryBackoffMs: number;
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  maxInFlightRequests: number;
  /** Let Metadata requests create missing topics (when the broker allows). */
  allowAutoTopicCreation: boolean;
  /** TLS and SASL for every connection. @default PLAINTEXT */
  security?: ClientSecurity;
  time: Time;
  logger: Logger;
}

/** The resolved common options (Kafka's names) every client builds its cluster from. */
export interface CommonClusterSettings {
  readonly 'bootstrap.servers': readonly BrokerAddress[];
  readonly 'client.id': string;
  readonly 'request.timeout.ms': number;
  readonly 'socket.connection.setup.timeout.ms': number;
  readonly 'metadata.max.age.ms': number;
  readonly 'retry.backoff.ms': number;
  readonly 'reconnect.backoff.ms': number;
  readonly 'reconnect.backoff.max.ms': number;
  readonly time: Time;
  readonly logger: Logger;
}

/** The version of every API this client sends: all are 0 today (lib/protocol/api-versions.ts). */
export const API_VERSION = 0;

export class ClientCluster {
  /** A cluster configured from a client's resolved options; the two settings that differ per client are given. */
  static fromClientOptions(
    o: CommonClusterSettings,
    own: Pick<ClientClusterOptions, 'maxInFlightRequests' | 'allowAutoTopicCreation'>,
    what: string,
  ): ClientCluster {
    return new ClientCluster({
      bootstrapServers: o['bootstrap.servers'],
      clientId: o['client.id'],
      requestTimeoutMs: o['request.timeout.ms'],
      connectTimeoutMs: o['socket.connection.setup.timeout.ms'],
      metadataMaxAgeMs: o['metadata.max.age.ms'],
      retryBackoffMs: o['retry.backoff.ms'],
      reconnectBackoffMs: o['reconnect.backoff.ms'],
      reconnectBackoffMaxMs: o['reconnect.backoff.max.ms'],
      security: securityFromOptions(o as unknown as Readonly<Record<string, unknown>>, what),
      time: o.time,
      logger: o.logger,
      ...own,
    });
  }

  private readonly options: ClientClusterOptions;
  private readonly logger: Logger;
  private readonly pool: ConnectionPool;
  private readonly retryBackoff: ExponentialBackoff;
  private snapshot = ClusterMetadata.EMPTY;
  private readonly topicsOfInterest = new Set<string>();
  private allTopics = false;
  private refreshing: Promise<ClusterMetadata> | null = null;
  private needUpdate = false;
  private failedRefreshes = 0;
  private lastRefreshAttemptMs = -Infinity;
  private updateTimer: NodeJS.Timeout | null = null;
  private periodicTimer: NodeJS.Timeout | null = null;
  private readonly updateListeners: Array<(metadata: ClusterMetadata) => void> = [];
  private updateWaiters: Array<() => void> = [];
  private bootstrapIndex = 0;
  /** `host:port` → monotonic time until which that broker is not asked for metadata (see the header). */
  private readonly unresponsiveUntil = new Map<string, number>();
  private closed = false;

  constructor(options: ClientClusterOptions) {
    this.options = options;
    this.logger = options.logger.child({ component: 'ClientCluster' });
    this.retryBackoff = new ExponentialBackoff(options.retryBackoffMs, options.retryBackoffMs * 10);
    this.pool = new ConnectionPool({
      clientId: options.clientId,
      connectTimeoutMs: options.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      maxInFlightRequests: options.maxInFlightRequests,
      security: options.security ?? PLAINTEXT,
      reconnectBackoff: new ExponentialBackoff(options.reconnectBackoffMs, options.reconnectBackoffMaxMs),
      time: options.time,
      logger: options.logger,
      onConnectionLost: (nodeKey, cause) => {
        this.logger.debug({ nodeKey, reason: cause.message }, 'Connection lost; refreshing metadata');
        if (cause.cause instanceof TimeoutError) this.markUnresponsive(nodeKey);
        this.requestUpdate();
      },
    });
  }

  /** How connections are secured (for connections made outside the pool, e.g. to a group coordinator). */
  get security(): ClientSecurity {
    return this.options.security ?? PLAINTEXT;
  }

  /** The current snapshot. */
  get metadata(): ClusterMetadata {
    return this.snapshot;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Fetches the first metadata, retrying (bootstrap servers in turn, with backoff) until `deadlineMs` (monotonic).
   * The first failure is logged at warn at once, naming the servers, the socket error and `bound` (the option that
   * sets the deadline, e.g. `default.api.timeout.ms`), so that a wrong address shows within seconds and not only
   * when the deadline passes. Rejects with TimeoutError naming the bootstrap servers when none answered.
   */
  async connect(deadlineMs: number, bound: string): Promise<void> {
    const { time } = this.options;
    const servers = this.options.bootstrapServers.map((a) => `${a.host}:${a.port}`).join(', ');
    let attempts = 0;
    for (;;) {
      try {
        await this.refresh();
        this.schedulePeriodicRefresh();
        if (attempts > 0) this.logger.warn({ attempts: attempts + 1 }, `Reached the cluster through ${servers}.`);
        return;
      } catch (e) {
        if (this.closed || !isRetriable(e)) throw e;
        const remainingMs = Math.max(0, Math.round(deadlineMs - time.hiResMs()));
        if (attempts === 0) {
          this.logger.warn(
            { bootstrapServers: servers, err: e },
            `No bootstrap server of ${servers} answered yet (last error: ${(e as Error).message}). Broker may not be ` +
              `available; retrying for up to ${remainingMs} ms more (${bound}).`,
          );
        }
        const pauseMs = this.retryBackoff.backoffMs(attempts++);
        if (time.hiResMs() + pauseMs >= deadlineMs) {
          throw new TimeoutError(
            `Could not fetch cluster metadata from the bootstrap servers (${servers}) within ${bound}; ` +
              `last error: ${(e as Error).message.replace(/[.?]$/, '')}. Check 'bootstrap.servers' and that the brokers are up.`,
            { cause: e },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
  }

  /** Adds topics to every later Metadata request; requests an update if one of them is not known yet. */
  addTopics(topics: Iterable<string>): void {
    let added = false;
    for (const topic of topics) {
      if (!this.topicsOfInterest.has(topic)) {
        this.topicsOfInterest.add(topic);
        if (this.snapshot.topic(topic) === undefined) added = true;
      }
    }
    if (added) this.requestUpdate();
  }

  /**
   * Makes every later Metadata request ask for all topics (pattern subscriptions): topics missing from an answer are
   * then dropped from the snapshot, since they no longer exist.
   */
  watchAllTopics(): void {
    if (this.allTopics) return;
    this.allTopics = true;
    this.requestUpdate();
  }

  /** Registers a listener run after every successful refresh. */
  onUpdate(listener: (metadata: ClusterMetadata) => void): void {
    this.updateListeners.push(listener);
  }

  /**
   * Asks for a refresh soon: at once, or `retry.backoff.ms` after the previous attempt. Failed refreshes are retried
   * with backoff until one succeeds. Cheap to call often: requests coalesce.
   */
  requestUpdate(): void {
    if (this.closed) return;
    this.needUpdate = true;
    if (this.refreshing !== null || this.updateTimer !== null) return;
    const backoffMs =
      this.failedRefreshes === 0 ? this.options.retryBackoffMs : this.retryBackoff.backoffMs(this.failedRefreshes - 1);
    const delayMs = Math.max(0, this.lastRefreshAttemptMs + backoffMs - this.options.time.hiResMs());
    this.updateTimer = setTimeout(() => {
      this.updateTimer = null;
      if (this.needUpdate)
        this.refresh().catch(() => {
          /* logged in refresh; retried from its finally */
        });
    }, delayMs);
    this.updateTimer.unref(); // callers that wait hold their own timers; a background retry alone keeps nothing alive
  }

  /** Fetches metadata now (sharing a refresh already in flight) and returns the new snapshot. */
  refresh(): Promise<ClusterMetadata> {
    if (this.closed) return Promise.reject(new IllegalStateError('The client is closed.'));
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
      if (this.needUpdate) this.requestUpdate();
    });
    return this.refreshing;
  }

  /**
   * The topic's metadata once its partitions are known, refreshing as needed. Rejects with the topic's error when
   * it is not retriable (e.g. INVALID_TOPIC_EXCEPTION), and with ApiError UNKNOWN_TOPIC_OR_PARTITION when
   * `deadlineMs` (monotonic) passes first.
   */
  async waitForTopic(topic: string, deadlineMs: number): Promise<TopicMetadata> {
    this.addTopics([topic]);
    for (;;) {
      const known = this.snapshot.topic(topic);
      if (known !== undefined && known.errorCode === ErrorCode.NONE && known.partitions.length > 0) return known;
      if (known !== undefined && known.errorCode !== ErrorCode.NONE) {
        const error = apiErrorFromCode(known.errorCode);
        if (!error.retriable) {
          // The next call asks again: an ACL granted or a topic created meanwhile must not stay refused.
          this.requestUpdate();
          throw error;
        }
      }
      const remainingMs = deadlineMs - this.options.time.hiResMs();
      if (remainingMs <= 0 || this.closed) {
        throw new ApiError(
          'UNKNOWN_TOPIC_OR_PARTITION',
          `Topic '${topic}' not present in metadata after waiting ` +
            `(${known === undefined ? 'never described' : `last error code ${known.errorCode}`}). Create it, or enable ` +
            'auto.create.topics.enable on the brokers.',
        );
      }
      this.requestUpdate();
      await this.nextUpdate(remainingMs);
    }
  }

  /** Resolves after the next refresh attempt finishes (success or failure), or after `maxWaitMs`. */
  nextUpdate(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxWaitMs);
      const waiter = done;
      this.updateWaiters.push(waiter);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /**
   * Records that requests to `nodeKey` time out: metadata is asked of other brokers for `request.timeout.ms`, and
   * a refresh is requested (see the header).
   */
  markUnresponsive(nodeKey: number): void {
    const address = this.addressOf(nodeKey);
    if (address === undefined) return;
    this.logger.info(
      { nodeKey, address: addressKey(address) },
      'Requests to this broker time out; asking other brokers for metadata',
    );
    this.unresponsiveUntil.set(addressKey(address), this.options.time.hiResMs() + this.options.requestTimeoutMs);
    this.requestUpdate();
  }

  /** The live connection to a broker, if any (no I/O). */
  readyConnection(nodeId: number): NetworkClient | undefined {
    return this.pool.ready(nodeId);
  }

  /** Time until a new connection to `nodeId` may be attempted. */
  connectBackoffMs(nodeId: number): number {
    return this.pool.backoffRemainingMs(nodeId);
  }

  /** The connection to a broker named in the metadata, connecting if needed. */
  connection(nodeId: number): Promise<NetworkClient> {
    const broker = this.snapshot.broker(nodeId);
    if (broker === undefined) {
      this.requestUpdate();
      return Promise.reject(
        new ApiError('LEADER_NOT_AVAILABLE', `Broker ${nodeId} is not in the client's metadata (yet); refreshing.`),
      );
    }
    return this.pool.get(nodeId, broker);
  }

  /** Sends a request to broker `nodeId`. */
  async send<K extends number>(
    nodeId: number,
    apiKey: K,
    body: RequestOf<K>,
    options?: SendOptions,
  ): Promise<ResponseOf<K>> {
    const client = await this.connection(nodeId);
    return client.send(apiKey, API_VERSION, body, { ...options, expectResponse: true });
  }

  /** Sends a group request to broker `nodeId` on its coordinator connection (see the header). */
  async sendToCoordinator<K extends number>(
    nodeId: number,
    apiKey: K,
    body: RequestOf<K>,
    options?: SendOptions,
  ): Promise<ResponseOf<K>> {
    const broker = this.snapshot.broker(nodeId);
    if (broker === undefined) {
      this.requestUpdate();
      throw new ApiError(
        'COORDINATOR_NOT_AVAILABLE',
        `Coordinator ${nodeId} is not in the client's metadata (any more); finding the coordinator again.`,
      );
    }
    const client = await this.pool.get(coordinatorKey(nodeId), broker);
    return client.send(apiKey, API_VERSION, body, { ...options, expectResponse: true });
  }

  /** Sends a request to the least loaded broker (Kafka's `leastLoadedNode`): for requests any broker answers. */
  async sendToAny<K extends number>(apiKey: K, body: RequestOf<K>, options?: SendOptions): Promise<ResponseOf<K>> {
    const client = await this.leastLoadedConnection();
    return client.send(apiKey, API_VERSION, body, { ...options, expectResponse: true });
  }

  /**
   * Sends a request to the controller (CreateTopics, DeleteTopics, CreatePartitions). Rejects with a retriable
   * ApiError NOT_CONTROLLER when no controller is known, after requesting a refresh.
   */
  async sendToController<K extends number>(
    apiKey: K,
    body: RequestOf<K>,
    options?: SendOptions,
  ): Promise<ResponseOf<K>> {
    const controllerId = this.snapshot.controllerId;
    if (controllerId < 0) {
      await this.refresh();
      if (this.snapshot.controllerId < 0) {
        throw new ApiError(
          'NOT_CONTROLLER',
          'No controller is known to the cluster yet; retrying after a metadata refresh.',
        );
      }
    }
    return this.send(this.snapshot.controllerId, apiKey, body, options);
  }

  /** Cancels timers, wakes waiters and closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.updateTimer !== null) clearTimeout(this.updateTimer);
    if (this.periodicTimer !== null) clearTimeout(this.periodicTimer);
    this.wakeWaiters();
    await this.pool.close();
  }

  private async doRefresh(): Promise<ClusterMetadata> {
    this.lastRefreshAttemptMs = this.options.time.hiResMs();
    this.needUpdate = false;
    const allTopics = this.allTopics;
    const topics = allTopics ? null : [...this.topicsOfInterest].map((name) => ({ name }));
    try {
      const client = await this.leastLoadedConnection();
      const response = await client.send(ApiKey.Metadata, API_VERSION, {
        topics,
        allowAutoTopicCreation: this.options.allowAutoTopicCreation && !allTopics,
      });
      if (this.closed) throw new IllegalStateError('The client is closed.');
      const fresh = ClusterMetadata.fromResponse(response);
      this.snapshot = allTopics ? fresh : this.snapshot.merge(fresh);
      this.failedRefreshes = 0;
      for (const listener of this.updateListeners) listener(this.snapshot);
      this.schedulePeriodicRefresh();
      return this.snapshot;
    } catch (e) {
      this.failedRefreshes++;
      this.logger.debug({ err: e, failedRefreshes: this.failedRefreshes }, 'Metadata refresh failed');
      this.needUpdate = true;
      throw e;
    } finally {
      this.wakeWaiters();
    }
  }

  /**
   * The connection for a request any broker answers (see the header): among the brokers of the current metadata
   * (the bootstrap servers before there are any), leaving out unresponsive ones while others remain, the live
   * connection with the fewest pending requests, else a new connection to one whose reconnect backoff has passed,
   * in turn; when none of them is connected or due, a bootstrap server in turn.
   */
  private async leastLoadedConnection(): Promise<NetworkClient> {
    const now = this.options.time.hiResMs();
    const brokers: Array<[number, BrokerAddress]> = [...this.snapshot.brokers.values()].map((b) => [b.nodeId, b]);
    const bootstrap: Array<[number, BrokerAddress]> = this.options.bootstrapServers.map((a, i) => [-1 - i, a]);
    const responsive = (nodes: Array<[number, BrokerAddress]>): Array<[number, BrokerAddress]> => {
      const kept = nodes.filter(([, a]) => (this.unresponsiveUntil.get(addressKey(a)) ?? 0) <= now);
      return kept.length > 0 ? kept : nodes;
    };
    const known = responsive(brokers.length > 0 ? brokers : bootstrap);
    if (known.length === 0) throw new IllegalStateError('No brokers and no bootstrap servers to connect to.');
    // Rotate the starting point so that equally loaded brokers, and dead ones, take turns.
    const start = this.bootstrapIndex++;
    const inTurn = (nodes: Array<[number, BrokerAddress]>) => nodes.map((_, i) => nodes[(start + i) % nodes.length]!);
    let best: NetworkClient | undefined;
    for (const [key] of inTurn(known)) {
      const client = this.pool.ready(key);
      if (client !== undefined && (best === undefined || client.pendingRequests < best.pendingRequests)) best = client;
    }
    if (best !== undefined) return best;
    const candidates = [...inTurn(known), ...(brokers.length > 0 ? inTurn(responsive(bootstrap)) : [])];
    const chosen = candidates.find(([key]) => this.pool.backoffRemainingMs(key) === 0) ?? candidates[0]!;
    return this.pool.get(chosen[0], chosen[1]);
  }

  /** The address of a broker of the metadata (also by its coordinator key) or of a bootstrap server (negative keys). */
  private addressOf(nodeKey: number): BrokerAddress | undefined {
    if (nodeKey < 0) return this.options.bootstrapServers[-1 - nodeKey];
    return this.snapshot.broker(nodeKey >= COORDINATOR_KEYS_FROM ? coordinatorKey(nodeKey) : nodeKey);
  }

  private schedulePeriodicRefresh(): void {
    if (this.periodicTimer !== null) clearTimeout(this.periodicTimer);
    if (this.closed) return;
    this.periodicTimer = setTimeout(() => {
      this.periodicTimer = null;
      this.refresh().catch(() => {
        /* retried by requestUpdate */
      });
    }, this.options.metadataMaxAgeMs);
    this.periodicTimer.unref();
  }

  private wakeWaiters(): void {
    const waiters = this.updateWaiters;
    this.updateWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** Pool keys at and above this are coordinator connections: `coordinatorKey(id)`, its own inverse. */
const COORDINATOR_KEYS_FROM = 0x40000000;

/** The pool key of the coordinator connection to broker `nodeId` (and back). */
function coordinatorKey(nodeId: number): number {
  return 0x7fffffff - nodeId;
}

function addressKey(address: BrokerAddress): string {
  return `${address.host}:${address.port}`;
}
