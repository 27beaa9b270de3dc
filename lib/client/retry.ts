/**
 * The client's retry policy, in one place: what may be retried, how long to pause, and when to give up.
 *
 * - Retriable: an `ApiError` whose code Kafka marks retriable (`error.retriable`), a `ConnectionError` (the
 *   connection was lost or could not be made) and a request `TimeoutError`. Everything else — non-retriable wire
 *   errors, bad arguments, programming errors (TypeError, ...) — is surfaced at once (kafkajs `retry/index.js`).
 * - Pause: `ExponentialBackoff`, Kafka's `ExponentialBackoff` (KIP-144/KIP-580): initial × 2^attempt, capped at
 *   the maximum, times a random factor in [1 − jitter, 1 + jitter] so that many clients do not retry in step.
 * - Bounds: a number of retries and a deadline (monotonic time). A retry loop that reaches the deadline fails with
 *   `TimeoutError` whose `cause` is the last error; one that runs out of retries fails with the last error itself.
 */
import { ApiError, ConnectionError, TimeoutError } from '../common/errors.js';
import type { Time } from '../common/time.js';

/** Whether the client may retry after `error` (see the header). */
export function isRetriable(error: unknown): boolean {
  if (error instanceof ApiError) return error.retriable;
  return error instanceof ConnectionError || error instanceof TimeoutError;
}

/**
 * Whether `error` says the client's metadata is stale (Kafka's `InvalidMetadataException` family): the client
 * refreshes metadata before its next try.
 */
export function isStaleMetadata(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  if (!(error instanceof ApiError)) return false;
  switch (error.errorName) {
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'LEADER_NOT_AVAILABLE':
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'FENCED_LEADER_EPOCH':
    case 'UNKNOWN_LEADER_EPOCH':
    case 'NOT_CONTROLLER':
    case 'NETWORK_EXCEPTION':
    case 'KAFKA_STORAGE_ERROR':
    case 'REPLICA_NOT_AVAILABLE':
      return true;
    default:
      return false;
  }
}

/** Kafka's exponential backoff with jitter. */
export class ExponentialBackoff {
  private readonly maxExponent: number;

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
    readonly multiplier = 2,
    readonly jitter = 0.2,
    private readonly random: () => number = Math.random,
  ) {
    this.maxExponent = maxMs > initialMs && initialMs > 0 ? Math.log(maxMs / initialMs) / Math.log(multiplier) : 0;
  }

  /** Pause before attempt number `attempts + 1`, given `attempts` failures so far (0 → about `initialMs`). */
  backoffMs(attempts: number): number {
    if (this.maxExponent === 0) return Math.min(this.initialMs, this.maxMs);
    const term = this.initialMs * this.multiplier ** Math.min(Math.max(attempts, 0), this.maxExponent);
    const factor = 1 - this.jitter + this.random() * 2 * this.jitter;
    return Math.round(term * factor);
  }
}

export interface RetryOptions {
  /** Names the operation in the timeout message ("CreateTopics"). */
  what: string;
  time: Time;
  /** Give up when `time.hiResMs()` reaches this. */
  deadlineMs: number;
  backoff: ExponentialBackoff;
  /** Retries allowed after the first try. @default unlimited (bounded by the deadline) */
  retries?: number;
  /** Runs after a retriable failure, before the pause (e.g. request a metadata refresh). */
  onRetriableError?: (error: unknown, attempt: number) => void | Promise<void>;
}

/** Pauses `ms` on a real timer. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `fn` until it succeeds, a non-retriable error occurs, the retries run out or the deadline passes (see the
 * header). `fn` receives the attempt number, from 0.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const retries = opts.retries ?? Number.MAX_SAFE_INTEGER;
  const startMs = opts.time.hiResMs();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!isRetriable(error) || attempt >= retries) throw error;
      await opts.onRetriableError?.(error, attempt);
      const remainingMs = opts.deadlineMs - opts.time.hiResMs();
      const pauseMs = opts.backoff.backoffMs(attempt);
      if (remainingMs <= pauseMs) {
        throw new TimeoutError(
          `${opts.what} did not succeed within ${Math.round(opts.deadlineMs - startMs)} ms ` +
            `(${attempt + 1} attempt(s)); last error: ${(error as Error).message} Raise the timeout if the cluster ` +
            'needs longer to recover.',
          { cause: error },
        );
      }
      await sleep(pauseMs);
    }
  }
}
