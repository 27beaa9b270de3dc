/**
 * Memory mappings of segment and index files (@riaskov/mmap-io), behind two functions so that the rest of the
 * log engine never touches the native module.
 *
 * A mapping is a Buffer over the file's page cache (MAP_SHARED). It stays valid after the file descriptor is
 * closed and after the file is renamed or unlinked; it is unmapped when the Buffer and every subarray of it have
 * been garbage collected. Touching a page of the mapping that lies wholly past the end of the file raises SIGBUS,
 * which kills the process: callers only read below the size they know the file has, and never shrink a file
 * below a position that a live subarray may still cover (see LogSegment for how truncation respects this).
 */
import { ApiError } from '../common/errors.js';
import mmapModule from '@riaskov/mmap-io';

// The package is CommonJS whose module.exports is the binding itself; its typings describe it as `default`.
const mmap: typeof mmapModule.default = mmapModule as never;

/** Largest length one mapping can have: the binding takes the size as a C int. */
export const MAX_MAPPING_BYTES = 2 ** 31 - 1;

/**
 * How pages will be touched: 'normal' for segment data (the kernel's default read-ahead), 'random' for indexes.
 * Indexes must not get read-ahead: a fault in a sparse, preallocated 10 MiB index then fills the page cache around
 * it, which measured ~5 ms for the first entry of each new index here, against 8 µs with MADV_RANDOM.
 */
export type AccessPattern = 'normal' | 'random';

/**
 * Maps the first `length` bytes of the open file `fd` (`length` may exceed the file's current size: pages past the
 * end become readable as the file grows). `writable` maps PROT_READ|PROT_WRITE, otherwise PROT_READ only, so that
 * a stray write into a read-only mapping faults instead of corrupting data. `file` only names the file in errors.
 */
export function mapFile(fd: number, length: number, writable: boolean, file: string, access: AccessPattern): Buffer {
  if (length <= 0 || length > MAX_MAPPING_BYTES) {
    throw new RangeError(`Cannot map ${length} bytes of ${file}: a mapping must be 1..${MAX_MAPPING_BYTES} bytes.`);
  }
  const protection = writable ? 3 /* PROT_READ | PROT_WRITE */ : mmap.PROT_READ;
  try {
    return mmap.map(
      length,
      protection,
      mmap.MAP_SHARED,
      fd,
      0,
      access === 'random' ? mmap.MADV_RANDOM : mmap.MADV_NORMAL,
    );
  } catch (e) {
    throw new ApiError(
      'KAFKA_STORAGE_ERROR',
      `Could not memory-map ${length} bytes of ${file}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}
