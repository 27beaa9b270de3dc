/**
 * The client's connections: at most one `NetworkClient` per broker (many requests in flight on it), made on
 * first use and remade after a loss, with Kafka's reconnect backoff.
 *
 * Layout: a `NodeConnection` per node key. Brokers are keyed by their broker id; bootstrap addresses, whose ids
 * are not known yet, by negative keys (-1, -2, ...), as Kafka's client does.
 * Invariants: at most one connect attempt per node at a time (concurrent callers share it); after a failed
 * attempt or a lost connection the next attempt waits `reconnectBackoff.backoffMs(failures)` (exponential with
 * jitter, `reconnect.backoff.ms` up to `reconnect.backoff.max.ms`); a success resets the failure count. A node
 * whose address changed (a broker restarted elsewhere) is reconnected at the new address.
 * Concurrency: all on the event loop; `get()` may be awaited by many callers at once.
 * Lifecycle: owned by one `ClientCluster`; `close()` closes every connection and makes later `get()` calls fail.
 */
import { ConnectionError, IllegalStateError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Time } from '../common/time.js';
import { NetworkClient } from '../network/network-client.js';
import type { ClientSecurity } from '../network/security/client-security.js';
import type { BrokerAddress } from './client-options.js';
import { ExponentialBackoff, sleep } from './retry.js';

export interface ConnectionPoolOptions {
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxInFlightRequests: number;
  security: ClientSecurity;
  reconnectBackoff: ExponentialBackoff;
  time: Time;
  logger: Logger;
  /** Called when an established connection is lost (not when the pool closes it). */
  onConnectionLost: (nodeKey: number, cause: ConnectionError) => void;
}

class NodeConnection {
  client: NetworkClient | null = null;
  connecting: Promise<NetworkClient> | null = null;
  failures = 0;
  /** Monotonic time before which no new attempt starts. */
  nextAttemptMs = 0;
  constructor(public address: BrokerAddress) {}
}

export class ConnectionPool {
  private readonly nodes = new Map<number, NodeConnection>();
  private closed = false;

  constructor(private readonly options: ConnectionPoolOptions) {}

  /** The live connection to a node, if there is one (no I/O). */
  ready(nodeKey: number): NetworkClient | undefined {
    const client = this.nodes.get(nodeKey)?.client;
    return client?.connected ? client : undefined;
  }

  /** Keys of nodes with a live connection. */
  readyNodes(): number[] {
    const out: number[] = [];
    for (const [key, node] of this.nodes) if (node.client?.connected) out.push(key);
    return out;
  }

  /** Time until the next connect attempt to a node may start (0 when it may start now). */
  backoffRemainingMs(nodeKey: number): number {
    const node = this.nodes.get(nodeKey);
    return node === undefined ? 0 : Math.max(0, node.nextAttemptMs - this.options.time.hiResMs());
  }

  /**
   * The connection to `nodeKey` at `address`: the live one, or a new one once the reconnect backoff has passed.
   * Rejects with ConnectionError when the attempt fails, and with IllegalStateError (not retriable) once the pool is closed.
   */
  get(nodeKey: number, address: BrokerAddress): Promise<NetworkClient> {
    if (this.closed) return Promise.reject(this.closedError());
    let node = this.nodes.get(nodeKey);
    if (node === undefined) {
      node = new NodeConnection(address);
      this.nodes.set(nodeKey, node);
    } else if (node.address.host !== address.host || node.address.port !== address.port) {
      this.options.logger.info({ nodeKey, from: node.address, to: address }, 'Broker address changed; reconnecting');
      node.address = address;
      void node.client?.close();
      node.client = null;
      node.connecting = null;
    }
    if (node.client?.connected) return Promise.resolve(node.client);
    node.connecting ??= this.connect(nodeKey, node);
    return node.connecting;
  }

  /** Closes every connection; later `get()` calls reject. */
  async close(): Promise<void> {
    this.closed = true;
    const clients: NetworkClient[] = [];
    for (const node of this.nodes.values()) if (node.client !== null) clients.push(node.client);
    this.nodes.clear();
    await Promise.all(clients.map((c) => c.close()));
  }

  private async connect(nodeKey: number, node: NodeConnection): Promise<NetworkClient> {
    const o = this.options;
    try {
      const waitMs = node.nextAttemptMs - o.time.hiResMs();
      if (waitMs > 0) await sleep(waitMs);
      if (this.closed) throw this.closedError();
      const client = await NetworkClient.connect({
        host: node.address.host,
        port: node.address.port,
        clientId: o.clientId,
        connectTimeoutMs: o.connectTimeoutMs,
        requestTimeoutMs: o.requestTimeoutMs,
        maxInFlightRequests: o.maxInFlightRequests,
        security: o.security,
        logger: o.logger,
        onDisconnect: (cause) => this.onDisconnect(nodeKey, node, client, cause),
      });
      if (this.closed || this.nodes.get(nodeKey) !== node || node.connecting === null) {
        void client.close();
        throw this.closed ? this.closedError() : new ConnectionError(`Connection to node ${nodeKey} was superseded.`);
      }
      node.client = client;
      node.failures = 0;
      return client;
    } catch (e) {
      node.nextAttemptMs = o.time.hiResMs() + o.reconnectBackoff.backoffMs(node.failures++);
      // Kafka's NetworkClient warning, once per streak of failures (each retry would repeat it every second).
      const level = node.failures === 1 && !this.closed ? 'warn' : 'debug';
      o.logger[level](
        { component: 'ConnectionPool', nodeKey, address: node.address, err: e },
        `Connection to node ${nodeKey} (${node.address.host}:${node.address.port}) could not be established ` +
          `(${socketErrorOf(e)}). Broker may not be available.`,
      );
      throw e;
    } finally {
      node.connecting = null;
    }
  }

  private onDisconnect(nodeKey: number, node: NodeConnection, client: NetworkClient, cause: ConnectionError): void {
    if (node.client !== client) return;
    node.client = null;
    node.nextAttemptMs = this.options.time.hiResMs() + this.options.reconnectBackoff.backoffMs(node.failures++);
    if (!this.closed) this.options.onConnectionLost(nodeKey, cause);
  }

  /** Not retriable, unlike a lost connection: retry loops still running when their client closes end at once. */
  private closedError(): IllegalStateError {
    return new IllegalStateError('The client is closed; create a new one to talk to the cluster.');
  }
}

/** The socket's own error (`connect ECONNREFUSED 127.0.0.1:1`) behind a failed attempt, else the error itself. */
function socketErrorOf(e: unknown): string {
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e);
}
