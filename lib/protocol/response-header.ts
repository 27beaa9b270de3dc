/**
 * The response envelope: `{ correlationId: int32, body: {...} }`. Error codes live inside the body: per
 * partition where Kafka has them, and a top-level `errorCode` (with `errorMessage`) when the whole request
 * failed (`ErrorResponse`).
 */
import { ApiError } from '../common/errors.js';
import { InvalidFrameError } from './invalid-frame-error.js';

export interface ResponseEnvelope {
  readonly correlationId: number;
  readonly body: Record<string, unknown>;
}

/** The body of a response to a request that failed as a whole (unsupported version, invalid body, handler error). */
export interface ErrorResponse {
  errorCode: number;
  errorMessage: string | null;
}

export function errorResponse(error: ApiError): ErrorResponse {
  return { errorCode: error.errorCode, errorMessage: error.message };
}

/** Checks a decoded response value; throws InvalidFrameError when it is not `{correlationId, body}`. */
export function readResponseEnvelope(value: unknown): ResponseEnvelope {
  const v = value as Record<string, unknown> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v['correlationId'] !== 'number' ||
    (v['correlationId'] | 0) !== v['correlationId'] ||
    typeof v['body'] !== 'object' ||
    v['body'] === null
  ) {
    throw new InvalidFrameError(
      'A response frame must hold a msgpack map {correlationId: int32, body: map}; ' +
        `found ${v === null ? 'nil' : typeof v === 'object' ? `keys ${Object.keys(v).join(',')}` : typeof v}.`,
    );
  }
  return value as ResponseEnvelope;
}
