/**
 * What a request handler knows about the request beyond its body: who sent it (the connection's principal after
 * TLS and SASL), from where, on which listener, when, and how large it was. One per request, created by the
 * connection that decoded it; the dispatcher sets `throttleTimeMs` when a quota delays the client, and the
 * connection mutes itself for that long once the response is written.
 */
import type { SecurityProtocol } from '../common/security-protocol.js';
import type { ApiVersionRange } from '../protocol/api-versions.js';
import type { RequestHeader } from '../protocol/request-header.js';
import type { WireProtocol } from '../protocol/server-codec.js';
import type { KafkaPrincipal } from './security/kafka-principal.js';

/** The listener a request arrived on. */
export interface ListenerInfo {
  /** The listener's name in `listeners` (`PLAINTEXT`): Metadata answers with each broker's endpoint of this name. */
  readonly name: string;
  readonly wireProtocol: WireProtocol;
  readonly securityProtocol: SecurityProtocol;
  /** What ApiVersions lists on this listener. */
  readonly apiVersions: readonly ApiVersionRange[];
}

export class RequestContext {
  /** Set by a handler to close the connection once this request's turn in the response order comes (after
   *  earlier responses, and this one if any, are written). Kafka closes the connection on an acks=0 produce
   *  error, since it cannot answer it. */
  closeConnectionAfterResponse = false;
  /**
   * Set by the dispatcher when a quota throttles the client: the response carries it, and the connection reads
   * nothing more from the client for that long once the response is written (KIP-219).
   */
  throttleTimeMs = 0;

  constructor(
    /** Unique per server: `<local address>-<remote address>-<sequence>`, as Kafka's connection id. */
    readonly connectionId: string,
    /** The peer, `host:port`. */
    readonly clientAddress: string,
    readonly header: RequestHeader,
    /** Wall-clock time the whole frame was received, in ms. */
    readonly receivedAtMs: number,
    readonly listener: ListenerInfo,
    /** Who sent it: User:ANONYMOUS unless TLS client authentication or SASL said otherwise. */
    readonly principal: KafkaPrincipal,
    /** Size of the request frame in bytes (what byte-rate quotas count for produce). */
    readonly requestBytes: number,
  ) {}

  /** The peer's address without the port: what ACL hosts and quotas match. */
  get clientHost(): string {
    const i = this.clientAddress.lastIndexOf(':');
    return i < 0 ? this.clientAddress : this.clientAddress.slice(0, i).replace(/^::ffff:/, '');
  }

  get clientId(): string | null {
    return this.header.clientId;
  }

  get apiKey(): number {
    return this.header.apiKey;
  }

  get apiVersion(): number {
    return this.header.apiVersion;
  }

  get correlationId(): number {
    return this.header.correlationId;
  }
}
