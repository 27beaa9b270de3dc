/**
 * The consumer (Kafka's `KafkaConsumer`, manual assignment for now): `assign()` partitions, position them
 * (`seek`, `seekToBeginning`, `seekToEnd`, or `auto.offset.reset`), and read records in one of two ways:
 * - `for await (const record of consumer)`: one `ConsumerRecord` per step;
 * - `run({ eachMessage })` or `run({ eachBatch })`: a handler per record, or per record batch (a `ConsumerBatch`
 *   whose records are decoded only as the handler iterates them: the fastest path). `run()` resolves after
 *   `stop()` or `close()`, and rejects with the first error the consumer cannot handle itself.
 * Each poll (one step of the reader: a batch for eachBatch, the records of one for eachMessage and the iterator) hands
 * out at most `max.poll.records` records; a record batch holding more is handed out in parts.
 * Reading drives fetching: the `Fetcher` keeps one response per partition ahead of the reader and no more, so a
 * slow handler slows fetching instead of filling memory.
 *
 * Errors surfaced to the reader: `OffsetOutOfRangeError` / `NoOffsetForPartitionError` with `auto.offset.reset`
 * 'none', CORRUPT_MESSAGE for a batch failing its CRC, and non-retriable fetch errors. Retriable ones (leader moved,
 * connection lost, ...) are retried after a metadata refresh.
 * Concurrency: one reader at a time (an iterator or `run()`); `seek`/`pause`/`resume`/`assign` may be called at any
 * time, also from inside a handler: records already fetched for an affected partition are dropped.
 * With a `group.id`, newly assigned partitions start at the group's committed offset (OffsetFetch at the group
 * coordinator), falling back to `auto.offset.reset` where the group has none, and `commit()` stores offsets for
 * the group (OffsetCommit with generation -1, as Kafka's consumer does for assign()); `committed()` reads them.
 * What is committed without explicit offsets (auto commit, the commit before a revoke, close(), commit()) is, per
 * partition, the offset after the last record the application finished: whose eachMessage resolved, whose eachBatch
 * resolved, or with the iterator every record before the one the caller holds (Kafka's poll() contract). So a crash
 * never skips a record being handled (at-least-once); committing explicitly before handling gives at-most-once.
 * `subscribe(topics | pattern)` makes the consumer a member of its group instead (ConsumerCoordinator): the group
 * assigns partitions, heartbeats keep the membership, processed offsets are auto-committed, rebalances are eager or
 * cooperative (cooperative-sticky) and wait for the reader to finish the record or batch it holds, and a reader that
 * stops asking for records for longer than max.poll.interval.ms loses its partitions to the other members.
 * Retries (`retry.topics`, `dead.letter.topic`, `retry.ordered`; RetryRouter): a subscribed consumer's eachMessage
 * handler that throws sends the record to the next retry stage (read back by this member along with the source
 * partition) or to the dead-letter topic, and the record counts as finished once that send is acknowledged.
 * Lifecycle: New → `connect()` → Connected → `close()` → Closed.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { IllegalStateError, InvalidArgumentError, TimeoutError, toError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../../protocol/messages/list-offsets.js';
import type { LazyRecord, RecordHeaderView } from '../../record/lazy-record.js';
import { CompressionType, timestampTypeName } from '../../record/record-batch.js';
import { ClientCluster } from '../client-cluster.js';
import { ClientLifecycle } from '../client-lifecycle.js';
import type { ClusterMetadata } from '../cluster-metadata.js';
import { NoOffsetForPartitionError } from '../errors.js';
import { listOffsets, offsetKey } from '../list-offsets.js';
import type { CompletedFetch } from './completed-fetch.js';
import { ConsumerBatch } from './consumer-batch.js';
import { resolveConsumerOptions, type ConsumerOptions, type ResolvedConsumerOptions } from './consumer-options.js';
import { Fetcher } from './fetcher.js';
import {
  GroupOffsets,
  type CommittedOffset,
  type ConsumerGroupMetadata,
  type OffsetToCommit,
} from './group-offsets.js';
import { assignorsByName } from './assignors/assignor-registry.js';
import { ConsumerCoordinator } from './consumer-coordinator.js';
import { RetryRouter } from './retry-router.js';
import type { RetryInfo } from './retry-stages.js';
import {
  SubscriptionState,
  withoutPartitions,
  type TopicPartitionRef,
  type TopicPartitionState,
} from './subscription-state.js';

/** One record as the async iterator hands it out. Key, value and header values are views into fetched memory. */
export interface ConsumerRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: readonly RecordHeaderView[];
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  /** Key, value and headers are made on first access; `serializedKeySize`/`serializedValueSize` need neither. */
  message: LazyRecord;
  /** Set for a record read from a retry stage (`retry.topics`): where it came from, how often it failed, why. */
  retry?: RetryInfo;
}

export interface EachBatchPayload {
  batch: ConsumerBatch;
}

/** Told of a subscribed consumer's assignment changes (Kafka's ConsumerRebalanceListener). */
export interface RebalanceListener {
  /** After a rebalance, the partitions now assigned (their positions come from the group's committed offsets). */
  onPartitionsAssigned?(partitions: TopicPartitionRef[]): void | Promise<void>;
  /**
   * The partitions about to be given up in a rebalance, called once the reader finished the record or batch it held
   * and auto commit stored what was processed: all of them under the eager protocol, only those moving to other
   * members under the cooperative one. They stay assigned (paused) until this returns, so it may commit them itself.
   */
  onPartitionsRevoked?(partitions: TopicPartitionRef[]): void | Promise<void>;
  /**
   * Partitions this member lost without an orderly rebalance (its membership expired or its reader stalled past
   * max.poll.interval.ms): other members may read them already, so nothing was committed. Defaults to
   * onPartitionsRevoked, as in Kafka.
   */
  onPartitionsLost?(partitions: TopicPartitionRef[]): void | Promise<void>;
}

export interface RunOptions {
  /** Called per record, in offset order per partition; awaited before the next. */
  eachMessage?: (payload: EachMessagePayload) => void | Promise<void>;
  /**
   * Called per record batch, or per part of one (at most `max.poll.records` records); records the handler does not
   * iterate count as consumed when it returns.
   */
  eachBatch?: (payload: EachBatchPayload) => void | Promise<void>;
}

/** Hears the outcome of each automatic commit: the offsets committed, and null or why the commit failed. */
export type AutoCommitListener = (offsets: readonly OffsetToCommit[], error: Error | null) => void;

/** A timestamp lookup result: the first offset whose record timestamp is >= the one asked (-1: none). */
export interface OffsetAndTimestamp {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

/** How long a reader waits for data before re-checking its state. */
const READER_WAKE_MS = 1000;

export class Consumer implements AsyncIterable<ConsumerRecord> {
  readonly options: ResolvedConsumerOptions;
  private readonly time: Time;
  private readonly logger: Logger;
  private readonly cluster: ClientCluster;
  private readonly subscriptions = new SubscriptionState();
  private readonly fetcher: Fetcher;
  /** Committed offsets at the group coordinator; null without a group.id. */
  private readonly groupOffsets: GroupOffsets | null;
  /** Thrown to the reader once: a failed committed-offset lookup, or a fatal group error (FENCED_INSTANCE_ID). */
  private readerError: Error | undefined;
  /** Group membership after subscribe(); null with manual assignment. */
  private coordinator: ConsumerCoordinator | null = null;
  /** Retry stages and dead letters, when configured; null otherwise. */
  private readonly retries: RetryRouter | null;
  /** With retries: the partitions the group assigned (the stage partitions read along are added to them). */
  private sources: TopicPartitionRef[] = [];
  private autoCommitTimer: NodeJS.Timeout | undefined;
  private autoCommitListener: AutoCommitListener | null = null;
  private readonly lifecycle = new ClientLifecycle('Consumer');
  private current: CompletedFetch | null = null;
  /** The ConsumerBatch handed out last: the next poll continues its record batch when max.poll.records cut it short. */
  private lastPart: ConsumerBatch | null = null;
  private reading = false;
  private stopping = false;
  /** The reader holds a record or batch it was handed: a handler works on it, or the iterator's caller has it. */
  private holding = false;
  /** Woken when the reader finishes what it holds (a revoke waits so that its commit covers that work). */
  private readerWaiters: Array<() => void> = [];

  constructor(options: ConsumerOptions) {
    const o = resolveConsumerOptions(options);
    this.options = o;
    this.time = o.time;
    this.logger = o.logger.child({ component: 'Consumer', clientId: o['client.id'] });
    this.cluster = ClientCluster.fromClientOptions(
      o,
      {
        maxInFlightRequests: 5,
        allowAutoTopicCreation: o['allow.auto.create.topics'],
      },
      'consumer',
    );
    this.fetcher = new Fetcher({
      cluster: this.cluster,
      subscriptions: this.subscriptions,
      autoOffsetReset: o['auto.offset.reset'],
      fetchMinBytes: o['fetch.min.bytes'],
      fetchMaxWaitMs: o['fetch.max.wait.ms'],
      fetchMaxBytes: o['fetch.max.bytes'],
      maxPartitionFetchBytes: o['max.partition.fetch.bytes'],
      isolationLevel: this.isolationLevel,
      checkCrcs: o['check.crcs'],
      requestTimeoutMs: o['request.timeout.ms'],
      retryBackoffMs: o['retry.backoff.ms'],
      time: o.time,
      logger: o.logger,
    });
    this.cluster.onUpdate(() => this.fetcher.sendFetches());
    const groupId = o['group.id'];
    this.groupOffsets =
      groupId === undefined
        ? null
        : new GroupOffsets({
            cluster: this.cluster,
            groupId,
            time: o.time,
            retryBackoffMs: o['retry.backoff.ms'],
            apiTimeoutMs: o['default.api.timeout.ms'],
            generation: () => this.coordinator?.generation,
            logger: this.logger,
            requireStable: o['isolation.level'] === 'read_committed',
          });
    this.retries = retryRouterFor(o);
  }

  /** Fetches the cluster's metadata; rejects with TimeoutError when no bootstrap server answers in time. */
  async connect(): Promise<void> {
    await this.lifecycle.connect(() =>
      this.cluster.connect(
        this.time.hiResMs() + this.options['default.api.timeout.ms'],
        `default.api.timeout.ms=${this.options['default.api.timeout.ms']}`,
      ),
    );
    this.logger.debug('Connected');
    this.fetcher.sendFetches();
  }

  /**
   * Joins the consumer's group (`group.id`) subscribed to `topics`, or to every topic whose whole name matches
   * `pattern` (internal topics excluded; topics created later join the subscription at the next metadata refresh,
   * every `metadata.max.age.ms`). The group's leader spreads the partitions over its members with
   * `partition.assignment.strategy`, and every rebalance (a member joining, leaving or expiring, partitions added)
   * hands out a new assignment. Assigned partitions start at the group's committed offsets, else at
   * `auto.offset.reset`. With `enable.auto.commit`, what the application finished (see `commit()`) is committed every
   * `auto.commit.interval.ms`, before partitions are revoked and on close: at-least-once delivery, a record being
   * handled when the process dies is delivered again. Call after connect(), once; not together with assign().
   */
  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener = {}): void {
    this.requireGroup('subscribe()');
    if (this.coordinator !== null)
      throw new IllegalStateError('subscribe() was already called; a consumer subscribes once.');
    if (this.subscriptions.all().length > 0)
      throw new IllegalStateError('subscribe() cannot follow assign(); use one or the other.');
    const pattern =
      topics instanceof RegExp ? new RegExp(`^(?:${topics.source})$`, topics.flags.replace(/[gy]/g, '')) : null;
    if (!(topics instanceof RegExp) && (topics.length === 0 || topics.some((t) => typeof t !== 'string' || t === ''))) {
      throw new InvalidArgumentError(
        `subscribe() takes a non-empty list of topic names or a RegExp; found ${JSON.stringify(topics)}.`,
      );
    }
    const o = this.options;
    const matching = (metadata: ClusterMetadata) =>
      [...metadata.topics.values()]
        .filter(
          (t) =>
            !t.isInternal &&
            t.errorCode === ErrorCode.NONE &&
            pattern!.test(t.name) &&
            this.retries?.isRetryTopic(t.name) !== true,
        )
        .map((t) => t.name);
    if (pattern === null) this.cluster.addTopics(topics as readonly string[]);
    else this.cluster.watchAllTopics();
    const coordinator = new ConsumerCoordinator({
      cluster: this.cluster,
      groupId: o['group.id']!,
      groupInstanceId: o['group.instance.id'] ?? null,
      clientId: o['client.id'],
      sessionTimeoutMs: o['session.timeout.ms'],
      maxPollIntervalMs: o['max.poll.interval.ms'],
      heartbeatIntervalMs: o['heartbeat.interval.ms'],
      retryBackoffMs: o['retry.backoff.ms'],
      assignors: assignorsByName(o['partition.assignment.strategy']),
      topics: pattern === null ? (topics as readonly string[]) : matching(this.cluster.metadata),
      time: this.time,
      logger: o.logger,
      onAssigned: (added, assignment) => {
        this.assignFromGroup(assignment);
        void this.tell(listener, 'onPartitionsAssigned', added);
      },
      onRevoke: async (partitions) => {
        // Kafka revokes inside poll(), between two polls' work. Here handlers run meanwhile: hand out nothing more of
        // these partitions, let the reader finish what it holds, then commit what was processed.
        this.holdBack([...partitions, ...(this.retries?.stagePartitions(partitions) ?? [])]);
        await this.readerFinished();
        if (o['enable.auto.commit']) await this.autoCommit('before partitions are revoked');
        await this.tell(listener, 'onPartitionsRevoked', partitions);
        this.assignFromGroup(withoutPartitions(this.sources, partitions));
      },
      onLost: async (partitions) => {
        await this.tell(
          listener,
          listener.onPartitionsLost !== undefined ? 'onPartitionsLost' : 'onPartitionsRevoked',
          partitions,
        );
        this.assignFromGroup(withoutPartitions(this.sources, partitions));
      },
      onFatal: (error) => {
        this.readerError ??= error;
        this.fetcher.wakeReaders();
      },
    });
    if (pattern !== null) this.cluster.onUpdate((metadata) => coordinator.setTopics(matching(metadata)));
    this.coordinator = coordinator;
    if (pattern === null) void this.retries?.prepare(topics as readonly string[]).catch(() => undefined);
    coordinator.start();
    if (o['enable.auto.commit']) {
      this.autoCommitTimer = setInterval(() => void this.autoCommit('on its timer'), o['auto.commit.interval.ms']);
    }
  }

  /**
   * Reads exactly these partitions from now on (replacing the previous assignment). New partitions start at
   * `auto.offset.reset` unless sought first.
   */
  assign(partitions: readonly TopicPartitionRef[]): void {
    if (this.coordinator !== null)
      throw new IllegalStateError('assign() cannot follow subscribe(); the group assigns partitions.');
    if (this.retries !== null) {
      throw new IllegalStateError(
        'retry.topics and dead.letter.topic work with subscribe(): the member reading a partition also reads its ' +
          'retry stages. Subscribe, or leave them unset to assign() partitions.',
      );
    }
    for (const { topic, partition } of partitions) {
      if (typeof topic !== 'string' || topic === '' || !Number.isInteger(partition) || partition < 0) {
        throw new InvalidArgumentError(
          `assign() takes { topic, partition } pairs with a non-empty topic and a partition ` +
            `>= 0; found ${JSON.stringify({ topic, partition })}.`,
        );
      }
    }
    this.applyAssignment(partitions);
  }

  /**
   * The group's assignment changed: read those partitions and, with retries, their stage partitions (once the stage
   * topics exist; they are created first when needed, and added when ready).
   */
  private assignFromGroup(sources: readonly TopicPartitionRef[]): void {
    this.sources = [...sources];
    const retries = this.retries;
    if (retries === null) {
      this.applyAssignment(sources);
      return;
    }
    for (const tp of withoutPartitions(this.assignment(), sources))
      if (!retries.isRetryTopic(tp.topic)) retries.forget(tp);
    this.applyAssignment([...sources, ...retries.stagePartitions(sources)]);
    const unprepared = [...new Set(sources.map((tp) => tp.topic))].filter((t) => !retries.isPrepared(t));
    if (unprepared.length === 0) return;
    retries.prepare(unprepared).then(
      () => {
        if (this.lifecycle.isConnected)
          this.applyAssignment([...this.sources, ...retries.stagePartitions(this.sources)]);
      },
      (error: unknown) => {
        this.readerError ??= toError(error);
        this.fetcher.wakeReaders();
      },
    );
  }

  private applyAssignment(partitions: readonly TopicPartitionRef[]): void {
    const added = this.subscriptions.assign(partitions, this.options['auto.offset.reset']);
    if (this.current !== null && this.current.isStale) this.current = null;
    if (this.groupOffsets !== null && added.length > 0) this.startAtCommitted(added);
    this.cluster.addTopics(this.subscriptions.topics());
    this.fetcher.sendFetches();
  }

  /**
   * Stores the group's committed offsets (needs `group.id`): the given ones, or for every assigned partition the
   * offset after the last record the application finished with (its eachMessage or eachBatch resolved; with the
   * iterator, every record before the one the caller holds), as auto commit does. Inside a handler, the record or
   * batch being handled is not finished yet: pass `offset + 1` explicitly to include it, or to commit before
   * processing (at-most-once). Resolves once the coordinator has the offsets replicated; rejects with the
   * coordinator's error, CommitFailedError when a subscribed member is no longer in the generation the commit began
   * in (its partitions may be another member's now), or TimeoutError after `default.api.timeout.ms`.
   */
  async commit(offsets?: readonly OffsetToCommit[]): Promise<void> {
    const group = this.requireGroup('commit()');
    const toCommit = offsets ?? this.processedOffsets();
    for (const o of toCommit) {
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new InvalidArgumentError(`commit() needs offsets >= 0; found ${o.offset} for ${o.topic}-${o.partition}.`);
      }
    }
    await group.commit(toCommit);
  }

  /**
   * commit() without waiting (Kafka's commitAsync): `callback` gets null or the error; without one, a failure is
   * logged. Commits are sent in call order on one connection, so a later one is never overtaken by an earlier one.
   */
  commitAsync(offsets?: readonly OffsetToCommit[], callback?: (error: Error | null) => void): void {
    this.commit(offsets).then(
      () => callback?.(null),
      (err: unknown) => {
        const error = toError(err);
        if (callback !== undefined) callback(error);
        else this.logger.warn({ err: error }, 'commitAsync failed');
      },
    );
  }

  /**
   * Tells `listener` of every commit the consumer makes by itself with `enable.auto.commit` (every
   * `auto.commit.interval.ms`, before partitions are revoked, on close): the offsets, and null or the error. Kafka's
   * consumer only logs these outcomes; `mq-admin verifiable-consumer` prints them. Replaces an earlier listener.
   */
  onAutoCommit(listener: AutoCommitListener | null): void {
    this.autoCommitListener = listener;
  }

  /**
   * The group and this member's generation (Kafka's `groupMetadata()`), for `Producer.sendOffsetsToTransaction()`:
   * the group's coordinator commits the transaction's offsets only for the current member of the current generation
   * (KIP-447). Without membership (assign()) the generation is -1 and the member id ''. Needs `group.id`.
   */
  groupMetadata(): ConsumerGroupMetadata {
    const groupId = this.options['group.id'];
    if (groupId === undefined || groupId === null || this.groupOffsets === null) {
      throw new IllegalStateError("The consumer has no group metadata without a group: set 'group.id'.");
    }
    const generation = this.coordinator?.generation ?? {
      generationId: -1,
      memberId: '',
      groupInstanceId: this.options['group.instance.id'] ?? null,
    };
    return { groupId, ...generation };
  }

  /** The group's committed offsets of `partitions` (needs `group.id`): null where the group has none. */
  async committed(partitions: readonly TopicPartitionRef[]): Promise<(CommittedOffset | null)[]> {
    const offsets = await this.requireGroup('committed()').fetch(partitions);
    return offsets.map((o) => (o.offset < 0 ? null : o));
  }

  /** The assigned partitions. */
  assignment(): TopicPartitionRef[] {
    return this.subscriptions.all().map(({ topic, partition }) => ({ topic, partition }));
  }

  /** The next record read from the partition will be the one at `offset`. */
  seek({ topic, partition, offset }: TopicPartitionRef & { offset: number }): void {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new InvalidArgumentError(`seek() needs an offset >= 0 for ${topic}-${partition}; found ${offset}.`);
    }
    this.requireAssigned(topic, partition).seek(offset);
    this.fetcher.sendFetches();
  }

  /** Moves the partitions (default: all assigned) to their log start offset. */
  seekToBeginning(partitions?: readonly TopicPartitionRef[]): void {
    this.resetTo('earliest', partitions);
  }

  /** Moves the partitions (default: all assigned) to their end (the high watermark). */
  seekToEnd(partitions?: readonly TopicPartitionRef[]): void {
    this.resetTo('latest', partitions);
  }

  /** The offset of the next record the partition will yield, resolving a pending reset first. */
  async position({ topic, partition }: TopicPartitionRef): Promise<number> {
    const state = this.requireAssigned(topic, partition);
    const deadlineMs = this.time.hiResMs() + this.options['default.api.timeout.ms'];
    while (state.position === null) {
      this.lifecycle.requireConnected('position()');
      const error = this.fetcher.takeError();
      if (error !== undefined) throw error;
      this.checkPositions();
      const remainingMs = deadlineMs - this.time.hiResMs();
      if (remainingMs <= 0) {
        throw new TimeoutError(
          `The position of ${topic}-${partition} could not be determined within ` +
            `default.api.timeout.ms (${this.options['default.api.timeout.ms']} ms); is the partition's leader available?`,
        );
      }
      this.fetcher.sendFetches();
      await this.fetcher.waitForData(Math.min(remainingMs, READER_WAKE_MS));
    }
    return state.position;
  }

  /** Stops fetching the partitions; records already fetched for them are dropped, the positions kept. */
  pause(partitions: readonly TopicPartitionRef[]): void {
    for (const { topic, partition } of partitions) {
      const state = this.requireAssigned(topic, partition);
      if (!state.paused) {
        state.paused = true;
        state.invalidate();
      }
    }
  }

  /** Fetches the partitions again from their positions. */
  resume(partitions: readonly TopicPartitionRef[]): void {
    for (const { topic, partition } of partitions) this.requireAssigned(topic, partition).paused = false;
    this.fetcher.sendFetches();
  }

  paused(): TopicPartitionRef[] {
    return this.subscriptions
      .all()
      .filter((s) => s.paused)
      .map(({ topic, partition }) => ({ topic, partition }));
  }

  /** Per partition, the first offset whose timestamp is at or after `timestamp` (offset -1 when there is none). */
  async offsetsForTimes(
    queries: ReadonlyArray<TopicPartitionRef & { timestamp: number }>,
  ): Promise<OffsetAndTimestamp[]> {
    for (const q of queries) {
      if (!Number.isSafeInteger(q.timestamp) || q.timestamp < 0) {
        throw new InvalidArgumentError(
          `offsetsForTimes() needs timestamps >= 0 (ms since the epoch); found ${q.timestamp} ` +
            `for ${q.topic}-${q.partition}. Use seekToBeginning/seekToEnd for the ends.`,
        );
      }
    }
    return this.lookUpOffsets(queries);
  }

  /** The log start offset of each partition. */
  beginningOffsets(partitions: readonly TopicPartitionRef[]): Promise<OffsetAndTimestamp[]> {
    return this.lookUpOffsets(partitions.map((p) => ({ ...p, timestamp: EARLIEST_TIMESTAMP })));
  }

  /** The end offset (high watermark, or last stable offset with read_committed) of each partition. */
  endOffsets(partitions: readonly TopicPartitionRef[]): Promise<OffsetAndTimestamp[]> {
    return this.lookUpOffsets(partitions.map((p) => ({ ...p, timestamp: LATEST_TIMESTAMP })));
  }

  /** Reads records one at a time. Ends after `stop()` or `close()`; throws what `run()` would reject with. */
  [Symbol.asyncIterator](): AsyncIterator<ConsumerRecord> {
    if (this.retries !== null) {
      throw new IllegalStateError(
        'A consumer with retry.topics or dead.letter.topic is read with run({ eachMessage }), not an iterator: ' +
          'retries route the records whose handler throws.',
      );
    }
    this.beginReading();
    let batch: ConsumerBatch | null = null;
    /** The offset of the record the caller holds (-1: none): asking for the next one means it is done with it. */
    let held = -1;
    const finish = (): IteratorReturnResult<undefined> => {
      held = -1;
      this.readerDone();
      this.reading = false;
      this.stopping = false;
      return { done: true, value: undefined };
    };
    return {
      next: async (): Promise<IteratorResult<ConsumerRecord>> => {
        if (held >= 0) {
          batch!.markProcessed(held);
          held = -1;
          this.readerDone();
        }
        for (;;) {
          if (batch !== null && !this.stopping) {
            const step = batch.next();
            if (step.done !== true) {
              const r = step.value;
              held = r.offset;
              this.holding = true;
              return {
                done: false,
                value: {
                  topic: batch.topic,
                  partition: batch.partition,
                  offset: r.offset,
                  timestamp: r.timestamp,
                  key: r.key,
                  value: r.value,
                  headers: r.headers,
                },
              };
            }
          }
          try {
            batch = await this.nextBatch();
          } catch (e) {
            finish();
            throw e;
          }
          if (batch === null) return finish();
        }
      },
      return: async (): Promise<IteratorResult<ConsumerRecord>> => finish(),
    };
  }

  /** Runs a handler over every record (or batch) until `stop()` or `close()`; see the header. */
  async run(options: RunOptions): Promise<void> {
    const { eachMessage, eachBatch } = options;
    if ((eachMessage === undefined) === (eachBatch === undefined)) {
      throw new InvalidArgumentError('run() takes exactly one of eachMessage and eachBatch.');
    }
    if (this.retries !== null && eachMessage === undefined) {
      throw new InvalidArgumentError(
        'retry.topics and dead.letter.topic route the records whose eachMessage handler throws; ' +
          'use run({ eachMessage }), or leave both unset to use eachBatch.',
      );
    }
    const retries = this.retries;
    this.beginReading();
    try {
      for (;;) {
        const batch = await this.nextBatch();
        if (batch === null) return;
        if (eachBatch !== undefined) {
          this.holding = true;
          const pending = eachBatch({ batch });
          if (pending !== undefined) await pending;
          batch.finish();
          this.readerDone();
        } else {
          for (const message of batch) {
            this.holding = true;
            const pending =
              retries === null
                ? eachMessage!({ topic: batch.topic, partition: batch.partition, message })
                : retries.handle(batch.topic, batch.partition, message, eachMessage!);
            if (pending !== undefined) await pending;
            batch.markProcessed(message.offset);
            this.readerDone();
            if (this.stopping) break;
          }
        }
      }
    } finally {
      this.readerDone();
      this.reading = false;
      this.stopping = false;
    }
  }

  /** Makes `run()` return (and the iterator end) after the record or batch being handled. */
  stop(): void {
    if (!this.reading) return;
    this.stopping = true;
    this.fetcher.wakeReaders();
  }

  /**
   * Stops reading and fetching and closes the connections; a subscribed consumer first commits (with auto commit) what
   * the application finished and leaves its group, so that the others take over its partitions at once. It does not
   * wait for a handler (a handler may be what calls it): what the reader holds then is delivered again later. To
   * commit that too, `stop()` and await `run()` first. Safe to call twice.
   */
  async close(): Promise<void> {
    const was = this.lifecycle.beginClose();
    if (was === null) return;
    this.stop();
    this.readerDone();
    if (this.coordinator !== null && was === 'Connected') {
      clearInterval(this.autoCommitTimer);
      if (this.options['enable.auto.commit']) await this.autoCommit('on close');
      await this.coordinator.close();
    }
    this.lifecycle.closed();
    this.stopping = this.reading;
    this.fetcher.close();
    await this.retries?.close();
    await this.cluster.close();
    this.logger.debug('Closed');
  }

  private get isolationLevel(): number {
    return this.options['isolation.level'] === 'read_committed' ? 1 : 0;
  }

  /** The next batch with records to hand out, waiting for data; null once stopped or closed. */
  private async nextBatch(): Promise<ConsumerBatch | null> {
    for (;;) {
      if (this.stopping || this.lifecycle.state === 'Closed') return null;
      const rejoining = this.coordinator?.poll();
      if (rejoining !== undefined) await rejoining;
      const error = this.fetcher.takeError();
      if (error !== undefined) throw error;
      const rest = this.lastPart?.continuation() ?? null;
      this.lastPart = rest;
      if (rest !== null) return rest;
      const current = this.current;
      if (current !== null && !current.isStale) {
        const view = current.nextBatch();
        if (view !== null) {
          const records = view.compression === CompressionType.Zstd ? await view.recordsAsync() : view.records();
          if (current.isStale) continue;
          const batch = new ConsumerBatch(
            current.state,
            current.epoch,
            records,
            view.baseOffset,
            view.lastOffset,
            current.highWatermark,
            timestampTypeName(view.timestampType),
            this.options['max.poll.records'],
          );
          this.lastPart = batch;
          return batch;
        }
      }
      this.current = this.fetcher.pollCompletedFetch();
      if (this.current !== null) continue;
      this.checkPositions();
      this.fetcher.sendFetches();
      await this.fetcher.waitForData(READER_WAKE_MS);
    }
  }

  /**
   * Positions newly assigned partitions at the group's committed offsets; those without one keep their pending
   * `auto.offset.reset`. A failed lookup is surfaced to the reader (starting from a reset instead could skip or
   * repeat records silently).
   */
  private startAtCommitted(added: TopicPartitionState[]): void {
    for (const state of added) state.awaitingCommitted = true;
    const epochs = added.map((s) => s.epoch);
    this.groupOffsets!.fetch(added)
      .then(
        (committed) => {
          committed.forEach((c, i) => {
            const state = added[i]!;
            if (
              !state.awaitingCommitted ||
              state.epoch !== epochs[i] ||
              this.subscriptions.get(state.topic, state.partition) !== state
            )
              return;
            state.awaitingCommitted = false;
            this.retries?.restore(state, c.offset >= 0 ? c.metadata : '');
            if (c.offset >= 0) state.seek(c.offset);
          });
        },
        (error: unknown) => {
          for (const state of added) state.awaitingCommitted = false;
          this.readerError ??= toError(error);
        },
      )
      .finally(() => this.fetcher.sendFetches());
  }

  /** Per assigned partition with a position, the offset after the last record the application finished with. */
  private processedOffsets(): OffsetToCommit[] {
    const offsets: OffsetToCommit[] = [];
    for (const { topic, partition, processed } of this.subscriptions.all()) {
      if (processed === null) continue;
      const metadata = this.retries?.metadataFor({ topic, partition });
      offsets.push({ topic, partition, offset: processed, ...(metadata === undefined ? {} : { metadata }) });
    }
    return offsets;
  }

  /**
   * Commits what the application finished (enable.auto.commit); a failure is logged and the next commit retries. The
   * auto commit listener hears of the outcome either way.
   */
  private async autoCommit(when: string): Promise<void> {
    const offsets = this.processedOffsets();
    if (offsets.length === 0 || this.groupOffsets === null) return;
    let error: Error | null = null;
    try {
      await this.groupOffsets.commit(offsets);
    } catch (err) {
      error = toError(err);
      this.logger.warn({ err, when }, 'auto commit failed');
    }
    try {
      this.autoCommitListener?.(offsets, error);
    } catch (err) {
      this.logger.error({ err }, 'the auto commit listener threw');
    }
  }

  /** Stops handing out records of partitions about to be revoked (they stay assigned, paused, until then). */
  private holdBack(partitions: readonly TopicPartitionRef[]): void {
    for (const { topic, partition } of partitions) {
      const state = this.subscriptions.get(topic, partition);
      if (state === undefined) continue;
      state.paused = true;
      state.invalidate();
    }
  }

  /**
   * Resolves once the reader finished the record or batch it holds (at once when it holds none), or after
   * max.poll.interval.ms, by when the group has given up on a reader that slow anyway.
   */
  private readerFinished(): Promise<void> {
    if (!this.holding) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options['max.poll.interval.ms']);
      this.readerWaiters.push(done);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** The reader finished what it held (or gave up on it); wakes whoever waits for that. */
  private readerDone(): void {
    this.holding = false;
    if (this.readerWaiters.length === 0) return;
    const waiters = this.readerWaiters;
    this.readerWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Calls a rebalance listener method (as a method: listeners may be class instances); what it throws is logged. */
  private async tell(
    listener: RebalanceListener,
    method: keyof RebalanceListener,
    partitions: TopicPartitionRef[],
  ): Promise<void> {
    try {
      await listener[method]?.(partitions);
    } catch (err) {
      this.logger.error({ err }, `the rebalance listener's ${method} threw`);
    }
  }

  private requireGroup(what: string): GroupOffsets {
    if (this.groupOffsets === null) {
      throw new IllegalStateError(`Consumer.${what} needs a group: set 'group.id'.`);
    }
    this.lifecycle.requireConnected(what);
    return this.groupOffsets;
  }

  /** Throws NoOffsetForPartitionError for a partition that has no position and may not reset ('none'). */
  private checkPositions(): void {
    if (this.readerError !== undefined) {
      const error = this.readerError;
      this.readerError = undefined;
      throw error;
    }
    for (const state of this.subscriptions.all()) {
      if (!state.paused && state.position === null && state.pendingReset === 'none') {
        throw new NoOffsetForPartitionError(state.topic, state.partition);
      }
    }
  }

  private beginReading(): void {
    this.lifecycle.requireConnected('run() or iteration');
    if (this.reading) {
      throw new IllegalStateError(
        'This consumer is already being read (by run() or an iterator); use one reader at a time.',
      );
    }
    this.reading = true;
    this.stopping = false;
  }

  private resetTo(strategy: 'earliest' | 'latest', partitions: readonly TopicPartitionRef[] | undefined): void {
    const states =
      partitions === undefined
        ? this.subscriptions.all()
        : partitions.map(({ topic, partition }) => this.requireAssigned(topic, partition));
    for (const state of states) state.requestReset(strategy);
    this.fetcher.sendFetches();
  }

  private async lookUpOffsets(
    queries: ReadonlyArray<TopicPartitionRef & { timestamp: number }>,
  ): Promise<OffsetAndTimestamp[]> {
    this.lifecycle.requireConnected('offsetsForTimes()');
    const answers = await listOffsets(queries, {
      cluster: this.cluster,
      time: this.time,
      deadlineMs: this.time.hiResMs() + this.options['default.api.timeout.ms'],
      retryBackoffMs: this.options['retry.backoff.ms'],
      isolationLevel: this.isolationLevel,
    });
    return queries.map(({ topic, partition }) => {
      const answer = answers.get(offsetKey(topic, partition))!;
      return { topic, partition, offset: answer.offset, timestamp: answer.timestamp };
    });
  }

  private requireAssigned(topic: string, partition: number) {
    return this.subscriptions.require(topic, partition, (message) => new IllegalStateError(message));
  }
}

/** The RetryRouter the options ask for (retry.topics, dead.letter.topic, retry.ordered), or null; refuses contradictions. */
function retryRouterFor(o: ResolvedConsumerOptions): RetryRouter | null {
  const stages = o['retry.topics'];
  const deadLetterTopic = o['dead.letter.topic'];
  if (stages.length === 0 && deadLetterTopic === undefined) {
    if (o['retry.ordered']) {
      throw new InvalidArgumentError("'retry.ordered' needs 'retry.topics' or 'dead.letter.topic' to route failures.");
    }
    return null;
  }
  const groupId = o['group.id'];
  if (groupId === undefined) {
    throw new InvalidArgumentError(
      "'retry.topics' and 'dead.letter.topic' need a 'group.id': retry stages belong to a consumer group.",
    );
  }
  return new RetryRouter({
    groupId,
    stages,
    deadLetterTopic,
    ordered: o['retry.ordered'],
    clientOptions: {
      'bootstrap.servers': o['bootstrap.servers'].map((a) =>
        a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`,
      ),
      'client.id': `${o['client.id']}-retries`,
      'request.timeout.ms': o['request.timeout.ms'],
      'metadata.max.age.ms': o['metadata.max.age.ms'],
      'retry.backoff.ms': o['retry.backoff.ms'],
      logger: o.logger,
      time: o.time,
    },
    maxMetadataBytes: 4096,
    time: o.time,
    logger: o.logger,
  });
}
