/**
 * Lag in time, computed by the group coordinator: for each partition a group coordinated here has committed an
 * offset for, the lag in records (high watermark − committed offset) and in time — how old the oldest record the
 * group has not consumed is, the record at the committed offset — plus when the offset was committed and the commits
 * before it. What DescribeGroupLag answers and the lag metrics export, so a backlog alarms in seconds, not offsets.
 *
 * The record's timestamp comes from the partition's leader (`timestampAtOffset` on its log): read locally when this
 * broker leads the partition, else asked of the leader with ListOffsetTimestamps, one request per leader, sent in
 * parallel. A leader that cannot be asked leaves its partitions with that error and -1 figures, never a made-up lag.
 * Timestamps are the records' own (the producer's create time, or the leader's append time with LogAppendTime), so
 * the lag in time is as right as the producers' clocks; an oldest record stamped in the future counts as 0.
 * Concurrency: reads the GroupMetadataManager's committed offsets synchronously, then awaits the leaders; commits
 * arriving meanwhile show in the next call. Ownership: one per Broker; owns the BrokerClients it asks leaders with.
 */
import { computeIfAbsent } from '../../common/collections.js';
import { ErrorCode, type ErrorName } from '../../common/error-codes.js';
import { ApiError } from '../../common/errors.js';
import type { Time } from '../../common/time.js';
import { tpKey } from '../../common/topic-partition.js';
import { timestampAtOffset, type OffsetTimestamp } from '../../log/record-timestamp.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { DescribeGroupLagResponse } from '../../protocol/messages/index.js';
import type { MetadataCache } from '../../replication/metadata-cache.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import type { BrokerClients } from '../broker-clients.js';
import type { CommittedOffsetWithHistory, GroupMetadataManager } from './group-metadata-manager.js';

export type PartitionLag = DescribeGroupLagResponse['partitions'][number];

export interface GroupLagOptions {
  brokerId: number;
  offsets: Pick<GroupMetadataManager, 'coordinatorError' | 'committedWithHistory' | 'groupIds'>;
  replicaManager: Pick<ReplicaManager, 'getPartition'>;
  metadataCache: Pick<MetadataCache, 'partitionState'>;
  clients: Pick<BrokerClients, 'send'>;
  time: Time;
}

type Lookup = OffsetTimestamp & { errorCode: number };

export class GroupLag {
  constructor(private readonly opts: GroupLagOptions) {}

  /** The lag of one group coordinated here (see DescribeGroupLag). */
  async describe(groupId: string, includeHistory: boolean): Promise<{ errorCode: number; partitions: PartitionLag[] }> {
    const error: ErrorName | null = this.opts.offsets.coordinatorError(groupId);
    if (error !== null) return { errorCode: ErrorCode[error], partitions: [] };
    const committed = this.opts.offsets.committedWithHistory(groupId).filter((c) => c.offset >= 0);
    if (committed.length === 0) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    const lookups = await this.lookUp(committed);
    const nowMs = this.opts.time.milliseconds();
    return {
      errorCode: ErrorCode.NONE,
      partitions: committed.map((c) => lagOf(c, lookups.get(tpKey(c.topic, c.partition)), nowMs, includeHistory)),
    };
  }

  /** Every group coordinated here with its partitions' lag (for the metrics). */
  async describeAll(): Promise<{ groupId: string; partitions: PartitionLag[] }[]> {
    const groups = this.opts.offsets
      .groupIds()
      .filter((g) => this.opts.offsets.coordinatorError(g) === null)
      .map((groupId) => ({
        groupId,
        committed: this.opts.offsets.committedWithHistory(groupId).filter((c) => c.offset >= 0),
      }));
    const lookups = await this.lookUp(groups.flatMap((g) => g.committed));
    const nowMs = this.opts.time.milliseconds();
    return groups.map(({ groupId, committed }) => ({
      groupId,
      partitions: committed.map((c) => lagOf(c, lookups.get(tpKey(c.topic, c.partition)), nowMs, false)),
    }));
  }

  /** The timestamp at each committed offset (and the high watermark), keyed by tpKey. */
  private async lookUp(committed: readonly CommittedOffsetWithHistory[]): Promise<Map<string, Lookup>> {
    const out = new Map<string, Lookup>();
    const byLeader = new Map<number, Map<string, CommittedOffsetWithHistory>>();
    const local: Promise<void>[] = [];
    for (const c of committed) {
      const key = tpKey(c.topic, c.partition);
      const leader = this.opts.metadataCache.partitionState(c.topic, c.partition)?.leader ?? -1;
      const partition = this.opts.replicaManager.getPartition(c.topic, c.partition);
      if (leader === this.opts.brokerId && partition?.isLeader === true) {
        local.push(
          timestampAtOffset(partition.log, c.offset).then(
            (t) => void out.set(key, { ...t, errorCode: ErrorCode.NONE }),
            () => void out.set(key, failed(ErrorCode.KAFKA_STORAGE_ERROR)),
          ),
        );
      } else if (leader < 0) {
        out.set(key, failed(ErrorCode.LEADER_NOT_AVAILABLE));
      } else {
        computeIfAbsent(byLeader, leader, () => new Map()).set(key, c);
      }
    }
    await Promise.all([...local, ...[...byLeader].map(([leader, tps]) => this.askLeader(leader, tps, out))]);
    return out;
  }

  private async askLeader(
    leader: number,
    tps: ReadonlyMap<string, CommittedOffsetWithHistory>,
    out: Map<string, Lookup>,
  ): Promise<void> {
    const byTopic = new Map<string, { partitionIndex: number; offset: number }[]>();
    for (const c of tps.values()) {
      computeIfAbsent(byTopic, c.topic, () => []).push({ partitionIndex: c.partition, offset: c.offset });
    }
    try {
      const res = await this.opts.clients.send(leader, ApiKey.ListOffsetTimestamps, {
        topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      });
      for (const t of res.topics) for (const p of t.partitions) out.set(tpKey(t.name, p.partitionIndex), p);
    } catch (err) {
      const code = err instanceof ApiError ? err.errorCode : ErrorCode.NETWORK_EXCEPTION;
      for (const key of tps.keys()) out.set(key, failed(code));
    }
  }
}

function failed(errorCode: number): Lookup {
  return { errorCode, offset: -1, timestamp: -1, highWatermark: -1, logStartOffset: -1 };
}

/** One partition's lag from its committed offset and the leader's answer. */
export function lagOf(
  c: CommittedOffsetWithHistory,
  lookup: Lookup | undefined,
  nowMs: number,
  includeHistory: boolean,
): PartitionLag {
  const l = lookup ?? failed(ErrorCode.NETWORK_EXCEPTION);
  const ok = l.errorCode === ErrorCode.NONE;
  const caughtUp = ok && (l.offset < 0 || c.offset >= l.highWatermark);
  return {
    topic: c.topic,
    partition: c.partition,
    errorCode: l.errorCode,
    committedOffset: c.offset,
    commitTimestamp: c.commitTimestamp,
    highWatermark: ok ? l.highWatermark : -1,
    lag: ok ? Math.max(0, l.highWatermark - c.offset) : -1,
    oldestUnconsumedTimestamp: ok && !caughtUp ? l.timestamp : -1,
    lagMs: !ok ? -1 : caughtUp ? 0 : Math.max(0, nowMs - l.timestamp),
    history: includeHistory ? [...c.history] : [],
  };
}
