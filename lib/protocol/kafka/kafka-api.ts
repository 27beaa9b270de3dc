/**
 * One API as served on a Kafka-protocol listener: its key, the versions served, which of them are flexible, the
 * request and response field tables, and the codecs derived from them for every served version. Each module in
 * `messages/` defines one with `defineKafkaApi`.
 *
 * Most version differences are field presence and defaults, which the tables express. The few that change meaning
 * (Metadata v0's empty topic list meaning "all", LeaveGroup v0-2's single member id, ...) are the optional
 * `adaptRequest`/`adaptResponse` of the API's table, so that handlers see one body shape whatever the version.
 *
 * Header versions (Kafka's protocol guide): requests use header v2 (v1 plus tagged fields) in flexible versions
 * and v1 (api key, api version, correlation id, nullable client id) otherwise; responses use header v1 (correlation
 * id plus tagged fields) in flexible versions and v0 otherwise, except ApiVersions, whose response header is always
 * v0 so that a client that does not know the broker's versions yet can read it.
 *
 * Invariants: minVersion <= maxVersion; codecs exist for exactly the served versions. Immutable once defined.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import { ApiKey } from '../api-keys.js';
import { compileMessage, type MessageCodec } from './message-codec.js';
import { inVersions, parseVersions, type Field, type VersionRange } from './kafka-schema.js';

export interface KafkaApiSpec<Req, Res> {
  apiKey: number;
  /** Kafka's name of the API: `'Produce'`. */
  name: string;
  /** The versions served, e.g. `'3-9'`. */
  versions: string;
  /** The versions that are flexible (compact encodings, tagged fields), e.g. `'9+'`; none when omitted. */
  flexibleVersions?: string;
  request: readonly Field[];
  response: readonly Field[];
  /** Brings a decoded request of `version` to the handlers' body shape, in place. May throw ApiError to answer with. */
  adaptRequest?: (body: Record<string, unknown>, version: number) => void;
  /** The response to encode at `version`, when that version says something differently (a new object). */
  adaptResponse?: (body: Res, version: number, request: Req) => Res;
}

export interface KafkaApi {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  isFlexible(version: number): boolean;
  /** The request codec of a served version. */
  request(version: number): MessageCodec;
  /** The response codec of a served version. */
  response(version: number): MessageCodec;
  /** Whether the response of `version` has a top-level errorCode, which can carry a whole-request error. */
  responseHasErrorCode(version: number): boolean;
  requestHeaderVersion(version: number): 1 | 2;
  responseHeaderVersion(version: number): 0 | 1;
  adaptRequest(body: Record<string, unknown>, version: number): void;
  adaptResponse(body: object, version: number, request: unknown): object;
}

export function defineKafkaApi<Req, Res>(spec: KafkaApiSpec<Req, Res>): KafkaApi {
  const served = parseVersions(spec.versions);
  if (served.max === Infinity) {
    throw new InvalidArgumentError(`${spec.name}: served versions must be bounded; found '${spec.versions}'.`);
  }
  const flexible: VersionRange | null = spec.flexibleVersions ? parseVersions(spec.flexibleVersions) : null;
  const requests = new Map<number, MessageCodec>();
  const responses = new Map<number, MessageCodec>();
  const errorCodeVersions = new Set<number>();
  for (let v = served.min; v <= served.max; v++) {
    requests.set(v, compileMessage(spec.request, v, inVersions(v, flexible)));
    responses.set(v, compileMessage(spec.response, v, inVersions(v, flexible)));
    if (spec.response.some((f) => f.name === 'errorCode' && inVersions(v, f.versions))) errorCodeVersions.add(v);
  }
  const codec = (map: Map<number, MessageCodec>, version: number) => {
    const c = map.get(version);
    if (c === undefined) {
      throw new InvalidArgumentError(`${spec.name} v${version} is not served (v${served.min} to v${served.max}).`);
    }
    return c;
  };
  const { adaptRequest, adaptResponse } = spec;
  return {
    apiKey: spec.apiKey,
    name: spec.name,
    minVersion: served.min,
    maxVersion: served.max,
    isFlexible: (v) => inVersions(v, flexible),
    request: (v) => codec(requests, v),
    response: (v) => codec(responses, v),
    responseHasErrorCode: (v) => errorCodeVersions.has(v),
    requestHeaderVersion: (v) => (inVersions(v, flexible) ? 2 : 1),
    responseHeaderVersion: (v) => (spec.apiKey !== ApiKey.ApiVersions && inVersions(v, flexible) ? 1 : 0),
    adaptRequest: adaptRequest ?? (() => undefined),
    adaptResponse: adaptResponse
      ? (body, version, request) => adaptResponse(body as Res, version, request as Req) as object
      : (body) => body,
  };
}
