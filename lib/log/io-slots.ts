/**
 * A process-wide bound on background file operations that open a file of their own (index fdatasyncs, async
 * checkpoint writes). Each holds descriptors while it waits for the disk; when 10,000 partitions flush or become
 * leaders at once, unbounded they would open tens of thousands of files (EMFILE) and flood the libuv threadpool
 * that appends' flushes also need. `runWithIoSlot` queues the excess in FIFO order. The bound is half of the
 * threadpool bin/mq-broker sizes (64 threads): concurrent fsyncs share the filesystem's journal commits, so the
 * checkpoints and index syncs of 10,000 logs closing at once drain several times faster than 16 at a time, and the
 * other half of the pool stays free for the appends' flushes.
 */
const MAX_CONCURRENT = 32;
let free = MAX_CONCURRENT;
/** FIFO read from `head`: Array.shift() would move every waiter, and 10,000 logs queue tens of thousands. */
let waiting: (() => void)[] = [];
let head = 0;

function acquire(): Promise<void> {
  if (free > 0) {
    free--;
    return Promise.resolve();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function release(): void {
  if (head === waiting.length) {
    free++;
    return;
  }
  const next = waiting[head++]!;
  if (head >= 1024 && head * 2 >= waiting.length) {
    waiting = waiting.slice(head);
    head = 0;
  }
  next();
}

/** Runs `fn` once fewer than MAX_CONCURRENT such operations are in progress. */
export async function runWithIoSlot<T>(fn: () => Promise<T>): Promise<T> {
  await acquire();
  try {
    return await fn();
  } finally {
    release();
  }
}
