/**
 * The follower fetchers of this broker (Kafka's `ReplicaFetcherManager` / `AbstractFetcherManager`): one
 * ReplicaFetcher per (leader broker, fetcher id), num.replica.fetchers per leader (resizable while running), each
 * partition assigned to one of its leader's fetchers by a stable hash of topic and partition.
 *
 * Invariants: a partition is in at most one fetcher; a fetcher left without partitions is shut down.
 * Concurrency: add/remove are synchronous and take effect at the fetcher's next request (a response already in
 * flight is discarded by the fetcher's state check). Ownership: the ReplicaManager owns it, adds partitions it
 * follows, removes those it leads or drops, and shuts it down first on shutdown.
 */
import type { Logger } from '../common/logger.js';
import type { Time } from '../common/time.js';
import type { LeaderEndPointFactory } from './leader-end-point.js';
import type { MetadataCache } from './metadata-cache.js';
import type { Partition } from './partition.js';
import { ReplicaFetcher, type FetcherConfig } from './replica-fetcher.js';
import type { ReplicationQuota } from './replication-quota.js';

export interface ReplicaFetcherManagerOptions {
  localBrokerId: number;
  config: FetcherConfig & { numReplicaFetchers: number };
  metadataCache: Pick<MetadataCache, 'broker'>;
  /** The follower replication throttle, shared by every fetcher of this broker. */
  quota: ReplicationQuota;
  connect: LeaderEndPointFactory;
  time: Time;
  logger: Logger;
}

export class ReplicaFetcherManager {
  private readonly fetchers = new Map<string, ReplicaFetcher>();
  private readonly fetcherOf = new Map<string, ReplicaFetcher>();
  private readonly stopping = new Set<Promise<void>>();
  /** Set by shutdown(): later leadership changes start no fetcher (a broker in controlled shutdown stays out of ISRs). */
  private closed = false;

  private numFetchers: number;

  constructor(private readonly opts: ReplicaFetcherManagerOptions) {
    this.numFetchers = opts.config.numReplicaFetchers;
  }

  /** The fetcher of a partition, if it is being fetched. */
  fetcherFor(key: string): ReplicaFetcher | undefined {
    return this.fetcherOf.get(key);
  }

  get fetcherCount(): number {
    return this.fetchers.size;
  }

  /** Starts fetching `partition` from `leaderId` in `leaderEpoch` (moving it from another fetcher if needed). */
  addPartition(partition: Partition, leaderId: number, leaderEpoch: number): void {
    this.removePartition(partition.key);
    if (this.closed) return;
    const fetcherId = fetcherIdFor(partition.topic, partition.partition, this.numFetchers);
    const name = `${leaderId}-${fetcherId}`;
    let fetcher = this.fetchers.get(name);
    if (fetcher === undefined) {
      fetcher = new ReplicaFetcher({
        localBrokerId: this.opts.localBrokerId,
        leaderId,
        fetcherId,
        config: this.opts.config,
        metadataCache: this.opts.metadataCache,
        quota: this.opts.quota,
        connect: this.opts.connect,
        time: this.opts.time,
        logger: this.opts.logger,
      });
      this.fetchers.set(name, fetcher);
    }
    fetcher.addPartition(partition, leaderEpoch);
    this.fetcherOf.set(partition.key, fetcher);
  }

  /** Stops fetching a partition; shuts its fetcher down if it has no partitions left. */
  removePartition(key: string): void {
    const fetcher = this.fetcherOf.get(key);
    if (fetcher === undefined) return;
    this.fetcherOf.delete(key);
    fetcher.removePartition(key);
    if (fetcher.partitionCount === 0) {
      this.fetchers.delete(`${fetcher.leaderId}-${fetcher.fetcherId}`);
      const stopped = fetcher.shutdown().finally(() => this.stopping.delete(stopped));
      this.stopping.add(stopped);
    }
  }

  /**
   * num.replica.fetchers changed (a dynamic broker config): every partition moves to the fetcher the new count gives
   * it and restarts there with truncation by leader epoch, as Kafka's resizeThreadPool re-adds them all so that the
   * hash-based placement holds; fetchers left empty shut down.
   */
  resize(numFetchers: number): void {
    if (numFetchers === this.numFetchers) return;
    this.opts.logger.info({ from: this.numFetchers, to: numFetchers }, 'resizing the replica fetchers per leader');
    this.numFetchers = numFetchers;
    const following = [...this.fetchers.values()].flatMap((f) =>
      [...f.fetchStates()].map((s) => ({ partition: s.partition, leaderId: f.leaderId, leaderEpoch: s.leaderEpoch })),
    );
    for (const f of following) this.addPartition(f.partition, f.leaderId, f.leaderEpoch);
  }

  /** Shuts every fetcher down for good (see `closed`); resolves when all loops have ended. Idempotent. */
  async shutdown(): Promise<void> {
    this.closed = true;
    const all = [...this.fetchers.values()].map((f) => f.shutdown());
    this.fetchers.clear();
    this.fetcherOf.clear();
    await Promise.all([...all, ...this.stopping]);
  }
}

/** Kafka's getFetcherId: abs(31 * topic.hashCode + partition) % numFetchers, with Java's String.hashCode. */
export function fetcherIdFor(topic: string, partition: number, numFetchers: number): number {
  let h = 0;
  for (let i = 0; i < topic.length; i++) h = (Math.imul(h, 31) + topic.charCodeAt(i)) | 0;
  const mixed = (Math.imul(h, 31) + partition) | 0;
  return Math.abs(mixed === -2147483648 ? 0 : mixed) % numFetchers;
}
