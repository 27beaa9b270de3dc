/**
 * Per-topic log configuration (Kafka's `LogConfig`): the topic-level keys, their types, validators and Kafka 2.8
 * defaults, defined once. Topic overrides stored in ZooKeeper and the broker's `log.*` defaults (mapped to these
 * keys by `topicConfigDefaults()` in lib/broker) both go through `parseLogConfig`.
 *
 * "Never" is spelled as Kafka spells Long.MAX_VALUE; here that is `Number.MAX_SAFE_INTEGER` (`LONG_MAX`), the
 * largest integer a JS number holds exactly.
 */
import { ConfigDef, atLeast, between, define, listOf, oneOf } from '../common/config-def.js';
import { InvalidArgumentError } from '../common/errors.js';

export const LONG_MAX = Number.MAX_SAFE_INTEGER;

/** Kafka's ThrottledReplicaListValidator: `*` alone, or partitionId:brokerId pairs. */
function throttledReplicaList(entries: string[]): string | undefined {
  if (entries.length === 1 && entries[0] === '*') return undefined;
  const bad = entries.find((e) => !/^\d+:\d+$/.test(e));
  return bad === undefined ? undefined : `'${bad}' is not partitionId:brokerId; use a list such as 0:101,0:102 or *`;
}
const DAY_MS = 24 * 60 * 60 * 1000;

export const LOG_CONFIG = new ConfigDef({
  segmentBytes: define<number>(
    'segment.bytes',
    'int',
    1024 * 1024 * 1024,
    'Size of a segment file; a new segment is rolled when the next batch would not fit.',
    atLeast(14),
  ),
  segmentMs: define<number>(
    'segment.ms',
    'long',
    7 * DAY_MS,
    'Time after which a non-empty active segment is rolled even if not full.',
    atLeast(1),
  ),
  segmentJitterMs: define<number>(
    'segment.jitter.ms',
    'long',
    0,
    'Maximum random jitter subtracted from segment.ms, to avoid rolling every partition at once.',
    atLeast(0),
  ),
  segmentIndexBytes: define<number>(
    'segment.index.bytes',
    'int',
    10 * 1024 * 1024,
    'Size each offset and time index is preallocated to; a full index rolls the segment.',
    atLeast(12),
  ),
  indexIntervalBytes: define<number>(
    'index.interval.bytes',
    'int',
    4096,
    'Bytes appended between two offset index entries.',
    atLeast(0),
  ),
  retentionMs: define<number>(
    'retention.ms',
    'long',
    7 * DAY_MS,
    'Segments whose newest record is older than this are deleted (delete policy); -1 = no time limit.',
    atLeast(-1),
  ),
  retentionBytes: define<number>(
    'retention.bytes',
    'long',
    -1,
    'Oldest segments are deleted while the partition is larger than this (delete policy); -1 = no size limit.',
    atLeast(-1),
  ),
  cleanupPolicy: define<string[]>(
    'cleanup.policy',
    'list',
    ['delete'],
    'delete (retention by time and size), compact (keep the last record per key), or both.',
    listOf('delete', 'compact'),
  ),
  deleteRetentionMs: define<number>(
    'delete.retention.ms',
    'long',
    DAY_MS,
    'How long a tombstone is kept after its segment was cleaned, so that consumers see the delete.',
    atLeast(0),
  ),
  minCleanableDirtyRatio: define<number>(
    'min.cleanable.dirty.ratio',
    'double',
    0.5,
    'Dirty bytes / total bytes above which a compacted log is cleaned.',
    between(0, 1),
  ),
  minCompactionLagMs: define<number>(
    'min.compaction.lag.ms',
    'long',
    0,
    'Minimum age of a record before it may be compacted.',
    atLeast(0),
  ),
  maxCompactionLagMs: define<number>(
    'max.compaction.lag.ms',
    'long',
    LONG_MAX,
    'Maximum time a record stays uncompacted; forces cleaning regardless of the dirty ratio.',
    atLeast(1),
  ),
  flushMessages: define<number>(
    'flush.messages',
    'long',
    LONG_MAX,
    'Records appended between two flushes to disk; 1 makes every append durable through group commit.',
    atLeast(1),
  ),
  flushMs: define<number>('flush.ms', 'long', LONG_MAX, 'Maximum time appended data stays unflushed.', atLeast(0)),
  fileDeleteDelayMs: define<number>(
    'file.delete.delay.ms',
    'long',
    60000,
    'Delay before a deleted segment (renamed .deleted) is removed from the filesystem.',
    atLeast(0),
  ),
  maxMessageBytes: define<number>(
    'max.message.bytes',
    'int',
    1048588,
    'Largest record batch accepted, in bytes.',
    atLeast(0),
  ),
  messageTimestampType: define<string>(
    'message.timestamp.type',
    'string',
    'CreateTime',
    'CreateTime keeps the producer timestamp; LogAppendTime stamps the broker time on every batch.',
    oneOf('CreateTime', 'LogAppendTime'),
  ),
  minInsyncReplicas: define<number>(
    'min.insync.replicas',
    'int',
    1,
    'Minimum in-sync replicas for an acks=all produce to succeed.',
    atLeast(1),
  ),
  uncleanLeaderElectionEnable: define<boolean>(
    'unclean.leader.election.enable',
    'boolean',
    false,
    'Allow an out-of-sync replica to become leader as a last resort, losing data.',
  ),
  compressionType: define<string>(
    'compression.type',
    'string',
    'producer',
    'Final compression of the topic; producer keeps whatever the producer sent.',
    oneOf('producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'),
  ),
  preallocate: define<boolean>(
    'preallocate',
    'boolean',
    false,
    'Extend a new segment file to segment.bytes when it is created (trimmed on roll).',
  ),
  leaderReplicationThrottledReplicas: define<string[]>(
    'leader.replication.throttled.replicas',
    'list',
    [],
    'Replicas whose log is throttled on the leader side, as partitionId:brokerId pairs ("0:101,0:102") or * for all: ' +
      'a listed broker leading the partition serves out-of-sync followers within leader.replication.throttled.rate.',
    throttledReplicaList,
  ),
  followerReplicationThrottledReplicas: define<string[]>(
    'follower.replication.throttled.replicas',
    'list',
    [],
    'Replicas whose log is throttled on the follower side, as partitionId:brokerId pairs or * for all: a listed ' +
      'broker fetches the partition, while out of sync, within follower.replication.throttled.rate.',
    throttledReplicaList,
  ),
});

export type LogConfig = ReturnType<typeof LOG_CONFIG.parse>;

/** Kafka's defaults for every key. */
export const DEFAULT_LOG_CONFIG: LogConfig = Object.freeze(LOG_CONFIG.parse({}));

/**
 * Parses topic-level properties (strings or typed values) on top of `defaults` (the broker's `log.*` settings or
 * Kafka's defaults). Unknown keys are rejected so that a typo in a topic config does not pass silently.
 */
export function parseLogConfig(
  props: Readonly<Record<string, string | number | boolean | undefined>> = {},
  defaults: Readonly<Record<string, string | number | boolean | undefined>> = {},
): LogConfig {
  const config = LOG_CONFIG.parse({ ...defaults, ...props }, { strict: true, what: 'topic config' });
  if (config.cleanupPolicy.length === 0) {
    throw new InvalidArgumentError(
      `Topic config key 'cleanup.policy' is empty: use delete, compact or "compact,delete".`,
    );
  }
  if (config.minCompactionLagMs > config.maxCompactionLagMs) {
    throw new InvalidArgumentError(
      `Topic config 'min.compaction.lag.ms' (${config.minCompactionLagMs}) must not exceed ` +
        `'max.compaction.lag.ms' (${config.maxCompactionLagMs}).`,
    );
  }
  return Object.freeze(config);
}

/** Builds a config from Kafka's defaults with typed overrides; for callers that already hold typed values. */
export function logConfigWith(overrides: Partial<LogConfig>): LogConfig {
  return Object.freeze({ ...DEFAULT_LOG_CONFIG, ...overrides });
}

export const hasCompactPolicy = (c: LogConfig): boolean => c.cleanupPolicy.includes('compact');
export const hasDeletePolicy = (c: LogConfig): boolean => c.cleanupPolicy.includes('delete');
