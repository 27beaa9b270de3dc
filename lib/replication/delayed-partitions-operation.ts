/**
 * The shape Kafka's DelayedProduce and DelayedDeleteRecords share: a request answered per partition, parked until
 * every partition that waits has its answer or the deadline passes.
 *
 * A waiting partition's result starts at REQUEST_TIMED_OUT, which is what it answers if the deadline passes first
 * (as Kafka does); `settle` gives it its final error code once its condition holds or it failed, after which it is
 * not asked again. Partitions that failed before the wait are in `results` only and are answered as they are.
 * Keys: one per waiting partition (`topic-partition`), under which the owner's purgatory re-checks it.
 * Concurrency: single event loop, nothing awaits (see DelayedOperation). Callers: the ReplicaManager.
 */
import { ErrorCode } from '../common/error-codes.js';
import { tpKey } from '../common/topic-partition.js';
import { DelayedOperation } from './delayed-operation.js';

/** What every per-partition answer has. */
export interface PartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
}

export abstract class DelayedPartitionsOperation<
  R extends PartitionResult,
  S extends { readonly result: R },
> extends DelayedOperation {
  constructor(
    timeoutMs: number,
    private readonly waiting: readonly S[],
    private readonly results: R[],
    private readonly respond: (results: R[]) => void,
  ) {
    super(timeoutMs);
    for (const s of waiting) s.result.errorCode = ErrorCode.REQUEST_TIMED_OUT;
  }

  /** Keys of the partitions that wait. */
  get keys(): string[] {
    return this.waiting.map((s) => tpKey(s.result.topic, s.result.partition));
  }

  /** Sets the final answer of `waiting` and returns true, or returns false while it still waits. */
  protected abstract settle(waiting: S): boolean;

  tryComplete(): boolean {
    let pending = 0;
    for (const s of this.waiting) {
      if (s.result.errorCode !== ErrorCode.REQUEST_TIMED_OUT) continue;
      if (!this.settle(s)) pending++;
    }
    return pending === 0 && this.forceComplete();
  }

  protected onComplete(): void {
    this.respond(this.results);
  }
}
