/**
 * The logger the command-line tools hand to the clients they create: warnings and errors on stderr, one readable
 * line each, as Kafka's tools print their client's log4j WARN lines (`[time] WARN message (logger)`). It is how an
 * operator learns within seconds that nothing answers at the address given ("Connection to node -1
 * (127.0.0.1:1) could not be established ...; retrying for up to 59990 ms more (default.api.timeout.ms=60000)")
 * instead of staring at a silent tool until the timeout.
 *
 * A line keeps the structured fields the client logged with it, after the component, as `key=value` (strings as
 * they are, other values as JSON, an error by its type and message), so that a log taken at `info` or `debug`
 * (`MQ_LOG_LEVEL`) says which partition, producer epoch or node a line is about: `... INFO bumped epoch
 * (TransactionManager) producerId=1000 producerEpoch=1`.
 *
 * Level: `MQ_LOG_LEVEL` (default `warn`). stdout stays the tool's output, so scripts that parse it are unaffected.
 */
import { pino } from 'pino';
import type { Logger } from '../common/logger.js';

/** The fields every line has, rendered in its fixed part. */
const LINE_FIELDS = new Set(['level', 'time', 'msg', 'component']);

/** One structured field as `key=value`: a string as it is, an error (pino's `{type, message, stack}`) by type and message. */
function formatField(key: string, value: unknown): string {
  if (typeof value === 'string') return `${key}=${value}`;
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const { type, message } = value as { type?: unknown; message?: unknown };
    return `${key}=${typeof type === 'string' ? `${type}: ` : ''}${String(message)}`;
  }
  return `${key}=${JSON.stringify(value)}`;
}

/**
 * Renders one pino JSON line as `[ISO time] LEVEL message (component) key=value ...`; the clients' messages name
 * their errors.
 */
export function formatToolLogLine(json: string): string {
  let entry: { level?: number; time?: number; msg?: string; component?: string } & Record<string, unknown>;
  try {
    entry = JSON.parse(json) as typeof entry;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = pino.levels.labels[entry.level ?? 30]?.toUpperCase() ?? 'INFO';
  const time = new Date(entry.time ?? Date.now()).toISOString();
  const component = entry.component !== undefined ? ` (${entry.component})` : '';
  const fields = Object.entries(entry)
    .filter(([key, value]) => !LINE_FIELDS.has(key) && value !== undefined)
    .map(([key, value]) => ` ${formatField(key, value)}`)
    .join('');
  return `[${time}] ${level} ${entry.msg ?? ''}${component}${fields}\n`;
}

/** A logger writing formatted lines to `stream` (stderr by default). */
export function toolLogger(stream: { write(text: string): unknown } = process.stderr): Logger {
  return pino(
    { level: process.env['MQ_LOG_LEVEL'] ?? 'warn', base: null },
    { write: (line: string) => stream.write(formatToolLogLine(line)) },
  );
}
