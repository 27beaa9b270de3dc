/**
 * The producer's options, under Kafka's config names with Kafka's defaults — those of 3.x for delivery (`acks=all`,
 * `enable.idempotence=true`, KIP-679), 2.8's for the rest (docs/DESIGN-NOTES.md, Defaults) — and their resolution
 * (see client-options.ts for the shared rules).
 *
 * Cross-option rules:
 * - `delivery.timeout.ms` must be at least `linger.ms + request.timeout.ms` (Kafka's `configureDeliveryTimeout`,
 *   KIP-91). Set explicitly below that, it is rejected; left at its default, it is raised to that sum.
 * - Idempotence needs `acks=all`, `retries` > 0 and at most 5 requests in flight per connection (the broker keeps a
 *   producer's last five batches). With `enable.idempotence` set explicitly, a conflicting option is rejected naming
 *   both keys; left at its default, idempotence turns itself off instead (Kafka 3.x's
 *   `postProcessAndValidateIdempotenceConfigs`), so that `acks: 1` alone still works.
 * - `transactional.id` needs idempotence: set with `enable.idempotence=false`, or with an option idempotence cannot
 *   work with, it is rejected naming both keys (Kafka's "Cannot set a transactional.id without also enabling
 *   idempotence").
 */
import { InvalidArgumentError } from '../../common/errors.js';
import { CompressionType } from '../../record/record-batch.js';
import {
  booleanRule,
  COMMON_OPTION_RULES,
  DEFAULT_COMMON_CLIENT_OPTIONS,
  enumRule,
  intRule,
  objectRule,
  stringRule,
  resolveOptions,
  withGeneratedClientId,
  type CommonClientOptions,
  type OptionRule,
  type Resolved,
} from '../client-options.js';
import type { Partitioner } from './partitioner.js';

export type Acks = 0 | 1 | -1;
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface ProducerOptions extends CommonClientOptions {
  /**
   * How many replicas must have a record before it is acknowledged: `0` (no response; offsets are -1), `1` (the
   * leader wrote it), `'all'` / `-1` (every in-sync replica has it). @default 'all'
   */
  acks?: 0 | 1 | -1 | '0' | '1' | '-1' | 'all';
  /**
   * Exactly one copy of each record in the partition, in send order, whatever the retries: the producer gets a
   * producer id (InitProducerId) and numbers its batches per partition, and the leader drops a batch it already
   * has, answering with the original offset. Needs `acks=all`, `retries` > 0 and
   * `max.in.flight.requests.per.connection` <= 5 (see the header for what happens when they conflict). @default true
   */
  'enable.idempotence'?: boolean | 'true' | 'false';
  /** Target size of one partition's batch; a larger single record gets a batch of its own. Unit: bytes. @default 16384 */
  'batch.size'?: number;
  /** Wait up to this long for more records before sending a batch that is not full. Unit: ms. @default 0 */
  'linger.ms'?: number;
  /** Memory for records waiting to be sent or acknowledged; `send()` waits when it is used up. Unit: bytes. @default 33554432 */
  'buffer.memory'?: number;
  /** How long `send()` may wait for buffer memory or for the topic's metadata before it fails. Unit: ms. @default 60000 */
  'max.block.ms'?: number;
  /** Codec for record batches. @default 'none' */
  'compression.type'?: CompressionName;
  /** How often a failed batch is retried (within `delivery.timeout.ms`). @default 2147483647 */
  retries?: number;
  /** Upper bound on the time from `send()` to success or failure, retries included. Unit: ms. @default 120000 */
  'delivery.timeout.ms'?: number;
  /**
   * Produce requests in flight per broker connection. With idempotence (at most 5) batches of one partition never
   * overtake each other or repeat across retries; without it, only with 1: with more, a batch that fails while a
   * later one of the same partition succeeds is written after it (Kafka's behaviour without idempotence). @default 5
   */
  'max.in.flight.requests.per.connection'?: number;
  /** Largest produce request, and so the largest record batch. Unit: bytes. @default 1048576 */
  'max.request.size'?: number;
  /** Picks the partition of records sent without one. @default DefaultPartitioner (murmur2 for keys, sticky for null keys) */
  partitioner?: Partitioner;
  /**
   * Makes the producer transactional: `initTransactions()`, then records are sent inside transactions that commit or
   * abort atomically across partitions. The id names the producer across restarts: a new producer with the same id
   * fences the old one and aborts its open transaction. Needs idempotence. @default null (not transactional)
   */
  'transactional.id'?: string | null;
  /**
   * How long the transaction coordinator lets a transaction stay open before it aborts it (and fences this producer);
   * at most the broker's transaction.max.timeout.ms. Unit: ms. @default 60000
   */
  'transaction.timeout.ms'?: number;
}

export const DEFAULT_PRODUCER_OPTIONS = {
  ...DEFAULT_COMMON_CLIENT_OPTIONS,
  acks: -1,
  'enable.idempotence': true,
  'batch.size': 16384,
  'linger.ms': 0,
  'buffer.memory': 33554432,
  'max.block.ms': 60000,
  'compression.type': 'none',
  retries: 2147483647,
  'delivery.timeout.ms': 120000,
  'max.in.flight.requests.per.connection': 5,
  'max.request.size': 1048576,
  'transactional.id': null,
  'transaction.timeout.ms': 60000,
} as const;

const acksRule: OptionRule<Acks> = (name, value) => {
  switch (value) {
    case 0:
    case '0':
      return 0;
    case 1:
    case '1':
      return 1;
    case -1:
    case '-1':
    case 'all':
      return -1;
    default:
      throw new InvalidArgumentError(
        `Invalid value ${JSON.stringify(value)} for option '${name}': expected 0, 1, 'all' or -1.`,
      );
  }
};

const PRODUCER_OPTION_RULES = {
  ...COMMON_OPTION_RULES,
  acks: acksRule,
  'enable.idempotence': booleanRule,
  'batch.size': intRule(0),
  'linger.ms': intRule(0),
  'buffer.memory': intRule(0, Number.MAX_SAFE_INTEGER),
  'max.block.ms': intRule(0),
  'compression.type': enumRule<CompressionName>('none', 'gzip', 'snappy', 'lz4', 'zstd'),
  retries: intRule(0),
  'delivery.timeout.ms': intRule(0),
  'max.in.flight.requests.per.connection': intRule(1),
  'max.request.size': intRule(1),
  partitioner: (name: string, value: unknown) =>
    value === undefined ? undefined : objectRule<Partitioner>('partition')(name, value),
  'transactional.id': (name: string, value: unknown): string | null => {
    if (value === null) return null;
    const id = stringRule(name, value);
    if (id === '')
      throw new InvalidArgumentError(`Option '${name}' must not be empty; leave it null for no transactions.`);
    return id;
  },
  'transaction.timeout.ms': intRule(1),
};

export type ResolvedProducerOptions = Resolved<typeof PRODUCER_OPTION_RULES>;

export const COMPRESSION_TYPES: Readonly<Record<CompressionName, CompressionType>> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

/** The most requests an idempotent producer may have in flight per connection (Kafka's). */
export const MAX_IN_FLIGHT_REQUESTS_FOR_IDEMPOTENCE = 5;

/** Merges defaults, checks every option, and applies the delivery-timeout and idempotence rules. */
export function resolveProducerOptions(options: ProducerOptions): ResolvedProducerOptions {
  const resolved = withGeneratedClientId(
    resolveOptions('producer', PRODUCER_OPTION_RULES, DEFAULT_PRODUCER_OPTIONS, options as Record<string, unknown>),
    'producer',
  );
  const floorMs = resolved['linger.ms'] + resolved['request.timeout.ms'];
  if (resolved['delivery.timeout.ms'] < floorMs && options['delivery.timeout.ms'] !== undefined) {
    throw new InvalidArgumentError(
      `Option 'delivery.timeout.ms' (${resolved['delivery.timeout.ms']}) must be at least ` +
        `'linger.ms' + 'request.timeout.ms' (${floorMs}); raise it or lower the other two.`,
    );
  }
  const idempotence = resolved['enable.idempotence'] && idempotenceFits(resolved, options);
  if (resolved['transactional.id'] !== null && !idempotence) {
    throw new InvalidArgumentError(
      `Option 'transactional.id' is set, which needs idempotence, but ` +
        (resolved['enable.idempotence']
          ? `idempotence is off: it needs ${conflictOf(resolved) ?? 'the other options to allow it'}`
          : "'enable.idempotence' is false") +
        ". Enable idempotence (acks 'all', retries above 0, at most 5 requests in flight) or unset 'transactional.id'.",
    );
  }
  return {
    ...resolved,
    'delivery.timeout.ms': Math.max(resolved['delivery.timeout.ms'], floorMs),
    'enable.idempotence': idempotence,
  };
}

/**
 * Whether idempotence can work with the other options; false (idempotence off) when one conflicts and
 * `enable.idempotence` was left at its default, an error naming both options when it was set.
 */
function idempotenceFits(resolved: ResolvedProducerOptions, options: ProducerOptions): boolean {
  const conflict = conflictOf(resolved);
  if (conflict === undefined) return true;
  if (options['enable.idempotence'] === undefined) return false;
  throw new InvalidArgumentError(
    `Option 'enable.idempotence' is true, which needs ${conflict}: set 'enable.idempotence' to false, or change the ` +
      'other option.',
  );
}

/** The option idempotence cannot work with, described, or undefined when none conflicts. */
function conflictOf(resolved: ResolvedProducerOptions): string | undefined {
  return resolved.acks !== -1
    ? `option 'acks' to be 'all' (it is ${resolved.acks})`
    : resolved.retries === 0
      ? `option 'retries' to be above 0 (it is 0)`
      : resolved['max.in.flight.requests.per.connection'] > MAX_IN_FLIGHT_REQUESTS_FOR_IDEMPOTENCE
        ? `option 'max.in.flight.requests.per.connection' to be at most ${MAX_IN_FLIGHT_REQUESTS_FOR_IDEMPOTENCE} ` +
          `(it is ${resolved['max.in.flight.requests.per.connection']})`
        : undefined;
}
