/**
 * Kafka's ConsumerProtocol: the opaque bytes a consumer puts in JoinGroup (its subscription) and the leader puts in
 * SyncGroup (each member's assignment), in Kafka's binary format so that they read the same as the Java client's:
 *
 *   Subscription v1: version int16 | topics [string] | userData bytes? | ownedPartitions [topic string, [int32]]
 *   Assignment v1:   version int16 | assigned [topic string, [int32]] | userData bytes?
 *
 * Strings: int16 length + UTF-8; arrays: int32 count; bytes: int32 length (-1 null), written and read with the wire
 * protocol's primitives (kafka/kafka-struct.ts). Decoding reads versions 0 and up (fields of later versions are
 * ignored, as Kafka does) and throws InvalidArgumentError on truncated or malformed input.
 */
import { computeIfAbsent } from '../common/collections.js';
import { InvalidArgumentError } from '../common/errors.js';
import type { TopicPartition as TopicPartitionRef } from '../common/topic-partition.js';
import type { KafkaReader } from './kafka/kafka-reader.js';
import { decodeStruct, encodeStruct } from './kafka/kafka-struct.js';
import type { KafkaWriter } from './kafka/kafka-writer.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: TopicPartitionRef[];
}

export interface Assignment {
  partitions: TopicPartitionRef[];
  userData: Buffer | null;
}

/** Writes `[topic string, [partition int32]]`, grouping the partitions by topic in first-seen order. */
export function writePartitions(w: KafkaWriter, tps: readonly TopicPartitionRef[]): void {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of tps) computeIfAbsent(byTopic, topic, () => []).push(partition);
  w.arrayLength(byTopic.size, false);
  for (const [topic, list] of byTopic) {
    w.string(topic, false);
    w.arrayLength(list.length, false);
    for (const p of list) w.int32(p);
  }
}

/** Reads what `writePartitions` wrote. */
export function readPartitions(r: KafkaReader): TopicPartitionRef[] {
  const out: TopicPartitionRef[] = [];
  for (let t = r.arrayLength(false, false); t > 0; t--) {
    const topic = r.string(false, false)!;
    for (let p = r.arrayLength(false, false); p > 0; p--) out.push({ topic, partition: r.int32() });
  }
  return out;
}

/** A copy of a bytes field (the struct's buffer may be a view of a larger response). */
export function readOwnBytes(r: KafkaReader): Buffer | null {
  const b = r.bytes(false, true);
  return b === null ? null : Buffer.from(b);
}

/** The error for a member's malformed `what` (subscription, assignment, user data). */
export const malformed =
  (what: string) =>
  (problem: string): InvalidArgumentError =>
    new InvalidArgumentError(
      `The ${what} from the group is malformed (${problem}); is every member of the group an mq or Kafka consumer?`,
    );

export function encodeSubscription(s: Subscription): Buffer {
  return encodeStruct((w) => {
    w.int16(1);
    w.arrayLength(s.topics.length, false);
    for (const t of s.topics) w.string(t, false);
    w.bytes(s.userData, false);
    writePartitions(w, s.ownedPartitions);
  });
}

export function decodeSubscription(buf: Buffer): Subscription {
  return decodeStruct(
    buf,
    (r) => {
      const version = r.int16();
      const topics: string[] = [];
      for (let n = r.arrayLength(false, false); n > 0; n--) topics.push(r.string(false, false)!);
      const userData = r.remaining > 0 ? readOwnBytes(r) : null;
      const ownedPartitions = version >= 1 && r.remaining > 0 ? readPartitions(r) : [];
      return { topics, userData, ownedPartitions };
    },
    malformed('subscription'),
  );
}

export function encodeAssignment(a: Assignment): Buffer {
  return encodeStruct((w) => {
    w.int16(1);
    writePartitions(w, a.partitions);
    w.bytes(a.userData, false);
  });
}

export function decodeAssignment(buf: Buffer): Assignment {
  if (buf.length === 0) return { partitions: [], userData: null };
  return decodeStruct(
    buf,
    (r) => {
      r.int16();
      const partitions = readPartitions(r);
      return { partitions, userData: r.remaining > 0 ? readOwnBytes(r) : null };
    },
    malformed('assignment'),
  );
}
