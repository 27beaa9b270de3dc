/**
 * Kafka-style configuration definitions: each key is defined once with its type, default, validator and doc
 * (Kafka's `ConfigDef.define`). `parse()` turns string properties (a `server.properties` file, `--override`
 * pairs, topic configs stored in ZooKeeper) into a typed object and names the bad key on error.
 *
 * Callers: `broker-config.ts`, `log-config.ts` and any other config table. Pure; no I/O.
 */
import { InvalidArgumentError } from './errors.js';

export type ConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'password';

export interface ConfigKey<T> {
  readonly name: string;
  readonly type: ConfigType;
  /** `undefined` means required. */
  readonly default: T | undefined;
  readonly doc: string;
  /** A method (bivariant in T), so that a table can hold keys of every value type as `ConfigKey<unknown>`. */
  validate?(value: T): string | undefined;
}

type ValueOf<K> = K extends ConfigKey<infer T> ? T : never;

/** Validators returning a message on failure, `undefined` when fine. */
export const atLeast = (min: number) => (v: number) => (v < min ? `must be at least ${min}` : undefined);
export const between = (min: number, max: number) => (v: number) =>
  v < min || v > max ? `must be between ${min} and ${max}` : undefined;
export const oneOf =
  (...allowed: string[]) =>
  (v: string) =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.join(', ')}`;
export const listOf =
  (...allowed: string[]) =>
  (v: string[]) => {
    const bad = v.find((x) => !allowed.includes(x));
    return bad === undefined ? undefined : `'${bad}' is not one of ${allowed.join(', ')}`;
  };

export function define<T>(
  name: string,
  type: ConfigType,
  dflt: T | undefined,
  doc: string,
  validate?: (value: T) => string | undefined,
): ConfigKey<T> {
  return { name, type, default: dflt, doc, ...(validate ? { validate } : {}) };
}

/**
 * A table of keys. `fields` maps the camelCase TypeScript field to its key definition, so that callers read
 * `config.logSegmentBytes` while files and ZooKeeper say `log.segment.bytes`.
 */
export class ConfigDef<F extends Record<string, ConfigKey<unknown>>> {
  private readonly byName = new Map<string, [keyof F & string, ConfigKey<unknown>]>();

  constructor(readonly fields: F) {
    for (const [field, key] of Object.entries(fields)) this.byName.set(key.name, [field, key]);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  keyOf(name: string): ConfigKey<unknown> | undefined {
    return this.byName.get(name)?.[1];
  }

  /** Field name for a dotted key, e.g. `log.segment.bytes` → `logSegmentBytes`. */
  fieldOf(name: string): (keyof F & string) | undefined {
    return this.byName.get(name)?.[0];
  }

  /**
   * Parses string properties into typed values. Unknown keys are ignored when `strict` is false (Kafka logs
   * them as "not a known config"), and rejected when true.
   */
  parse(
    props: Readonly<Record<string, string | number | boolean | undefined>>,
    opts: { strict?: boolean; what?: string } = {},
  ): { [K in keyof F]: ValueOf<F[K]> } {
    const what = opts.what ?? 'config';
    const out: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(props)) {
      if (raw === undefined) continue;
      const entry = this.byName.get(name);
      if (!entry) {
        if (opts.strict) throw new InvalidArgumentError(`Unknown ${what} key '${name}'.`);
        continue;
      }
      out[entry[0]] = parseValue(entry[1], raw, what);
    }
    for (const [field, key] of Object.entries(this.fields)) {
      if (!(field in out)) {
        if (key.default === undefined) {
          throw new InvalidArgumentError(`Missing required ${what} key '${key.name}': ${key.doc}`);
        }
        out[field] = key.default;
      }
    }
    return out as never;
  }

  /** Typed values back to their dotted string form, e.g. for DescribeConfigs. */
  toProperties(values: { [K in keyof F]?: ValueOf<F[K]> }): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [field, key] of Object.entries(this.fields)) {
      const v = formatConfigValue((values as Record<string, unknown>)[field]);
      if (v !== null) out[key.name] = v;
    }
    return out;
  }
}

/** A typed config value in its properties form (lists comma-separated); null for "not set". */
export function formatConfigValue(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

export function parseValue(key: ConfigKey<unknown>, raw: string | number | boolean, what = 'config'): unknown {
  const bad = (why: string) =>
    new InvalidArgumentError(`Invalid value '${String(raw)}' for ${what} key '${key.name}': ${why}.`);
  let value: unknown;
  const s = String(raw).trim();
  switch (key.type) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(s)) throw bad(`expected an integer`);
      const n = Number(s);
      if (!Number.isSafeInteger(n)) throw bad('out of range');
      if (key.type === 'int' && (n > 2147483647 || n < -2147483648)) throw bad('out of range for an int');
      value = n;
      break;
    }
    case 'double': {
      const n = Number(s);
      if (s === '' || Number.isNaN(n)) throw bad('expected a number');
      value = n;
      break;
    }
    case 'boolean':
      if (s !== 'true' && s !== 'false') throw bad('expected true or false');
      value = s === 'true';
      break;
    case 'list':
      value =
        s === ''
          ? []
          : s
              .split(',')
              .map((x) => x.trim())
              .filter((x) => x !== '');
      break;
    case 'string':
    case 'password':
      value = s;
      break;
  }
  const problem = key.validate?.(value);
  if (problem) throw bad(problem);
  return value;
}

/** Parses Java properties text (`key=value` or `key: value`, `#`/`!` comments). */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) {
      out[line] = '';
      continue;
    }
    out[m[1]!] = m[2]!;
  }
  return out;
}
