/**
 * The records one Fetch response returned for one partition, walked lazily batch by batch as the user reads
 * (Kafka's `Fetcher.CompletedFetch`). Nothing is decoded or copied up front: batches are views into the response
 * buffer.
 *
 * `nextBatch()` skips, without decoding their records: batches wholly below the partition's position (a fetch
 * from the middle of a batch returns the whole batch), control batches (transaction markers), and with
 * read_committed the batches of aborted transactions (Kafka's algorithm: a producer id becomes aborted at the
 * `firstOffset` the response lists for it and stops being so at its ABORT marker). The position moves past a
 * skipped batch, as Kafka's consumer's does (and what the application finished with too, when it had finished
 * everything before it). With `check.crcs` each batch's CRC-32C is verified before its records are handed out.
 * Invariants: stale (`isStale`) once the partition was sought, paused, reset or unassigned after the fetch was
 * made; the reader then drops it.
 */
import { ControlRecordType } from '../../record/record-batch-builder.js';
import { iterateBatches, type BatchView } from '../../record/record-batch-reader.js';
import type { TopicPartitionState } from './subscription-state.js';

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

export class CompletedFetch {
  private readonly batches: Generator<BatchView, void, undefined>;
  private readonly aborted: AbortedTransaction[];
  private readonly abortedProducerIds = new Set<bigint>();

  constructor(
    readonly state: TopicPartitionState,
    /** The partition's epoch when the fetch was made. */
    readonly epoch: number,
    records: Buffer,
    abortedTransactions: readonly AbortedTransaction[] | null,
    private readonly readCommitted: boolean,
    private readonly checkCrcs: boolean,
    /**
     * What this consumer may read up to, from the response: the high watermark, or with read_committed the last
     * stable offset (so that lag counts what is readable, as Kafka's records-lag does).
     */
    readonly highWatermark: number,
  ) {
    this.batches = iterateBatches(records);
    this.aborted =
      readCommitted && abortedTransactions !== null
        ? [...abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset)
        : [];
  }

  get isStale(): boolean {
    return this.state.epoch !== this.epoch;
  }

  /** The next batch holding records at or above the position, or null when this fetch is used up. */
  nextBatch(): BatchView | null {
    for (;;) {
      const step = this.batches.next();
      if (step.done === true) return null;
      const batch = step.value;
      if (batch.lastOffset < (this.state.position ?? 0)) continue;
      if (this.checkCrcs) batch.validate();
      if ((this.readCommitted && batch.isTransactional && this.isAborted(batch)) || batch.isControl) {
        this.skipPast(batch);
        continue;
      }
      return batch;
    }
  }

  private skipPast(batch: BatchView): void {
    const state = this.state;
    if (state.epoch !== this.epoch || state.position === null || state.position > batch.lastOffset) return;
    const caughtUp = state.processed === state.position;
    state.position = batch.nextOffset;
    if (caughtUp) state.markProcessed(batch.nextOffset);
  }

  private isAborted(batch: BatchView): boolean {
    while (this.aborted.length > 0 && this.aborted[0]!.firstOffset <= batch.lastOffset) {
      this.abortedProducerIds.add(BigInt(this.aborted.shift()!.producerId));
    }
    if (batch.isControl) {
      if (batch.controlRecord().type === ControlRecordType.Abort) this.abortedProducerIds.delete(batch.producerId);
      return false;
    }
    return this.abortedProducerIds.has(batch.producerId);
  }
}
