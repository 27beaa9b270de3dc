/**
 * The vocabulary of the Kafka API tables in `messages/`: a message is a list of fields, each with a name, a type,
 * the versions it exists in, the versions in which it may be null, and the value it takes in versions without it.
 * These are the facts Kafka's protocol guide gives per message version; `message-codec.ts` derives the encoders
 * and decoders from them.
 *
 * Layout of a field: `field('fetchOffset', 'int64')` exists in every version; `field('rackId', 'string',
 * { versions: '11+' })` from v11 on; `field('memberId', 'string', { versions: '0-2' })` up to v2;
 * `field('records', 'records', { nullable: '0+' })` may be null. A field whose type is a list of fields is an array
 * of structs; `arrayOf('int32')` an array of scalars. Field names are the broker's body field names (Kafka 2.8's
 * names in camelCase, where the msgpack protocol uses later Kafka names the wire does not care: it is positional).
 *
 * Defaults (the value decoded for a field absent from a version, and written when a response body leaves a field
 * out): `default` when given; else null for a field nullable in some version; else 0, false, '', an empty Buffer,
 * an empty array, or the zero UUID by type.
 * Invariants: version ranges are parsed and checked when a table is defined (a malformed one is a programming
 * error, thrown at module load).
 */
import { InvalidArgumentError } from '../../common/errors.js';

export type ScalarType =
  'int8' | 'int16' | 'int32' | 'int64' | 'float64' | 'bool' | 'string' | 'bytes' | 'records' | 'uuid';

export interface ArrayType {
  readonly element: ScalarType | readonly Field[];
}

/** A scalar, an array of structs (the struct's fields) or an array of scalars (`arrayOf`). */
export type FieldType = ScalarType | readonly Field[] | ArrayType;

/** Inclusive version bounds; `max` is Infinity for open ranges (`'3+'`). */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export interface Field {
  readonly name: string;
  readonly type: FieldType;
  readonly versions: VersionRange;
  /** Versions in which the field may be null; null when it never may. */
  readonly nullableVersions: VersionRange | null;
  readonly default: unknown;
}

export interface FieldOptions {
  /** `'0+'` (the default), `'3+'`, `'0-2'` or `'7'`. */
  versions?: string;
  nullable?: string;
  default?: unknown;
}

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Parses `'3+'`, `'0-4'` or `'7'`. */
export function parseVersions(text: string): VersionRange {
  const m = /^(\d+)(?:(\+)|-(\d+))?$/.exec(text);
  const range = m ? { min: Number(m[1]), max: m[2] ? Infinity : Number(m[3] ?? m[1]) } : undefined;
  if (range === undefined || range.min > range.max)
    throw new InvalidArgumentError(`Invalid version range '${text}': expected N, N+ or N-M with N <= M.`);
  return range;
}

export function inVersions(version: number, range: VersionRange | null): boolean {
  return range !== null && version >= range.min && version <= range.max;
}

export function arrayOf(element: ScalarType): ArrayType {
  return { element };
}

export function field(name: string, type: FieldType, options: FieldOptions = {}): Field {
  const nullableVersions = options.nullable === undefined ? null : parseVersions(options.nullable);
  return {
    name,
    type,
    versions: parseVersions(options.versions ?? '0+'),
    nullableVersions,
    default: 'default' in options ? options.default : nullableVersions !== null ? null : typeDefault(type),
  };
}

function typeDefault(type: FieldType): unknown {
  switch (type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float64':
      return 0;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
    case 'records':
      return EMPTY_BYTES;
    case 'uuid':
      return ZERO_UUID;
    default:
      return EMPTY_ARRAY;
  }
}

const EMPTY_BYTES = Buffer.alloc(0);
/** Shared by every defaulted array: decoders hand out a fresh array instead (bodies are mutable). */
export const EMPTY_ARRAY: readonly never[] = Object.freeze([]);
