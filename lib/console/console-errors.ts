/**
 * How a console request fails on purpose, in the package's error model (MqError, stable code): `ConsoleError`
 * carries the HTTP status the server answers with and a message that says what to change. Everything else a
 * handler throws (ApiError from the cluster, InvalidArgumentError from validation, TimeoutError, ...) is mapped
 * to a status by `httpStatusOf`.
 */
import { ApiError, ConnectionError, InvalidArgumentError, MqError, TimeoutError } from '../common/errors.js';

export class ConsoleError extends MqError {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('MQ_ERR_CONSOLE_REQUEST', message, options);
  }
}

const NOT_FOUND = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'GROUP_ID_NOT_FOUND']);
const CONFLICT = new Set(['TOPIC_ALREADY_EXISTS', 'NON_EMPTY_GROUP', 'UNKNOWN_MEMBER_ID', 'REASSIGNMENT_IN_PROGRESS']);

/** The HTTP status for an error a handler threw. */
export function httpStatusOf(error: unknown): number {
  if (error instanceof ConsoleError) return error.status;
  if (error instanceof InvalidArgumentError) return 400;
  if (error instanceof ApiError) {
    if (NOT_FOUND.has(error.errorName)) return 404;
    if (CONFLICT.has(error.errorName)) return 409;
    return error.retriable ? 503 : 400;
  }
  if (error instanceof TimeoutError) return 504;
  if (error instanceof ConnectionError) return 502;
  return 500;
}
