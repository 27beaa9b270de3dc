/**
 * Ordered retries, the state of one source partition: which keys have records on their way through the retry stages,
 * how many, and where they all wait now (the stage, and the due time the stage delivers them at). A later record of
 * such a key is sent to that same stage with that same due time, behind the earlier ones (delayed delivery keeps
 * records of one key and one due time in order), until the key has no record left in the stages.
 *
 * Keys are held by their murmur2 hash (8 hex digits): two keys that collide share one place in line, which delays
 * one of them but never reorders either.
 * Persistence: the state travels with the partition's committed offset, as its commit metadata (`encode`/`decode`,
 * JSON `{"mq-ordered-retry":{"<hash>":[count,stage,dueMs],...}}`), so that whoever reads the partition next holds
 * back the same keys. Kafka limits commit metadata (offset.metadata.max.bytes, 4096 by default): past
 * `maxMetadataBytes`, the keys whose records wait longest are left out of what is committed (a warning says so),
 * and only those could overtake their earlier records after the partition moves.
 * Concurrency: synchronous; owned by the RetryRouter.
 */
import { murmur2OfKey, toPositive } from '../producer/partitioner.js';

/** Where a key's records in the stages wait. */
export interface KeyInRetry {
  /** Records of the key in the stages. */
  count: number;
  /** Index of the stage they wait in. */
  stage: number;
  /** The due time that stage delivers them at. */
  dueMs: number;
}

const FIELD = 'mq-ordered-retry';

export class OrderedRetryKeys {
  private readonly keys = new Map<string, KeyInRetry>();

  /** The hash a key is held by. */
  static hashOf(key: Buffer): string {
    return toPositive(murmur2OfKey(key)).toString(16).padStart(8, '0');
  }

  get size(): number {
    return this.keys.size;
  }

  get(key: Buffer): KeyInRetry | undefined {
    return this.keys.get(OrderedRetryKeys.hashOf(key));
  }

  /** A key's first record went into the stages. */
  add(key: Buffer, stage: number, dueMs: number): void {
    this.keys.set(OrderedRetryKeys.hashOf(key), { count: 1, stage, dueMs });
  }

  /** One record of the key left the stages (handled, or dead-lettered); forgets the key at zero. */
  release(key: Buffer): void {
    const hash = OrderedRetryKeys.hashOf(key);
    const entry = this.keys.get(hash);
    if (entry === undefined) return;
    entry.count--;
    if (entry.count <= 0) this.keys.delete(hash);
  }

  /**
   * The commit metadata holding this state, within `maxBytes`; `dropped` counts the keys left out (those due
   * latest go first).
   */
  encode(maxBytes: number): { metadata: string; dropped: number } {
    const entries = [...this.keys].sort((a, b) => a[1].dueMs - b[1].dueMs);
    for (let keep = entries.length; keep >= 0; keep--) {
      const metadata = JSON.stringify({
        [FIELD]: Object.fromEntries(entries.slice(0, keep).map(([h, e]) => [h, [e.count, e.stage, e.dueMs]])),
      });
      if (Buffer.byteLength(metadata) <= maxBytes) return { metadata, dropped: entries.length - keep };
    }
    return { metadata: '', dropped: entries.length };
  }

  /** The state a commit's metadata holds; empty for metadata of any other form. */
  static decode(metadata: string): OrderedRetryKeys {
    const state = new OrderedRetryKeys();
    try {
      const parsed = JSON.parse(metadata) as Record<string, unknown> | null;
      const held = parsed?.[FIELD];
      if (typeof held !== 'object' || held === null) return state;
      for (const [hash, value] of Object.entries(held as Record<string, unknown>)) {
        if (!/^[0-9a-f]{8}$/.test(hash) || !Array.isArray(value) || value.length !== 3) continue;
        const [count, stage, dueMs] = value as unknown[];
        if ([count, stage, dueMs].every((n) => Number.isSafeInteger(n)) && (count as number) > 0) {
          state.keys.set(hash, { count: count as number, stage: stage as number, dueMs: dueMs as number });
        }
      }
    } catch {
      // Not ours: a commit made without ordered retries.
    }
    return state;
  }
}
