/**
 * The errors the client surfaces. Wire errors are `ApiError`s (Kafka's code, name and retriable flag, from
 * lib/common); local ones are `MqError`s with a stable `code`. Subclasses carry the context callers need:
 * - `OffsetOutOfRangeError` (wire OFFSET_OUT_OF_RANGE) names the partition and the offset that was out of range,
 *   raised by a consumer with `auto.offset.reset` 'none';
 * - `NoOffsetForPartitionError` (local) names a partition the consumer has no position for and may not reset;
 * - `ProducerFencedError` (wire PRODUCER_FENCED) and `InvalidProducerEpochError` (wire INVALID_PRODUCER_EPOCH): a
 *   newer producer with the same transactional.id (or the coordinator, on a transaction timeout) fenced this one. As
 *   in Kafka's client, the first is fatal — the producer can only be closed — and the second, which a leader answers
 *   a write of the old epoch with, makes the transaction abortable (the abort then finds the producer fenced);
 * - `CommitFailedError` (local, Kafka's CommitFailedException): a subscribed consumer's commit refused because the
 *   member is no longer in the generation the commit began in (its partitions may be another member's now);
 * - `TransactionAbortedError` (local): records that were never sent because their transaction was aborted;
 * - `TransactionAbortableError` (local): a transactional call refused because an earlier error left the transaction
 *   abortable (its `cause`); `abortTransaction()` and a new transaction continue.
 * `clientErrorFromCode` gives the subclass for a wire code where there is one.
 */
import { ApiError, MqError, apiErrorFromCode } from '../common/errors.js';

export {
  ApiError,
  apiErrorFromCode,
  ConnectionError,
  IllegalStateError,
  InvalidArgumentError,
  MqError,
  SslAuthenticationError,
  TimeoutError,
} from '../common/errors.js';
export { ERROR_CODES, type ErrorName } from '../common/error-codes.js';

export class OffsetOutOfRangeError extends ApiError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
  ) {
    super(
      'OFFSET_OUT_OF_RANGE',
      `Fetch position ${offset} is out of range for partition ${topic}-${partition}, and ` +
        "'auto.offset.reset' is 'none'; seek() to a valid offset, or set 'auto.offset.reset' to 'earliest' or 'latest'.",
    );
  }
}

export class NoOffsetForPartitionError extends MqError {
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {
    super(
      'MQ_ERR_NO_OFFSET',
      `No position for partition ${topic}-${partition} and 'auto.offset.reset' is 'none'; ` +
        'seek() to an offset first, or set auto.offset.reset to earliest or latest.',
    );
  }
}

export class ProducerFencedError extends ApiError {
  constructor(message?: string) {
    super(
      'PRODUCER_FENCED',
      message ??
        'There is a newer producer with the same transactional.id which fences this one (or its transaction timed ' +
          'out); this producer can only be closed. Create a new one to go on.',
    );
  }
}

export class InvalidProducerEpochError extends ApiError {
  constructor(message?: string) {
    super(
      'INVALID_PRODUCER_EPOCH',
      message ??
        'The producer wrote with an epoch older than the partition knows: a newer producer with the same ' +
          'transactional.id, or the coordinator on a transaction timeout, bumped it. Abort the transaction.',
    );
  }
}

export class CommitFailedError extends MqError {
  constructor(why: string) {
    super(
      'MQ_ERR_COMMIT_FAILED',
      `Commit cannot be completed: ${why}, so the partitions may be assigned to another member that has moved ` +
        'their offsets on. The records since the last successful commit will be read again by their owner; ' +
        'handle records faster than max.poll.interval.ms and keep heartbeats within session.timeout.ms to avoid it.',
    );
  }
}

export class TransactionAbortedError extends MqError {
  constructor(message = 'The transaction was aborted before this record was sent; it was not written.') {
    super('MQ_ERR_TRANSACTION_ABORTED', message);
  }
}

export class TransactionAbortableError extends MqError {
  constructor(what: string, cause: Error) {
    super(
      'MQ_ERR_TRANSACTION_ABORTABLE',
      `Cannot ${what}: an earlier error (${cause.message}) left the transaction abortable; call abortTransaction(), ` +
        'then begin a new transaction.',
      { cause },
    );
  }
}

/** The client's error for wire `code`: ProducerFencedError, InvalidProducerEpochError, or an ApiError. */
export function clientErrorFromCode(code: number, message?: string): ApiError {
  const error = apiErrorFromCode(code, message);
  if (error.errorName === 'PRODUCER_FENCED') return new ProducerFencedError(message);
  if (error.errorName === 'INVALID_PRODUCER_EPOCH') return new InvalidProducerEpochError(message);
  return error;
}
