/**
 * The one error model shared by broker and client.
 *
 * - `ApiError` carries a wire code from `error-codes.ts` (name, numeric code, retriable flag). Broker code
 *   throws it where a request must be answered with that code; the client raises it when a response carries it.
 * - Local errors never cross the wire; each has a stable string `code` (`MQ_ERR_*`) to match on across
 *   package boundaries, and an optional `cause`.
 *
 * Messages say what was wanted, what was found, and what fixes it.
 */
import { ERROR_CODES, errorNameOf, type ErrorName } from './error-codes.js';

/** Base of every error this package throws. `code` is stable; match on it rather than on messages. */
export class MqError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An error with a Kafka wire code. `retriable` follows Kafka's `RetriableException` hierarchy. */
export class ApiError extends MqError {
  readonly errorCode: number;
  readonly errorName: ErrorName;
  readonly retriable: boolean;
  constructor(errorName: ErrorName, message?: string, options?: { cause?: unknown }) {
    const entry = ERROR_CODES[errorName];
    super(errorName, message ?? entry.message, options);
    this.errorName = errorName;
    this.errorCode = entry.code;
    this.retriable = entry.retriable;
  }
}

/** One record a validation refused: its index in its batch (Kafka's `RecordError`). */
export interface RecordError {
  batchIndex: number;
  message: string;
}

/**
 * INVALID_RECORD for records that failed the broker's validation, naming them (Kafka's RecordValidationException);
 * a produce response lists them in `recordErrors`.
 */
export class RecordValidationError extends ApiError {
  constructor(
    message: string,
    readonly recordErrors: readonly RecordError[],
  ) {
    super('INVALID_RECORD', message);
  }
}

/** Builds the `ApiError` for a wire code; unknown codes become UNKNOWN_SERVER_ERROR. */
export function apiErrorFromCode(code: number, message?: string): ApiError {
  const name = errorNameOf(code);
  return new ApiError(
    name,
    message ??
      (name === 'UNKNOWN_SERVER_ERROR' && code !== -1 ? `Unknown error code ${code} from the server.` : undefined),
  );
}

/** A caller passed something invalid (an option, an argument). A programming or configuration error. */
export class InvalidArgumentError extends MqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQ_ERR_INVALID_ARG', message, options);
  }
}

/** An invariant that the code relies on does not hold: a bug, never user input. */
export class IllegalStateError extends MqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQ_ERR_ILLEGAL_STATE', message, options);
  }
}

/** A local wait ran out (not the wire's REQUEST_TIMED_OUT, which is an `ApiError`). */
export class TimeoutError extends MqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQ_ERR_TIMEOUT', message, options);
  }
}

/** A connection could not be made or was lost. */
export class ConnectionError extends MqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQ_ERR_CONNECTION', message, options);
  }
}

/**
 * A TLS handshake failed: the peer's certificate did not verify, the host name did not match, the peer does not
 * speak TLS, or it refused ours. Not retriable: the configuration must change (Kafka's SslAuthenticationException).
 */
export class SslAuthenticationError extends MqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQ_ERR_SSL_AUTHENTICATION', message, options);
  }
}

/** An index file on disk does not match its segment; the loader rebuilds it. Names file, found and expected. */
export class CorruptIndexError extends MqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQ_ERR_CORRUPT_INDEX', message, options);
  }
}

/** A producer state snapshot failed its checks (version, size, CRC); the log rebuilds the state from older data. */
export class CorruptSnapshotError extends MqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQ_ERR_CORRUPT_SNAPSHOT', message, options);
  }
}

/** Asserts an invariant; throws `IllegalStateError` with the message when it does not hold. */
export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new IllegalStateError(typeof message === 'function' ? message() : message);
}

/**
 * `value` if it is an Error, else an MqError (`MQ_ERR_NON_ERROR_THROWN`) that carries it as `cause`: for code that
 * catches whatever an application callback threw and must hand on an Error.
 */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new MqError('MQ_ERR_NON_ERROR_THROWN', `A value that is not an Error was thrown: ${String(value)}`, {
    cause: value,
  });
}
