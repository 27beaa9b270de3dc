/**
 * Where records wait to be sent (Kafka's `RecordAccumulator`): per partition a queue of `ProducerBatch`es, the
 * last one open for appends, within the `buffer.memory` budget (`MemoryPool`).
 *
 * Layout: `byTopic` maps a topic to its `PartitionQueue`s by partition number (batches oldest first, plus how
 * many of the partition's batches are in flight and whether it is retrying). Builders of sent batches are kept for reuse, so
 * a steady producer allocates one buffer per batch (the built payload) and no per-record objects.
 *
 * When a batch is ready to send (`ready`): it is full (a later batch exists, or it reached `batch.size`), or it
 * waited `linger.ms`, or memory is exhausted, or a flush or close is in progress — and its partition's leader is
 * known, and its retry backoff has passed.
 * Order within a partition: `drain` hands out the head batch of each partition, at most one per partition per
 * request. A batch that failed retriably is put back by `reenqueue` in its original place (by drain sequence) and
 * the partition turns to retrying: while it retries, nothing of it is drained while anything of it is in flight,
 * so later batches never overtake the retried ones. (Batches already in flight when the first failure came can;
 * with `max.in.flight.requests.per.connection` 1 nothing can, as in Kafka. An idempotent producer's sequences make
 * the broker refuse such an overtaking batch, which is then retried in its place.) An idempotent producer also
 * decides which head batches may go and numbers them as they are drained (`DrainSequencer`).
 * Delivery timeout: batches waiting here longer than `delivery.timeout.ms` since creation fail with TimeoutError.
 *
 * Concurrency: all on the event loop; appends are synchronous, so records appended in one tick share batches.
 * Lifecycle: owned by the Producer; the Sender drains it. `abortAll` fails every batch on forced close.
 */
import { TimeoutError } from '../../common/errors.js';
import type { Time } from '../../common/time.js';
import { RecordBatchBuilder, type RecordHeader } from '../../record/record-batch-builder.js';
import { CompressionType, RECORD_BATCH_OVERHEAD } from '../../record/record-batch.js';
import type { ClusterMetadata } from '../cluster-metadata.js';
import { MemoryPool } from './memory-pool.js';
import { ProducerBatch } from './producer-batch.js';

export interface RecordAccumulatorOptions {
  batchSizeBytes: number;
  lingerMs: number;
  bufferMemoryBytes: number;
  compression: CompressionType;
  deliveryTimeoutMs: number;
  /** Batches are built with the transactional flag (a producer with a transactional.id). @default false */
  transactional?: boolean;
  time: Time;
}

/** Most bytes a record adds to a batch beyond its key, value and headers (Kafka's `DefaultRecord.MAX_RECORD_OVERHEAD`). */
const MAX_RECORD_OVERHEAD = 21;
/** Builders kept for reuse. */
const MAX_POOLED_BUILDERS = 64;

class PartitionQueue {
  readonly batches: ProducerBatch[] = [];
  inFlight = 0;
  retrying = false;
  nextDrainSequence = 0;
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

/** The idempotent producer's say in `drain` (TransactionManager). */
export interface DrainSequencer {
  /** Whether the head batch of a partition may be drained now. */
  canDrain(batch: ProducerBatch): boolean;
  /** Numbers a batch drained for the first time. */
  assignSequence(batch: ProducerBatch): void;
}

/** What `ready()` found. */
export interface ReadyCheck {
  /** Leaders that have at least one ready batch. */
  readyNodes: Set<number>;
  /** Some partition with batches has no known leader: metadata should be refreshed. */
  unknownLeader: boolean;
  /** When to check again for batches that are not ready yet (linger, backoff, expiry); Infinity when never. */
  nextCheckDelayMs: number;
}

export class RecordAccumulator {
  readonly memory: MemoryPool;
  private readonly options: RecordAccumulatorOptions;
  /** Per topic, the queues indexed by partition; `queues` lists them all for iteration. */
  private readonly byTopic = new Map<string, PartitionQueue[]>();
  private readonly queues: PartitionQueue[] = [];
  private readonly builders: RecordBatchBuilder[] = [];
  private readonly incomplete = new Set<ProducerBatch>();
  private flushesInProgress = 0;
  private drainIndex = 0;
  private closing = false;

  constructor(options: RecordAccumulatorOptions) {
    this.options = options;
    this.memory = new MemoryPool(options.bufferMemoryBytes, options.time);
  }

  /** Batches not yet done (waiting, in flight or being retried). */
  get incompleteCount(): number {
    return this.incomplete.size;
  }

  /** Upper bound of the bytes a record adds to a batch (strings counted by characters; see `tryAppend`). */
  static estimateRecordBytes(
    key: Buffer | string | null,
    value: Buffer | string | null,
    headers: readonly RecordHeader[] | undefined,
  ): number {
    let bytes = MAX_RECORD_OVERHEAD + (key === null ? 0 : key.length) + (value === null ? 0 : value.length);
    if (headers !== undefined) {
      for (const h of headers) bytes += 10 + h.key.length + (h.value === null ? 0 : h.value.length);
    }
    return bytes;
  }

  /** Memory to reserve for a new batch holding a record of `recordBytes` (at least `batch.size`). */
  batchBytesFor(recordBytes: number): number {
    return Math.max(this.options.batchSizeBytes, RECORD_BATCH_OVERHEAD + recordBytes);
  }

  /**
   * Appends to the partition's open batch when the record fits within `batch.size` (`recordBytes` from
   * `estimateRecordBytes`; multi-byte UTF-8 strings may overshoot it by up to 2 bytes per character). Returns the
   * batch (the record's index is `batch.count - 1`), or null when a new batch is needed.
   */
  tryAppend(
    topic: string,
    partition: number,
    recordBytes: number,
    timestampMs: number,
    key: Buffer | string | null,
    value: Buffer | string | null,
    headers: readonly RecordHeader[] | undefined,
  ): ProducerBatch | null {
    const queue = this.byTopic.get(topic)?.[partition];
    if (queue === undefined) return null;
    const last = queue.batches[queue.batches.length - 1];
    if (last === undefined || !last.isOpen || last.sizeInBytes + recordBytes > this.options.batchSizeBytes) return null;
    last.append(timestampMs, key, value, headers);
    return last;
  }

  /** Opens a new batch for the partition, with `reservedBytes` already reserved from `memory`. */
  createBatch(topic: string, partition: number, reservedBytes: number): ProducerBatch {
    const queue = this.queueFor(topic, partition);
    const builder =
      this.builders.pop() ??
      new RecordBatchBuilder({
        compression: this.options.compression,
        isTransactional: this.options.transactional === true,
        initialCapacity: this.options.batchSizeBytes + RECORD_BATCH_OVERHEAD,
      });
    const batch = new ProducerBatch(topic, partition, builder, this.options.time.hiResMs(), reservedBytes);
    queue.batches.push(batch);
    this.incomplete.add(batch);
    return batch;
  }

  /** Finds the leaders with sendable batches (see the header). */
  ready(metadata: ClusterMetadata, nowMs: number): ReadyCheck {
    const { lingerMs, batchSizeBytes } = this.options;
    const urgent = this.closing || this.flushesInProgress > 0 || this.memory.exhausted;
    const readyNodes = new Set<number>();
    let unknownLeader = false;
    let nextCheckMs = Infinity;
    for (const queue of this.queues) {
      const head = queue.batches[0];
      if (head === undefined) continue;
      const leader = metadata.leaderFor(queue.topic, queue.partition);
      if (leader < 0) {
        unknownLeader = true;
        continue;
      }
      if (readyNodes.has(leader) || (queue.retrying && queue.inFlight > 0)) continue;
      if (head.retryAtMs > nowMs) {
        nextCheckMs = Math.min(nextCheckMs, head.retryAtMs);
        continue;
      }
      const full = queue.batches.length > 1 || head.sizeInBytes >= batchSizeBytes;
      const lingerEndMs = head.createdMs + lingerMs;
      if (full || urgent || head.attempts > 0 || lingerEndMs <= nowMs) readyNodes.add(leader);
      else nextCheckMs = Math.min(nextCheckMs, lingerEndMs);
    }
    for (const queue of this.queues) {
      const head = queue.batches[0];
      if (head !== undefined) nextCheckMs = Math.min(nextCheckMs, head.createdMs + this.options.deliveryTimeoutMs);
    }
    return { readyNodes, unknownLeader, nextCheckDelayMs: Math.max(0, nextCheckMs - nowMs) };
  }

  /**
   * Takes the sendable head batch of each partition led by `nodeId`, up to `maxRequestBytes` in all (the first
   * batch is taken whatever its size), as far as `sequencer` (an idempotent producer's) allows, numbering them.
   * Batches leave the queue and count as in flight until `reenqueue` or `deallocate`. Open batches are returned
   * still open: the sender closes (builds) them.
   */
  drain(
    metadata: ClusterMetadata,
    nodeId: number,
    maxRequestBytes: number,
    nowMs: number,
    sequencer?: DrainSequencer,
  ): ProducerBatch[] {
    const drained: ProducerBatch[] = [];
    let bytes = 0;
    const queues = this.queues;
    // Start where the previous drain stopped, so that a size-capped request does not always favour the same partitions.
    const start = this.drainIndex++ % Math.max(queues.length, 1);
    for (let n = 0; n < queues.length; n++) {
      const queue = queues[(start + n) % queues.length]!;
      const head = queue.batches[0];
      if (head === undefined || head.retryAtMs > nowMs || (queue.retrying && queue.inFlight > 0)) continue;
      if (metadata.leaderFor(queue.topic, queue.partition) !== nodeId) continue;
      if (sequencer !== undefined && !sequencer.canDrain(head)) continue;
      const size = head.sizeInBytes;
      if (drained.length > 0 && bytes + size > maxRequestBytes) break;
      queue.batches.shift();
      if (sequencer !== undefined && !head.hasSequence) sequencer.assignSequence(head);
      queue.inFlight++;
      head.inFlight = true;
      head.attempts++;
      if (head.drainSequence < 0) head.drainSequence = queue.nextDrainSequence++;
      bytes += size;
      drained.push(head);
    }
    return drained;
  }

  /** Returns a builder taken by `ProducerBatch.close()` for reuse. */
  recycle(builder: RecordBatchBuilder): void {
    builder.reset();
    if (this.builders.length < MAX_POOLED_BUILDERS) this.builders.push(builder);
  }

  /** Puts a batch that failed retriably back in its place, to be retried after `retryBackoffMs`. */
  reenqueue(batch: ProducerBatch, retryBackoffMs: number, nowMs: number): void {
    const queue = this.queueOf(batch);
    queue.inFlight--;
    batch.inFlight = false;
    batch.retryAtMs = nowMs + retryBackoffMs;
    queue.retrying = true;
    const batches = queue.batches;
    let i = 0;
    while (i < batches.length && batches[i]!.drainSequence >= 0 && batches[i]!.drainSequence < batch.drainSequence) i++;
    batches.splice(i, 0, batch);
  }

  /** Releases the memory and in-flight slot of a drained batch that is now done. */
  deallocate(batch: ProducerBatch): void {
    if (!this.incomplete.delete(batch)) return;
    const queue = this.queueOf(batch);
    queue.inFlight--;
    this.release(queue, batch);
  }

  /** Fails the batches waiting here for longer than `delivery.timeout.ms`; returns them (already failed). */
  expireBatches(nowMs: number): ProducerBatch[] {
    const expired: ProducerBatch[] = [];
    const deliveryTimeoutMs = this.options.deliveryTimeoutMs;
    for (const queue of this.queues) {
      while (queue.batches.length > 0 && queue.batches[0]!.createdMs + deliveryTimeoutMs <= nowMs) {
        const batch = queue.batches.shift()!;
        expired.push(batch);
        batch.fail(
          new TimeoutError(
            `Expiring ${batch.count} record(s) for ${queue.topic}-${queue.partition}: ` +
              `${Math.round(nowMs - batch.createdMs)} ms has passed since batch creation (delivery.timeout.ms ` +
              `${deliveryTimeoutMs}). The partition's leader may be unavailable; raise 'delivery.timeout.ms' to wait longer.`,
          ),
        );
        this.incomplete.delete(batch);
        this.release(queue, batch);
      }
    }
    return expired;
  }

  /** Makes every batch ready at once until `endFlush()`. */
  beginFlush(): void {
    this.flushesInProgress++;
  }

  endFlush(): void {
    this.flushesInProgress--;
  }

  /** Resolves when every batch incomplete now is done. */
  async awaitIncomplete(): Promise<void> {
    await Promise.all([...this.incomplete].map((b) => b.whenDone()));
  }

  /** Sends everything at once from now on (closing). */
  beginClose(): void {
    this.closing = true;
  }

  /**
   * Fails with `error` every batch that was never drained (it has no sequence; Kafka's abortUndrainedBatches): a
   * transaction being aborted drops what it did not send, while batches on the wire or waiting for a retry finish.
   */
  abortUndrainedBatches(error: Error): void {
    for (const queue of this.queues) {
      const kept = queue.batches.filter((batch) => batch.hasSequence || batch.inFlight);
      if (kept.length === queue.batches.length) continue;
      for (const batch of queue.batches) {
        if (batch.hasSequence || batch.inFlight) continue;
        batch.fail(error);
        this.incomplete.delete(batch);
        this.release(queue, batch);
      }
      queue.batches.splice(0, queue.batches.length, ...kept);
    }
  }

  /** Fails every batch not yet done with `error` (forced close). */
  abortAll(error: Error): void {
    for (const batch of [...this.incomplete]) {
      batch.fail(error);
      this.incomplete.delete(batch);
    }
    for (const queue of this.queues) queue.batches.length = 0;
    this.memory.close(error);
  }

  private release(queue: PartitionQueue, batch: ProducerBatch): void {
    this.memory.release(batch.reservedBytes);
    if (queue.retrying && queue.inFlight === 0 && (queue.batches[0]?.attempts ?? 0) === 0) queue.retrying = false;
  }

  private queueOf(batch: ProducerBatch): PartitionQueue {
    return this.queueFor(batch.topic, batch.partition);
  }

  private queueFor(topic: string, partition: number): PartitionQueue {
    let topicQueues = this.byTopic.get(topic);
    if (topicQueues === undefined) {
      topicQueues = [];
      this.byTopic.set(topic, topicQueues);
    }
    let queue = topicQueues[partition];
    if (queue === undefined) {
      queue = new PartitionQueue(topic, partition);
      topicQueues[partition] = queue;
      this.queues.push(queue);
    }
    return queue;
  }
}
