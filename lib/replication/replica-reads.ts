/**
 * The shapes of the reads a partition leader serves — fetch, list offsets, leader-epoch end offsets — shared by the
 * ReplicaManager that answers them, the follower fetchers that ask them (through a LeaderEndPoint) and the broker's
 * handlers. Plain data, one result per requested partition, each with its own error code.
 */
export interface FetchPartitionRequest {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  /** The fetcher's view of the leader epoch; -1 or absent skips fencing. */
  currentLeaderEpoch?: number;
  /** A follower's log start offset. */
  logStartOffset?: number;
}

export interface FetchMessagesRequest {
  /** -1 for a consumer, else the follower's broker id. */
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: 0 | 1;
  partitions: readonly FetchPartitionRequest[];
}

export interface FetchPartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Whole batches: a view of mapped segment memory (never a copy); null on error. */
  records: Buffer | null;
  /** read_committed: the aborted transactions overlapping `records` (producer id, first offset); else absent. */
  abortedTransactions?: { producerId: number; firstOffset: number }[] | null;
  errorMessage?: string;
}

export interface ListOffsetsResult {
  errorCode: number;
  offset: number;
  timestamp: number;
  leaderEpoch: number;
  errorMessage?: string;
}

export interface EpochEndOffsetResult {
  errorCode: number;
  leaderEpoch: number;
  endOffset: number;
  errorMessage?: string;
}
