/**
 * Where the storage layer reports a failed disk operation (Kafka's `LogDirFailureChannel`): an append, roll, flush,
 * truncation, segment deletion or checkpoint that came back with an errno (EIO, ENOSPC, EROFS, ...) takes its whole
 * log dir offline, as in Kafka since KIP-112: the dir's logs may hold a partial write or miss a sync, so none of them
 * is trusted until the broker restarts on a repaired disk.
 *
 * The channel only records and announces: the first report of a dir emits `offline` once, on a later turn of the
 * event loop (the failing call is still unwinding through the log it ran on); ReplicaManager.handleLogDirFailure takes
 * it from there. Later reports of the same dir are counted, not announced. A dir never comes back online while the
 * process runs.
 * Concurrency: one event loop; reports may come from any log operation, synchronous or from a threadpool callback.
 * Ownership: one per broker, created by the LogManager (or handed to it) and shared with the ReplicaManager.
 */
import { EventEmitter } from 'node:events';
import { ApiError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';

export interface LogDirFailureChannelEvents {
  /** A log dir failed (first report only). */
  offline: [dir: string, cause: unknown];
}

export class LogDirFailureChannel extends EventEmitter<LogDirFailureChannelEvents> {
  private readonly offline = new Map<string, number>();

  constructor(private readonly logger: Logger) {
    super();
  }

  /**
   * Takes `dir` offline if `error` is a failed disk operation (see `isDiskFailure`); anything else (a corrupt
   * batch, a bad argument) is left to the caller. Returns whether the error was a disk failure.
   */
  maybeAddOfflineLogDir(dir: string, error: unknown, what: string): boolean {
    if (!isDiskFailure(error)) return false;
    const reports = this.offline.get(dir);
    this.offline.set(dir, (reports ?? 0) + 1);
    if (reports === undefined) {
      this.logger.error(
        { err: error, logDir: dir, operation: what },
        'log dir failed: taking it offline with every replica in it',
      );
      setImmediate(() => this.emit('offline', dir, error));
    }
    return true;
  }
}

/**
 * Whether `error` is the failure of a disk operation: a Node.js errno error (it names the system call), or a
 * KAFKA_STORAGE_ERROR the storage layer raised for one (its cause is the errno error).
 */
export function isDiskFailure(error: unknown): boolean {
  if (isErrnoError(error)) return true;
  return error instanceof ApiError && error.errorName === 'KAFKA_STORAGE_ERROR' && isErrnoError(error.cause);
}

function isErrnoError(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException | null | undefined;
  return typeof err?.code === 'string' && typeof err.syscall === 'string';
}
