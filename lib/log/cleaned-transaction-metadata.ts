/**
 * What the log cleaner knows of transactions while it walks a log in offset order (Kafka's
 * `CleanedTransactionMetadata`): which producers are inside an aborted transaction (their data may go regardless of
 * keys) or inside a committed one, and so when a marker may go.
 *
 * Rules (Kafka's):
 *  - The aborted transactions of the range come from the `.txnindex` files (`addAbortedTransactions`). A producer is
 *    in an aborted transaction from that transaction's first offset until its ABORT marker.
 *  - A transactional data batch of such a producer is discardable (its records go; `onBatchRead` returns true); one
 *    of any other producer marks that producer as being in a committed transaction.
 *  - An ABORT marker is kept, and its transaction's `.txnindex` entry carried into the cleaned segment, as long as
 *    this pass saw data of that transaction (it is not all gone yet: the producer's last batch stays as an empty
 *    batch); otherwise it is discardable. A COMMIT marker is discardable when this pass saw no data of its
 *    transaction. A discardable marker still stays until its segment is past the delete horizon (the caller's
 *    `retainTxnMarkers`), like a tombstone.
 *  - An empty control batch (its marker already cleaned away) is discardable.
 * Concurrency: synchronous, one per cleaning pass. Ownership: the LogCleaner creates one per pass and carries it
 * across the pass's segment groups; `cleanedIndex` is the transaction index of the segment being written.
 */
import { ControlRecordType } from '../record/record-batch-builder.js';
import type { BatchView } from '../record/record-batch-reader.js';
import type { AbortedTxn, TransactionIndex } from './transaction-index.js';

export class CleanedTransactionMetadata {
  private readonly ongoingCommittedTxns = new Set<number>();
  /** Producer id → its aborted transaction being walked, and whether this pass saw a batch of it. */
  private readonly ongoingAbortedTxns = new Map<number, { txn: AbortedTxn; sawData: boolean }>();
  /** Aborted transactions not reached yet, ascending by first offset. */
  private pending: AbortedTxn[] = [];
  /** The `.txnindex` of the cleaned segment being written; retained aborted transactions are indexed there. */
  cleanedIndex: TransactionIndex | undefined;

  /** Adds aborted transactions found in the indexes (duplicates of ones already known are ignored). */
  addAbortedTransactions(txns: readonly AbortedTxn[]): void {
    const known = new Set(this.pending.map(keyOf));
    for (const m of this.ongoingAbortedTxns.values()) known.add(keyOf(m.txn));
    const added = txns.filter((t) => !known.has(keyOf(t)));
    if (added.length === 0) return;
    this.pending = [...this.pending, ...added].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** A control batch the cleaner reached; true when the marker may be discarded (see the class comment). */
  onControlBatchRead(batch: BatchView): boolean {
    this.consumeAbortedTxnsUpTo(batch.lastOffset);
    if (batch.recordCount === 0) return true;
    const producerId = Number(batch.producerId);
    if (batch.controlRecord().type === ControlRecordType.Abort) {
      const aborted = this.ongoingAbortedTxns.get(producerId);
      this.ongoingAbortedTxns.delete(producerId);
      if (aborted?.sawData === true) {
        this.cleanedIndex?.append(aborted.txn);
        return false;
      }
      return true;
    }
    return !this.ongoingCommittedTxns.delete(producerId);
  }

  /** A data batch the cleaner reached; true when it belongs to an aborted transaction (its records may go). */
  onBatchRead(batch: BatchView): boolean {
    this.consumeAbortedTxnsUpTo(batch.lastOffset);
    if (!batch.isTransactional) return false;
    const producerId = Number(batch.producerId);
    const aborted = this.ongoingAbortedTxns.get(producerId);
    if (aborted !== undefined) {
      aborted.sawData = true;
      return true;
    }
    this.ongoingCommittedTxns.add(producerId);
    return false;
  }

  private consumeAbortedTxnsUpTo(offset: number): void {
    while (this.pending.length > 0 && this.pending[0]!.firstOffset <= offset) {
      const txn = this.pending.shift()!;
      if (!this.ongoingAbortedTxns.has(txn.producerId))
        this.ongoingAbortedTxns.set(txn.producerId, { txn, sawData: false });
    }
  }
}

const keyOf = (t: AbortedTxn): string => `${t.producerId}:${t.firstOffset}`;
