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
 * Strings are an int16 byte length and UTF-8 (-1: null); bytes an int32 length; arrays an int32 count, written and
 * read with the wire protocol's primitives (lib/protocol/kafka/kafka-struct.ts). A null value is a tombstone (the
 * key's entry is deleted). A truncated or malformed record throws CORRUPT_MESSAGE naming what was being read. Offset keys of version 0 and offset values of versions 0-3, group
 * values of versions 0-3 are read too (older Kafka wrote them).
 *
 * Pure functions; callers are the GroupMetadataManager (writes, loads) and tools.
 */
import { ApiError } from '../../common/errors.js';
import type { KafkaReader } from '../../protocol/kafka/kafka-reader.js';
import { decodeStruct, encodeStruct } from '../../protocol/kafka/kafka-struct.js';

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

export function encodeOffsetKey(group: string, topic: string, partition: number): Buffer {
  return encodeStruct((w) => {
    w.int16(1);
    w.string(group, false);
    w.string(topic, false);
    w.int32(partition);
  });
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return encodeStruct((w) => {
    w.int16(2);
    w.string(group, false);
  });
}

export function encodeOffsetValue(v: OffsetAndMetadata): Buffer {
  return encodeStruct((w) => {
    w.int16(3);
    w.int64(v.offset);
    w.int32(v.leaderEpoch);
    w.string(v.metadata, false);
    w.int64(v.commitTimestamp);
  });
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

export function encodeGroupMetadataValue(g: GroupMetadataRecord): Buffer {
  return encodeStruct((w) => {
    w.int16(3);
    w.string(g.protocolType, false);
    w.int32(g.generationId);
    w.string(g.protocolName, false);
    w.string(g.leaderId, false);
    w.int64(g.currentStateTimestamp);
    w.arrayLength(g.members.length, false);
    for (const m of g.members) {
      w.string(m.memberId, false);
      w.string(m.groupInstanceId, false);
      w.string(m.clientId, false);
      w.string(m.clientHost, false);
      w.int32(m.rebalanceTimeoutMs);
      w.int32(m.sessionTimeoutMs);
      w.bytes(m.subscription, false);
      w.bytes(m.assignment, false);
    }
  });
}

/** A string that older writers may have left null, read as ''. */
const str = (r: KafkaReader): string => r.string(false, true) ?? '';
/** A copy of a bytes field (the record is a view of a log segment), empty for null. */
const ownBytes = (r: KafkaReader): Buffer => Buffer.from(r.bytes(false, true) ?? Buffer.alloc(0));

const corrupt = (what: string) => (problem: string) =>
  new ApiError('CORRUPT_MESSAGE', `${OFFSETS_TOPIC} ${what} is malformed: ${problem}.`);

function checkVersion(version: number, what: string): void {
  if (version < 0 || version > 3) {
    throw new ApiError('CORRUPT_MESSAGE', `${OFFSETS_TOPIC} ${what} has version ${version}; this broker reads 0-3.`);
  }
}

export function decodeGroupMetadataValue(value: Buffer): GroupMetadataRecord {
  return decodeStruct(
    value,
    (r) => {
      const version = r.int16();
      checkVersion(version, 'group metadata value');
      const protocolType = str(r);
      const generationId = r.int32();
      const protocolName = r.string(false, true);
      const leaderId = r.string(false, true);
      const currentStateTimestamp = version >= 2 ? r.int64() : -1;
      const members: GroupMemberRecord[] = [];
      for (let n = r.arrayLength(false, false); n > 0; n--) {
        const memberId = str(r);
        const groupInstanceId = version >= 3 ? r.string(false, true) : null;
        const clientId = str(r);
        const clientHost = str(r);
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
          subscription: ownBytes(r),
          assignment: ownBytes(r),
        });
      }
      return { protocolType, generationId, protocolName, leaderId, currentStateTimestamp, members };
    },
    corrupt('group metadata value'),
  );
}

/** The key of a `__consumer_offsets` record; null for a key version this broker does not know (skipped). */
export function decodeKey(key: Buffer): OffsetKey | GroupMetadataKey | null {
  return decodeStruct(
    key,
    (r): OffsetKey | GroupMetadataKey | null => {
      const version = r.int16();
      if (version === 0 || version === 1) return { kind: 'offset', group: str(r), topic: str(r), partition: r.int32() };
      if (version === 2) return { kind: 'group', group: str(r) };
      return null;
    },
    corrupt('record key'),
  );
}

export function decodeOffsetValue(value: Buffer): OffsetAndMetadata {
  return decodeStruct(
    value,
    (r) => {
      const version = r.int16();
      checkVersion(version, 'offset commit value');
      const offset = r.int64();
      const leaderEpoch = version >= 3 ? r.int32() : -1;
      const metadata = str(r);
      const commitTimestamp = r.int64();
      return { offset, leaderEpoch, metadata, commitTimestamp };
    },
    corrupt('offset commit value'),
  );
}
