/**
 * Committed offsets of consumer groups, kept in `__consumer_offsets` (Kafka's GroupMetadataManager, the offsets
 * half): the broker leading partition p of that topic coordinates every group g with partitionForGroup(g) = p, and
 * holds in memory the last committed offset of each (group, topic, partition) stored in p.
 *
 * - Commit: one record per partition (offsets-record-codec.ts), appended to p with acks=all within
 *   offsets.commit.timeout.ms; the cache changes only once the append is replicated. Append errors map as Kafka's:
 *   NOT_LEADER_OR_FOLLOWER → NOT_COORDINATOR; NOT_ENOUGH_REPLICAS(_AFTER_APPEND), UNKNOWN_TOPIC_OR_PARTITION,
 *   REQUEST_TIMED_OUT → COORDINATOR_NOT_AVAILABLE; oversized metadata → OFFSET_METADATA_TOO_LARGE.
 * - Load: when this broker becomes leader of p (ReplicaManager 'leadershipChange', or at start), p's log is read
 *   from its start to its end, the last value per key winning and tombstones deleting; meanwhile the
 *   groups of p answer COORDINATOR_LOAD_IN_PROGRESS. Becoming follower unloads them (NOT_COORDINATOR).
 *
 * - History: the last OFFSET_HISTORY_SIZE commits of each (group, topic, partition) are kept with their commit times,
 *   for `mq-admin groups --offset-history`: those found in the log when it is loaded (compaction keeps only the last
 *   one per key, so after a clean older ones are gone) and those committed since.
 * - Transactional offsets (TxnOffsetCommit, KIP-98/KIP-447): written as a transactional batch of the producer (its
 *   id and epoch, appended as a coordinator: the epoch is checked, no sequence) and held as pending for that producer;
 *   the transaction's marker in this partition (`completeTransaction`, after WriteTxnMarkers appended it) makes them
 *   committed — each only if it was written after the group's current commit for its partition — or drops them. A
 *   load does the same with the markers it reads; transactions still open at the end stay pending. OffsetFetch with
 *   requireStable answers UNSTABLE_OFFSET_COMMIT for a partition with pending offsets.
 * - Group metadata (membership after each completed rebalance) is stored the same way by the GroupCoordinator
 *   (`storeGroup`), and handed back to it after a load (`onGroupLoaded`), so a coordinator move keeps generations.
 *
 * Invariants: a group's offsets are served only while its partition is 'loaded' here; the cache holds only groups
 * of loaded partitions. Concurrency: a load that is overtaken by a later leadership change for the same partition
 * discards its result (a generation counter per partition). Fencing of commits by group generation is the
 * GroupCoordinator's, which calls this after its checks.
 */
import { computeIfAbsent } from '../../common/collections.js';
import { ErrorCode, type ErrorName } from '../../common/error-codes.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { tpKey } from '../../common/topic-partition.js';
import { ControlRecordType, RecordBatchBuilder } from '../../record/record-batch-builder.js';
import { batchesToLogEnd } from '../log-scan.js';
import type { Partition } from '../../replication/partition.js';
import type { ReplicaManager } from '../../replication/replica-manager.js';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetKey,
  encodeOffsetValue,
  OFFSETS_TOPIC,
  type GroupMetadataRecord,
  type OffsetAndMetadata,
} from './offsets-record-codec.js';
import { partitionForGroup } from './group-partition.js';

export interface GroupMetadataManagerConfig {
  offsetsTopicNumPartitions: number;
  offsetsCommitTimeoutMs: number;
  offsetMetadataMaxBytes: number;
}

export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

/** A committed offset as the cache holds it: with its commit time and the log offset of its record. */
interface StoredOffset extends CommittedOffset {
  commitTimestamp: number;
  /** Offset of the record in the offsets partition: a transaction's commit wins only over older records. */
  appendOffset: number;
}

/** Offsets of one producer's open transaction: group → tpKey → offset. */
type PendingTxnOffsets = Map<string, Map<string, StoredOffset>>;

/** Commits kept per (group, topic, partition) for the offset history. */
export const OFFSET_HISTORY_SIZE = 10;

/** One commit of an offset. */
export interface OffsetCommitRecord {
  offset: number;
  commitTimestamp: number;
}

/** A committed offset with when it was committed and the commits before it (oldest first, this one last). */
export interface CommittedOffsetWithHistory extends CommittedOffset {
  commitTimestamp: number;
  history: readonly OffsetCommitRecord[];
}

/** A committed offset as the cache holds it: a stored offset with its history. */
interface CachedOffset extends StoredOffset, CommittedOffsetWithHistory {}

export class GroupMetadataManager {
  /** Offsets partitions led here: loading or loaded, with a generation that a newer leadership change bumps. */
  private readonly owned = new Map<number, { state: 'loading' | 'loaded'; generation: number }>();
  private generation = 0;
  /** group → tpKey → committed offset with its history. */
  private readonly offsets = new Map<string, Map<string, CachedOffset>>();
  /** producer id → its transaction's offsets, not yet committed or aborted by a marker. */
  private readonly pendingTxnOffsets = new Map<number, PendingTxnOffsets>();
  private readonly log: Logger;
  /** Receives each group's last stored metadata after a load (set by the GroupCoordinator). */
  onGroupLoaded: (groupId: string, group: GroupMetadataRecord) => void = () => {};

  constructor(
    private readonly replicaManager: ReplicaManager,
    private readonly config: GroupMetadataManagerConfig,
    private readonly partitionCount: () => number,
    private readonly time: Time,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'GroupMetadataManager' });
  }

  /** The offsets partition of `groupId`: the existing topic's partition count, else offsets.topic.num.partitions. */
  partitionFor(groupId: string): number {
    const count = this.partitionCount();
    return partitionForGroup(groupId, count > 0 ? count : this.config.offsetsTopicNumPartitions);
  }

  /** Reacts to a ReplicaManager leadership change: loads led offsets partitions, unloads followed ones. */
  onLeadershipChange(leaders: readonly Partition[], followers: readonly Partition[]): void {
    for (const p of followers) if (p.topic === OFFSETS_TOPIC) this.unload(p.partition);
    for (const p of leaders) if (p.topic === OFFSETS_TOPIC) void this.load(p);
  }

  /** Loads every offsets partition this broker already leads (at start, after the replica manager started). */
  loadLedPartitions(): void {
    for (let i = 0; i < this.partitionCount(); i++) {
      const p = this.replicaManager.getPartition(OFFSETS_TOPIC, i);
      if (p?.isLeader && !this.owned.has(i)) void this.load(p);
    }
  }

  /** Null when this broker serves `groupId` now, else the error to answer. */
  coordinatorError(groupId: string): ErrorName | null {
    const owned = this.owned.get(this.partitionFor(groupId));
    if (owned === undefined) return 'NOT_COORDINATOR';
    return owned.state === 'loading' ? 'COORDINATOR_LOAD_IN_PROGRESS' : null;
  }

  /** True while any offsets partition led here is loading (ListGroups answers COORDINATOR_LOAD_IN_PROGRESS). */
  get isLoading(): boolean {
    for (const o of this.owned.values()) if (o.state === 'loading') return true;
    return false;
  }

  /** Groups with committed offsets coordinated here. */
  groupIds(): string[] {
    return [...this.offsets.keys()];
  }

  hasGroup(groupId: string): boolean {
    return (this.offsets.get(groupId)?.size ?? 0) > 0;
  }

  /**
   * offsets.retention.minutes: writes tombstones for the expired offsets (see `expiredOffsets`) of the groups
   * loaded here and forgets them. `emptySinceMs(group)` is null for a group with members (never expired), else the
   * wall-clock time it became Empty (0 for a group that never had members). Resolves with how many expired.
   */
  async expireOffsets(retentionMs: number, emptySinceMs: (groupId: string) => number | null): Promise<number> {
    const expired = expiredOffsets(this.offsets, this.time.milliseconds(), retentionMs, emptySinceMs);
    const byPartition = new Map<number, typeof expired>();
    for (const e of expired) {
      const p = this.partitionFor(e.groupId);
      if (this.owned.get(p)?.state !== 'loaded') continue;
      const list = computeIfAbsent(byPartition, p, () => []);
      list.push(e);
    }
    let count = 0;
    const nowMs = this.time.milliseconds();
    for (const [partition, list] of byPartition) {
      const builder = new RecordBatchBuilder();
      for (const e of list) builder.append(nowMs, encodeOffsetKey(e.groupId, e.topic, e.partition), null);
      const [result] = await this.replicaManager.appendRecords({
        acks: -1,
        timeoutMs: this.config.offsetsCommitTimeoutMs,
        entries: [{ topic: OFFSETS_TOPIC, partition, records: builder.buildSync() }],
      });
      if (result?.errorCode !== ErrorCode.NONE) {
        this.log.warn(
          { partition, errorCode: result?.errorCode },
          'could not write expired-offset tombstones; the next check retries',
        );
        continue;
      }
      for (const e of list) {
        const group = this.offsets.get(e.groupId);
        group?.delete(tpKey(e.topic, e.partition));
        if (group?.size === 0) this.offsets.delete(e.groupId);
      }
      count += list.length;
    }
    if (count > 0) this.log.info({ expired: count, retentionMs }, 'expired committed offsets');
    return count;
  }

  /** Stores a group's metadata (after a rebalance completes); the Kafka error code of the append. */
  async storeGroup(groupId: string, group: GroupMetadataRecord): Promise<number> {
    const builder = new RecordBatchBuilder();
    builder.append(this.time.milliseconds(), encodeGroupMetadataKey(groupId), encodeGroupMetadataValue(group));
    const [result] = await this.replicaManager.appendRecords({
      acks: -1,
      timeoutMs: this.config.offsetsCommitTimeoutMs,
      entries: [{ topic: OFFSETS_TOPIC, partition: this.partitionFor(groupId), records: builder.buildSync() }],
    });
    return result === undefined ? ErrorCode.COORDINATOR_NOT_AVAILABLE : commitErrorCode(result.errorCode);
  }

  /** Deletes a group's offsets: a tombstone per committed offset and one for the group key; the error code. */
  async deleteGroup(groupId: string): Promise<number> {
    const nowMs = this.time.milliseconds();
    const builder = new RecordBatchBuilder();
    for (const c of this.offsets.get(groupId)?.values() ?? [])
      builder.append(nowMs, encodeOffsetKey(groupId, c.topic, c.partition), null);
    builder.append(nowMs, encodeGroupMetadataKey(groupId), null);
    const [result] = await this.replicaManager.appendRecords({
      acks: -1,
      timeoutMs: this.config.offsetsCommitTimeoutMs,
      entries: [{ topic: OFFSETS_TOPIC, partition: this.partitionFor(groupId), records: builder.buildSync() }],
    });
    const code = result === undefined ? ErrorCode.COORDINATOR_NOT_AVAILABLE : commitErrorCode(result.errorCode);
    if (code === ErrorCode.NONE) this.offsets.delete(groupId);
    return code;
  }

  /** Deletes some of a group's committed offsets (tombstones for those it has); the error code of the append. */
  async deleteOffsets(groupId: string, partitions: readonly { topic: string; partition: number }[]): Promise<number> {
    const committed = this.offsets.get(groupId);
    const present = partitions.filter((p) => committed?.has(tpKey(p.topic, p.partition)) === true);
    if (present.length === 0) return ErrorCode.NONE;
    const nowMs = this.time.milliseconds();
    const builder = new RecordBatchBuilder();
    for (const p of present) builder.append(nowMs, encodeOffsetKey(groupId, p.topic, p.partition), null);
    const [result] = await this.replicaManager.appendRecords({
      acks: -1,
      timeoutMs: this.config.offsetsCommitTimeoutMs,
      entries: [{ topic: OFFSETS_TOPIC, partition: this.partitionFor(groupId), records: builder.buildSync() }],
    });
    const code = result === undefined ? ErrorCode.COORDINATOR_NOT_AVAILABLE : commitErrorCode(result.errorCode);
    if (code === ErrorCode.NONE) {
      for (const p of present) committed!.delete(tpKey(p.topic, p.partition));
      if (committed!.size === 0) this.offsets.delete(groupId);
    }
    return code;
  }

  /** Stores offsets of `groupId` (coordinated here, see coordinatorError); per entry the Kafka error code. */
  async commitOffsets(groupId: string, entries: readonly OffsetCommitEntry[]): Promise<number[]> {
    return this.storeOffsets(groupId, entries, null, (stored) => {
      for (const o of stored) this.put(groupId, o.topic, o.partition, o, o.appendOffset);
    });
  }

  /**
   * Stores offsets of `groupId` in producer `producerId`'s transaction (see the class comment): pending until the
   * transaction's marker. Per entry the Kafka error code; an epoch older than the producer's answers
   * INVALID_PRODUCER_EPOCH.
   */
  async commitTxnOffsets(
    groupId: string,
    producerId: number,
    producerEpoch: number,
    entries: readonly OffsetCommitEntry[],
  ): Promise<number[]> {
    return this.storeOffsets(groupId, entries, { producerId, producerEpoch }, (stored) => {
      const byGroup = computeIfAbsent(this.pendingTxnOffsets, producerId, (): PendingTxnOffsets => new Map());
      const pending = computeIfAbsent(byGroup, groupId, () => new Map<string, StoredOffset>());
      for (const o of stored) pending.set(tpKey(o.topic, o.partition), o);
    });
  }

  /**
   * Appends one offset record per entry (refusing oversized metadata), as a transactional batch of `producer` when
   * given (a coordinator append: its epoch is checked); once replicated, and if the partition is still loaded here,
   * hands the stored offsets to `onStored`. Per entry the Kafka error code.
   */
  private async storeOffsets(
    groupId: string,
    entries: readonly OffsetCommitEntry[],
    producer: { producerId: number; producerEpoch: number } | null,
    onStored: (stored: StoredOffset[]) => void,
  ): Promise<number[]> {
    const codes = entries.map((e) =>
      e.metadata !== null && Buffer.byteLength(e.metadata) > this.config.offsetMetadataMaxBytes
        ? ErrorCode.OFFSET_METADATA_TOO_LARGE
        : ErrorCode.NONE,
    );
    const valid = entries.filter((_, i) => codes[i] === ErrorCode.NONE);
    if (valid.length === 0) return codes;
    const nowMs = this.time.milliseconds();
    const builder = new RecordBatchBuilder(
      producer === null
        ? {}
        : {
            producerId: BigInt(producer.producerId),
            producerEpoch: producer.producerEpoch,
            baseSequence: 0,
            isTransactional: true,
          },
    );
    const values = valid.map((e) => ({
      offset: e.offset,
      leaderEpoch: e.leaderEpoch,
      metadata: e.metadata ?? '',
      commitTimestamp: nowMs,
    }));
    valid.forEach((e, i) =>
      builder.append(nowMs, encodeOffsetKey(groupId, e.topic, e.partition), encodeOffsetValue(values[i]!)),
    );
    const partition = this.partitionFor(groupId);
    const [result] = await this.replicaManager.appendRecords({
      acks: -1,
      timeoutMs: this.config.offsetsCommitTimeoutMs,
      origin: producer === null ? 'Client' : 'Coordinator',
      entries: [{ topic: OFFSETS_TOPIC, partition, records: builder.buildSync() }],
    });
    const code = result === undefined ? ErrorCode.COORDINATOR_NOT_AVAILABLE : commitErrorCode(result.errorCode);
    if (code === ErrorCode.NONE && this.owned.get(partition)?.state === 'loaded') {
      onStored(
        valid.map((e, i) => ({
          topic: e.topic,
          partition: e.partition,
          ...values[i]!,
          appendOffset: result!.baseOffset + i,
        })),
      );
    }
    return codes.map((c) => (c === ErrorCode.NONE ? code : c));
  }

  /**
   * Producer `producerId`'s transaction ended with a marker in the offsets partitions `partitions` (WriteTxnMarkers
   * appended it here): its pending offsets of groups in those partitions are committed or dropped.
   */
  completeTransaction(producerId: number, partitions: readonly number[], isCommit: boolean): void {
    const byGroup = this.pendingTxnOffsets.get(producerId);
    if (byGroup === undefined) return;
    const done = new Set(partitions);
    for (const [groupId, pending] of byGroup) {
      if (!done.has(this.partitionFor(groupId))) continue;
      byGroup.delete(groupId);
      if (isCommit) this.materialize(groupId, pending);
    }
    if (byGroup.size === 0) this.pendingTxnOffsets.delete(producerId);
  }

  /** Whether a transaction holds offsets of `groupId` for the partition that no marker has settled yet. */
  hasPendingTxnOffsets(groupId: string, topic: string, partition: number): boolean {
    const key = tpKey(topic, partition);
    for (const byGroup of this.pendingTxnOffsets.values()) if (byGroup.get(groupId)?.has(key) === true) return true;
    return false;
  }

  /** Commits `pending` offsets of `groupId`, each unless the group's current one was written after it. */
  private materialize(groupId: string, pending: ReadonlyMap<string, StoredOffset>): void {
    for (const p of pending.values()) {
      const current = this.offsets.get(groupId)?.get(tpKey(p.topic, p.partition));
      if (current === undefined || current.appendOffset < p.appendOffset)
        this.put(groupId, p.topic, p.partition, p, p.appendOffset);
    }
  }

  /** Committed offsets of `groupId`: of the given partitions (offset -1 where none), or all when `partitions` is null. */
  fetchOffsets(groupId: string, partitions: readonly { topic: string; partition: number }[] | null): CommittedOffset[] {
    const committed = this.offsets.get(groupId);
    if (partitions === null) {
      return [...(committed?.values() ?? [])].map(({ topic, partition, offset, leaderEpoch, metadata }) => ({
        topic,
        partition,
        offset,
        leaderEpoch,
        metadata,
      }));
    }
    return partitions.map(({ topic, partition }) => {
      const c = committed?.get(tpKey(topic, partition));
      return c
        ? { topic, partition, offset: c.offset, leaderEpoch: c.leaderEpoch, metadata: c.metadata }
        : { topic, partition, offset: -1, leaderEpoch: -1, metadata: '' };
    });
  }

  /** The committed offsets of `groupId` with when each was committed and the commits kept before it. */
  committedWithHistory(groupId: string): CommittedOffsetWithHistory[] {
    return [...(this.offsets.get(groupId)?.values() ?? [])];
  }

  /** Caches a committed offset; its history is `earlier` (a load's) or the cached one's, then this commit. */
  private put(
    groupId: string,
    topic: string,
    partition: number,
    value: OffsetAndMetadata,
    appendOffset: number,
    earlier?: readonly OffsetCommitRecord[],
  ): void {
    const committed = computeIfAbsent(this.offsets, groupId, () => new Map<string, CachedOffset>());
    const key = tpKey(topic, partition);
    const history = [
      ...(earlier ?? committed.get(key)?.history ?? []),
      { offset: value.offset, commitTimestamp: value.commitTimestamp },
    ];
    committed.set(key, {
      topic,
      partition,
      offset: value.offset,
      leaderEpoch: value.leaderEpoch,
      metadata: value.metadata,
      commitTimestamp: value.commitTimestamp,
      appendOffset,
      history: history.slice(-OFFSET_HISTORY_SIZE),
    });
  }

  private async load(p: Partition): Promise<void> {
    const generation = ++this.generation;
    this.owned.set(p.partition, { state: 'loading', generation });
    this.dropGroupsOf(p.partition);
    const started = this.time.hiResMs();
    type Loaded = (OffsetAndMetadata & { topic: string; partition: number; appendOffset: number }) | null;
    const loaded = new Map<string, Map<string, Loaded>>();
    /** The commits before the last one of each key, as the log holds them (a tombstone forgets them). */
    const earlier = new Map<string, OffsetCommitRecord[]>();
    /** Makes `value` the loaded offset of (group, tp), the one it replaces joining the key's earlier commits. */
    const setLoaded = (groupId: string, tp: string, value: Loaded): void => {
      const group = computeIfAbsent(loaded, groupId, () => new Map<string, Loaded>());
      const previous = group.get(tp);
      const historyKey = `${groupId}\u0000${tp}`;
      if (value === null) earlier.delete(historyKey);
      else if (previous) {
        const list = computeIfAbsent(earlier, historyKey, () => []);
        list.push({ offset: previous.offset, commitTimestamp: previous.commitTimestamp });
        if (list.length >= OFFSET_HISTORY_SIZE) list.shift();
      }
      group.set(tp, value);
    };
    const groups = new Map<string, GroupMetadataRecord | null>();
    /** producer id → group → tpKey → offset, for transactions whose marker was not read yet. */
    const pending = new Map<number, Map<string, Map<string, StoredOffset>>>();
    let records = 0;
    try {
      const logStart = p.log.logStartOffset;
      for (const batch of batchesToLogEnd(p.log)) {
        const producerId = Number(batch.producerId);
        if (batch.isControl) {
          const txn = pending.get(producerId);
          pending.delete(producerId);
          if (txn !== undefined && batch.recordCount > 0 && batch.controlRecord().type === ControlRecordType.Commit) {
            for (const [groupId, offsets] of txn) {
              for (const [key, o] of offsets) {
                const current = loaded.get(groupId)?.get(key);
                if (current === undefined || current === null || current.appendOffset < o.appendOffset)
                  setLoaded(groupId, key, o);
              }
            }
          }
          continue;
        }
        const transactional = batch.isTransactional && producerId >= 0;
        for (const r of await batch.recordsAsync()) {
          if (r.offset < logStart || r.key === null) continue;
          const key = decodeKey(r.key);
          if (key?.kind === 'group') {
            groups.set(key.group, r.value === null ? null : decodeGroupMetadataValue(r.value));
            records++;
          }
          if (key?.kind !== 'offset') continue;
          const value: Loaded =
            r.value === null
              ? null
              : { ...decodeOffsetValue(r.value), topic: key.topic, partition: key.partition, appendOffset: r.offset };
          if (transactional && value !== null) {
            const byGroup = computeIfAbsent(pending, producerId, () => new Map<string, Map<string, StoredOffset>>());
            computeIfAbsent(byGroup, key.group, () => new Map<string, StoredOffset>()).set(
              tpKey(key.topic, key.partition),
              value,
            );
          } else setLoaded(key.group, tpKey(key.topic, key.partition), value);
          records++;
        }
      }
    } catch (err) {
      this.log.error(
        { err, partition: p.partition },
        `loading ${OFFSETS_TOPIC} failed; its groups stay unavailable until the next leadership change`,
      );
      return;
    }
    if (this.owned.get(p.partition)?.generation !== generation) return;
    for (const [groupId, group] of loaded) {
      for (const [tp, value] of group) {
        if (value !== null)
          this.put(
            groupId,
            value.topic,
            value.partition,
            value,
            value.appendOffset,
            earlier.get(`${groupId}\u0000${tp}`) ?? [],
          );
      }
    }
    for (const [producerId, byGroup] of pending) {
      const target = computeIfAbsent(this.pendingTxnOffsets, producerId, (): PendingTxnOffsets => new Map());
      for (const [groupId, offsets] of byGroup) target.set(groupId, offsets);
    }
    for (const [groupId, group] of groups) if (group !== null) this.onGroupLoaded(groupId, group);
    this.owned.set(p.partition, { state: 'loaded', generation });
    this.log.info(
      {
        partition: p.partition,
        groups: new Set([...loaded.keys(), ...groups.keys()]).size,
        records,
        openTransactions: pending.size,
        ms: Math.round(this.time.hiResMs() - started),
      },
      `loaded ${OFFSETS_TOPIC} partition`,
    );
  }

  private unload(partition: number): void {
    if (!this.owned.delete(partition)) return;
    this.dropGroupsOf(partition);
    this.log.info({ partition }, `unloaded ${OFFSETS_TOPIC} partition (no longer its leader)`);
  }

  private dropGroupsOf(partition: number): void {
    for (const groupId of [...this.offsets.keys()])
      if (this.partitionFor(groupId) === partition) this.offsets.delete(groupId);
    for (const [producerId, byGroup] of this.pendingTxnOffsets) {
      for (const groupId of [...byGroup.keys()]) if (this.partitionFor(groupId) === partition) byGroup.delete(groupId);
      if (byGroup.size === 0) this.pendingTxnOffsets.delete(producerId);
    }
  }
}

/**
 * Which committed offsets have expired (Kafka 2.1+, KIP-211): only those of groups without members, one retention
 * period after the later of their commit and the time the group became Empty. Pure, for the retention task.
 */
export function expiredOffsets(
  committed: ReadonlyMap<string, ReadonlyMap<string, { topic: string; partition: number; commitTimestamp: number }>>,
  nowMs: number,
  retentionMs: number,
  emptySinceMs: (groupId: string) => number | null,
): { groupId: string; topic: string; partition: number }[] {
  const out: { groupId: string; topic: string; partition: number }[] = [];
  for (const [groupId, offsets] of committed) {
    const emptySince = emptySinceMs(groupId);
    if (emptySince === null) continue;
    for (const o of offsets.values()) {
      if (Math.max(o.commitTimestamp, emptySince) + retentionMs <= nowMs)
        out.push({ groupId, topic: o.topic, partition: o.partition });
    }
  }
  return out;
}

/** Kafka's mapping of an offsets-topic append error to what the committing client is told. */
function commitErrorCode(code: number): number {
  switch (code) {
    case ErrorCode.NONE:
      return ErrorCode.NONE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    default:
      return code;
  }
}
