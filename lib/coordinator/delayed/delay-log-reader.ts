/**
 * Reads records of a delay partition's log by offset, for delivery (the timing wheel keeps offsets, not records):
 * one log read of up to `readBytes` at a time, the batches of the last read kept, and the records of the last batch
 * decoded, so that records due together, which usually sit together in the log, cost one read and one decode.
 *
 * Records handed out are views of mapped segment memory (no copies): valid while the segment is mapped, which a
 * view keeps it. Reads stop at `maxOffset` (the high watermark: only replicated records are delivered).
 * Concurrency: async only around decompression; one caller at a time (the scheduler's loop).
 */
import type { UnifiedLog } from '../../log/unified-log.js';
import { CompressionType } from '../../record/record-batch.js';
import { iterateBatches, type BatchView } from '../../record/record-batch-reader.js';
import type { Record } from '../../record/record.js';

const DEFAULT_READ_BYTES = 1024 * 1024;

export class DelayLogReader {
  private window: BatchView[] = [];
  private decodedBase = -1;
  private decoded: Record[] = [];

  constructor(
    private readonly log: UnifiedLog,
    private readonly readBytes = DEFAULT_READ_BYTES,
  ) {}

  /** The record at `offset`, or null when the log no longer (or does not yet) hold it. */
  async recordAt(offset: number, maxOffset: number): Promise<Record | null> {
    let batch = this.batchIn(this.window, offset);
    if (batch === undefined) {
      if (offset < this.log.logStartOffset || offset >= maxOffset) return null;
      this.window = [
        ...iterateBatches(this.log.read(offset, this.readBytes, { maxOffset, minOneBatch: true }).records),
      ];
      batch = this.batchIn(this.window, offset);
      if (batch === undefined) return null;
    }
    if (batch.baseOffset !== this.decodedBase) {
      const records = batch.compression === CompressionType.Zstd ? await batch.recordsAsync() : batch.records();
      this.decoded = [...records];
      this.decodedBase = batch.baseOffset;
    }
    const direct = this.decoded[offset - this.decodedBase];
    return direct?.offset === offset ? direct : (this.decoded.find((r) => r.offset === offset) ?? null);
  }

  private batchIn(window: readonly BatchView[], offset: number): BatchView | undefined {
    if (window.length === 0 || offset < window[0]!.baseOffset || offset > window[window.length - 1]!.lastOffset) {
      return undefined;
    }
    let lo = 0;
    let hi = window.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (window[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    const batch = window[lo]!;
    return batch.baseOffset <= offset && offset <= batch.lastOffset && !batch.isControl ? batch : undefined;
  }
}
