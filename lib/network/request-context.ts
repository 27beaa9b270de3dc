/**
 * What a request handler knows about the request beyond its body: where it came from, on which listener, and
 * when. One per request, created by the connection that decoded it.
 */
import type { ApiVersionRange } from '../protocol/api-versions.js';
import type { RequestHeader } from '../protocol/request-header.js';
import type { WireProtocol } from '../protocol/server-codec.js';

/** The listener a request arrived on. */
export interface ListenerInfo {
  /** The listener's name in `listeners` (`PLAINTEXT`): Metadata answers with each broker's endpoint of this name. */
  readonly name: string;
  readonly wireProtocol: WireProtocol;
  /** What ApiVersions lists on this listener. */
  readonly apiVersions: readonly ApiVersionRange[];
}

export class RequestContext {
  /** Set by a handler to close the connection once this request's turn in the response order comes (after
   *  earlier responses, and this one if any, are written). Kafka closes the connection on an acks=0 produce
   *  error, since it cannot answer it. */
  closeConnectionAfterResponse = false;

  constructor(
    /** Unique per server: `<local address>-<remote address>-<sequence>`, as Kafka's connection id. */
    readonly connectionId: string,
    /** The peer, `host:port`. */
    readonly clientAddress: string,
    readonly header: RequestHeader,
    /** Wall-clock time the whole frame was received, in ms. */
    readonly receivedAtMs: number,
    readonly listener: ListenerInfo,
  ) {}

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
