/**
 * The msgpack wire protocol from the server's side (the native one, `MQ` in `listener.wire.protocol.map`): a
 * request frame is one msgpack map `{apiKey, apiVersion, correlationId, clientId, body}`, a response frame
 * `{correlationId, body}`.
 *
 * Decoding: msgpack value → request envelope (header types checked; a malformed one cannot be answered) →
 * ApiVersions lookup (unknown key or version → UNSUPPORTED_VERSION) → the API's validator (→ INVALID_REQUEST).
 * Errors travel as an `ErrorResponse` body `{errorCode, errorMessage}`; an ApiVersions request of a version not
 * served still gets the list of versions, as Kafka does, so that the client can downgrade.
 *
 * Ownership: owns one FrameEncoder, shared by every connection of its listener (encoding is synchronous).
 */
import { ApiError } from '../common/errors.js';
import { ApiKey, apiKeyName } from './api-keys.js';
import type { ApiVersionRange, ApiVersions } from './api-versions.js';
import { FrameEncoder } from './frame-encoder.js';
import { decodeFrameValue } from './msgpack.js';
import { readRequestEnvelope, type RequestHeader } from './request-header.js';
import { errorResponse } from './response-header.js';
import type { DecodedRequest, ServerCodec } from './server-codec.js';

export class MqServerCodec implements ServerCodec {
  readonly wireProtocol = 'MQ';
  readonly apiVersions: readonly ApiVersionRange[];
  private readonly encoder = new FrameEncoder();

  constructor(private readonly definitions: ApiVersions) {
    this.apiVersions = definitions.ranges();
  }

  decodeRequest(frame: Buffer): DecodedRequest {
    const envelope = readRequestEnvelope(decodeFrameValue(frame));
    const header: RequestHeader = envelope;
    const definition = this.definitions.get(header.apiKey);
    if (
      definition === undefined ||
      header.apiVersion < definition.minVersion ||
      header.apiVersion > definition.maxVersion
    ) {
      return { header, body: undefined, error: this.unsupportedVersion(header) };
    }
    try {
      return { header, body: definition.validateRequest(envelope.body), error: null };
    } catch (e) {
      if (e instanceof ApiError) return { header, body: undefined, error: e };
      throw e;
    }
  }

  encodeResponse(request: DecodedRequest, body: object): Buffer[] {
    return this.encoder.encode({ correlationId: request.header.correlationId, body });
  }

  encodeError(request: DecodedRequest, error: ApiError): Buffer[] {
    const { header } = request;
    const body =
      header.apiKey === ApiKey.ApiVersions && error.errorName === 'UNSUPPORTED_VERSION'
        ? { ...errorResponse(error), apiKeys: this.apiVersions, throttleTimeMs: 0 }
        : errorResponse(error);
    return this.encoder.encode({ correlationId: header.correlationId, body });
  }

  private unsupportedVersion(header: RequestHeader): ApiError {
    const definition = this.definitions.get(header.apiKey);
    const name = apiKeyName(header.apiKey);
    return new ApiError(
      'UNSUPPORTED_VERSION',
      definition === undefined
        ? `API key ${header.apiKey} (${name}) is not served by this broker; send ApiVersions to list what is.`
        : `${name} v${header.apiVersion} is not supported; this broker serves ${name} ` +
            `v${definition.minVersion} to v${definition.maxVersion}.`,
    );
  }
}
