/**
 * The records of `__consumer_offsets`, in Kafka's binary schemas (core/src/main/resources/common/message/
 * OffsetCommitKey/Value and GroupMetadataKey.json), so that the topic reads the same as Kafka's:
 *
 *   offset commit key  v1: version int16 = 1 | group string | topic string | partition int32
 *   offset commit value v3: version int16 = 3 | offset int64 | leaderEpoch int32 | metadata string | commitTimestamp int64
 *   group metadata key v2: version int16 = 2 | group string
 *   group metadata value v3: version int16 = 3 | protocolType string | generation int32 | protocol string? |
 *     leader string? | currentStateTimestamp int64 | members[memberId string | groupInstanceId string? |
 *     clientId string | clientHost string | rebalanceTimeout int32 | sessionTimeout int32 | subscription bytes |
 *     assignment bytes]
 *
 * Strings are an int16 byte length and UTF-8 (-1: null); bytes an int32 length; arrays an int32 count. A null value
 * is a tombstone (the key's entry is deleted). Offset keys of version 0 and offset values of versions 0-3, group
 * values of versions 0-3 are read too (older Kafka wrote them).
 *
 * Pure functions; callers are the GroupMetadataManager (writes, loads) and tools.
 */
import { ApiError } from '../../common/errors.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface OffsetKey {
  kind: 'offset';
  group: string;
  topic: string;
  partition: number;
}

export interface GroupMetadataKey {
  kind: 'group';
  group: string;
}

export interface OffsetAndMetadata {
  /** The next offset to read. */
  offset: number;
  /** Leader epoch of the last record consumed, -1 if unknown. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

const strBytes = (s: string) => Buffer.byteLength(s, 'utf8');

function writeString(buf: Buffer, pos: number, s: string): number {
  const len = buf.write(s, pos + 2, 'utf8');
  buf.writeInt16BE(len, pos);
  return pos + 2 + len;
}

export function encodeOffsetKey(group: string, topic: string, partition: number): Buffer {
  const buf = Buffer.allocUnsafe(2 + 2 + strBytes(group) + 2 + strBytes(topic) + 4);
  buf.writeInt16BE(1, 0);
  let pos = writeString(buf, 2, group);
  pos = writeString(buf, pos, topic);
  buf.writeInt32BE(partition, pos);
  return buf;
}

export function encodeGroupMetadataKey(group: string): Buffer {
  const buf = Buffer.allocUnsafe(2 + 2 + strBytes(group));
  buf.writeInt16BE(2, 0);
  writeString(buf, 2, group);
  return buf;
}

export function encodeOffsetValue(v: OffsetAndMetadata): Buffer {
  const buf = Buffer.allocUnsafe(2 + 8 + 4 + 2 + strBytes(v.metadata) + 8);
  buf.writeInt16BE(3, 0);
  buf.writeBigInt64BE(BigInt(v.offset), 2);
  buf.writeInt32BE(v.leaderEpoch, 10);
  const pos = writeString(buf, 14, v.metadata);
  buf.writeBigInt64BE(BigInt(v.commitTimestamp), pos);
  return buf;
}

export interface GroupMemberRecord {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataRecord {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  currentStateTimestamp: number;
  members: GroupMemberRecord[];
}

/** Growable writer for the group value (its size is not known up front). */
class Writer {
  private buf = Buffer.allocUnsafe(256);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  int16(v: number): this {
    this.ensure(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
    return this;
  }
  int32(v: number): this {
    this.ensure(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }
  int64(v: number): this {
    this.ensure(8);
    this.pos = this.buf.writeBigInt64BE(BigInt(v), this.pos);
    return this;
  }
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const len = Buffer.byteLength(v, 'utf8');
    this.int16(len).ensure(len);
    this.pos += this.buf.write(v, this.pos, 'utf8');
    return this;
  }
  bytes(v: Buffer): this {
    this.int32(v.length).ensure(v.length);
    this.pos += v.copy(this.buf, this.pos);
    return this;
  }
  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export function encodeGroupMetadataValue(g: GroupMetadataRecord): Buffer {
  const w = new Writer()
    .int16(3)
    .string(g.protocolType)
    .int32(g.generationId)
    .string(g.protocolName)
    .string(g.leaderId)
    .int64(g.currentStateTimestamp)
    .int32(g.members.length);
  for (const m of g.members) {
    w.string(m.memberId)
      .string(m.groupInstanceId)
      .string(m.clientId)
      .string(m.clientHost)
      .int32(m.rebalanceTimeoutMs)
      .int32(m.sessionTimeoutMs)
      .bytes(m.subscription)
      .bytes(m.assignment);
  }
  return w.done();
}

export function decodeGroupMetadataValue(value: Buffer): GroupMetadataRecord {
  const r = new Reader(value, 'group metadata value');
  const version = r.int16();
  if (version < 0 || version > 3) {
    throw new ApiError(
      'CORRUPT_MESSAGE',
      `${OFFSETS_TOPIC} group metadata value has version ${version}; this broker reads 0-3.`,
    );
  }
  const protocolType = r.string();
  const generationId = r.int32();
  const protocolName = r.nullableString();
  const leaderId = r.nullableString();
  const currentStateTimestamp = version >= 2 ? r.int64() : -1;
  const count = r.int32();
  const members: GroupMemberRecord[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.string();
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = r.string();
    const clientHost = r.string();
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : -1;
    const sessionTimeoutMs = r.int32();
    // Version 0 had one timeout for both.
    members.push({
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      sessionTimeoutMs,
      rebalanceTimeoutMs: rebalanceTimeoutMs < 0 ? sessionTimeoutMs : rebalanceTimeoutMs,
      subscription: r.bytes(),
      assignment: r.bytes(),
    });
  }
  return { protocolType, generationId, protocolName, leaderId, currentStateTimestamp, members };
}

/** Reads with bounds checks; a short or malformed record throws CORRUPT_MESSAGE naming what was being read. */
class Reader {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new ApiError(
        'CORRUPT_MESSAGE',
        `${OFFSETS_TOPIC} ${this.what} is truncated: ${this.buf.length} bytes, ` + `needed ${this.pos + n}.`,
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
  int64(): number {
    this.need(8);
    const v = Number(this.buf.readBigInt64BE(this.pos));
    this.pos += 8;
    return v;
  }
  string(): string {
    return this.nullableString() ?? '';
  }
  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  bytes(): Buffer {
    const len = this.int32();
    if (len < 0) return Buffer.alloc(0);
    this.need(len);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return b;
  }
}

/** The key of a `__consumer_offsets` record; null for a key version this broker does not know (skipped). */
export function decodeKey(key: Buffer): OffsetKey | GroupMetadataKey | null {
  const r = new Reader(key, 'record key');
  const version = r.int16();
  if (version === 0 || version === 1)
    return { kind: 'offset', group: r.string(), topic: r.string(), partition: r.int32() };
  if (version === 2) return { kind: 'group', group: r.string() };
  return null;
}

export function decodeOffsetValue(value: Buffer): OffsetAndMetadata {
  const r = new Reader(value, 'offset commit value');
  const version = r.int16();
  if (version < 0 || version > 3) {
    throw new ApiError(
      'CORRUPT_MESSAGE',
      `${OFFSETS_TOPIC} offset commit value has version ${version}; this broker reads 0-3.`,
    );
  }
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = r.int64();
  return { offset, leaderEpoch, metadata, commitTimestamp };
}
