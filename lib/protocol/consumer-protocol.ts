/**
 * Kafka's ConsumerProtocol: the opaque bytes a consumer puts in JoinGroup (its subscription) and the leader puts in
 * SyncGroup (each member's assignment), in Kafka's binary format so that they read the same as the Java client's:
 *
 *   Subscription v1: version int16 | topics [string] | userData bytes? | ownedPartitions [topic string, [int32]]
 *   Assignment v1:   version int16 | assigned [topic string, [int32]] | userData bytes?
 *
 * Strings: int16 length + UTF-8; arrays: int32 count; bytes: int32 length (-1 null). Decoding reads versions 0 and
 * up (fields of later versions are ignored, as Kafka does) and throws InvalidArgumentError on truncated input.
 */
import { computeIfAbsent } from '../common/collections.js';
import { InvalidArgumentError } from '../common/errors.js';
import type { TopicPartition as TopicPartitionRef } from '../common/topic-partition.js';

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

/** Kafka's protocol-struct writer (big-endian; strings int16-length, arrays int32-count), for assignor user data too. */
export class Writer {
  private readonly chunks: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    this.chunks.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.chunks.push(b);
    return this;
  }
  string(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.int16(b.length).raw(b);
  }
  bytes(b: Buffer | null): this {
    return b === null ? this.int32(-1) : this.int32(b.length).raw(b);
  }
  raw(b: Buffer): this {
    this.chunks.push(b);
    return this;
  }
  partitions(tps: readonly TopicPartitionRef[]): this {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of tps) {
      const list = computeIfAbsent(byTopic, topic, () => []);
      list.push(partition);
    }
    this.int32(byTopic.size);
    for (const [topic, list] of byTopic) {
      this.string(topic).int32(list.length);
      for (const p of list) this.int32(p);
    }
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** The matching reader; throws InvalidArgumentError naming `what` on truncated input. */
export class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new InvalidArgumentError(
        `The ${this.what} from the group is truncated (${this.buf.length} bytes); ` +
          'is every member of the group an mq or Kafka consumer?',
      );
    }
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  string(): string {
    const len = this.int16();
    this.need(Math.max(len, 0));
    const s = this.buf.toString('utf8', this.pos, this.pos + Math.max(len, 0));
    this.pos += Math.max(len, 0);
    return s;
  }
  bytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    this.need(len);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return b;
  }
  partitions(): TopicPartitionRef[] {
    const out: TopicPartitionRef[] = [];
    for (let t = this.int32(); t > 0; t--) {
      const topic = this.string();
      for (let p = this.int32(); p > 0; p--) out.push({ topic, partition: this.int32() });
    }
    return out;
  }
}

export function encodeSubscription(s: Subscription): Buffer {
  const w = new Writer().int16(1).int32(s.topics.length);
  for (const t of s.topics) w.string(t);
  return w.bytes(s.userData).partitions(s.ownedPartitions).done();
}

export function decodeSubscription(buf: Buffer): Subscription {
  const r = new Reader(buf, 'subscription');
  const version = r.int16();
  const topics: string[] = [];
  for (let n = r.int32(); n > 0; n--) topics.push(r.string());
  const userData = r.remaining > 0 ? r.bytes() : null;
  const ownedPartitions = version >= 1 && r.remaining > 0 ? r.partitions() : [];
  return { topics, userData, ownedPartitions };
}

export function encodeAssignment(a: Assignment): Buffer {
  return new Writer().int16(1).partitions(a.partitions).bytes(a.userData).done();
}

export function decodeAssignment(buf: Buffer): Assignment {
  if (buf.length === 0) return { partitions: [], userData: null };
  const r = new Reader(buf, 'assignment');
  r.int16();
  const partitions = r.partitions();
  return { partitions, userData: r.remaining > 0 ? r.bytes() : null };
}
