/**
 * The errors the client surfaces. Wire errors are `ApiError`s (Kafka's code, name and retriable flag, from
 * lib/common); local ones are `MqError`s with a stable `code`. Two subclasses carry the context callers need:
 * - `OffsetOutOfRangeError` (wire OFFSET_OUT_OF_RANGE) names the partition and the offset that was out of range,
 *   raised by a consumer with `auto.offset.reset` 'none';
 * - `NoOffsetForPartitionError` (local) names a partition the consumer has no position for and may not reset.
 */
import { ApiError, MqError } from '../common/errors.js';

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
