/**
 * Resetting a consumer group's committed offsets, as kafka-consumer-groups computes it: a `ResetSpec` (to the
 * earliest or latest offset, to the current commit, to an offset, shifted by n, to the first offset at or after a
 * timestamp) turns into one target offset per partition. `planReset` is the pure rule; `planGroupReset` gathers
 * what it needs from the cluster (the group's commits, each partition's earliest and latest offsets, the offsets of
 * a timestamp) and changes nothing. Carrying a plan out is `Admin.alterConsumerGroupOffsets`, which the group's
 * coordinator refuses while the group has active members. Shared by `mq-admin groups --reset-offsets` and the web
 * console, so that both show and apply the same plan.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { CommittedOffset } from '../consumer/group-offsets.js';
import type { TopicPartitionRef } from '../consumer/subscription-state.js';
import type { Admin, AdminCallOptions, ListedOffset } from './admin.js';
import type { ResetSpec } from './reset-spec.js';

/** Where one partition stands, for planning its reset. */
export interface PartitionOffsets extends TopicPartitionRef {
  committed: number | null;
  earliest: number;
  latest: number;
  /** The first offset at or after the spec's timestamp (-1 when none); only for a timestamp spec. */
  atTimestamp?: number;
}

/** One partition of a plan: the group's commit now (null: none) and the offset the reset moves it to. */
export interface PlannedReset extends TopicPartitionRef {
  current: number | null;
  offset: number;
}

/**
 * The offset each partition is reset to, as Kafka computes it: explicit and shifted offsets are clamped into
 * [earliest, latest]; a timestamp past the last record resets to the end; --to-current without a commit resets
 * to the end; --shift-by without a commit is an error naming the partition.
 */
export function planReset(
  spec: ResetSpec,
  partitions: readonly PartitionOffsets[],
): Array<TopicPartitionRef & { offset: number }> {
  const clamp = (p: PartitionOffsets, o: number) => Math.min(Math.max(o, p.earliest), p.latest);
  return partitions.map((p) => {
    let offset: number;
    switch (spec.kind) {
      case 'earliest':
        offset = p.earliest;
        break;
      case 'latest':
        offset = p.latest;
        break;
      case 'current':
        offset = p.committed ?? p.latest;
        break;
      case 'offset':
        offset = clamp(p, spec.offset);
        break;
      case 'shift':
        if (p.committed === null) {
          throw new InvalidArgumentError(
            `Cannot shift the offset of ${p.topic}-${p.partition}: the group has no committed offset for it.`,
          );
        }
        offset = clamp(p, p.committed + spec.by);
        break;
      case 'timestamp':
        offset = p.atTimestamp === undefined || p.atTimestamp < 0 ? p.latest : p.atTimestamp;
        break;
    }
    return { topic: p.topic, partition: p.partition, offset };
  });
}

/** The partitions a group has committed offsets for, sorted by topic then partition. */
export function committedPartitions(committed: readonly CommittedOffset[]): TopicPartitionRef[] {
  return committed
    .filter((c) => c.offset >= 0)
    .map((c) => ({ topic: c.topic, partition: c.partition }))
    .sort(byTopicPartition);
}

export function byTopicPartition(a: TopicPartitionRef, b: TopicPartitionRef): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/**
 * The reset plan of one group over `scope` (its partitions, or 'committed': every partition it has a commit for),
 * read from the cluster; nothing is changed. Rejects as `planReset` does.
 */
export async function planGroupReset(
  admin: Admin,
  groupId: string,
  spec: ResetSpec,
  scope: readonly TopicPartitionRef[] | 'committed',
  options: AdminCallOptions = {},
): Promise<PlannedReset[]> {
  const committed = await admin.listConsumerGroupOffsets(groupId, undefined, options);
  const partitions = scope === 'committed' ? committedPartitions(committed) : scope;
  if (partitions.length === 0) return [];
  const [earliest, latest, atTime] = await Promise.all([
    admin.listOffsets(
      partitions.map((p) => ({ ...p, spec: 'earliest' as const })),
      options,
    ),
    admin.listOffsets(
      partitions.map((p) => ({ ...p, spec: 'latest' as const })),
      options,
    ),
    spec.kind === 'timestamp'
      ? admin.listOffsets(
          partitions.map((p) => ({ ...p, spec: spec.timestampMs })),
          options,
        )
      : Promise.resolve(null),
  ]);
  const commits = new Map(committed.filter((c) => c.offset >= 0).map((c) => [`${c.topic}-${c.partition}`, c.offset]));
  const at = (list: readonly ListedOffset[], i: number) => list[i]!.offset;
  const current = partitions.map((p) => commits.get(`${p.topic}-${p.partition}`) ?? null);
  return planReset(
    spec,
    partitions.map((p, i) => ({
      ...p,
      committed: current[i]!,
      earliest: at(earliest, i),
      latest: at(latest, i),
      atTimestamp: atTime === null ? undefined : at(atTime, i),
    })),
  ).map((p, i) => ({ ...p, current: current[i]! }));
}
