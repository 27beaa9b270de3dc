/**
 * Connections from this broker to the other brokers (itself included, over loopback) for one kind of coordinator
 * work — delayed delivery appending to target leaders, the group coordinator asking partition leaders for record
 * timestamps: one NetworkClient per broker, on its inter-broker endpoint, opened on first use, dropped when a request
 * on it fails (the next request opens a new one) and closed by `close()`.
 *
 * Concurrency: any number of requests may be in flight to one broker (up to `maxInFlightRequests`, then they queue
 * in the NetworkClient in order). Ownership: the component that made it closes it.
 */
import { ConnectionError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { NetworkClient } from '../network/network-client.js';
import type { ClientSecurity } from '../network/security/client-security.js';
import type { RequestOf, ResponseOf } from '../protocol/messages/index.js';
import type { MetadataCache } from '../replication/metadata-cache.js';

export interface BrokerClientsOptions {
  brokerId: number;
  /** Names the connections in the other brokers' logs: `broker-<id>-<purpose>`. */
  purpose: string;
  metadataCache: Pick<MetadataCache, 'broker'>;
  requestTimeoutMs: number;
  maxInFlightRequests: number;
  /** The inter-broker listener's client security (TLS, SASL); none on a PLAINTEXT one. */
  security?: ClientSecurity;
  logger: Logger;
}

export class BrokerClients {
  private readonly clients = new Map<number, Promise<NetworkClient>>();
  private closed = false;

  constructor(private readonly opts: BrokerClientsOptions) {}

  /** Sends one request (api version 0) to broker `brokerId`; rejects with ConnectionError when it cannot be reached. */
  async send<K extends number>(brokerId: number, apiKey: K, body: RequestOf<K>): Promise<ResponseOf<K>> {
    const pending = this.client(brokerId);
    try {
      return await (await pending).send(apiKey, 0, body);
    } catch (err) {
      if (this.clients.get(brokerId) === pending) this.drop(brokerId);
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.clients.keys()]) this.drop(id);
  }

  private client(brokerId: number): Promise<NetworkClient> {
    const known = this.clients.get(brokerId);
    if (known !== undefined) return known;
    const broker = this.opts.metadataCache.broker(brokerId);
    if (this.closed || broker === undefined || broker.port < 0) {
      return Promise.reject(
        new ConnectionError(
          this.closed
            ? `Connections for ${this.opts.purpose} are closed.`
            : `Broker ${brokerId} is not alive or has no inter-broker endpoint.`,
        ),
      );
    }
    const client = NetworkClient.connect({
      host: broker.host,
      port: broker.port,
      clientId: `broker-${this.opts.brokerId}-${this.opts.purpose}`,
      requestTimeoutMs: this.opts.requestTimeoutMs,
      maxInFlightRequests: this.opts.maxInFlightRequests,
      security: this.opts.security,
      logger: this.opts.logger,
      onDisconnect: () => {
        if (this.clients.get(brokerId) === client) this.clients.delete(brokerId);
      },
    });
    client.catch(() => {
      if (this.clients.get(brokerId) === client) this.clients.delete(brokerId);
    });
    this.clients.set(brokerId, client);
    return client;
  }

  private drop(brokerId: number): void {
    const client = this.clients.get(brokerId);
    this.clients.delete(brokerId);
    void client?.then((c) => c.close()).catch(() => undefined);
  }
}
