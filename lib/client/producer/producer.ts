/**
 * The producer (Kafka's `KafkaProducer`): `send()` one record or `sendBatch()` many; each record is partitioned,
 * appended to its partition's open batch in the accumulator, and sent by the `Sender` to the leader.
 *
 * Paths:
 * - Fast (synchronous): the topic's metadata is known and memory is free: the record is partitioned and appended
 *   at once into its batch's buffer. `send()` then costs one promise (made with a static executor, no closure) and
 *   `send(record, callback)` none; `sendBatch()` one promise per call and none per record.
 * - Blocking: the topic is not known yet (waits for metadata up to `max.block.ms`, then fails with ApiError
 *   UNKNOWN_TOPIC_OR_PARTITION) or `buffer.memory` is used up (waits up to `max.block.ms` for batches to complete,
 *   then fails with TimeoutError). While one call is blocked, later calls queue behind it, so records keep the order
 *   in which they were sent, as with Kafka's blocking `send()`.
 * - Null keys without an explicit partition go through the sticky partitioner: when the record needs a new batch
 *   on its sticky partition, the partitioner moves on (`onNewBatch`) and the record is placed again (KIP-480).
 *
 * - Delayed records (`deliverAt`, `delayMs` or an `mq-deliver-at` header) are routed to `__delayed_records` with their
 *   target partition chosen now (delayed-routing.ts); both topics' metadata must be known, else the blocking path
 *   waits for it. The promise resolves once the delayed record is stored there (its RecordMetadata names
 *   `__delayed_records`); the broker delivers it to its topic when due.
 *
 * Delivery: with `enable.idempotence` (the default, with `acks=all`) a TransactionManager gives the producer an id
 * and numbers its batches, so that retries neither duplicate nor reorder records; see transaction-manager.ts.
 * A fatal producer error (e.g. PRODUCER_FENCED) fails every pending record and every later send.
 * Transactions: with a `transactional.id`, `initTransactions()` once, then `beginTransaction()`, `send()`s,
 * `sendOffsetsToTransaction()` and `commitTransaction()` or `abortTransaction()`; records are sent only inside a
 * transaction and are visible to read_committed consumers only once it commits (see producer-transactions.ts).
 * Closing with a transaction open aborts it.
 *
 * Lifecycle: New → `connect()` (fetches metadata; fails when no bootstrap server answers within `max.block.ms`)
 * → Connected → `close()` (sends what is buffered, waits for every batch to be done, closes connections) →
 * Closed. `send()` outside Connected rejects with IllegalStateError. `flush()` sends everything buffered now and
 * resolves once it is acknowledged or failed.
 */
import { ApiError, IllegalStateError, InvalidArgumentError, toError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import type { RecordHeader } from '../../record/record-batch-builder.js';
import { ClientCluster } from '../client-cluster.js';
import { ClientLifecycle } from '../client-lifecycle.js';
import type { TopicMetadata } from '../cluster-metadata.js';
import { DELAYED_TOPIC } from '../../record/delayed-record.js';
import type { ProducerRecord } from './producer-record.js';
import { deliveryTimeOf, toDelayedRecord } from './delayed-routing.js';
import { DefaultPartitioner, type Partitioner } from './partitioner.js';
import {
  BatchCompletion,
  type PartitionResult,
  type ProducerBatch,
  type RecordMetadata,
  type RecordRejecter,
  type RecordSettler,
  type SendCallback,
} from './producer-batch.js';
import {
  COMPRESSION_TYPES,
  resolveProducerOptions,
  type ProducerOptions,
  type ResolvedProducerOptions,
} from './producer-options.js';
import { RecordAccumulator } from './record-accumulator.js';
import { Sender } from './sender.js';
import { TransactionManager } from './transaction-manager.js';
import { ProducerTransactions } from './producer-transactions.js';
import type { ConsumerGroupMetadata, OffsetToCommit } from '../consumer/group-offsets.js';

export class Producer {
  readonly options: ResolvedProducerOptions;
  private readonly time: Time;
  private readonly logger: Logger;
  private readonly cluster: ClientCluster;
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly transactionManager: TransactionManager | undefined;
  private readonly transactions: ProducerTransactions | undefined;
  private readonly partitioner: Partitioner;
  private readonly lifecycle = new ClientLifecycle('Producer');
  /** The last blocked call; later calls wait for it so that records keep their order. */
  private blockedTail: Promise<void> | null = null;
  /** The `send()`s waiting behind the blocked calls, in order; null when the last blocked call is not theirs. */
  private blockedSends: BlockedSends | null = null;
  // Set by `append` when it returns null: what the blocked path must reserve, and where.
  private pendingPartition = -1;
  private pendingBytes = 0;

  constructor(options: ProducerOptions) {
    const o = resolveProducerOptions(options);
    this.options = o;
    this.time = o.time;
    this.logger = o.logger.child({ component: 'Producer', clientId: o['client.id'] });
    this.partitioner = o.partitioner ?? new DefaultPartitioner();
    this.cluster = ClientCluster.fromClientOptions(
      o,
      {
        maxInFlightRequests: o['max.in.flight.requests.per.connection'],
        allowAutoTopicCreation: true,
      },
      'producer',
    );
    const compression = COMPRESSION_TYPES[o['compression.type']];
    this.accumulator = new RecordAccumulator({
      batchSizeBytes: o['batch.size'],
      lingerMs: o['linger.ms'],
      bufferMemoryBytes: o['buffer.memory'],
      compression,
      deliveryTimeoutMs: o['delivery.timeout.ms'],
      transactional: o['transactional.id'] !== null,
      time: o.time,
    });
    const transactionalId = o['transactional.id'];
    this.transactionManager = o['enable.idempotence']
      ? new TransactionManager(
          this.logger,
          o['max.in.flight.requests.per.connection'],
          transactionalId === null
            ? undefined
            : {
                isPartitionAdded: (topic, partition) => this.transactions!.isPartitionAdded(topic, partition),
                onBatchFailed: (error) => this.transactions!.onBatchFailed(error),
              },
        )
      : undefined;
    this.sender = new Sender({
      accumulator: this.accumulator,
      cluster: this.cluster,
      acks: o.acks,
      compression,
      requestTimeoutMs: o['request.timeout.ms'],
      maxInFlightRequests: o['max.in.flight.requests.per.connection'],
      maxRequestBytes: o['max.request.size'],
      retries: o.retries,
      retryBackoffMs: o['retry.backoff.ms'],
      deliveryTimeoutMs: o['delivery.timeout.ms'],
      transactionManager: this.transactionManager,
      time: o.time,
      logger: o.logger,
    });
    this.cluster.onUpdate(() => this.sender.wakeup());
    this.transactions =
      transactionalId === null
        ? undefined
        : new ProducerTransactions({
            transactionalId,
            transactionTimeoutMs: o['transaction.timeout.ms'],
            cluster: this.cluster,
            transactionManager: this.transactionManager!,
            accumulator: this.accumulator,
            flush: () => this.flush(),
            wakeupSender: () => this.sender.wakeup(),
            retryBackoffMs: o['retry.backoff.ms'],
            maxBlockMs: o['max.block.ms'],
            time: o.time,
            logger: this.logger,
          });
  }

  /** Fetches the cluster's metadata; rejects with TimeoutError when no bootstrap server answers within max.block.ms. */
  async connect(): Promise<void> {
    await this.lifecycle.connect(() =>
      this.cluster.connect(
        this.time.hiResMs() + this.options['max.block.ms'],
        `max.block.ms=${this.options['max.block.ms']}`,
      ),
    );
    this.logger.debug('Connected');
  }

  /**
   * Sends one record; resolves with where it was written once the broker acknowledged it (see the header). With a
   * `callback` (Kafka's `send(record, callback)`), returns nothing and calls it instead, `(null, metadata)` or
   * `(error, null)`, never synchronously: no promise is made for the record, which suits a loop of millions of sends.
   */
  send(record: ProducerRecord): Promise<RecordMetadata>;
  send(record: ProducerRecord, callback: SendCallback): void;
  send(record: ProducerRecord, callback?: SendCallback): Promise<RecordMetadata> | undefined {
    if (callback !== undefined) {
      this.sendRecord(record, callback, null);
      return undefined;
    }
    const promise = new Promise<RecordMetadata>(captureSettlers);
    this.sendRecord(record, captured.resolve!, captured.reject);
    return promise;
  }

  /**
   * Sends many records; resolves once all are acknowledged, with one entry per run of consecutive records that
   * landed in the same batch (`baseOffset`, `recordCount`), or rejects with the first failure. No promise or
   * closure is created per record.
   */
  sendBatch(records: readonly ProducerRecord[]): Promise<PartitionResult[]> {
    const refused = this.sendRefusal('sendBatch()');
    if (refused !== null) return Promise.reject(refused);
    return new Promise((resolve, reject) => {
      const completion = new BatchCompletion(resolve, reject);
      const nowMs = this.time.milliseconds();
      let next = this.blockedTail === null ? this.appendMany(records, 0, nowMs, completion) : 0;
      if (next < 0) return;
      this.blockedSends = null;
      this.runBlocked(async () => {
        while (next < records.length) {
          const record = records[next]!;
          const [batch] = await this.appendBlocking(record, nowMs);
          batch.addToCompletion(completion, batch.count - 1);
          next = this.appendMany(records, next + 1, nowMs, completion);
          if (next < 0) return;
        }
        completion.seal();
      }).catch((e: unknown) => completion.partFailed(e as Error));
    });
  }

  /** Sends everything buffered now, without waiting for linger.ms; resolves once all of it is done. */
  async flush(): Promise<void> {
    if (this.blockedTail !== null) await this.blockedTail;
    this.accumulator.beginFlush();
    this.sender.wakeup();
    try {
      await this.accumulator.awaitIncomplete();
    } finally {
      this.accumulator.endFlush();
    }
  }

  /**
   * Gets the producer id and epoch of the `transactional.id` from its transaction coordinator, which fences every
   * older producer with that id and aborts (or completes) its unfinished transaction first. Call once, before the
   * first transaction. Rejects with TimeoutError after `max.block.ms` (call again to keep waiting), with
   * ProducerFencedError / ApiError when the coordinator refuses (INVALID_TRANSACTION_TIMEOUT: transaction.timeout.ms
   * above the broker's transaction.max.timeout.ms).
   */
  initTransactions(): Promise<void> {
    if (!this.lifecycle.isConnected) return Promise.reject(this.lifecycle.notConnected('initTransactions()'));
    return this.onTransactions('initTransactions', (t) => t.initTransactions());
  }

  /** Starts a transaction: the records sent until commitTransaction() or abortTransaction() belong to it. */
  beginTransaction(): void {
    this.transactional('beginTransaction').beginTransaction();
  }

  /**
   * Commits a consumer group's offsets in the transaction (`offsets`: the next offset to read per partition;
   * `groupMetadata`: the consumer's `groupMetadata()`), so that they count as consumed exactly when the transaction
   * commits. Resolves once the group's coordinator holds them.
   */
  sendOffsetsToTransaction(offsets: readonly OffsetToCommit[], groupMetadata: ConsumerGroupMetadata): Promise<void> {
    return this.onTransactions('sendOffsetsToTransaction', (t) => t.sendOffsetsToTransaction(offsets, groupMetadata));
  }

  /**
   * Sends every record of the transaction, then commits it. Rejects, leaving the transaction to be aborted, when a
   * record of it failed (the error, or TransactionAbortableError naming it); with ProducerFencedError when a newer
   * producer took over the transactional.id.
   */
  commitTransaction(): Promise<void> {
    return this.onTransactions('commitTransaction', (t) => t.commitTransaction());
  }

  /** Aborts the transaction: records not yet sent fail with TransactionAbortedError; none of it becomes visible. */
  abortTransaction(): Promise<void> {
    return this.onTransactions('abortTransaction', (t) => t.abortTransaction());
  }

  /**
   * Sends what is buffered, waits until every record is acknowledged or failed (at most `timeoutMs`, after which
   * the rest fail), then closes the connections. A transaction still open is aborted first. Safe to call more than
   * once.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.lifecycle.isConnected && this.transactions?.inTransaction === true) {
      await this.transactions.abortTransaction().catch((err: unknown) => {
        this.logger.info({ err }, 'aborting the open transaction at close failed');
      });
    }
    this.transactions?.close();
    const was = this.lifecycle.beginClose();
    if (was === null) return;
    if (was === 'Connected') {
      const drained = (async () => {
        if (this.blockedTail !== null) await this.blockedTail;
        this.accumulator.beginClose();
        this.sender.wakeup();
        await this.accumulator.awaitIncomplete();
      })();
      const timeoutMs = options.timeoutMs ?? Infinity;
      let timer: NodeJS.Timeout | undefined;
      const timedOut =
        timeoutMs === Infinity
          ? new Promise<void>(() => {})
          : new Promise<void>((resolve) => {
              timer = setTimeout(resolve, timeoutMs);
            });
      await Promise.race([drained, timedOut]);
      clearTimeout(timer);
    }
    this.accumulator.abortAll(new IllegalStateError('The producer was closed before these records were acknowledged.'));
    this.sender.close();
    await this.cluster.close();
    this.lifecycle.closed();
    this.logger.debug('Closed');
  }

  /**
   * The work of `send()`: appends the record now on the fast path, else queues it behind the blocked calls, and
   * registers `settle`/`reject` (a callback and null, or a promise's functions) with its batch. Nothing is allocated
   * per record beyond what the batch's arrays (or the queue's) hold.
   */
  private sendRecord(record: ProducerRecord, settle: RecordSettler, reject: RecordRejecter): void {
    const refused = this.sendRefusal('send()');
    if (refused !== null) return failSend(refused, settle, reject);
    if (this.blockedTail === null && this.appendNow(record, settle, reject)) return;
    const queue = this.blockedSends;
    if (queue !== null) return queue.push(record, settle, reject);
    const opened = new BlockedSends();
    opened.push(record, settle, reject); // before the drain starts: it runs at once when nothing else is blocked
    this.blockedSends = opened;
    void this.runBlocked(() => this.drainBlockedSends(opened));
  }

  /**
   * `send()`'s fast path: partitions and appends the record and registers its waiter, or fails it when invalid.
   * Returns false, having done nothing, when the record must wait for metadata or memory.
   */
  private appendNow(record: ProducerRecord, settle: RecordSettler, reject: RecordRejecter): boolean {
    try {
      const routed = this.routeIfDelayed(record);
      const topic = routed === null ? undefined : this.cluster.metadata.topic(routed.topic);
      if (topic === undefined || topic.partitions.length === 0) return false;
      const timestampMs = routed!.timestamp ?? this.time.milliseconds();
      const batch = this.append(routed!, topic, timestampMs);
      if (batch === null) return false;
      batch.addRecordWaiter(batch.count - 1, timestampMs, settle, reject);
    } catch (e) {
      failSend(toError(e), settle, reject);
    }
    return true;
  }

  /**
   * Sends the queued `send()`s in order, each on the fast path when it can go now, else waiting for metadata or
   * memory; takes the sends queued meanwhile too, until the queue is empty (then later sends open a new one).
   */
  private async drainBlockedSends(queue: BlockedSends): Promise<void> {
    for (;;) {
      const i = queue.head;
      if (i === queue.records.length) break;
      const record = queue.records[i]!;
      const settle = queue.settlers[i]!;
      const reject = queue.rejecters[i]!;
      queue.advance();
      if (this.lifecycle.isConnected && this.appendNow(record, settle, reject)) continue;
      try {
        const [batch, timestampMs] = await this.appendBlocking(record);
        batch.addRecordWaiter(batch.count - 1, timestampMs, settle, reject);
      } catch (e) {
        failSend(toError(e), settle, reject);
      }
    }
    if (this.blockedSends === queue) this.blockedSends = null;
  }

  /**
   * Appends records[from..] on the fast path; returns the index of the first record that needs the blocking path,
   * `records.length` when all were appended, or -1 when the completion was settled (sealed or failed).
   */
  private appendMany(
    records: readonly ProducerRecord[],
    from: number,
    nowMs: number,
    completion: BatchCompletion,
  ): number {
    const metadata = this.cluster.metadata;
    let i = from;
    try {
      for (; i < records.length; i++) {
        const record = this.routeIfDelayed(records[i]!);
        if (record === null) return i;
        const topic = metadata.topic(record.topic);
        if (topic === undefined || topic.partitions.length === 0) return i;
        const batch = this.append(record, topic, record.timestamp ?? nowMs);
        if (batch === null) return i;
        batch.addToCompletion(completion, batch.count - 1);
      }
    } catch (e) {
      completion.partFailed(e as Error);
      return -1;
    }
    completion.seal();
    return -1;
  }

  /**
   * Partitions and appends one record without waiting. Returns its batch, or null when a new batch is needed and
   * memory is not free (then `pendingPartition`/`pendingBytes` say what to reserve). Throws on an invalid record.
   */
  private append(record: ProducerRecord, topic: TopicMetadata, timestampMs: number): ProducerBatch | null {
    const key = record.key ?? null;
    const { value, headers } = record;
    const partitionCount = topic.partitions.length;
    const recordBytes = this.checkRecord(record, key, partitionCount);
    const explicit = record.partition !== undefined;
    let partition = explicit
      ? record.partition!
      : this.partitioner.partition(topic.name, key, partitionCount, topic.availablePartitions);
    let batch = this.accumulator.tryAppend(topic.name, partition, recordBytes, timestampMs, key, value, headers);
    if (batch !== null) return batch;
    if (!explicit && key === null && this.partitioner.onNewBatch !== undefined) {
      this.partitioner.onNewBatch(topic.name, partition, partitionCount, topic.availablePartitions);
      const moved = this.partitioner.partition(topic.name, key, partitionCount, topic.availablePartitions);
      if (moved !== partition) {
        partition = moved;
        batch = this.accumulator.tryAppend(topic.name, partition, recordBytes, timestampMs, key, value, headers);
        if (batch !== null) return batch;
      }
    }
    this.checkPartition(partition, partitionCount, topic.name);
    const bytes = this.accumulator.batchBytesFor(recordBytes);
    if (!this.accumulator.memory.tryReserve(bytes)) {
      this.pendingPartition = partition;
      this.pendingBytes = bytes;
      return null;
    }
    return this.startBatch(topic.name, partition, bytes, timestampMs, key, value, headers);
  }

  /**
   * A delayed record as the record of `__delayed_records` that carries it (see delayed-routing.ts), any other record
   * as it is; null when a delayed record's topic or the delay topic is not in the metadata yet. Throws
   * InvalidArgumentError for a bad delivery time or partition.
   */
  private routeIfDelayed(record: ProducerRecord): ProducerRecord | null {
    if (record.deliverAt === undefined && record.delayMs === undefined && record.headers === undefined) return record;
    const deliverAtMs = deliveryTimeOf(record, this.time.milliseconds());
    if (deliverAtMs === null) return record;
    const metadata = this.cluster.metadata;
    const target = metadata.topic(record.topic);
    const delay = metadata.topic(DELAYED_TOPIC);
    if (target === undefined || target.partitions.length === 0 || delay === undefined || delay.partitions.length === 0)
      return null;
    const count = target.partitions.length;
    const partition =
      record.partition ??
      this.partitioner.partition(target.name, record.key ?? null, count, target.availablePartitions);
    this.checkPartition(partition, count, target.name);
    return toDelayedRecord(record, deliverAtMs, partition, delay.partitions.length);
  }

  /** The blocking path for one record: waits for metadata and memory as needed, then appends. */
  private async appendBlocking(
    original: ProducerRecord,
    defaultTimestampMs?: number,
  ): Promise<[ProducerBatch, number]> {
    this.lifecycle.requireConnected('send()');
    const deadlineMs = this.time.hiResMs() + this.options['max.block.ms'];
    let record = this.routeIfDelayed(original);
    if (record === null) {
      await this.cluster.waitForTopic(checkTopic(original.topic), deadlineMs);
      await this.cluster.waitForTopic(DELAYED_TOPIC, deadlineMs);
      record = this.routeIfDelayed(original)!;
    }
    const topic = await this.cluster.waitForTopic(checkTopic(record.topic), deadlineMs);
    const timestampMs = record.timestamp ?? defaultTimestampMs ?? this.time.milliseconds();
    const batch = this.append(record, topic, timestampMs);
    if (batch !== null) return [batch, timestampMs];
    const partition = this.pendingPartition;
    const bytes = this.pendingBytes;
    await this.accumulator.memory.reserve(bytes, Math.max(0, deadlineMs - this.time.hiResMs()));
    if (!this.lifecycle.isConnected) {
      this.accumulator.memory.release(bytes);
      throw this.lifecycle.notConnected('send()');
    }
    return [
      this.startBatch(topic.name, partition, bytes, timestampMs, record.key ?? null, record.value, record.headers),
      timestampMs,
    ];
  }

  private startBatch(
    topic: string,
    partition: number,
    reservedBytes: number,
    timestampMs: number,
    key: Buffer | string | null,
    value: Buffer | string | null,
    headers: readonly RecordHeader[] | undefined,
  ): ProducerBatch {
    this.transactions?.maybeAddPartition(topic, partition);
    const batch = this.accumulator.createBatch(topic, partition, reservedBytes);
    batch.append(timestampMs, key, value, headers);
    this.sender.wakeup();
    return batch;
  }

  /** Runs `fn` after every earlier blocked call; later calls wait for it in turn. */
  private runBlocked(fn: () => Promise<void>): Promise<void> {
    const previous = this.blockedTail;
    const run = previous === null ? fn() : previous.then(fn);
    const tail = run.then(
      () => {},
      () => {},
    );
    this.blockedTail = tail;
    void tail.then(() => {
      if (this.blockedTail === tail) this.blockedTail = null;
    });
    return run;
  }

  /** Validates a record's fields and size; returns its size estimate in bytes. */
  private checkRecord(record: ProducerRecord, key: Buffer | string | null, partitionCount: number): number {
    const { value } = record;
    if (
      !(value === null || typeof value === 'string' || Buffer.isBuffer(value)) ||
      !(key === null || typeof key === 'string' || Buffer.isBuffer(key))
    ) {
      throw new InvalidArgumentError(
        `A record's key and value must be a Buffer, a string or null; found key ` +
          `${typeof key} and value ${value === undefined ? 'undefined' : typeof value} for topic '${record.topic}'.`,
      );
    }
    if (record.partition !== undefined) this.checkPartition(record.partition, partitionCount, record.topic);
    if (record.timestamp !== undefined && !(Number.isSafeInteger(record.timestamp) && record.timestamp >= 0)) {
      throw new InvalidArgumentError(
        `Invalid timestamp ${record.timestamp} for a record of '${record.topic}': ` +
          'expected ms since the epoch (an integer >= 0).',
      );
    }
    const bytes = RecordAccumulator.estimateRecordBytes(key, value, record.headers);
    const limit = Math.min(this.options['max.request.size'], this.options['buffer.memory']);
    if (bytes > limit) {
      throw new ApiError(
        'MESSAGE_TOO_LARGE',
        `A record of about ${bytes} bytes is larger than ` +
          `${limit === this.options['max.request.size'] ? "'max.request.size'" : "'buffer.memory'"} (${limit} bytes); ` +
          "raise it (and the broker's message.max.bytes) or send smaller records.",
      );
    }
    return bytes;
  }

  private checkPartition(partition: number, partitionCount: number, topic: string): void {
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
      throw new InvalidArgumentError(
        `Invalid partition ${partition} for topic '${topic}': it has partitions ` + `0..${partitionCount - 1}.`,
      );
    }
  }

  /** Why a send must fail now (not connected, failed for good, not in a transaction), or null when it may go on. */
  private sendRefusal(what: string): Error | null {
    if (!this.lifecycle.isConnected) return this.lifecycle.notConnected(what);
    const fatal = this.transactionManager?.fatalError;
    if (fatal) return fatal;
    try {
      this.transactions?.failIfNotReadyForSend();
    } catch (e) {
      return toError(e);
    }
    return null;
  }

  /** Runs a transactional call; a producer without transactional.id rejects it with IllegalStateError. */
  private onTransactions(what: string, call: (t: ProducerTransactions) => Promise<void>): Promise<void> {
    try {
      return call(this.transactional(what));
    } catch (e) {
      return Promise.reject(toError(e));
    }
  }

  private transactional(what: string): ProducerTransactions {
    if (this.transactions === undefined) {
      throw new IllegalStateError(
        `Producer.${what}() needs a transactional producer: set the option 'transactional.id'.`,
      );
    }
    return this.transactions;
  }
}

/** `send()`s queued while an earlier call is blocked, in parallel arrays (see `Producer.sendRecord`). */
class BlockedSends {
  records: ProducerRecord[] = [];
  settlers: Array<RecordSettler> = [];
  rejecters: Array<RecordRejecter> = [];
  /** The next entry to send; those before it are done and dropped now and then, so a long block stays bounded. */
  head = 0;

  push(record: ProducerRecord, settle: RecordSettler, reject: RecordRejecter): void {
    this.records.push(record);
    this.settlers.push(settle);
    this.rejecters.push(reject);
  }

  /** Moves past the head entry (taken by the drain). */
  advance(): void {
    if (++this.head < 4096 || this.head * 2 < this.records.length) return;
    this.records = this.records.slice(this.head);
    this.settlers = this.settlers.slice(this.head);
    this.rejecters = this.rejecters.slice(this.head);
    this.head = 0;
  }
}

/**
 * `new Promise(captureSettlers)` hands the promise's resolve and reject functions to `captured`, to be read at once
 * (synchronously, so nothing interleaves): one static executor instead of a closure (and its context) per `send()`.
 */
const captured: { resolve: ((m: RecordMetadata) => void) | null; reject: RecordRejecter } = {
  resolve: null,
  reject: null,
};
function captureSettlers(resolve: (m: RecordMetadata) => void, reject: (e: Error) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

/** Tells a `send()` it failed: rejects its promise, or calls its callback in a microtask (never inside `send()`). */
function failSend(error: Error, settle: RecordSettler, reject: RecordRejecter): void {
  if (reject !== null) reject(error);
  else queueMicrotask(() => (settle as SendCallback)(error, null));
}

function checkTopic(topic: unknown): string {
  if (typeof topic !== 'string' || topic === '') {
    throw new InvalidArgumentError(`A record's topic must be a non-empty string; found ${JSON.stringify(topic)}.`);
  }
  return topic;
}
