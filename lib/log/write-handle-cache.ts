/**
 * A process-wide bound on the `.log` descriptors that segments hold open for writing: without it a broker keeps one
 * per log (its active segment), 10,000 descriptors for 10,000 partitions, beyond many systems' file limits.
 *
 * Layout: the segments holding a write descriptor, least recently written first (a Set keeps insertion order; a
 * write moves its segment to the end). When more than MAX_OPEN_WRITE_HANDLES are open, the least recently written
 * ones are asked to close theirs; the next write reopens the file (an `open` of a few microseconds).
 * Invariants: a segment is in the set exactly while it holds a write descriptor; the set holds at most
 * MAX_OPEN_WRITE_HANDLES segments, plus those whose fdatasync was in flight when they were asked (a descriptor
 * under a sync is never closed: a new file could reuse its number under that sync).
 * Durability: closing a descriptor drops no data and no flush: the written bytes are in the page cache, the segment
 * stays dirty, and its next flush reopens the file to fdatasync it (an fdatasync covers the file's dirty pages
 * whichever descriptor wrote them). A writeback error the kernel recorded while no descriptor was open is still
 * reported to that later fdatasync, since no other descriptor has seen it.
 * Concurrency: synchronous, on the event loop; segments call it from their own synchronous methods.
 * Ownership: LogSegment registers and forgets its descriptor; this module never opens one, and closes one only
 * through the segment (`releaseWriteHandle`).
 * Crash: nothing here outlives the process.
 */

/** What the cache asks of a segment holding a write descriptor. */
export interface WriteHandleHolder {
  /** Closes the write descriptor now; false (nothing done) while an fdatasync uses it. */
  releaseWriteHandle(): boolean;
}

/** Write descriptors kept open at most (active segments written recently), far below the usual limit of 1,024 + sockets. */
export const MAX_OPEN_WRITE_HANDLES = 1000;
/** Segments examined per eviction: those under a sync are skipped, and a long run of them must not cost O(n). */
const EVICTION_SCAN = 64;

const open = new Set<WriteHandleHolder>();

/** Records a write through `holder`'s descriptor (opened now or earlier); may close the least recently written ones. */
export function touchWriteHandle(holder: WriteHandleHolder): void {
  open.delete(holder);
  open.add(holder);
  if (open.size <= MAX_OPEN_WRITE_HANDLES) return;
  let scanned = 0;
  for (const victim of open) {
    if (open.size <= MAX_OPEN_WRITE_HANDLES || scanned++ >= EVICTION_SCAN || victim === holder) return;
    if (victim.releaseWriteHandle()) open.delete(victim);
  }
}

/** `holder` closed its write descriptor. */
export function forgetWriteHandle(holder: WriteHandleHolder): void {
  open.delete(holder);
}

/** Write descriptors open now (for tests and metrics). */
export function openWriteHandles(): number {
  return open.size;
}
