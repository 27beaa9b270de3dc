/**
 * The records of `__transaction_state`, in Kafka's binary schemas (TransactionLogKey.json / TransactionLogValue.json,
 * version 0), so that the topic reads as Kafka's does:
 *
 *   key   v0: version int16 = 0 | transactionalId string
 *   value v0: version int16 = 0 | producerId int64 | producerEpoch int16 | transactionTimeoutMs int32 |
 *             transactionStatus int8 | transactionPartitions[topic string | partitionIds[int32]]? |
 *             transactionLastUpdateTimestampMs int64 | transactionStartTimestampMs int64
 *
 * Strings are an int16 byte length and UTF-8; arrays an int32 count (-1: null, which an Empty transaction stores).
 * A null value is a tombstone: the transactional id expired. Pure functions; callers are the TransactionStateManager
 * (writes, loads) and tools.
 */
import { ApiError } from '../../common/errors.js';
import { readInt64, writeInt64 } from '../../record/record-batch.js';
import { TRANSACTION_STATE_BYTES, transactionStateOfByte, type TransactionState } from './transaction-state.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

/** What a `__transaction_state` record holds for one transactional id. */
export interface TransactionLogValue {
  producerId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  state: TransactionState;
  /** The transaction's partitions (none for Empty). */
  partitions: readonly { topic: string; partition: number }[];
  lastUpdateTimestampMs: number;
  /** When the transaction started (its first partition was added); -1 when none did. */
  startTimestampMs: number;
}

export function encodeTransactionLogKey(transactionalId: string): Buffer {
  const buf = Buffer.allocUnsafe(4 + Buffer.byteLength(transactionalId, 'utf8'));
  buf.writeInt16BE(0, 0);
  buf.writeInt16BE(buf.write(transactionalId, 4, 'utf8'), 2);
  return buf;
}

/** The transactional id of a key; throws ApiError CORRUPT_MESSAGE for a key of another version or shape. */
export function decodeTransactionLogKey(key: Buffer): string {
  const version = key.length >= 4 ? key.readInt16BE(0) : -1;
  const length = key.length >= 4 ? key.readInt16BE(2) : -1;
  if (version !== 0 || length < 0 || 4 + length !== key.length) {
    throw new ApiError(
      'CORRUPT_MESSAGE',
      `A ${TRANSACTION_STATE_TOPIC} key of ${key.length} bytes is not a version 0 TransactionLogKey (version ${version}).`,
    );
  }
  return key.toString('utf8', 4, 4 + length);
}

export function encodeTransactionLogValue(v: TransactionLogValue): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of v.partitions) {
    const list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, [partition]);
    else list.push(partition);
  }
  const nullPartitions = v.state === 'Empty';
  let size = 2 + 8 + 2 + 4 + 1 + 4 + 8 + 8;
  if (!nullPartitions)
    for (const [topic, ids] of byTopic) size += 2 + Buffer.byteLength(topic, 'utf8') + 4 + 4 * ids.length;
  const buf = Buffer.allocUnsafe(size);
  buf.writeInt16BE(0, 0);
  writeInt64(buf, 2, v.producerId);
  buf.writeInt16BE(v.producerEpoch, 10);
  buf.writeInt32BE(v.transactionTimeoutMs, 12);
  buf.writeInt8(TRANSACTION_STATE_BYTES[v.state], 16);
  let pos = 17;
  buf.writeInt32BE(nullPartitions ? -1 : byTopic.size, pos);
  pos += 4;
  if (!nullPartitions) {
    for (const [topic, ids] of byTopic) {
      const len = buf.write(topic, pos + 2, 'utf8');
      buf.writeInt16BE(len, pos);
      pos += 2 + len;
      buf.writeInt32BE(ids.length, pos);
      pos += 4;
      for (const id of ids) {
        buf.writeInt32BE(id, pos);
        pos += 4;
      }
    }
  }
  writeInt64(buf, pos, v.lastUpdateTimestampMs);
  writeInt64(buf, pos + 8, v.startTimestampMs);
  return buf;
}

/** A value's fields; throws ApiError CORRUPT_MESSAGE when the bytes are not a version 0 TransactionLogValue. */
export function decodeTransactionLogValue(value: Buffer): TransactionLogValue {
  const corrupt = (what: string) =>
    new ApiError('CORRUPT_MESSAGE', `A ${TRANSACTION_STATE_TOPIC} value of ${value.length} bytes is corrupt: ${what}.`);
  const need = (pos: number, n: number) => {
    if (pos + n > value.length) throw corrupt(`it ends at ${value.length} where ${pos + n} bytes are needed`);
  };
  need(0, 21);
  const version = value.readInt16BE(0);
  if (version !== 0) throw corrupt(`version ${version}, only 0 is known`);
  const stateByte = value.readInt8(16);
  const state = transactionStateOfByte(stateByte);
  if (state === undefined) throw corrupt(`unknown transaction status ${stateByte}`);
  const topics = value.readInt32BE(17);
  let pos = 21;
  const partitions: { topic: string; partition: number }[] = [];
  for (let t = 0; t < topics; t++) {
    need(pos, 2);
    const len = value.readInt16BE(pos);
    need(pos + 2, len + 4);
    const topic = value.toString('utf8', pos + 2, pos + 2 + len);
    pos += 2 + len;
    const count = value.readInt32BE(pos);
    pos += 4;
    need(pos, 4 * count);
    for (let i = 0; i < count; i++, pos += 4) partitions.push({ topic, partition: value.readInt32BE(pos) });
  }
  need(pos, 16);
  return {
    producerId: readInt64(value, 2),
    producerEpoch: value.readInt16BE(10),
    transactionTimeoutMs: value.readInt32BE(12),
    state,
    partitions,
    lastUpdateTimestampMs: readInt64(value, pos),
    startTimestampMs: readInt64(value, pos + 8),
  };
}
