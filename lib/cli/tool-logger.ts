/**
 * The logger the command-line tools hand to the clients they create: warnings and errors on stderr, one readable
 * line each, as Kafka's tools print their client's log4j WARN lines (`[time] WARN message (logger)`). It is how an
 * operator learns within seconds that nothing answers at the address given ("Connection to node -1
 * (127.0.0.1:1) could not be established ...; retrying for up to 59990 ms more (default.api.timeout.ms=60000)")
 * instead of staring at a silent tool until the timeout.
 *
 * Level: `MQ_LOG_LEVEL` (default `warn`). stdout stays the tool's output, so scripts that parse it are unaffected.
 */
import { pino } from 'pino';
import type { Logger } from '../common/logger.js';

/** Renders one pino JSON line as `[ISO time] LEVEL message (component)`; the clients' messages name their errors. */
export function formatToolLogLine(json: string): string {
  let entry: { level?: number; time?: number; msg?: string; component?: string };
  try {
    entry = JSON.parse(json) as typeof entry;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = pino.levels.labels[entry.level ?? 30]?.toUpperCase() ?? 'INFO';
  const time = new Date(entry.time ?? Date.now()).toISOString();
  const component = entry.component !== undefined ? ` (${entry.component})` : '';
  return `[${time}] ${level} ${entry.msg ?? ''}${component}\n`;
}

/** A logger writing formatted lines to `stream` (stderr by default). */
export function toolLogger(stream: { write(text: string): unknown } = process.stderr): Logger {
  return pino(
    { level: process.env['MQ_LOG_LEVEL'] ?? 'warn', base: null },
    { write: (line: string) => stream.write(formatToolLogLine(line)) },
  );
}
