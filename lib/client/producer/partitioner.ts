/**
 * Choosing a partition for a record sent without one, as Kafka 2.8's `DefaultPartitioner` does, so that a key
 * lands on the same partition as it would with the Java client:
 *
 * - keyed records: `toPositive(murmur2(keyBytes)) % partitionCount`, over ALL partitions (available or not), with
 *   Kafka's murmur2 (`Utils.murmur2`: seed 0x9747b28c, 32-bit wrapping multiplies) and `toPositive(n) = n &
 *   0x7fffffff` (not `Math.abs`). String keys hash their UTF-8 bytes, written into a reused scratch buffer.
 * - null keys: sticky (KIP-480, `StickyPartitionCache`): one random available partition per topic until the
 *   producer starts a new batch for it (`onNewBatch`), then a different random one. Sticking fills batches faster
 *   than round-robin, which lowers latency at low rates and raises throughput.
 *
 * A custom partitioner implements `Partitioner` and is passed as the producer's `partitioner` option.
 * Concurrency: synchronous; state is per producer.
 */

/** Picks partitions for records sent without an explicit partition. */
export interface Partitioner {
  /**
   * The partition for a record of `topic` with `key`. `partitionCount` > 0; `availablePartitions` lists the
   * partitions that have a leader now (possibly empty). Must return an integer in [0, partitionCount).
   */
  partition(
    topic: string,
    key: Buffer | string | null,
    partitionCount: number,
    availablePartitions: readonly number[],
  ): number;
  /**
   * Called when a record this partitioner placed on `previousPartition` needs a new batch there, before the record
   * is partitioned again: a sticky partitioner moves on to another partition.
   */
  onNewBatch?(
    topic: string,
    previousPartition: number,
    partitionCount: number,
    availablePartitions: readonly number[],
  ): void;
}

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's `Utils.murmur2` over `data[start, end)`: a signed 32-bit hash, equal to the Java client's. */
export function murmur2(data: Uint8Array, start = 0, end = data.length): number {
  const length = end - start;
  let h = SEED ^ length;
  const wordsEnd = start + (length & ~3);
  for (let i = start; i < wordsEnd; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // Java's fall-through switch over the 1-3 tail bytes.
  const tail = length & 3;
  if (tail === 3) h ^= data[wordsEnd + 2]! << 16;
  if (tail >= 2) h ^= data[wordsEnd + 1]! << 8;
  if (tail >= 1) {
    h ^= data[wordsEnd]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (so `-2^31` maps to 0, unlike `Math.abs`). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

let scratch = Buffer.allocUnsafe(256);

/** murmur2 of a key given as a string (its UTF-8 bytes) or as bytes. */
export function murmur2OfKey(key: Buffer | string): number {
  if (typeof key !== 'string') return murmur2(key);
  if (key.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(Math.max(key.length * 3, scratch.length * 2));
  return murmur2(scratch, 0, scratch.write(key, 0, 'utf8'));
}

/** The partition Kafka's DefaultPartitioner gives a non-null key. */
export function partitionForKey(key: Buffer | string, partitionCount: number): number {
  return toPositive(murmur2OfKey(key)) % partitionCount;
}

/** KIP-480's per-topic sticky choice for records without a key. */
export class StickyPartitionCache {
  private readonly byTopic = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  partition(topic: string, partitionCount: number, availablePartitions: readonly number[]): number {
    const current = this.byTopic.get(topic);
    if (current !== undefined && current < partitionCount) return current;
    return this.nextPartition(topic, -1, partitionCount, availablePartitions);
  }

  /** Moves `topic` off `previousPartition` to another random partition (available ones when there are any). */
  nextPartition(
    topic: string,
    previousPartition: number,
    partitionCount: number,
    availablePartitions: readonly number[],
  ): number {
    const current = this.byTopic.get(topic);
    if (current !== undefined && current !== previousPartition && current < partitionCount) return current;
    let next: number;
    if (availablePartitions.length === 0) {
      next = Math.floor(this.random() * partitionCount);
    } else if (availablePartitions.length === 1) {
      next = availablePartitions[0]!;
    } else if (current === undefined || !availablePartitions.includes(current)) {
      next = availablePartitions[Math.floor(this.random() * availablePartitions.length)]!;
    } else {
      // Uniform over the other available partitions (Kafka re-draws until it differs; this never loops).
      next = availablePartitions[Math.floor(this.random() * (availablePartitions.length - 1))]!;
      if (next === current) next = availablePartitions[availablePartitions.length - 1]!;
    }
    this.byTopic.set(topic, next);
    return next;
  }
}

/** Kafka 2.8's DefaultPartitioner: murmur2 for keys, sticky for null keys. */
export class DefaultPartitioner implements Partitioner {
  private readonly sticky: StickyPartitionCache;

  constructor(random: () => number = Math.random) {
    this.sticky = new StickyPartitionCache(random);
  }

  partition(
    topic: string,
    key: Buffer | string | null,
    partitionCount: number,
    availablePartitions: readonly number[],
  ): number {
    if (key === null) return this.sticky.partition(topic, partitionCount, availablePartitions);
    return partitionForKey(key, partitionCount);
  }

  onNewBatch(
    topic: string,
    previousPartition: number,
    partitionCount: number,
    availablePartitions: readonly number[],
  ): void {
    this.sticky.nextPartition(topic, previousPartition, partitionCount, availablePartitions);
  }
}
