/**
 * The entries of a delay partition's timing wheel, on disk: where the wheel keeps, per pending delayed record, its
 * offset in the delay log, its due time, the next entry of the same wheel slot and its target, so that the broker's
 * memory does not grow with the number of pending records (the records themselves stay in the log and are read
 * back when due).
 *
 * Layout: entry i lives in chunk file `<dir>/<floor(i / chunkEntries)>.entries` at position
 * `(i % chunkEntries) * 32`, as four little-endian float64: offset | dueMs | next entry index (-1: none) | target id.
 * Chunk files are created (sparse, by ftruncate) as appends reach them and memory-mapped read-write; reads and writes
 * are stores into the mapping (page cache), never system calls.
 * Invariants: indices only grow; an entry is live from `append` until `release`; a chunk whose entries were all
 * released, and that no longer receives appends, is unmapped and deleted.
 * Concurrency: synchronous; owned by one DelayIndex on the event loop.
 * Ownership and crash: the store is scratch space of the partition's current leader, derived from the log. `open`
 * wipes whatever a previous leadership or process left in `dir`, `close` deletes it; nothing is ever fsynced.
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { IllegalStateError } from '../../common/errors.js';
import { mapFile } from '../../log/file-mapping.js';

const FIELDS = 4;
const OFFSET = 0;
const DUE = 1;
const NEXT = 2;
const TARGET = 3;
/** Bytes per entry. */
export const ENTRY_BYTES = FIELDS * 8;
/** Entries per chunk file by default: 4 MiB files. */
export const DEFAULT_CHUNK_ENTRIES = 1 << 17;

interface Chunk {
  readonly path: string;
  /** Keeps the mapping alive; `fields` is a view of it. */
  readonly mapping: Buffer;
  readonly fields: Float64Array;
  live: number;
}

export class DelayEntryStore {
  private readonly chunks = new Map<number, Chunk>();
  private nextIndex = 0;
  private liveCount = 0;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly chunkEntries: number,
  ) {}

  /** Creates an empty store in `dir`, removing what was there. */
  static open(dir: string, chunkEntries = DEFAULT_CHUNK_ENTRIES): DelayEntryStore {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    return new DelayEntryStore(dir, chunkEntries);
  }

  /** Entries appended and not yet released. */
  get liveEntries(): number {
    return this.liveCount;
  }

  /** Chunk files on disk now. */
  get chunkCount(): number {
    return this.chunks.size;
  }

  /** Bytes of chunk files on disk now. */
  get sizeInBytes(): number {
    return this.chunks.size * this.chunkEntries * ENTRY_BYTES;
  }

  /** Appends an entry without a successor; returns its index. */
  append(offset: number, dueMs: number, targetId: number): number {
    if (this.closed) throw new IllegalStateError(`The delay entry store in ${this.dir} is closed.`);
    const index = this.nextIndex++;
    const chunkNo = Math.floor(index / this.chunkEntries);
    const chunk = this.chunks.get(chunkNo) ?? this.createChunk(chunkNo);
    const at = (index - chunkNo * this.chunkEntries) * FIELDS;
    const f = chunk.fields;
    f[at + OFFSET] = offset;
    f[at + DUE] = dueMs;
    f[at + NEXT] = -1;
    f[at + TARGET] = targetId;
    chunk.live++;
    this.liveCount++;
    return index;
  }

  offset(index: number): number {
    return this.field(index, OFFSET);
  }

  dueMs(index: number): number {
    return this.field(index, DUE);
  }

  next(index: number): number {
    return this.field(index, NEXT);
  }

  targetId(index: number): number {
    return this.field(index, TARGET);
  }

  setNext(index: number, next: number): void {
    const chunkNo = Math.floor(index / this.chunkEntries);
    this.chunkOf(index, chunkNo).fields[(index - chunkNo * this.chunkEntries) * FIELDS + NEXT] = next;
  }

  /** The entry is no longer in any list; its chunk is deleted once all of its entries are and appends moved on. */
  release(index: number): void {
    const chunkNo = Math.floor(index / this.chunkEntries);
    const chunk = this.chunkOf(index, chunkNo);
    chunk.live--;
    this.liveCount--;
    if (chunk.live === 0 && chunkNo < Math.floor(this.nextIndex / this.chunkEntries)) this.dropChunk(chunkNo, chunk);
  }

  /** Deletes every chunk and the directory. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private field(index: number, field: number): number {
    const chunkNo = Math.floor(index / this.chunkEntries);
    return this.chunkOf(index, chunkNo).fields[(index - chunkNo * this.chunkEntries) * FIELDS + field]!;
  }

  private chunkOf(index: number, chunkNo: number): Chunk {
    const chunk = this.chunks.get(chunkNo);
    if (chunk === undefined || index >= this.nextIndex) {
      throw new IllegalStateError(
        `Delay entry ${index} is not in the store (${this.dir}): it was released or never appended.`,
      );
    }
    return chunk;
  }

  private createChunk(chunkNo: number): Chunk {
    const path = join(this.dir, `${chunkNo}.entries`);
    const bytes = this.chunkEntries * ENTRY_BYTES;
    const fd = fs.openSync(path, 'w+');
    let mapping: Buffer;
    try {
      fs.ftruncateSync(fd, bytes);
      mapping = mapFile(fd, bytes, true, path, 'random');
    } finally {
      fs.closeSync(fd);
    }
    const chunk: Chunk = {
      path,
      mapping,
      fields: new Float64Array(mapping.buffer, mapping.byteOffset, this.chunkEntries * FIELDS),
      live: 0,
    };
    this.chunks.set(chunkNo, chunk);
    return chunk;
  }

  private dropChunk(chunkNo: number, chunk: Chunk): void {
    this.chunks.delete(chunkNo);
    fs.rmSync(chunk.path, { force: true });
  }
}
