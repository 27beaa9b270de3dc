/**
 * A tiny schema DSL for API message bodies: one description per message yields its TypeScript type
 * (`Infer<typeof S>`), its validator (`requestValidator`) and its wire-shape doc (`wireShape`).
 *
 * Layout: a schema is a tree of nodes (`int8/16/32/64`, `float64`, `bool`, `string`, `bytes`, `array`, `struct`,
 * `nullable`). In the wire shape, `x[...]` is an array of structs, `x[]` an array of scalars, `x?` nullable.
 * Field names follow Kafka 2.8's message JSON in camelCase. Every field is required; `nullable(x)`
 * also admits `null` (Kafka's `nullableVersions`). Keys a struct does not describe are ignored, so a newer peer
 * may add fields.
 *
 * Types on the wire (msgpack, decoded by msgpackr with `int64AsType: 'number'`): int8..int64 are JS numbers
 * (int64 must be a safe integer, |n| <= 2^53 - 1, which covers every offset, timestamp and producer id Kafka
 * hands out in practice); `bytes` is a Buffer/Uint8Array that is only type-checked, never walked (records).
 *
 * Invariants: `check()` allocates nothing when the value conforms; on the first mismatch it returns the
 * failure as a path suffix (".topicData[0].index: expected int32 >= 0, found -1") that the caller prefixes
 * with the message name. Validation never mutates the value.
 */
import { ApiError } from '../common/errors.js';

export interface Schema<T> {
  /** null when `value` conforms; otherwise the failure, as a path below this node followed by ": expected ...". */
  readonly check: (value: unknown) => string | null;
  /** The wire-shape fragment of this node, Kafka style: `name partitions[index records]`. */
  readonly shape: string;
  /** The field names, in order, when this is a struct. */
  readonly fieldNames?: readonly string[];
  /** Phantom: the TypeScript type of a conforming value. */
  readonly _type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

interface IntBounds {
  min?: number;
  max?: number;
}

function found(value: unknown): string {
  if (value === undefined) return 'nothing (field missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} chars` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return `bytes (${value.length})`;
  if (Array.isArray(value)) return `an array (${value.length})`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function integer(typeName: string, lo: number, hi: number, bounds: IntBounds = {}): Schema<number> {
  const min = Math.max(lo, bounds.min ?? lo);
  const max = Math.min(hi, bounds.max ?? hi);
  const wanted = `${typeName}${min > lo ? ` >= ${min}` : ''}${max < hi ? ` <= ${max}` : ''}`;
  return {
    shape: '',
    check(value) {
      if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return null;
      return `: expected ${wanted}, found ${found(value)}`;
    },
  };
}

export const int8 = (bounds?: IntBounds): Schema<number> => integer('int8', -0x80, 0x7f, bounds);
export const int16 = (bounds?: IntBounds): Schema<number> => integer('int16', -0x8000, 0x7fff, bounds);
export const int32 = (bounds?: IntBounds): Schema<number> => integer('int32', -0x80000000, 0x7fffffff, bounds);
/** A 64-bit integer carried as a JS number; must be a safe integer. */
export const int64 = (bounds?: IntBounds): Schema<number> =>
  integer('int64', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, bounds);

/** A float64 (Kafka's quota values): any finite JS number. */
export function float64(): Schema<number> {
  return {
    shape: '',
    check: (value) =>
      typeof value === 'number' && Number.isFinite(value) ? null : `: expected a finite number, found ${found(value)}`,
  };
}

export function bool(): Schema<boolean> {
  return {
    shape: '',
    check: (value) => (typeof value === 'boolean' ? null : `: expected a boolean, found ${found(value)}`),
  };
}

export function string(): Schema<string> {
  return {
    shape: '',
    check: (value) => (typeof value === 'string' ? null : `: expected a string, found ${found(value)}`),
  };
}

/** Opaque bytes (record batches): only the type is checked, the content never. */
export function bytes(): Schema<Buffer> {
  return {
    shape: '',
    check: (value) => (value instanceof Uint8Array ? null : `: expected bytes, found ${found(value)}`),
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    shape: `${inner.shape}?`,
    check: (value) => (value === null ? null : inner.check(value)),
  };
}

export function array<T>(element: Schema<T>): Schema<T[]> {
  return {
    shape: `[${element.shape}]`,
    check(value) {
      if (!Array.isArray(value)) return `: expected an array, found ${found(value)}`;
      for (let i = 0; i < value.length; i++) {
        const failure = element.check(value[i]);
        if (failure !== null) return `[${i}]${failure}`;
      }
      return null;
    },
  };
}

type Fields = Record<string, Schema<unknown>>;
export type StructOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

export function struct<F extends Fields>(fields: F): Schema<StructOf<F>> {
  const names = Object.keys(fields);
  const checks = names.map((n) => fields[n]!.check);
  return {
    fieldNames: names,
    shape: names.map((n) => `${n}${fields[n]!.shape}`).join(' '),
    check(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
        return `: expected a struct, found ${found(value)}`;
      }
      const record = value as Record<string, unknown>;
      for (let i = 0; i < names.length; i++) {
        const failure = checks[i]!(record[names[i]!]);
        if (failure !== null) return `.${names[i]}${failure}`;
      }
      return null;
    },
  };
}

/** Kafka-style one-line wire shape: `ProduceRequest => transactionalId acks timeoutMs topicData[...]`. */
export function wireShape(messageName: string, schema: Schema<unknown>): string {
  return `${messageName} => ${schema.shape}`;
}

/**
 * A validator for a request body: returns the body typed when it conforms, else throws
 * ApiError('INVALID_REQUEST') whose message names the message, the field path, what was expected and found.
 */
export function requestValidator<T>(messageName: string, schema: Schema<T>): (body: unknown) => T {
  return (body) => {
    const failure = schema.check(body);
    if (failure !== null) {
      throw new ApiError(
        'INVALID_REQUEST',
        `Invalid ${messageName}: ${messageName}${failure}. ` +
          'The client sent a body that does not match the schema; upgrade or fix the client.',
      );
    }
    return body as T;
  };
}
