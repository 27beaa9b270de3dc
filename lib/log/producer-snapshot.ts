/**
 * The `.snapshot` file of a partition's producer state, byte for byte Kafka's (`ProducerStateManager`'s PidSnapshot
 * version 1), so that a Kafka operator's tools and habits apply: `<20-digit offset>.snapshot` in the partition
 * directory holds the state of every producer as of that offset (all batches below it).
 *
 * Layout (big-endian):
 *   0  version int16 (= 1)
 *   2  crc uint32: CRC-32C of every byte from offset 6 to the end
 *   6  entry count int32, then per producer (46 bytes):
 *      producerId int64 | producerEpoch int16 | lastSequence int32 | lastOffset int64 (-1: no data batch retained) |
 *      offsetDelta int32 (last − first offset of that batch) | timestamp int64 | coordinatorEpoch int32 |
 *      currentTxnFirstOffset int64 (-1: no open transaction)
 * Only the producer's last batch is kept, as in Kafka; the log tail after the snapshot restores the rest.
 * Crash: a file is written whole before it is fsynced; one cut short or changed fails the size or CRC check and
 * `decodeProducerSnapshot` throws CorruptSnapshotError, after which the log falls back to an older snapshot or to
 * the log itself.
 */
import { crc32c } from '@node-rs/crc32';
import { CorruptSnapshotError } from '../common/errors.js';
import { readInt64, writeInt64 } from '../record/record-batch.js';
import type { ProducerStateEntry } from './producer-state-entry.js';

export const PRODUCER_SNAPSHOT_VERSION = 1;
const CRC_OFFSET = 2;
const ENTRIES_OFFSET = CRC_OFFSET + 4;
const HEADER_BYTES = ENTRIES_OFFSET + 4;
const ENTRY_BYTES = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

/** One producer as a snapshot stores it. */
export interface ProducerSnapshotEntry {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  /** -1 when the producer had no data batch retained (its last entry was a transaction marker). */
  lastOffset: number;
  offsetDelta: number;
  timestamp: number;
  coordinatorEpoch: number;
  currentTxnFirstOffset: number;
}

/** The snapshot file's bytes for `entries` (their last batch each). */
export function encodeProducerSnapshot(entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries];
  const buf = Buffer.allocUnsafe(HEADER_BYTES + list.length * ENTRY_BYTES);
  buf.writeInt16BE(PRODUCER_SNAPSHOT_VERSION, 0);
  buf.writeInt32BE(list.length, ENTRIES_OFFSET);
  let pos = HEADER_BYTES;
  for (const e of list) {
    writeInt64(buf, pos, e.producerId);
    buf.writeInt16BE(e.producerEpoch, pos + 8);
    buf.writeInt32BE(e.lastSeq, pos + 10);
    writeInt64(buf, pos + 14, e.lastDataOffset);
    buf.writeInt32BE(e.lastOffsetDelta, pos + 22);
    writeInt64(buf, pos + 26, e.lastTimestamp);
    buf.writeInt32BE(e.coordinatorEpoch, pos + 34);
    writeInt64(buf, pos + 38, e.currentTxnFirstOffset);
    pos += ENTRY_BYTES;
  }
  buf.writeUInt32BE(crc32c(buf.subarray(ENTRIES_OFFSET)), CRC_OFFSET);
  return buf;
}

/** The entries of a snapshot file's bytes; throws CorruptSnapshotError naming `file` when the checks fail. */
export function decodeProducerSnapshot(bytes: Buffer, file: string): ProducerSnapshotEntry[] {
  if (bytes.length < HEADER_BYTES) {
    throw new CorruptSnapshotError(
      `Producer snapshot ${file} is ${bytes.length} bytes, shorter than its ${HEADER_BYTES}-byte header.`,
    );
  }
  const version = bytes.readInt16BE(0);
  if (version !== PRODUCER_SNAPSHOT_VERSION) {
    throw new CorruptSnapshotError(
      `Producer snapshot ${file} has version ${version}; only version ${PRODUCER_SNAPSHOT_VERSION} is known.`,
    );
  }
  const stored = bytes.readUInt32BE(CRC_OFFSET);
  const computed = crc32c(bytes.subarray(ENTRIES_OFFSET));
  if (stored !== computed) {
    throw new CorruptSnapshotError(
      `Producer snapshot ${file} is corrupt: stored CRC ${stored.toString(16)}, computed ${computed.toString(16)}.`,
    );
  }
  const count = bytes.readInt32BE(ENTRIES_OFFSET);
  if (count < 0 || HEADER_BYTES + count * ENTRY_BYTES !== bytes.length) {
    throw new CorruptSnapshotError(
      `Producer snapshot ${file} declares ${count} producers, which needs ${HEADER_BYTES + count * ENTRY_BYTES} ` +
        `bytes, but it holds ${bytes.length}.`,
    );
  }
  const entries: ProducerSnapshotEntry[] = [];
  for (let pos = HEADER_BYTES; pos < bytes.length; pos += ENTRY_BYTES) {
    entries.push({
      producerId: readInt64(bytes, pos),
      producerEpoch: bytes.readInt16BE(pos + 8),
      lastSequence: bytes.readInt32BE(pos + 10),
      lastOffset: readInt64(bytes, pos + 14),
      offsetDelta: bytes.readInt32BE(pos + 22),
      timestamp: readInt64(bytes, pos + 26),
      coordinatorEpoch: bytes.readInt32BE(pos + 34),
      currentTxnFirstOffset: readInt64(bytes, pos + 38),
    });
  }
  return entries;
}
