/**
 * Batches for storage specs, built with lib/record's RecordBatchBuilder: `recordCount` records sharing one
 * timestamp, with values that together take about `payloadBytes`, optionally stamped with a base offset and
 * partition leader epoch as a leader would; idempotent batches carry a producer id, epoch and base sequence.
 */
import { ControlRecordType, RecordBatchBuilder, buildControlBatch } from '../../../lib/record/record-batch-builder.js';
import { stampBatch } from '../../../lib/record/record-batch.js';

export const T0 = 1_700_000_000_000;

export interface TestBatchOptions {
  baseOffset?: number;
  recordCount?: number;
  maxTimestamp?: number;
  payloadBytes?: number;
  partitionLeaderEpoch?: number;
}

export function testBatch(opts: TestBatchOptions = {}): Buffer {
  const recordCount = opts.recordCount ?? 1;
  const builder = new RecordBatchBuilder();
  const value = Buffer.alloc(Math.floor((opts.payloadBytes ?? 0) / recordCount), 0x5a);
  for (let i = 0; i < recordCount; i++) builder.append(opts.maxTimestamp ?? T0, null, value);
  const batch = builder.buildSync();
  stampBatch(batch, 0, opts.baseOffset ?? 0, opts.partitionLeaderEpoch ?? -1);
  return batch;
}

/** A batch of keyed records, for compaction: `[key, value]` pairs, value null for a tombstone. */
export function keyedBatch(
  entries: readonly (readonly [string | null, string | null])[],
  timestampMs = T0,
  baseOffset = 0,
): Buffer {
  const builder = new RecordBatchBuilder();
  for (const [key, value] of entries) builder.append(timestampMs, key, value);
  const batch = builder.buildSync();
  stampBatch(batch, 0, baseOffset, -1);
  return batch;
}

export interface IdempotentBatchOptions {
  producerId: number;
  producerEpoch?: number;
  baseSequence: number;
  recordCount?: number;
  timestampMs?: number;
  baseOffset?: number;
}

/** A batch of an idempotent producer: `recordCount` records carrying producer id, epoch and base sequence. */
export function idempotentBatch(opts: IdempotentBatchOptions): Buffer {
  const builder = new RecordBatchBuilder();
  builder.setProducerState(opts.producerId, opts.producerEpoch ?? 0, opts.baseSequence);
  for (let i = 0; i < (opts.recordCount ?? 1); i++) builder.append(opts.timestampMs ?? T0, `k${i}`, `v${i}`);
  const batch = builder.buildSync();
  stampBatch(batch, 0, opts.baseOffset ?? 0, -1);
  return batch;
}

/** A transactional producer's batch: like `idempotentBatch`, with the transactional flag. */
export function transactionalBatch(opts: IdempotentBatchOptions): Buffer {
  const builder = new RecordBatchBuilder({ isTransactional: true });
  builder.setProducerState(opts.producerId, opts.producerEpoch ?? 0, opts.baseSequence);
  for (let i = 0; i < (opts.recordCount ?? 1); i++) builder.append(opts.timestampMs ?? T0, `k${i}`, `v${i}`);
  const batch = builder.buildSync();
  stampBatch(batch, 0, opts.baseOffset ?? 0, -1);
  return batch;
}

/** A transaction marker (what a coordinator has a leader write) closing producer `producerId`'s transaction. */
export function markerBatch(opts: {
  producerId: number;
  producerEpoch?: number;
  commit: boolean;
  coordinatorEpoch?: number;
  timestampMs?: number;
}): Buffer {
  return buildControlBatch({
    type: opts.commit ? ControlRecordType.Commit : ControlRecordType.Abort,
    producerId: BigInt(opts.producerId),
    producerEpoch: opts.producerEpoch ?? 0,
    coordinatorEpoch: opts.coordinatorEpoch ?? 0,
    timestampMs: opts.timestampMs ?? T0,
  });
}
