/**
 * Validation of what the browser sends: JSON bodies and query strings turned into typed requests, or an
 * InvalidArgumentError (HTTP 400) naming the field and what it should be. Pure.
 *
 * The cluster validates the rest as it would for any client (a topic name Kafka refuses, a config it does not
 * know, a partition count that does not grow): the console does not second-guess it, it shows its error.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type { ResetSpec } from '../client/admin/reset-spec.js';
import type { BrowseFrom, NewTopicRequest, ProduceRequest, ResetRequest } from './api-types.js';
import type { BrowseRequest } from './record-browser.js';

type Json = Record<string, unknown>;

function object(body: unknown, what: string): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidArgumentError(`The ${what} must be a JSON object.`);
  return body as Json;
}

function int(o: Json, key: string, min: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    throw new InvalidArgumentError(`"${key}" must be an integer >= ${min}; found ${JSON.stringify(v)}.`);
  return v;
}

function text(o: Json, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new InvalidArgumentError(`"${key}" must be a non-empty string.`);
  return v;
}

function nullableText(o: Json, key: string): string | null {
  const v = o[key];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new InvalidArgumentError(`"${key}" must be a string or null.`);
  return v;
}

/** A map of config names to string values (`{"retention.ms": "86400000"}`). */
export function parseConfigMap(value: unknown, key = 'configs'): Record<string, string> {
  const o = object(value ?? {}, `"${key}" field`);
  for (const [name, v] of Object.entries(o)) {
    if (typeof v !== 'string') throw new InvalidArgumentError(`Config "${name}" must have a string value.`);
  }
  return o as Record<string, string>;
}

export function parseNewTopic(body: unknown): NewTopicRequest {
  const o = object(body, 'new topic');
  return {
    name: text(o, 'name'),
    partitions: int(o, 'partitions', 1),
    replicationFactor: int(o, 'replicationFactor', 1),
    configs: parseConfigMap(o['configs']),
  };
}

/** `{"count": n}`: the new total number of partitions. */
export function parsePartitionCount(body: unknown): number {
  return int(object(body, 'request'), 'count', 1);
}

export function parseProduce(body: unknown): ProduceRequest {
  const o = object(body, 'record');
  const headers = o['headers'] ?? [];
  if (!Array.isArray(headers)) throw new InvalidArgumentError('"headers" must be a list of {key, value}.');
  return {
    partition: o['partition'] === null || o['partition'] === undefined ? null : int(o, 'partition', 0),
    key: nullableText(o, 'key'),
    value: nullableText(o, 'value'),
    headers: headers.map((h: unknown, i) => {
      const header = object(h, `header ${i}`);
      return { key: text(header, 'key'), value: nullableText(header, 'value') ?? '' };
    }),
  };
}

export function parseResetSpec(value: unknown): ResetSpec {
  const o = object(value, '"spec" field');
  switch (o['kind']) {
    case 'earliest':
    case 'latest':
    case 'current':
      return { kind: o['kind'] };
    case 'offset':
      return { kind: 'offset', offset: int(o, 'offset', 0) };
    case 'shift':
      return { kind: 'shift', by: int(o, 'by', Number.MIN_SAFE_INTEGER) };
    case 'timestamp':
      return { kind: 'timestamp', timestampMs: int(o, 'timestampMs', 0) };
    default:
      throw new InvalidArgumentError(
        `"spec.kind" must be earliest, latest, current, offset, shift or timestamp; found ${JSON.stringify(o['kind'])}.`,
      );
  }
}

export function parseReset(body: unknown): ResetRequest {
  const o = object(body, 'reset request');
  const topics = o['topics'] ?? null;
  if (topics !== null && (!Array.isArray(topics) || topics.some((t) => typeof t !== 'string' || t === '')))
    throw new InvalidArgumentError('"topics" must be a list of topic names, or null for every committed partition.');
  if (typeof o['execute'] !== 'boolean')
    throw new InvalidArgumentError('"execute" must be true (carry the reset out) or false (only show the plan).');
  return { spec: parseResetSpec(o['spec']), topics: topics as string[] | null, execute: o['execute'] };
}

/**
 * The records view's query: `from=offset&offset=N`, `from=timestamp&timestamp=MS`, `from=beginning`, `from=end`
 * (default); `order=newest|oldest` (default newest); `limit` (default 50); `key` (a text the key must contain).
 */
export function parseBrowseQuery(q: URLSearchParams): BrowseRequest {
  const number = (key: string): number => {
    const raw = q.get(key);
    const n = Number(raw);
    if (raw === null || raw.trim() === '' || !Number.isSafeInteger(n))
      throw new InvalidArgumentError(`Query parameter ${key} must be an integer; found ${JSON.stringify(raw)}.`);
    return n;
  };
  let from: BrowseFrom;
  switch (q.get('from') ?? 'end') {
    case 'offset':
      from = { kind: 'offset', offset: number('offset') };
      break;
    case 'timestamp':
      from = { kind: 'timestamp', timestampMs: number('timestamp') };
      break;
    case 'beginning':
      from = { kind: 'beginning' };
      break;
    case 'end':
      from = { kind: 'end' };
      break;
    default:
      throw new InvalidArgumentError('Query parameter from must be offset, timestamp, beginning or end.');
  }
  const order = q.get('order') ?? 'newest';
  if (order !== 'newest' && order !== 'oldest')
    throw new InvalidArgumentError('Query parameter order must be newest or oldest.');
  const key = q.get('key');
  return {
    from,
    order,
    limit: q.has('limit') ? number('limit') : 50,
    key: key === null || key === '' ? null : key,
  };
}
