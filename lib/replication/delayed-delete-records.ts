/**
 * A DeleteRecords request waiting for the replicas to follow (Kafka's `DelayedDeleteRecords`, KIP-107).
 *
 * The leader has already raised its log start offset for every partition listed here; each partition is done when
 * its low watermark (the smallest log start offset of the leader and its followers on live brokers) reaches the
 * offset asked (NONE, with that low watermark), when this broker no longer leads it (NOT_LEADER_OR_FOLLOWER), or
 * when the partition is gone (UNKNOWN_TOPIC_OR_PARTITION). Partitions still waiting at the deadline answer
 * REQUEST_TIMED_OUT with their current low watermark, as Kafka does; the leader's log start offset stays moved.
 *
 * Watched under the key of every waiting partition in the ReplicaManager's DeleteRecords purgatory, which re-checks
 * a key when a replica's log start offset rises or the partition's leadership changes.
 */
import { ErrorCode } from '../common/error-codes.js';
import { ApiError } from '../common/errors.js';
import { DelayedPartitionsOperation } from './delayed-partitions-operation.js';
import type { Partition } from './partition.js';

/** One partition's answer to DeleteRecords. */
export interface DeleteRecordsPartitionResult {
  topic: string;
  partition: number;
  /** The low watermark when answered; -1 on error. */
  lowWatermark: number;
  errorCode: number;
  errorMessage?: string;
}

/** A partition whose log start offset moved on the leader and now waits for the followers. */
export interface DeleteRecordsStatus {
  result: DeleteRecordsPartitionResult;
  /** The log start offset every live replica must reach. */
  requiredOffset: number;
}

export class DelayedDeleteRecords extends DelayedPartitionsOperation<
  DeleteRecordsPartitionResult,
  DeleteRecordsStatus
> {
  constructor(
    timeoutMs: number,
    waiting: readonly DeleteRecordsStatus[],
    results: DeleteRecordsPartitionResult[],
    private readonly getPartition: (topic: string, partition: number) => Partition | undefined,
    private readonly isLive: (brokerId: number) => boolean,
    respond: (results: DeleteRecordsPartitionResult[]) => void,
  ) {
    super(timeoutMs, waiting, results, respond);
  }

  protected settle(s: DeleteRecordsStatus): boolean {
    const partition = this.getPartition(s.result.topic, s.result.partition);
    if (partition === undefined) {
      s.result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      s.result.lowWatermark = -1;
      return true;
    }
    try {
      const lowWatermark = partition.lowWatermarkIfLeader(this.isLive);
      s.result.lowWatermark = lowWatermark;
      if (lowWatermark < s.requiredOffset) return false;
      s.result.errorCode = ErrorCode.NONE;
    } catch (e) {
      s.result.errorCode = e instanceof ApiError ? e.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR;
      s.result.errorMessage = (e as Error).message;
      s.result.lowWatermark = -1;
    }
    return true;
  }
}
