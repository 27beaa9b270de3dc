/**
 * The I/O that puts record bytes on disk: positional writes into a segment's `.log` file (synchronous, or in libuv's
 * threadpool) and its fdatasync. Every byte a segment stores and every sync of it goes through these three functions,
 * so that what can fail here — ENOSPC, EIO, a descriptor gone bad — is met in one place (LogSegment turns the errno
 * into KAFKA_STORAGE_ERROR).
 *
 * Layout: none; each call writes `buffers` back to back from `position` of the file behind `fd`.
 * Invariants: a write either writes every byte or reports how many it wrote before failing (a short write is continued,
 * never left silent). Positional writes (pwrite/pwritev) never move a file offset, so two files' writes may run on
 * different threads at once; writes to ONE file are ordered by the caller (LogWriteQueue keeps one in flight per log).
 * Concurrency: `writeAtSync` blocks the calling thread; `writeAt` and `fdatasync` run on libuv's threadpool
 * (UV_THREADPOOL_SIZE threads, 4 by default) and call back / resolve on the event loop. The buffers of an asynchronous
 * write must not change until it calls back.
 * Ownership: the caller owns `fd` and must not close it while a call on it is in flight (LogSegment counts them).
 * Crash: bytes written are in the page cache and survive the process; only `fdatasync` makes them survive the machine.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';

/** Most buffers one writev takes (Linux's IOV_MAX); libuv splits longer lists itself, this keeps each call bounded. */
export const MAX_WRITE_BUFFERS = 1024;

/**
 * Writes `buffer` at `position`, continuing short writes; returns the bytes written. On failure throws the errno error
 * with `bytesWritten` (what reached the file before it) attached.
 */
export function writeAtSync(fd: number, buffer: Buffer, position: number): number {
  let written = 0;
  try {
    while (written < buffer.length)
      written += fs.writeSync(fd, buffer, written, buffer.length - written, position + written);
  } catch (e) {
    throw Object.assign(e as Error, { bytesWritten: written });
  }
  return written;
}

/**
 * Writes `buffers` back to back from `position` in the threadpool and calls `done(error, bytesWritten)` on the event
 * loop: `error` null and every byte written, or the errno error and the bytes written before it (short writes are
 * continued until one fails).
 */
export function writeAt(
  fd: number,
  buffers: readonly Buffer[],
  position: number,
  done: (error: NodeJS.ErrnoException | null, bytesWritten: number) => void,
): void {
  let total = 0;
  for (const b of buffers) total += b.length;
  let written = 0;
  const step = (list: readonly Buffer[]): void => {
    fs.writev(fd, list as Buffer[], position + written, (error, n) => {
      if (error !== null) return done(error, written);
      written += n;
      if (written >= total) return done(null, written);
      // A short write (rare on regular files): continue with what is left; the next call reports the cause.
      step(remainingAfter(buffers, written));
    });
  };
  step(buffers);
}

/** fdatasync in the threadpool. */
export const fdatasync: (fd: number) => Promise<void> = promisify(fs.fdatasync);

function remainingAfter(buffers: readonly Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    rest.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return rest;
}
