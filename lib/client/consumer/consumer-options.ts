/**
 * The consumer's options, under Kafka's config names with Kafka 2.8's defaults (docs/DESIGN-NOTES.md, Defaults), and
 * their resolution (see client-options.ts for the shared rules).
 *
 * Group options (`group.id`, session/heartbeat/poll intervals, assignors, auto commit) are used by `subscribe()`
 * (group membership) and, for `group.id`, by `commit()`/`committed()` with `assign()`.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import { parseRetryStages } from './retry-stages.js';
import {
  booleanRule,
  COMMON_OPTION_RULES,
  DEFAULT_COMMON_CLIENT_OPTIONS,
  enumRule,
  intRule,
  resolveOptions,
  withGeneratedClientId,
  type CommonClientOptions,
  type Resolved,
} from '../client-options.js';

export type OffsetResetStrategy = 'earliest' | 'latest' | 'none';
export type IsolationLevelName = 'read_uncommitted' | 'read_committed';

export interface ConsumerOptions extends CommonClientOptions {
  /** The consumer group, for `subscribe()` and committed offsets. @default undefined (no group) */
  'group.id'?: string;
  /** Makes this member static (KIP-345): a restart within the session timeout causes no rebalance. @default undefined */
  'group.instance.id'?: string;
  /** The coordinator removes the member when no heartbeat arrives for this long. Unit: ms. @default 10000 */
  'session.timeout.ms'?: number;
  /** Time between heartbeats (sent off the processing path). Unit: ms. @default 3000 */
  'heartbeat.interval.ms'?: number;
  /** Longest time the reader may spend between fetches of records before the member leaves the group; also the
   *  rebalance timeout. Unit: ms. @default 300000 */
  'max.poll.interval.ms'?: number;
  /** Assignors in preference order: 'range', 'roundrobin' (or Kafka's class names). @default ['range'] */
  'partition.assignment.strategy'?: readonly string[] | string;
  /**
   * Commit, for a subscribed consumer, what the application finished (per partition the offset after the last record
   * whose handler resolved) every `auto.commit.interval.ms`, before partitions are revoked and on close: at-least-once.
   * @default true
   */
  'enable.auto.commit'?: boolean;
  /** Unit: ms. @default 5000 */
  'auto.commit.interval.ms'?: number;
  /** Where to start when a partition has no position or its position is out of range: the log start
   *  (`'earliest'`), the end (`'latest'`), or fail (`'none'`). @default 'latest' */
  'auto.offset.reset'?: OffsetResetStrategy;
  /**
   * `'read_committed'`: read only up to the last stable offset (nothing of a transaction still open) and skip the
   * records of aborted transactions; committed offsets are read stable (a transaction's pending offsets are waited
   * for). `'read_uncommitted'`: everything up to the high watermark, aborted records included. Transaction markers
   * are never handed out. @default 'read_uncommitted'
   */
  'isolation.level'?: IsolationLevelName;
  /** The broker answers a fetch once it has this much data (or `fetch.max.wait.ms` passed). Unit: bytes. @default 1 */
  'fetch.min.bytes'?: number;
  /** Longest time the broker holds a fetch waiting for `fetch.min.bytes`. Unit: ms. @default 500 */
  'fetch.max.wait.ms'?: number;
  /** Soft cap of one fetch response (the first batch is returned even if larger). Unit: bytes. @default 52428800 */
  'fetch.max.bytes'?: number;
  /** Soft cap per partition in one fetch response. Unit: bytes. @default 1048576 */
  'max.partition.fetch.bytes'?: number;
  /**
   * The most records one poll hands out: an `eachBatch` call gets at most this many (a record batch holding more is
   * handed out in parts), `eachMessage` handles at most this many between two polls, and the iterator polls again after
   * this many. It bounds the work between two polls (which must come within `max.poll.interval.ms`) and between two
   * automatic commits; it does not change how much is fetched. @default 500
   */
  'max.poll.records'?: number;
  /** Verify each batch's CRC-32C before handing out its records. @default true */
  'check.crcs'?: boolean;
  /** Bound for calls that wait on the cluster (`position`, `offsetsForTimes`, seeking to an end). Unit: ms. @default 60000 */
  'default.api.timeout.ms'?: number;
  /** Let a Metadata request for an unknown topic create it (when the broker allows). @default true */
  'allow.auto.create.topics'?: boolean;
  /**
   * Retry stages for records whose `eachMessage` handler throws (mq's own): their delays, e.g. '5s,1m,10m'. A failing
   * record goes to the next stage's topic (`<topic>.<group.id>.retry-<delay>`, created as needed), which delivers it
   * back to this group after the delay, with its original topic, partition, offset, the error and the attempt count in
   * headers; the source partition keeps flowing. Needs `group.id`, `subscribe()` and `run({ eachMessage })`.
   * @default [] (no stages)
   */
  'retry.topics'?: string | readonly (string | number)[];
  /**
   * Where a record goes after its last retry stage fails (or at its first failure without stages), with the same
   * headers (mq's own). Without one, a record failing its last stage fails `run()`, as any handler error does.
   * @default undefined
   */
  'dead.letter.topic'?: string;
  /**
   * Ordered retries (mq's own): while a key has a record in the retry stages, its later records wait behind it (they
   * are sent to the same stage and due time) instead of being handled out of order. @default false
   */
  'retry.ordered'?: boolean;
}

export const DEFAULT_CONSUMER_OPTIONS = {
  ...DEFAULT_COMMON_CLIENT_OPTIONS,
  'auto.offset.reset': 'latest',
  'isolation.level': 'read_uncommitted',
  'fetch.min.bytes': 1,
  'fetch.max.wait.ms': 500,
  'fetch.max.bytes': 52428800,
  'max.partition.fetch.bytes': 1048576,
  'max.poll.records': 500,
  'check.crcs': true,
  'default.api.timeout.ms': 60000,
  'allow.auto.create.topics': true,
  'retry.topics': [] as readonly string[],
  'retry.ordered': false,
  'session.timeout.ms': 10000,
  'heartbeat.interval.ms': 3000,
  'max.poll.interval.ms': 300000,
  'partition.assignment.strategy': ['range'] as readonly string[],
  'enable.auto.commit': true,
  'auto.commit.interval.ms': 5000,
} as const;

const CONSUMER_OPTION_RULES = {
  ...COMMON_OPTION_RULES,
  'group.id': (name: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') {
      throw new InvalidArgumentError(
        `Invalid value ${JSON.stringify(value)} for option '${name}': expected a non-empty string.`,
      );
    }
    return value;
  },
  'group.instance.id': (name: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') {
      throw new InvalidArgumentError(
        `Invalid value ${JSON.stringify(value)} for option '${name}': expected a non-empty string.`,
      );
    }
    return value;
  },
  'session.timeout.ms': intRule(1),
  'heartbeat.interval.ms': intRule(1),
  'max.poll.interval.ms': intRule(1),
  'partition.assignment.strategy': (name: string, value: unknown): readonly string[] => {
    const list =
      typeof value === 'string'
        ? value
            .split(',')
            .map((v) => v.trim())
            .filter((v) => v !== '')
        : value;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
      throw new InvalidArgumentError(
        `Invalid value ${JSON.stringify(value)} for option '${name}': expected assignor names, e.g. ['range'].`,
      );
    }
    return list as string[];
  },
  'enable.auto.commit': booleanRule,
  'auto.commit.interval.ms': intRule(1),
  'auto.offset.reset': enumRule<OffsetResetStrategy>('earliest', 'latest', 'none'),
  'isolation.level': enumRule<IsolationLevelName>('read_uncommitted', 'read_committed'),
  'fetch.min.bytes': intRule(0),
  'fetch.max.wait.ms': intRule(0),
  'fetch.max.bytes': intRule(0),
  'max.partition.fetch.bytes': intRule(0),
  'max.poll.records': intRule(1),
  'check.crcs': booleanRule,
  'default.api.timeout.ms': intRule(0),
  'allow.auto.create.topics': booleanRule,
  'retry.topics': parseRetryStages,
  'dead.letter.topic': (name: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(value) || value === '.' || value === '..') {
      throw new InvalidArgumentError(
        `Invalid value ${JSON.stringify(value)} for option '${name}': expected a topic name (letters, digits, '.', ` +
          "'_', '-').",
      );
    }
    return value;
  },
  'retry.ordered': booleanRule,
};

export type ResolvedConsumerOptions = Resolved<typeof CONSUMER_OPTION_RULES>;

export function resolveConsumerOptions(options: ConsumerOptions): ResolvedConsumerOptions {
  const resolved = resolveOptions(
    'consumer',
    CONSUMER_OPTION_RULES,
    DEFAULT_CONSUMER_OPTIONS,
    options as Record<string, unknown>,
  );
  return withGeneratedClientId(resolved, 'consumer', resolved['group.id']);
}
