/**
 * The root pino logger and its factory. Components take a `Logger` in their options and derive a child with
 * identifying bindings (`logger.child({ component: 'LogSegment', topicPartition })`). Hot paths log at
 * `trace`/`debug` only, behind `isLevelEnabled`.
 *
 * Level comes from `MQ_LOG_LEVEL` (default `info`; specs set `silent` unless debugging).
 * Writes are synchronous: a process that is killed or hangs keeps every line it logged before, which is what an
 * operator reads after an incident. Only `info` and above are on by default, so this costs a write per event, not
 * per request.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  name?: string;
  level?: string;
  /** File descriptor or path to write to; default stdout. */
  destination?: number | string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env['MQ_LOG_LEVEL'] ?? 'info';
  const dest = pino.destination({ dest: opts.destination ?? 1, sync: true });
  return pino({ name: opts.name ?? 'mq', level, base: { pid: process.pid } }, dest);
}

/** A logger that drops everything, for unit specs and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
