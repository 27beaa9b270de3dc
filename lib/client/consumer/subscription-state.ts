/**
 * What the consumer reads and where it stands (Kafka's `SubscriptionState`): the assigned partitions, and per
 * partition its position, fetch offset, pause flag and pending offset reset.
 *
 * Layout: `TopicPartitionState` per assigned partition, in assignment order, indexed by topic and partition.
 * - `position`: the offset of the next record to hand to the user (null until known: after `assign()` without a
 *   starting offset, or while a reset is pending).
 * - `processed`: the offset after the last record the application finished with (its eachMessage or eachBatch
 *   resolved, or the iterator was asked for the next record): what auto commit, the commit before a revoke, close()
 *   and commit() without arguments store. Behind `position` while a handler works on records handed out; a seek or
 *   reset moves both, being the application's own statement of where to go on.
 * - `fetchOffset`: the next offset to fetch; ahead of `position` while fetched records wait in the buffer (the
 *   fetcher prefetches one response per partition while the user works through the previous one).
 * - `epoch`: bumped by every seek, pause, reset and reassignment; fetched data and in-flight fetches carry the
 *   epoch they were made under and are dropped when it no longer matches, so a seek never sees stale records.
 * Invariants: `fetchOffset` and `processed` are null exactly when `position` is null; `processed <= position`;
 * `buffered` holds only data of the current epoch.
 * Concurrency: all on the event loop; the fetcher and the reader both mutate it, never across an await.
 */
import type { OffsetResetStrategy } from './consumer-options.js';

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

/** The partitions of `all` that are not in `drop`, in `all`'s order. */
export function withoutPartitions(
  all: readonly TopicPartitionRef[],
  drop: readonly TopicPartitionRef[],
): TopicPartitionRef[] {
  const key = (tp: TopicPartitionRef) => `${tp.topic}\u0000${tp.partition}`;
  const dropped = new Set(drop.map(key));
  return all.filter((tp) => !dropped.has(key(tp)));
}

/** What a partition's state holds of a fetched response its reader has not started on (a CompletedFetch). */
export interface BufferedFetch {
  readonly isStale: boolean;
}

export class TopicPartitionState {
  position: number | null = null;
  processed: number | null = null;
  fetchOffset: number | null = null;
  paused = false;
  epoch = 0;
  /** Reset to apply before fetching: set after assign() without a position, seekToBeginning/End, or out of range. */
  pendingReset: OffsetResetStrategy | null = null;
  /** With a group.id: the group's committed offset is being looked up; neither fetched nor reset meanwhile. */
  awaitingCommitted = false;
  /** A fetch for this partition is in flight. */
  fetchInFlight = false;
  /** Fetched data not yet handed to the reader, oldest first (the Fetcher's CompletedFetches). */
  readonly buffered: BufferedFetch[] = [];
  highWatermark = -1;
  lastStableOffset = -1;
  logStartOffset = -1;
  /** Monotonic time before which the partition is not fetched again (after an error). */
  retryAtMs = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Moves to `offset` and invalidates everything fetched or being fetched. */
  seek(offset: number): void {
    this.position = offset;
    this.processed = offset;
    this.fetchOffset = offset;
    this.pendingReset = null;
    this.retryAtMs = 0;
    this.invalidate();
  }

  /** Forgets the position and asks for a reset by `strategy`. */
  requestReset(strategy: OffsetResetStrategy): void {
    this.awaitingCommitted = false;
    this.position = null;
    this.processed = null;
    this.fetchOffset = null;
    this.pendingReset = strategy;
    this.retryAtMs = 0;
    this.invalidate();
  }

  /**
   * The application finished with the records before `nextOffset`. Ignored when a seek or reset since they were handed
   * out moved the position before them or `processed` past them: the application said where to go on.
   */
  markProcessed(nextOffset: number): void {
    if (this.position !== null && nextOffset <= this.position && nextOffset > this.processed!) {
      this.processed = nextOffset;
    }
  }

  /** Drops fetched data and makes in-flight fetches stale. */
  invalidate(): void {
    this.epoch++;
    this.buffered.length = 0;
    this.fetchOffset = this.position;
  }

  get hasPosition(): boolean {
    return this.position !== null;
  }
}

export class SubscriptionState {
  private readonly byTopic = new Map<string, Map<number, TopicPartitionState>>();
  private ordered: TopicPartitionState[] = [];

  /** Replaces the assignment; partitions kept keep their state. Returns the states of new partitions. */
  assign(partitions: readonly TopicPartitionRef[], initialReset: OffsetResetStrategy): TopicPartitionState[] {
    const next: TopicPartitionState[] = [];
    const added: TopicPartitionState[] = [];
    const seen = new Set<string>();
    for (const { topic, partition } of partitions) {
      const key = `${topic}\u0000${partition}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let state = this.get(topic, partition);
      if (state === undefined) {
        state = new TopicPartitionState(topic, partition);
        state.pendingReset = initialReset;
        added.push(state);
      }
      next.push(state);
    }
    for (const old of this.ordered) if (!seen.has(`${old.topic}\u0000${old.partition}`)) old.invalidate();
    this.ordered = next;
    this.byTopic.clear();
    for (const state of next) {
      let partitionsOfTopic = this.byTopic.get(state.topic);
      if (partitionsOfTopic === undefined) {
        partitionsOfTopic = new Map();
        this.byTopic.set(state.topic, partitionsOfTopic);
      }
      partitionsOfTopic.set(state.partition, state);
    }
    return added;
  }

  get(topic: string, partition: number): TopicPartitionState | undefined {
    return this.byTopic.get(topic)?.get(partition);
  }

  /** The state of an assigned partition, or InvalidArgumentError-style message via `orThrow`. */
  require(topic: string, partition: number, orThrow: (message: string) => Error): TopicPartitionState {
    const state = this.get(topic, partition);
    if (state === undefined) {
      throw orThrow(`Partition ${topic}-${partition} is not assigned to this consumer; assign() it first.`);
    }
    return state;
  }

  /** Assigned partitions, in assignment order. */
  all(): readonly TopicPartitionState[] {
    return this.ordered;
  }

  topics(): string[] {
    return [...this.byTopic.keys()];
  }
}
