/**
 * A process-wide bound on background file operations that open a file of their own (index fdatasyncs, async
 * checkpoint writes). Each holds descriptors while it waits for the disk; when 10,000 partitions flush or become
 * leaders at once, unbounded they would open tens of thousands of files (EMFILE) and flood the libuv threadpool
 * that appends' flushes also need. `runWithIoSlot` queues the excess in FIFO order.
 */
const MAX_CONCURRENT = 16;
let free = MAX_CONCURRENT;
const waiting: (() => void)[] = [];

function acquire(): Promise<void> {
  if (free > 0) {
    free--;
    return Promise.resolve();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else free++;
}

/** Runs `fn` once fewer than 16 such operations are in progress. */
export async function runWithIoSlot<T>(fn: () => Promise<T>): Promise<T> {
  await acquire();
  try {
    return await fn();
  } finally {
    release();
  }
}
