/**
 * Apache Kafka's binary protocol from the server's side (`KAFKA` in `listener.wire.protocol.map`): request frames
 * decoded into the body objects the broker's handlers take, response bodies encoded at the request's version.
 *
 * Pipeline per request frame: header (api key, api version, correlation id, nullable client id, plus tagged
 * fields in header v2) → the API's table (`messages/`) → the body decoder of that version (every byte must be
 * consumed) → the table's `adaptRequest` → the API's msgpack validator (the same checks as on the native
 * listener) → handler. The response: header v0/v1, then the table's `adaptResponse` and the body encoder.
 *
 * Answered as Kafka answers them:
 * - An api key not served here, a version outside the served range, or a body that does not decode: Kafka
 *   cannot parse such a request and closes the connection; so does this codec (InvalidFrameError).
 * - ApiVersions of a version not served: a v0 response with UNSUPPORTED_VERSION and, as Kafka sends since KIP-511,
 *   ApiVersions' own version range, so that the client retries with the highest version both sides know.
 * - A whole-request error (a body the validator refuses, a handler failure): in the response's top-level errorCode
 *   when the version has one; otherwise there is no way to say it and the connection is closed.
 *
 * Served APIs: every table in `messages/` whose api key the broker has a handler and a msgpack definition for.
 * Ownership: owns one KafkaWriter, shared by the listener's connections (encoding is synchronous).
 */
import { ApiError } from '../../common/errors.js';
import type { ApiDefinition } from '../api-definition.js';
import { ApiKey, apiKeyName } from '../api-keys.js';
import type { ApiVersionRange, ApiVersions } from '../api-versions.js';
import { InvalidFrameError } from '../invalid-frame-error.js';
import type { RequestHeader } from '../request-header.js';
import type { DecodedRequest, ServerCodec } from '../server-codec.js';
import type { KafkaApi } from './kafka-api.js';
import { KafkaReader } from './kafka-reader.js';
import { KafkaWriter, type KafkaWriterOptions } from './kafka-writer.js';
import { KAFKA_API_VERSIONS } from './messages/api-versions.js';
import { KAFKA_APIS } from './messages/index.js';

interface ServedApi {
  readonly api: KafkaApi;
  readonly definition: ApiDefinition;
}

export class KafkaServerCodec implements ServerCodec {
  readonly wireProtocol = 'KAFKA';
  readonly apiVersions: readonly ApiVersionRange[];
  private readonly served = new Map<number, ServedApi>();
  private readonly writer: KafkaWriter;

  /** `definitions`: the APIs the broker handles (their validators); the Kafka listener serves those with a table. */
  constructor(definitions: ApiVersions, writerOptions: KafkaWriterOptions = {}) {
    for (const api of KAFKA_APIS) {
      const definition = definitions.get(api.apiKey);
      if (definition !== undefined) this.served.set(api.apiKey, { api, definition });
    }
    this.apiVersions = [...this.served.values()]
      .map(({ api }) => ({ apiKey: api.apiKey, minVersion: api.minVersion, maxVersion: api.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
    this.writer = new KafkaWriter(writerOptions);
  }

  decodeRequest(frame: Buffer): DecodedRequest {
    const r = new KafkaReader(frame);
    r.field = 'request header';
    const apiKey = r.int16();
    const apiVersion = r.int16();
    const correlationId = r.int32();
    const served = this.served.get(apiKey);
    if (served === undefined) {
      throw new InvalidFrameError(
        `API key ${apiKey} (${apiKeyName(apiKey)}) is not served on this Kafka listener; ` +
          'ApiVersions lists the APIs it serves.',
      );
    }
    const { api, definition } = served;
    const clientId = r.string(false, true);
    if (api.requestHeaderVersion(apiVersion) === 2) r.skipTaggedFields();
    const header: RequestHeader = { apiKey, apiVersion, correlationId, clientId };
    if (apiVersion < api.minVersion || apiVersion > api.maxVersion) {
      const served = `${api.name} v${api.minVersion} to v${api.maxVersion}`;
      if (apiKey === ApiKey.ApiVersions) {
        const error = new ApiError('UNSUPPORTED_VERSION', `ApiVersions v${apiVersion} is not served; use ${served}.`);
        return { header, body: undefined, error };
      }
      throw new InvalidFrameError(
        `${api.name} v${apiVersion} is not served on this Kafka listener (${served}); the client must pick a ` +
          'version from the ApiVersions response.',
      );
    }
    let body: Record<string, unknown>;
    try {
      body = api.request(apiVersion).read(r);
      r.field = '';
      if (r.remaining > 0) throw r.fail(`${r.remaining} bytes are left over after the body`);
    } catch (e) {
      if (!(e instanceof InvalidFrameError)) throw e;
      throw new InvalidFrameError(`Malformed ${api.name} v${apiVersion} request: ${e.message}.`, { cause: e });
    }
    try {
      api.adaptRequest(body, apiVersion);
      return { header, body: definition.validateRequest(body), error: null };
    } catch (e) {
      if (e instanceof ApiError) return { header, body: undefined, error: e };
      throw e;
    }
  }

  encodeResponse(request: DecodedRequest, body: object): Buffer[] {
    const { apiKey, apiVersion, correlationId } = request.header;
    const { api } = this.served.get(apiKey)!;
    const response = api.adaptResponse(body, apiVersion, request.body);
    return this.frame(correlationId, api.responseHeaderVersion(apiVersion), (w) =>
      api.response(apiVersion).write(w, response),
    );
  }

  encodeError(request: DecodedRequest, error: ApiError): Buffer[] | null {
    const { apiKey, apiVersion, correlationId } = request.header;
    const { api } = this.served.get(apiKey)!;
    try {
      if (apiVersion < api.minVersion || apiVersion > api.maxVersion) {
        const apiKeys = this.apiVersions.filter((range) => range.apiKey === ApiKey.ApiVersions);
        const body = { errorCode: error.errorCode, apiKeys };
        return this.frame(correlationId, 0, (w) => KAFKA_API_VERSIONS.response(0).write(w, body));
      }
      if (!api.responseHasErrorCode(apiVersion)) return null;
      return this.encodeResponse(request, { errorCode: error.errorCode, errorMessage: error.message });
    } catch {
      return null; // an error body this version cannot carry: closing says it
    }
  }

  private frame(correlationId: number, headerVersion: 0 | 1, writeBody: (w: KafkaWriter) => void): Buffer[] {
    const w = this.writer;
    w.begin();
    try {
      w.int32(correlationId);
      if (headerVersion === 1) w.uvarint(0);
      writeBody(w);
    } catch (e) {
      w.abort();
      throw e;
    }
    return w.finish();
  }
}
