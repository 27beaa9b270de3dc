/**
 * The request envelope: the one msgpack map every request frame carries,
 * `{ apiKey: int16, apiVersion: int16, correlationId: int32, clientId: string|null, body: {...} }`
 * (Kafka's RequestHeader v1 fields plus the body). The decoded map itself is used as the header: reading it
 * checks the field types and allocates nothing.
 */
import { InvalidFrameError } from './invalid-frame-error.js';

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  /** Echoed in the response; the client matches responses to requests by it. */
  readonly correlationId: number;
  readonly clientId: string | null;
}

export interface RequestEnvelope extends RequestHeader {
  /** Validated later against the API's schema (a bad body is answered with INVALID_REQUEST). */
  readonly body: unknown;
}

const isInt16 = (v: unknown): v is number => typeof v === 'number' && (v << 16) >> 16 === v;
const isInt32 = (v: unknown): v is number => typeof v === 'number' && (v | 0) === v;

/**
 * Checks a decoded request value's header fields; returns the value typed as an envelope. Throws
 * InvalidFrameError when it is not a map or a header field has the wrong type: such a request cannot be
 * answered and the connection must be closed.
 */
export function readRequestEnvelope(value: unknown): RequestEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidFrameError(
      'A request frame must hold a msgpack map {apiKey, apiVersion, correlationId, ' +
        `clientId, body}; found ${Array.isArray(value) ? 'an array' : value === null ? 'nil' : typeof value}.`,
    );
  }
  const v = value as Record<string, unknown>;
  if (
    !isInt16(v['apiKey']) ||
    !isInt16(v['apiVersion']) ||
    !isInt32(v['correlationId']) ||
    (v['clientId'] !== null && typeof v['clientId'] !== 'string')
  ) {
    throw new InvalidFrameError(
      'Malformed request header: wanted apiKey int16, apiVersion int16, ' +
        `correlationId int32, clientId string|null; found ${describeHeader(v)}.`,
    );
  }
  return value as RequestEnvelope;
}

function describeHeader(v: Record<string, unknown>): string {
  return ['apiKey', 'apiVersion', 'correlationId', 'clientId']
    .map((k) => `${k}=${typeof v[k] === 'string' ? JSON.stringify(v[k]) : String(v[k])}`)
    .join(', ');
}
