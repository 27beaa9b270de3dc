/**
 * The records of `__transaction_state`, in Kafka's binary schemas (TransactionLogKey.json / TransactionLogValue.json,
 * version 0), so that the topic reads as Kafka's does:
 *
 *   key   v0: version int16 = 0 | transactionalId string
 *   value v0: version int16 = 0 | producerId int64 | producerEpoch int16 | transactionTimeoutMs int32 |
 *             transactionStatus int8 | transactionPartitions[topic string | partitionIds[int32]]? |
 *             transactionLastUpdateTimestampMs int64 | transactionStartTimestampMs int64
 *
 * Strings are an int16 byte length and UTF-8; arrays an int32 count (-1: null, which an Empty transaction stores),
 * written and read with the wire protocol's primitives (lib/protocol/kafka/kafka-struct.ts). A null value is a
 * tombstone: the transactional id expired. A truncated or malformed record throws CORRUPT_MESSAGE naming what was
 * being read. Pure functions; callers are the TransactionStateManager (writes, loads) and tools.
 */
import { ApiError } from '../../common/errors.js';
import { computeIfAbsent } from '../../common/collections.js';
import { decodeStruct, encodeStruct } from '../../protocol/kafka/kafka-struct.js';
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

const corrupt = (what: string) => (problem: string) =>
  new ApiError('CORRUPT_MESSAGE', `A ${TRANSACTION_STATE_TOPIC} ${what} is malformed: ${problem}.`);

export function encodeTransactionLogKey(transactionalId: string): Buffer {
  return encodeStruct((w) => {
    w.int16(0);
    w.string(transactionalId, false);
  });
}

/** The transactional id of a key; throws ApiError CORRUPT_MESSAGE for a key of another version or shape. */
export function decodeTransactionLogKey(key: Buffer): string {
  return decodeStruct(
    key,
    (r) => {
      const version = r.int16();
      if (version !== 0) throw r.fail(`version ${version}, only 0 is known`);
      const id = r.string(false, false)!;
      if (r.remaining !== 0) throw r.fail(`${r.remaining} bytes follow the transactional id`);
      return id;
    },
    corrupt('key'),
  );
}

export function encodeTransactionLogValue(v: TransactionLogValue): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of v.partitions) computeIfAbsent(byTopic, topic, () => []).push(partition);
  return encodeStruct((w) => {
    w.int16(0);
    w.int64(v.producerId);
    w.int16(v.producerEpoch);
    w.int32(v.transactionTimeoutMs);
    w.int8(TRANSACTION_STATE_BYTES[v.state]);
    w.arrayLength(v.state === 'Empty' ? null : byTopic.size, false);
    if (v.state !== 'Empty') {
      for (const [topic, ids] of byTopic) {
        w.string(topic, false);
        w.arrayLength(ids.length, false);
        for (const id of ids) w.int32(id);
      }
    }
    w.int64(v.lastUpdateTimestampMs);
    w.int64(v.startTimestampMs);
  });
}

/** A value's fields; throws ApiError CORRUPT_MESSAGE when the bytes are not a version 0 TransactionLogValue. */
export function decodeTransactionLogValue(value: Buffer): TransactionLogValue {
  return decodeStruct(
    value,
    (r) => {
      const version = r.int16();
      if (version !== 0) throw r.fail(`version ${version}, only 0 is known`);
      const producerId = r.int64();
      const producerEpoch = r.int16();
      const transactionTimeoutMs = r.int32();
      const stateByte = r.int8();
      const state = transactionStateOfByte(stateByte);
      if (state === undefined) throw r.fail(`unknown transaction status ${stateByte}`);
      const partitions: { topic: string; partition: number }[] = [];
      for (let t = r.arrayLength(false, true); t > 0; t--) {
        const topic = r.string(false, false)!;
        for (let n = r.arrayLength(false, false); n > 0; n--) partitions.push({ topic, partition: r.int32() });
      }
      return {
        producerId,
        producerEpoch,
        transactionTimeoutMs,
        state,
        partitions,
        lastUpdateTimestampMs: r.int64(),
        startTimestampMs: r.int64(),
      };
    },
    corrupt('value'),
  );
}
