/**
 * PRODUCER_FENCED (KIP-588) for clients that predate it: InitProducerId below v4 and AddPartitionsToTxn,
 * AddOffsetsToTxn and EndTxn below v2 cannot read it, and Kafka answers them INVALID_PRODUCER_EPOCH instead, which
 * those clients treat as fatal too.
 */
import { ErrorCode } from '../../../common/error-codes.js';

/** `body` with a top-level PRODUCER_FENCED replaced by INVALID_PRODUCER_EPOCH (a new object), else `body`. */
export function withoutProducerFenced<T extends { errorCode: number }>(body: T): T {
  return body.errorCode === ErrorCode.PRODUCER_FENCED ? { ...body, errorCode: ErrorCode.INVALID_PRODUCER_EPOCH } : body;
}
