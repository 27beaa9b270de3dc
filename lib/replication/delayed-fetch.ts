/**
 * A fetch waiting for data (Kafka's `DelayedFetch`): parked when its first read returned fewer than minBytes.
 *
 * It completes when, for the partitions it reads, the bytes now readable add up to minBytes (consumers read below
 * the high watermark, so they wake on HW moves; followers read to the log end, so they wake on leader appends);
 * or when any of its partitions changed under it — gone, no longer led here, another leader epoch, or its read
 * bound fell below the fetch offset (truncation) — so that the client learns of the change at once; or at
 * maxWaitMs. Bytes of a partition the leader's replication throttle holds back from a follower (out of the ISR,
 * the quota used up) do not count, so such a fetch waits maxWaitMs as Kafka's does. Completion re-reads every
 * partition (`read`), which produces the response.
 *
 * Watched under the key of each of its partitions, in the consumer-fetch or follower-fetch purgatory.
 */
import { DelayedOperation } from './delayed-operation.js';
import type { FetchIsolation, Partition } from './partition.js';

/** One partition of a parked fetch, as it was when first read. */
export interface FetchPartitionStatus {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  /** The partition's leader epoch at the first read. */
  leaderEpoch: number;
}

export interface DelayedFetchOptions {
  maxWaitMs: number;
  minBytes: number;
  /** LogEnd for a follower (wakes on appends), else the consumer's bound (wakes on HW moves). */
  isolation: FetchIsolation;
  partitions: readonly FetchPartitionStatus[];
  getPartition: (topic: string, partition: number) => Partition | undefined;
  /** True for a partition whose bytes the leader's replication throttle withholds from this follower now. */
  throttled: (p: Partition) => boolean;
  /** Reads every partition again and answers the request. */
  complete: () => void;
}

export class DelayedFetch extends DelayedOperation {
  constructor(private readonly opts: DelayedFetchOptions) {
    super(opts.maxWaitMs);
  }

  tryComplete(): boolean {
    let accumulated = 0;
    for (const s of this.opts.partitions) {
      const p = this.opts.getPartition(s.topic, s.partition);
      if (p === undefined || !p.isLeader || p.leaderEpoch !== s.leaderEpoch) return this.forceComplete();
      const bound = p.fetchBound(this.opts.isolation);
      if (bound < s.fetchOffset) return this.forceComplete();
      if (bound > s.fetchOffset && !this.opts.throttled(p)) {
        accumulated += p.availableBytes(s.fetchOffset, s.partitionMaxBytes, this.opts.isolation);
        if (accumulated >= this.opts.minBytes) return this.forceComplete();
      }
    }
    return false;
  }

  protected onComplete(): void {
    this.opts.complete();
  }
}
