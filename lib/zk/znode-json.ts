/**
 * A validating reader over one znode's JSON (Kafka's `JsonObject`): typed field accessors that throw
 * `MalformedZNodeError` naming the znode, the field and the content when the JSON was edited into a shape the
 * codecs in zk-paths.ts cannot use. Nested objects keep the path to their field for messages (`partitions.0`).
 */
import { MalformedZNodeError } from './zk-errors.js';

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class ZNodeJson {
  private constructor(
    private readonly znodePath: string,
    private readonly content: Buffer,
    private readonly value: { readonly [key: string]: JsonValue },
    private readonly fieldPrefix: string,
  ) {}

  /** Parses a znode's bytes, which must hold a JSON object. */
  static parse(znodePath: string, bytes: Buffer): ZNodeJson {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new MalformedZNodeError(znodePath, `not valid JSON (${(e as Error).message})`, bytes);
    }
    if (!isObject(value)) throw new MalformedZNodeError(znodePath, 'expected a JSON object', bytes);
    return new ZNodeJson(znodePath, bytes, value, '');
  }

  /** Parses a znode holding a plain integer as text (e.g. /controller_epoch). */
  static parseIntText(znodePath: string, bytes: Buffer): number {
    const text = bytes.toString('utf8').trim();
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      throw new MalformedZNodeError(znodePath, 'expected an integer', bytes);
    }
    return Number(text);
  }

  has(key: string): boolean {
    const v = this.value[key];
    return v !== undefined && v !== null;
  }

  keys(): string[] {
    return Object.keys(this.value);
  }

  int(key: string): number {
    return this.toInt(key, this.value[key]);
  }

  optInt(key: string): number | undefined {
    return this.has(key) ? this.int(key) : undefined;
  }

  string(key: string): string {
    const v = this.value[key];
    if (typeof v !== 'string') this.fail(key, 'a string', v);
    return v;
  }

  optString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  /** A long written as a decimal string, as Kafka writes timestamps and producer id blocks. */
  longString(key: string): number {
    const v = this.value[key];
    if (typeof v !== 'string' || !/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
      this.fail(key, 'an integer written as a string', v);
    }
    return Number(v);
  }

  intArray(key: string): number[] {
    const v = this.value[key];
    if (!Array.isArray(v)) this.fail(key, 'an array of integers', v);
    return v.map((x, i) => this.toInt(`${key}[${i}]`, x));
  }

  stringArray(key: string): string[] {
    const v = this.value[key];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(key, 'an array of strings', v);
    return v as string[];
  }

  object(key: string): ZNodeJson {
    const v = this.value[key];
    if (!isObject(v)) this.fail(key, 'an object', v);
    return new ZNodeJson(this.znodePath, this.content, v, this.field(key) + '.');
  }

  optObject(key: string): ZNodeJson | undefined {
    return this.has(key) ? this.object(key) : undefined;
  }

  /** An array of objects. */
  objectArray(key: string): ZNodeJson[] {
    const v = this.value[key];
    if (!Array.isArray(v)) this.fail(key, 'an array of objects', v);
    return v.map((x, i) => {
      if (!isObject(x)) this.fail(`${key}[${i}]`, 'an object', x);
      return new ZNodeJson(this.znodePath, this.content, x, `${this.field(key)}[${i}].`);
    });
  }

  /** An object whose values are all strings (topic configs, listener maps). */
  stringMap(key: string): Record<string, string> {
    const o = this.object(key);
    const result: Record<string, string> = {};
    for (const k of o.keys()) result[k] = o.string(k);
    return result;
  }

  private toInt(key: string, v: JsonValue | undefined): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(key, 'an integer', v);
    return v;
  }

  private field(key: string): string {
    return `${this.fieldPrefix}${key}`;
  }

  private fail(key: string, wanted: string, found: JsonValue | undefined): never {
    const shown = found === undefined ? 'nothing' : JSON.stringify(found);
    throw new MalformedZNodeError(
      this.znodePath,
      `field "${this.field(key)}" must be ${wanted}, found ${shown}`,
      this.content,
    );
  }
}

function isObject(v: unknown): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
