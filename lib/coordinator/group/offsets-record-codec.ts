/**
 * The records of `__consumer_offsets`, in Kafka's binary schemas (core/src/main/resources/common/message/
 * OffsetCommitKey/Value and GroupMetadataKey.json), so that the topic reads the same as Kafka's:
 *
 *   offset commit key  v1: version int16 = 1 | group string | topic string | partition int32
 *   offset commit value v3: version int16 = 3 | offset int64 | leaderEpoch int32 | metadata string | commitTimestamp int64
 *   group metadata key v2: version int16 = 2 | group string
 *
 * Strings are an int16 byte length and UTF-8. A null value is a tombstone (the key's entry is deleted). Offset keys
 * of version 0 and values of versions 1-3 are read too (older Kafka wrote them); group metadata values are
 * recognised by their key and skipped until group membership is stored.
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

/** Reads with bounds checks; a short or malformed record throws CORRUPT_MESSAGE naming what was being read. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer, private readonly what: string) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new ApiError('CORRUPT_MESSAGE', `${OFFSETS_TOPIC} ${this.what} is truncated: ${this.buf.length} bytes, ` +
        `needed ${this.pos + n}.`);
    }
  }

  int16(): number { this.need(2); const v = this.buf.readInt16BE(this.pos); this.pos += 2; return v; }
  int32(): number { this.need(4); const v = this.buf.readInt32BE(this.pos); this.pos += 4; return v; }
  int64(): number { this.need(8); const v = Number(this.buf.readBigInt64BE(this.pos)); this.pos += 8; return v; }
  string(): string {
    const len = this.int16();
    if (len < 0) return '';
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
}

/** The key of a `__consumer_offsets` record; null for a key version this broker does not know (skipped). */
export function decodeKey(key: Buffer): OffsetKey | GroupMetadataKey | null {
  const r = new Reader(key, 'record key');
  const version = r.int16();
  if (version === 0 || version === 1) return { kind: 'offset', group: r.string(), topic: r.string(), partition: r.int32() };
  if (version === 2) return { kind: 'group', group: r.string() };
  return null;
}

export function decodeOffsetValue(value: Buffer): OffsetAndMetadata {
  const r = new Reader(value, 'offset commit value');
  const version = r.int16();
  if (version < 0 || version > 3) {
    throw new ApiError('CORRUPT_MESSAGE', `${OFFSETS_TOPIC} offset commit value has version ${version}; this broker reads 0-3.`);
  }
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = r.int64();
  return { offset, leaderEpoch, metadata, commitTimestamp };
}
