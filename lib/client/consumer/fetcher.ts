/**
 * Fetches records for the assigned partitions (Kafka's consumer `Fetcher`): at most one Fetch request in flight
 * per broker, each carrying every fetchable partition that broker leads; responses become `CompletedFetch`es that
 * the consumer reads lazily.
 *
 * A partition is fetchable when it has a position, is not paused, has no fetch in flight, has nothing buffered
 * that the reader has not started on, its leader is known, and its error backoff has passed. So each partition has
 * at most one response being read plus one prefetched or in flight: the next fetch for a partition goes out as soon
 * as the reader starts on the previous one (back-pressure: a consumer that stops reading stops fetching).
 *
 * Per partition in a response: records → a CompletedFetch, and the fetch offset moves past its last complete batch;
 * OFFSET_OUT_OF_RANGE → reset by `auto.offset.reset` (earliest/latest via ListOffsets) or, with 'none', an
 * `OffsetOutOfRangeError` for the reader; stale-metadata errors → metadata refresh and a `retry.backoff.ms` pause;
 * other errors → surfaced to the reader. A failed request (connection lost, timeout) pauses that broker for
 * `retry.backoff.ms` and refreshes metadata.
 * Positions to reset (after assign(), seekToBeginning/End, out of range) are looked up with ListOffsets first;
 * a partition whose reset is 'none' is left alone (the reader reports it).
 *
 * Concurrency: all on the event loop; `sendFetches()` is cheap and called on every event that may make a
 * partition fetchable. Responses are applied only if the partition's epoch is unchanged since the request.
 * Lifecycle: owned by the Consumer; `close()` stops timers and wakes readers.
 */
import { computeIfAbsent } from '../../common/collections.js';
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError, apiErrorFromCode, TimeoutError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/fetch.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../../protocol/messages/list-offsets.js';
import { iterateBatches } from '../../record/record-batch-reader.js';
import type { ClientCluster } from '../client-cluster.js';
import { OffsetOutOfRangeError } from '../errors.js';
import { listOffsets, offsetKey } from '../list-offsets.js';
import { isStaleMetadata } from '../retry.js';
import { CompletedFetch } from './completed-fetch.js';
import type { OffsetResetStrategy } from './consumer-options.js';
import type { SubscriptionState, TopicPartitionState } from './subscription-state.js';

export interface FetcherOptions {
  cluster: ClientCluster;
  subscriptions: SubscriptionState;
  autoOffsetReset: OffsetResetStrategy;
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
  fetchMaxBytes: number;
  maxPartitionFetchBytes: number;
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number;
  checkCrcs: boolean;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  time: Time;
  logger: Logger;
}

export class Fetcher {
  private readonly options: FetcherOptions;
  private readonly logger: Logger;
  private readonly inFlightNodes = new Set<number>();
  private readonly nodeRetryAtMs = new Map<number, number>();
  private readonly resetting = new Set<TopicPartitionState>();
  private readonly completed: CompletedFetch[] = [];
  private readonly errors: Error[] = [];
  private waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private timerDueMs = Infinity;
  private closed = false;

  constructor(options: FetcherOptions) {
    this.options = options;
    this.logger = options.logger.child({ component: 'Fetcher' });
  }

  /** Sends a fetch to every broker with fetchable partitions and none in flight; starts pending resets. */
  sendFetches(): void {
    if (this.closed) return;
    const { cluster, subscriptions, time } = this.options;
    const nowMs = time.hiResMs();
    const metadata = cluster.metadata;
    const byNode = new Map<number, TopicPartitionState[]>();
    const toReset: TopicPartitionState[] = [];
    let nextRetryMs = Infinity;
    for (const state of subscriptions.all()) {
      if (state.paused) continue;
      if (state.position === null) {
        if (state.awaitingCommitted) continue;
        if (state.pendingReset !== null && state.pendingReset !== 'none' && !this.resetting.has(state)) {
          if (state.retryAtMs <= nowMs) toReset.push(state);
          else nextRetryMs = Math.min(nextRetryMs, state.retryAtMs);
        }
        continue;
      }
      if (state.fetchInFlight || state.buffered.length > 0) continue;
      if (state.retryAtMs > nowMs) {
        nextRetryMs = Math.min(nextRetryMs, state.retryAtMs);
        continue;
      }
      const leader = metadata.leaderFor(state.topic, state.partition);
      if (leader < 0) {
        cluster.requestUpdate();
        continue;
      }
      if (this.inFlightNodes.has(leader)) continue;
      const nodeRetryMs = this.nodeRetryAtMs.get(leader) ?? 0;
      if (nodeRetryMs > nowMs) {
        nextRetryMs = Math.min(nextRetryMs, nodeRetryMs);
        continue;
      }
      const list = computeIfAbsent(byNode, leader, () => []);
      list.push(state);
    }
    for (const [nodeId, states] of byNode) void this.fetchFrom(nodeId, states);
    if (toReset.length > 0) void this.resetPositions(toReset);
    if (nextRetryMs < Infinity) this.armTimer(nextRetryMs);
  }

  /** The next completed fetch to read (stale ones are dropped), or null; prefetches the partition's next data. */
  pollCompletedFetch(): CompletedFetch | null {
    while (this.completed.length > 0) {
      const fetch = this.completed.shift()!;
      if (fetch.isStale) continue;
      const buffered = fetch.state.buffered;
      const i = buffered.indexOf(fetch);
      if (i >= 0) buffered.splice(i, 1);
      this.sendFetches();
      return fetch;
    }
    return null;
  }

  /** An error to surface to the reader, if any. */
  takeError(): Error | undefined {
    return this.errors.shift();
  }

  /** Resolves when data or an error is available, the fetcher closes, or `maxWaitMs` passes. */
  waitForData(maxWaitMs: number): Promise<void> {
    if (this.completed.length > 0 || this.errors.length > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(wake, maxWaitMs);
      this.waiters.push(wake);
      function wake(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Wakes readers waiting for data (after close, or when the consumer's state changed). */
  wakeReaders(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.wakeReaders();
  }

  private async fetchFrom(nodeId: number, states: TopicPartitionState[]): Promise<void> {
    const o = this.options;
    const epochs = states.map((s) => s.epoch);
    const offsets = states.map((s) => s.fetchOffset!);
    for (const s of states) s.fetchInFlight = true;
    this.inFlightNodes.add(nodeId);
    const request = this.fetchRequest(states);
    let response: FetchResponse;
    try {
      response = await o.cluster.send(nodeId, ApiKey.Fetch, request, {
        timeoutMs: o.requestTimeoutMs + o.fetchMaxWaitMs,
      });
      if (response.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(response.errorCode);
    } catch (e) {
      for (const s of states) s.fetchInFlight = false;
      this.inFlightNodes.delete(nodeId);
      if (!this.closed) this.onRequestFailure(nodeId, e as Error);
      return;
    }
    for (const s of states) s.fetchInFlight = false;
    this.inFlightNodes.delete(nodeId);
    if (this.closed) return;
    let added = false;
    for (const topic of response.responses) {
      for (const p of topic.partitions) {
        const i = states.findIndex((s) => s.partition === p.partitionIndex && s.topic === topic.topic);
        if (i < 0) continue;
        const state = states[i]!;
        if (state.epoch !== epochs[i] || o.subscriptions.get(state.topic, state.partition) !== state) continue;
        added = this.applyPartition(state, offsets[i]!, p) || added;
      }
    }
    if (added || this.errors.length > 0) this.wakeReaders();
    this.sendFetches();
  }

  private fetchRequest(states: readonly TopicPartitionState[]): FetchRequest {
    const o = this.options;
    const metadata = o.cluster.metadata;
    const topics: FetchRequest['topics'] = [];
    for (const s of states) {
      let topic = topics.find((t) => t.topic === s.topic);
      if (topic === undefined) topics.push((topic = { topic: s.topic, partitions: [] }));
      topic.partitions.push({
        partition: s.partition,
        currentLeaderEpoch: metadata.partition(s.topic, s.partition)?.leaderEpoch ?? -1,
        fetchOffset: s.fetchOffset!,
        logStartOffset: -1,
        partitionMaxBytes: o.maxPartitionFetchBytes,
      });
    }
    return {
      replicaId: -1,
      maxWaitMs: o.fetchMaxWaitMs,
      minBytes: o.fetchMinBytes,
      maxBytes: o.fetchMaxBytes,
      isolationLevel: o.isolationLevel,
      topics,
    };
  }

  /** Applies one partition's answer; returns true when it queued data for the reader. */
  private applyPartition(
    state: TopicPartitionState,
    fetchOffset: number,
    p: FetchResponse['responses'][number]['partitions'][number],
  ): boolean {
    const o = this.options;
    if (p.errorCode === ErrorCode.NONE) {
      state.highWatermark = p.highWatermark;
      state.lastStableOffset = p.lastStableOffset;
      state.logStartOffset = p.logStartOffset;
      if (p.records.length === 0) return false;
      let nextOffset = -1;
      try {
        for (const batch of iterateBatches(p.records)) nextOffset = batch.nextOffset;
      } catch (e) {
        this.errors.push(e as Error);
        state.retryAtMs = Infinity; // corrupt data: stay put until the user seeks
        return false;
      }
      if (nextOffset < 0) {
        this.errors.push(
          new ApiError(
            'MESSAGE_TOO_LARGE',
            `A record batch at offset ${fetchOffset} of ` +
              `${state.topic}-${state.partition} is larger than the fetch size; raise 'max.partition.fetch.bytes' and ` +
              `'fetch.max.bytes' above ${p.records.length} bytes.`,
          ),
        );
        state.retryAtMs = Infinity;
        return false;
      }
      const fetch = new CompletedFetch(
        state,
        state.epoch,
        p.records,
        p.abortedTransactions,
        o.isolationLevel === 1,
        o.checkCrcs,
        o.isolationLevel === 1 ? p.lastStableOffset : p.highWatermark,
      );
      state.buffered.push(fetch);
      state.fetchOffset = Math.max(nextOffset, fetchOffset);
      this.completed.push(fetch);
      return true;
    }
    const error = apiErrorFromCode(p.errorCode);
    if (error.errorName === 'OFFSET_OUT_OF_RANGE') {
      if (o.autoOffsetReset === 'none') {
        this.errors.push(new OffsetOutOfRangeError(state.topic, state.partition, fetchOffset));
        state.retryAtMs = Infinity;
      } else {
        this.logger.info(
          { topic: state.topic, partition: state.partition, fetchOffset, reset: o.autoOffsetReset },
          'Fetch offset out of range; resetting',
        );
        state.requestReset(o.autoOffsetReset);
      }
      return false;
    }
    state.retryAtMs = o.time.hiResMs() + o.retryBackoffMs;
    if (isStaleMetadata(error)) {
      o.cluster.requestUpdate();
    } else if (!error.retriable) {
      this.errors.push(new ApiError(error.errorName, `Fetch of ${state.topic}-${state.partition}: ${error.message}`));
    }
    return false;
  }

  private onRequestFailure(nodeId: number, error: Error): void {
    const o = this.options;
    this.logger.debug({ nodeId, err: error }, 'Fetch request failed');
    if (error instanceof ApiError && !error.retriable) {
      this.errors.push(error);
      this.wakeReaders();
    }
    this.nodeRetryAtMs.set(nodeId, o.time.hiResMs() + o.retryBackoffMs);
    o.cluster.requestUpdate();
    this.sendFetches();
  }

  /** Looks up the positions of partitions with a pending reset to earliest or latest. */
  private async resetPositions(states: TopicPartitionState[]): Promise<void> {
    const o = this.options;
    const queries = [];
    const epochs = new Map<TopicPartitionState, number>();
    for (const state of states) {
      this.resetting.add(state);
      epochs.set(state, state.epoch);
      queries.push({
        topic: state.topic,
        partition: state.partition,
        timestamp: state.pendingReset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP,
      });
    }
    if (queries.length === 0) return;
    try {
      const answers = await listOffsets(queries, {
        cluster: o.cluster,
        time: o.time,
        deadlineMs: o.time.hiResMs() + o.requestTimeoutMs,
        retryBackoffMs: o.retryBackoffMs,
        isolationLevel: o.isolationLevel,
      });
      for (const [state, epoch] of epochs) {
        const answer = answers.get(offsetKey(state.topic, state.partition));
        if (answer !== undefined && state.epoch === epoch && state.position === null) state.seek(answer.offset);
      }
    } catch (e) {
      if (!this.closed) {
        this.logger.debug({ err: e }, 'Offset reset failed; will retry');
        if (!(e instanceof ApiError && e.retriable) && !(e instanceof TimeoutError)) this.errors.push(e as Error);
        for (const state of epochs.keys()) state.retryAtMs = o.time.hiResMs() + o.retryBackoffMs;
        this.armTimer(o.time.hiResMs() + o.retryBackoffMs);
      }
    } finally {
      for (const state of epochs.keys()) this.resetting.delete(state);
    }
    this.wakeReaders();
    this.sendFetches();
  }

  private armTimer(dueMs: number): void {
    if (this.closed || dueMs >= this.timerDueMs) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerDueMs = dueMs;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerDueMs = Infinity;
        this.sendFetches();
      },
      Math.max(1, dueMs - this.options.time.hiResMs()),
    );
  }
}
