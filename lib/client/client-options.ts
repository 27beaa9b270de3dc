/**
 * Options shared by every client (producer, consumer, admin), under Kafka's own config names, and the resolver
 * machinery the per-client option files use.
 *
 * Options are given as a plain object keyed by Kafka's dotted names (`'bootstrap.servers'`, `'linger.ms'`), so
 * that a Kafka user's properties carry over unchanged and every key can be looked up in Kafka's documentation.
 * Numbers may also be given as numeric strings (properties files, `--producer-property k=v`). Resolution merges
 * the client's `DEFAULT_*_OPTIONS`, rejects unknown keys (suggesting the closest known one) and checks every value
 * at construction, throwing `InvalidArgumentError` that names the option, what it got and what is accepted.
 * Components below the client facades take camelCase options with units in their names (`lingerMs`); the
 * facades map resolved options onto them.
 */
import { InvalidArgumentError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { SystemTime, type Time } from '../common/time.js';
import {
  CLIENT_SECURITY_KEYS,
  clientSecurity,
  DEFAULT_SASL_MECHANISM,
  type ClientSecurity,
} from '../network/security/client-security.js';
import { SSL_KEYS } from '../network/security/ssl-config.js';

/** Options every client accepts. */
export interface CommonClientOptions {
  /**
   * Brokers to bootstrap from, `host:port` strings (a comma-separated string or an array). Only used to find the
   * cluster; the client then talks to the brokers the metadata names. Required.
   */
  'bootstrap.servers'?: string | readonly string[];
  /**
   * Sent with every request, for the broker's logs and quotas, and shown by `mq-admin groups --describe`.
   * @default generated as Kafka does: producer-N, consumer-<group.id>-N (consumer-N without a group), adminclient-N
   */
  'client.id'?: string;
  /** How long to wait for a response before failing the request (and retrying it when allowed). Unit: ms. @default 30000 */
  'request.timeout.ms'?: number;
  /** Refresh metadata at least this often even when nothing went wrong. Unit: ms. @default 300000 */
  'metadata.max.age.ms'?: number;
  /** Pause before retrying a failed request; doubles per attempt up to 10x, with ±20% jitter. Unit: ms. @default 100 */
  'retry.backoff.ms'?: number;
  /** First pause before reconnecting to a broker; doubles per failed attempt, with ±20% jitter. Unit: ms. @default 50 */
  'reconnect.backoff.ms'?: number;
  /** Upper bound of the reconnect pause. Unit: ms. @default 1000 */
  'reconnect.backoff.max.ms'?: number;
  /** How long to wait for a connection to a broker to be set up (TCP, TLS and SASL). Unit: ms. @default 10000 */
  'socket.connection.setup.timeout.ms'?: number;
  /** PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL: what the brokers' listener expects. @default 'PLAINTEXT' */
  'security.protocol'?: string;
  /** PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (with SASL_*). @default 'GSSAPI' (Kafka's; not built, so set it) */
  'sasl.mechanism'?: string;
  /**
   * The SASL login, as the Java client takes it:
   * `org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="...";`
   * (PlainLoginModule for PLAIN). Or give `sasl.username` and `sasl.password`.
   */
  'sasl.jaas.config'?: string;
  /** The SASL user (librdkafka's name; instead of sasl.jaas.config). */
  'sasl.username'?: string;
  'sasl.password'?: string;
  /** PEM (default) or PKCS12: the client's own certificate, for brokers with ssl.client.auth. */
  'ssl.keystore.type'?: string;
  /** A PEM file with the client's private key and certificate chain, or a PKCS12 file. */
  'ssl.keystore.location'?: string;
  'ssl.keystore.password'?: string;
  /** Password of an encrypted PEM private key. */
  'ssl.key.password'?: string;
  /** The PEM key and chain as values instead of a file. */
  'ssl.keystore.key'?: string;
  'ssl.keystore.certificate.chain'?: string;
  /** PEM only. */
  'ssl.truststore.type'?: string;
  /** A PEM file of the CA certificates that sign the brokers' certificates. @default Node's bundled root CAs */
  'ssl.truststore.location'?: string;
  'ssl.truststore.password'?: string;
  /** The CA certificates as a PEM value instead of a file. */
  'ssl.truststore.certificates'?: string;
  /** TLSv1.2 and/or TLSv1.3. @default 'TLSv1.2,TLSv1.3' */
  'ssl.enabled.protocols'?: string;
  /** https checks that a broker's certificate names the host connected to; '' turns that off. @default 'https' */
  'ssl.endpoint.identification.algorithm'?: string;
  /** pino logger; the client derives `.child({ component })` loggers from it. @default a silent logger */
  logger?: Logger;
  /** Clock, injectable for specs. @default SystemTime */
  time?: Time;
}

export const DEFAULT_COMMON_CLIENT_OPTIONS = {
  'client.id': '',
  'request.timeout.ms': 30000,
  'metadata.max.age.ms': 300000,
  'retry.backoff.ms': 100,
  'reconnect.backoff.ms': 50,
  'reconnect.backoff.max.ms': 1000,
  'socket.connection.setup.timeout.ms': 10000,
  'security.protocol': 'PLAINTEXT',
  'sasl.mechanism': DEFAULT_SASL_MECHANISM,
  'ssl.enabled.protocols': 'TLSv1.2,TLSv1.3',
  'ssl.endpoint.identification.algorithm': 'https',
  logger: silentLogger,
  time: SystemTime,
} as const;

/** A broker address. */
export interface BrokerAddress {
  host: string;
  port: number;
}

/** Checks one option value: returns it normalised, or throws with the reason. */
export type OptionRule<T> = (name: string, value: unknown) => T;

const INT32_MAX = 2147483647;

function problem(name: string, value: unknown, wanted: string): InvalidArgumentError {
  const shown =
    typeof value === 'string'
      ? JSON.stringify(value)
      : typeof value === 'object' && value !== null
        ? Array.isArray(value)
          ? `an array`
          : 'an object'
        : String(value);
  return new InvalidArgumentError(`Invalid value ${shown} for option '${name}': expected ${wanted}.`);
}

/** An integer in [min, max]; numeric strings are accepted. */
export function intRule(min: number, max = INT32_MAX): OptionRule<number> {
  const wanted = max === INT32_MAX ? `an integer >= ${min}` : `an integer between ${min} and ${max}`;
  return (name, value) => {
    const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) throw problem(name, value, wanted);
    return n;
  };
}

/** One of a fixed set of strings (compared case-sensitively, as Kafka does). */
export function enumRule<T extends string>(...allowed: T[]): OptionRule<T> {
  return (name, value) => {
    if (typeof value !== 'string' || !(allowed as string[]).includes(value)) {
      throw problem(name, value, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
    }
    return value as T;
  };
}

export const stringRule: OptionRule<string> = (name, value) => {
  if (typeof value !== 'string') throw problem(name, value, 'a string');
  return value;
};

/** A string, or undefined when not given. */
export const optionalStringRule: OptionRule<string | undefined> = (name, value) =>
  value === undefined ? undefined : stringRule(name, value);

export const booleanRule: OptionRule<boolean> = (name, value) => {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw problem(name, value, 'true or false');
};

/** Accepts any object exposing the named methods (a logger, a clock, a partitioner). */
export function objectRule<T>(...methods: string[]): OptionRule<T> {
  return (name, value) => {
    const ok =
      (typeof value === 'object' || typeof value === 'function') &&
      value !== null &&
      methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
    if (!ok) throw problem(name, value, `an object with method(s) ${methods.join(', ')}`);
    return value as T;
  };
}

/** Parses `host:port` strings; a bracketed IPv6 host (`[::1]:9092`) is accepted. */
export function parseBrokerAddresses(name: string, value: unknown): BrokerAddress[] {
  if (value === undefined) throw required(name);
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (items === undefined || !items.every((s) => typeof s === 'string')) {
    throw problem(name, value, "'host:port' strings, as one comma-separated string or an array");
  }
  const addresses = items
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(s);
      const port = m ? Number(m[2]) : NaN;
      if (!m || port < 1 || port > 65535) {
        throw new InvalidArgumentError(
          `Invalid address '${s}' in '${name}': expected host:port, e.g. 'localhost:9092'.`,
        );
      }
      return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
    });
  if (addresses.length === 0) throw required(name);
  return addresses;
}

function required(name: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `Option '${name}' is required: give at least one broker as 'host:port', ` + `e.g. { '${name}': 'localhost:9092' }.`,
  );
}

/** Rules for `CommonClientOptions`. */
export const COMMON_OPTION_RULES = {
  'bootstrap.servers': parseBrokerAddresses,
  'client.id': stringRule,
  'request.timeout.ms': intRule(0),
  'metadata.max.age.ms': intRule(0),
  'retry.backoff.ms': intRule(0),
  'reconnect.backoff.ms': intRule(0),
  'reconnect.backoff.max.ms': intRule(0),
  'socket.connection.setup.timeout.ms': intRule(0),
  ...Object.fromEntries([...CLIENT_SECURITY_KEYS, ...SSL_KEYS].map((k) => [k, optionalStringRule])),
  logger: objectRule<Logger>('child', 'info'),
  time: objectRule<Time>('milliseconds', 'hiResMs'),
} as const;

/** A client's TLS and SASL settings from its resolved options (throws InvalidArgumentError naming the key). */
export function securityFromOptions(options: Readonly<Record<string, unknown>>, what: string): ClientSecurity {
  return clientSecurity((key) => options[key] as string | undefined, what);
}

/** A rule per option key. */
export type OptionRules = Record<string, OptionRule<unknown>>;
/** The resolved, checked value of every key of a rule table. */
export type Resolved<R extends OptionRules> = { readonly [K in keyof R]: ReturnType<R[K]> };

const clientIdSequences = new Map<string, number>();

/**
 * Kafka's client.id for a client given none: `<kind>-<n>`, or `consumer-<group>-<n>` for a consumer in a group, n
 * counting the clients of that kind made in this process from 1. Each client resolver calls it once.
 */
export function withGeneratedClientId<T extends { readonly 'client.id': string }>(
  resolved: T,
  kind: 'producer' | 'consumer' | 'adminclient',
  groupId?: string,
): T {
  if (resolved['client.id'] !== '') return resolved;
  const n = (clientIdSequences.get(kind) ?? 0) + 1;
  clientIdSequences.set(kind, n);
  return { ...resolved, 'client.id': groupId === undefined ? `${kind}-${n}` : `${kind}-${groupId}-${n}` };
}

/**
 * Merges `defaults` and `given`, rejects keys absent from `rules`, and runs every rule. `what` names the client
 * in messages ("producer"). Values left `undefined` fall back to the default.
 */
export function resolveOptions<R extends OptionRules>(
  what: string,
  rules: R,
  defaults: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, unknown>>,
): Resolved<R> {
  if (typeof given !== 'object' || given === null) {
    throw new InvalidArgumentError(
      `The ${what} takes an options object such as { 'bootstrap.servers': 'localhost:9092' }; ` +
        `found ${given === null ? 'null' : typeof given}.`,
    );
  }
  for (const key of Object.keys(given)) {
    if (!(key in rules)) {
      const hint = closestKey(key, Object.keys(rules));
      throw new InvalidArgumentError(
        `Unknown ${what} option '${key}'.` +
          (hint ? ` Did you mean '${hint}'?` : ` Known options: ${Object.keys(rules).join(', ')}.`),
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(rules)) {
    const value = given[key] !== undefined ? given[key] : defaults[key];
    out[key] = rule(key, value);
  }
  return out as Resolved<R>;
}

/** The known key nearest to `key` by edit distance, when near enough to be a likely typo. */
function closestKey(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
