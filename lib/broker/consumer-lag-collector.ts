/**
 * Consumer group lag computed by the group coordinator, for the metrics endpoint (what kafka-exporter and Burrow
 * compute from outside Kafka): for every group coordinated here and every partition it has committed an offset for,
 * the partition's log end as consumers see it (the high watermark: ListOffsets latest, the same lookup
 * `mq-admin groups --describe` makes) minus the committed offset.
 *
 * High watermarks come from the local replica for partitions led here and from one ListOffsets request per other
 * leader, sent when Prometheus scrapes (never on a hot path); a leader that does not answer within
 * `requestTimeoutMs` leaves its partitions out of that scrape rather than reporting a wrong lag.
 * Ownership: one per Broker, created with its metrics endpoint; holds no connection between scrapes.
 */
import { computeIfAbsent } from '../common/collections.js';
import { ErrorCode } from '../common/error-codes.js';
import type { Logger } from '../common/logger.js';
import type { TopicPartition } from '../common/topic-partition.js';
import type { CommittedOffset } from '../coordinator/group/group-metadata-manager.js';
import { NetworkClient } from '../network/network-client.js';
import type { ClientSecurity } from '../network/security/client-security.js';
import { ApiKey } from '../protocol/api-keys.js';
import { LATEST_TIMESTAMP } from '../protocol/messages/list-offsets.js';
import type { MetadataCache } from '../replication/metadata-cache.js';
import type { ReplicaManager } from '../replication/replica-manager.js';

export interface GroupLag {
  group: string;
  topic: string;
  partition: number;
  currentOffset: number;
  logEndOffset: number;
  lag: number;
}

export interface ConsumerLagCollectorOptions {
  brokerId: number;
  /** The groups coordinated here and their committed offsets (the GroupMetadataManager). */
  groups: { groupIds(): string[]; fetchOffsets(groupId: string, partitions: null): CommittedOffset[] };
  replicaManager: Pick<ReplicaManager, 'listOffsets'>;
  metadataCache: Pick<MetadataCache, 'partitionState' | 'broker'>;
  requestTimeoutMs: number;
  /** How this broker secures its connections to the other brokers' inter-broker listener (TLS, SASL). */
  security?: ClientSecurity;
  logger: Logger;
}

export class ConsumerLagCollector {
  constructor(private readonly opts: ConsumerLagCollectorOptions) {}

  /** Every committed partition's lag, for the groups coordinated here now. */
  async collect(): Promise<GroupLag[]> {
    const committed = this.opts.groups
      .groupIds()
      .flatMap((group) => this.opts.groups.fetchOffsets(group, null).map((c) => ({ group, ...c })))
      .filter((c) => c.offset >= 0);
    if (committed.length === 0) return [];
    const ends = await this.highWatermarks(committed);
    return committed.flatMap((c) => {
      const end = ends.get(`${c.topic}\u0000${c.partition}`);
      if (end === undefined) return [];
      return [
        {
          group: c.group,
          topic: c.topic,
          partition: c.partition,
          currentOffset: c.offset,
          logEndOffset: end,
          lag: Math.max(0, end - c.offset),
        },
      ];
    });
  }

  /** High watermarks of the partitions, keyed `topic\0partition`: local ones read here, others asked of their leader. */
  private async highWatermarks(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const ends = new Map<string, number>();
    const byLeader = new Map<number, TopicPartition[]>();
    for (const tp of new Map(partitions.map((p) => [`${p.topic}\u0000${p.partition}`, p])).values()) {
      const leader = this.opts.metadataCache.partitionState(tp.topic, tp.partition)?.leader ?? -1;
      if (leader === this.opts.brokerId) {
        const r = this.opts.replicaManager.listOffsets(tp.topic, tp.partition, LATEST_TIMESTAMP, 0);
        if (r.errorCode === ErrorCode.NONE) ends.set(`${tp.topic}\u0000${tp.partition}`, r.offset);
      } else if (leader >= 0) {
        computeIfAbsent(byLeader, leader, () => []).push(tp);
      }
    }
    await Promise.all(
      [...byLeader].map(async ([leader, tps]) => {
        try {
          for (const [key, offset] of await this.askLeader(leader, tps)) ends.set(key, offset);
        } catch (err) {
          this.opts.logger.debug({ err, leader }, 'no high watermarks from a leader for the consumer lag metrics');
        }
      }),
    );
    return ends;
  }

  private async askLeader(leader: number, tps: readonly TopicPartition[]): Promise<Map<string, number>> {
    const broker = this.opts.metadataCache.broker(leader);
    if (broker === undefined || broker.port < 0) return new Map();
    const client = await NetworkClient.connect({
      host: broker.host,
      port: broker.port,
      clientId: `broker-${this.opts.brokerId}-lag-metrics`,
      connectTimeoutMs: this.opts.requestTimeoutMs,
      requestTimeoutMs: this.opts.requestTimeoutMs,
      security: this.opts.security,
      logger: this.opts.logger,
    });
    try {
      const byTopic = new Map<string, number[]>();
      for (const tp of tps) computeIfAbsent(byTopic, tp.topic, () => []).push(tp.partition);
      const res = await client.send(ApiKey.ListOffsets, 0, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [...byTopic].map(([name, ps]) => ({
          name,
          partitions: ps.map((partitionIndex) => ({
            partitionIndex,
            currentLeaderEpoch: -1,
            timestamp: LATEST_TIMESTAMP,
          })),
        })),
      });
      const out = new Map<string, number>();
      for (const t of res.topics) {
        for (const p of t.partitions)
          if (p.errorCode === ErrorCode.NONE) out.set(`${t.name}\u0000${p.partitionIndex}`, p.offset);
      }
      return out;
    } finally {
      await client.close();
    }
  }
}
