/**
 * The wire protocol a listener speaks, from the server's side: how a request frame (the bytes after the 4-byte
 * length, which both protocols share) becomes a header and a validated body, and how a response body or a
 * whole-request error becomes the chunks of a response frame. Two implementations: `MqServerCodec` (msgpack, the
 * native protocol) and `KafkaServerCodec` (Apache Kafka's binary protocol, `kafka/`). Both hand the broker's
 * handlers the same body objects (Kafka 2.8 field names in camelCase) and take the same response objects back.
 *
 * Invariants: `decodeRequest` either returns a request that can be answered (a body that passed the API's
 * validator, or the ApiError to answer with) or throws InvalidFrameError, after which the connection is closed.
 * Encoders are synchronous and may be shared by every connection of a listener.
 */
import type { ApiError } from '../common/errors.js';
import type { ApiVersionRange } from './api-versions.js';
import type { RequestHeader } from './request-header.js';

/** The protocols a listener can speak (`listener.wire.protocol.map`). */
export type WireProtocol = 'MQ' | 'KAFKA';
export const WIRE_PROTOCOLS: readonly WireProtocol[] = ['MQ', 'KAFKA'];

export interface DecodedRequest {
  readonly header: RequestHeader;
  /** The validated body; undefined when `error` is set. */
  readonly body: unknown;
  /** Set when the request is answered with an error without reaching a handler (unsupported version, bad body). */
  readonly error: ApiError | null;
}

export interface ServerCodec {
  readonly wireProtocol: WireProtocol;
  /** The APIs and versions served on this listener: what its ApiVersions response lists. */
  readonly apiVersions: readonly ApiVersionRange[];
  /** Decodes one request frame. Throws InvalidFrameError when the frame cannot be answered. */
  decodeRequest(frame: Buffer): DecodedRequest;
  /** The chunks of the response frame carrying `body` (written with one corked writev). */
  encodeResponse(request: DecodedRequest, body: object): Buffer[];
  /**
   * The chunks of a response that fails the whole request with `error`, or null when this protocol has no way to
   * say so for this request (then the connection is closed, as Kafka closes it on a request it cannot answer).
   * Never throws.
   */
  encodeError(request: DecodedRequest, error: ApiError): Buffer[] | null;
}
