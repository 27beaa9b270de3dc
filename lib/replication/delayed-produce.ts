/**
 * A produce request with acks=all waiting for its batches to be replicated (Kafka's `DelayedProduce`).
 *
 * Per partition: the offset the high watermark must reach (last appended offset + 1) and the leader epoch of the
 * append. A partition is done when its HW reaches that offset (NONE, or NOT_ENOUGH_REPLICAS_AFTER_APPEND if the
 * ISR is below min.insync.replicas by then: the data IS written), when this broker no longer leads it in that
 * epoch (NOT_LEADER_OR_FOLLOWER: the appended batches may be truncated by the new leader), or when the partition
 * is no longer hosted here (the owner's error for that: UNKNOWN_TOPIC_OR_PARTITION for a deleted topic,
 * KAFKA_STORAGE_ERROR when its log dir failed, ...). Partitions still waiting at the deadline answer REQUEST_TIMED_OUT, the
 * code they start with (as Kafka does). Partitions that failed before the append are carried as they are.
 *
 * Watched under the key of every waiting partition in the produce purgatory; the ReplicaManager re-checks a key
 * when that partition's HW moves or its leadership changes.
 */
import { ErrorCode, type ErrorName } from '../common/error-codes.js';
import type { RecordError } from '../common/errors.js';
import { DelayedPartitionsOperation } from './delayed-partitions-operation.js';
import type { Partition } from './partition.js';

/** One partition's answer to a produce request. */
export interface ProducePartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  /** First offset assigned to the appended batches; -1 on error. */
  baseOffset: number;
  /** Broker time stamped with message.timestamp.type=LogAppendTime, else -1. */
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage?: string;
  /** The records validation refused (INVALID_RECORD), by their index in their batch. */
  recordErrors?: readonly RecordError[];
}

/** A partition whose append succeeded and now waits for the HW. */
export interface ProduceAcksStatus {
  result: ProducePartitionResult;
  /** The HW that acknowledges the append: last offset + 1. */
  requiredOffset: number;
  /** The leader epoch the batches were appended in. */
  leaderEpoch: number;
}

export class DelayedProduce extends DelayedPartitionsOperation<ProducePartitionResult, ProduceAcksStatus> {
  constructor(
    timeoutMs: number,
    waiting: ProduceAcksStatus[],
    results: ProducePartitionResult[],
    private readonly getPartition: (topic: string, partition: number) => Partition | undefined,
    private readonly notHostedError: (topic: string, partition: number) => ErrorName,
    respond: (results: ProducePartitionResult[]) => void,
  ) {
    super(timeoutMs, waiting, results, respond);
  }

  protected settle(s: ProduceAcksStatus): boolean {
    const partition = this.getPartition(s.result.topic, s.result.partition);
    const error =
      partition === undefined
        ? this.notHostedError(s.result.topic, s.result.partition)
        : partition.checkEnoughReplicasReachOffset(s.requiredOffset, s.leaderEpoch);
    if (error === undefined) return false;
    s.result.errorCode = ErrorCode[error];
    return true;
  }
}
