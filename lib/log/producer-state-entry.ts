/**
 * What a partition's log remembers of one producer id (Kafka's `ProducerStateEntry`): the producer's epoch, the
 * sequence range and offsets of its last NUM_BATCHES_TO_RETAIN data batches (so that a re-sent batch is answered with
 * its original offsets), the max timestamp of its last append (for expiry), and two fields transactions use: the
 * epoch of the last coordinator that wrote a transaction marker (-1 none) and the first offset of the producer's open
 * transaction (-1 none).
 *
 * Layout: the retained batches are a ring of four parallel number arrays — last sequence, last offset, offset delta
 * (last offset − first offset), max timestamp — read oldest first from `head`. First sequence and first offset are
 * derived (last − delta, the sequence wrapping), as in Kafka's BatchMetadata. Entries restored from a snapshot hold
 * the producer's last batch only (what Kafka's snapshot format keeps); replaying the log tail adds the rest.
 * Invariants: at most NUM_BATCHES_TO_RETAIN batches, in append order; a batch of a new epoch clears the older ones.
 * Ownership: one ProducerStateManager owns its entries and mutates them only from the partition's synchronous append
 * path; nothing here allocates per append.
 */
import { NO_PRODUCER_EPOCH, NO_SEQUENCE, decrementSequence } from '../record/record-batch.js';

/** Batches retained per producer: the most an idempotent producer may have in flight per partition (Kafka's 5). */
export const NUM_BATCHES_TO_RETAIN = 5;

export class ProducerStateEntry {
  producerEpoch = NO_PRODUCER_EPOCH;
  /** Epoch of the transaction coordinator that wrote this producer's last marker; -1 when none did. */
  coordinatorEpoch = -1;
  /** Max timestamp of the producer's last batch or marker; -1 when unknown. */
  lastTimestamp = -1;
  /** First offset of the producer's open transaction; -1 when it has none. */
  currentTxnFirstOffset = -1;
  private readonly lastSeqs: number[] = new Array<number>(NUM_BATCHES_TO_RETAIN).fill(0);
  private readonly lastOffsets: number[] = new Array<number>(NUM_BATCHES_TO_RETAIN).fill(0);
  private readonly offsetDeltas: number[] = new Array<number>(NUM_BATCHES_TO_RETAIN).fill(0);
  private readonly timestamps: number[] = new Array<number>(NUM_BATCHES_TO_RETAIN).fill(0);
  private head = 0;
  private count = 0;

  constructor(readonly producerId: number) {}

  /** Retained batches, 0 to NUM_BATCHES_TO_RETAIN. */
  get batchCount(): number {
    return this.count;
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** First sequence of the oldest retained batch; NO_SEQUENCE when none is retained. */
  get firstSeq(): number {
    return this.count === 0 ? NO_SEQUENCE : this.batchFirstSeq(0);
  }

  /** Last sequence of the newest retained batch; NO_SEQUENCE when none is retained. */
  get lastSeq(): number {
    return this.count === 0 ? NO_SEQUENCE : this.lastSeqs[this.slot(this.count - 1)]!;
  }

  /** Last offset of the newest retained batch; -1 when none is retained. */
  get lastDataOffset(): number {
    return this.count === 0 ? -1 : this.lastOffsets[this.slot(this.count - 1)]!;
  }

  /** Offset delta of the newest retained batch; 0 when none is retained. */
  get lastOffsetDelta(): number {
    return this.count === 0 ? 0 : this.offsetDeltas[this.slot(this.count - 1)]!;
  }

  /** First sequence of retained batch `i` (0 = oldest). */
  batchFirstSeq(i: number): number {
    const s = this.slot(i);
    return decrementSequence(this.lastSeqs[s]!, this.offsetDeltas[s]!);
  }

  batchLastSeq(i: number): number {
    return this.lastSeqs[this.slot(i)]!;
  }

  batchFirstOffset(i: number): number {
    const s = this.slot(i);
    return this.lastOffsets[s]! - this.offsetDeltas[s]!;
  }

  batchLastOffset(i: number): number {
    return this.lastOffsets[this.slot(i)]!;
  }

  batchTimestamp(i: number): number {
    return this.timestamps[this.slot(i)]!;
  }

  /**
   * Records a data batch: a new epoch first clears the retained batches, then the batch is retained, the oldest one
   * dropped when NUM_BATCHES_TO_RETAIN are held.
   */
  addBatch(producerEpoch: number, lastSeq: number, lastOffset: number, offsetDelta: number, timestamp: number): void {
    this.maybeUpdateProducerEpoch(producerEpoch);
    if (this.count === NUM_BATCHES_TO_RETAIN) {
      this.head = (this.head + 1) % NUM_BATCHES_TO_RETAIN;
      this.count--;
    }
    const s = this.slot(this.count);
    this.lastSeqs[s] = lastSeq;
    this.lastOffsets[s] = lastOffset;
    this.offsetDeltas[s] = offsetDelta;
    this.timestamps[s] = timestamp;
    this.count++;
    this.lastTimestamp = timestamp;
  }

  /** Moves to `producerEpoch`, forgetting the batches of the old one; returns whether the epoch changed. */
  maybeUpdateProducerEpoch(producerEpoch: number): boolean {
    if (this.producerEpoch === producerEpoch) return false;
    this.producerEpoch = producerEpoch;
    this.head = 0;
    this.count = 0;
    return true;
  }

  /**
   * The retained batch of epoch `producerEpoch` with exactly the sequence range [firstSeq, lastSeq] — a batch the
   * producer sent again — as its index (0 = oldest), or -1 when there is none.
   */
  findDuplicateBatch(producerEpoch: number, firstSeq: number, lastSeq: number): number {
    if (producerEpoch !== this.producerEpoch) return -1;
    for (let i = 0; i < this.count; i++) {
      if (this.batchLastSeq(i) === lastSeq && this.batchFirstSeq(i) === firstSeq) return i;
    }
    return -1;
  }

  private slot(i: number): number {
    return (this.head + i) % NUM_BATCHES_TO_RETAIN;
  }
}
