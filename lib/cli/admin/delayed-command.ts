/**
 * `mq-admin delayed --describe [--topic T]`: what delayed delivery holds (mq's own; Kafka has no delayed delivery).
 * Two tables: pending records per target partition with the earliest due time, then per `__delayed_records`
 * partition its leader's state, progress and next due slots:
 *
 *   TOPIC  PARTITION PENDING EARLIEST-DUE
 *   orders 0         120     2026-01-01T10:00:00.000Z (in 12.3s)
 *
 *   DELAY-PARTITION LEADER-EPOCH STATE   PENDING DELIVERED DROPPED INVALID NEXT-DUE
 *   0               3            Running 120     4567      0       0       2026-01-01T10:00:00.000Z (in 12.3s) x120
 *
 * A delay partition whose leader is down or still starting is missing from the second table (a line says which).
 */
import { Command } from 'commander';
import { delayedTargets, type DelayPartitionState } from '../../client/admin/delayed-records.js';
import { DELAYED_TOPIC } from '../../record/delayed-record.js';
import { UsageError } from '../cli-errors.js';
import { withAdmin, withConnectionOptions, type ConnectionFlags } from './connection.js';
import { formatTable } from './table.js';

interface DelayedFlags extends ConnectionFlags {
  describe?: boolean;
  topic?: string;
}

/** A due time as ISO-8601 with how far off it is from `nowMs` ("in 12.3s", "1.5s ago"); '-' for none. */
export function formatDue(dueMs: number, nowMs: number): string {
  if (dueMs < 0) return '-';
  const seconds = (dueMs - nowMs) / 1000;
  const distance = seconds >= 0 ? `in ${seconds.toFixed(1)}s` : `${(-seconds).toFixed(1)}s ago`;
  return `${new Date(dueMs).toISOString()} (${distance})`;
}

/** The per-target table; targets of `topic` only when given. */
export function formatDelayedTargets(
  partitions: readonly DelayPartitionState[],
  topic: string | undefined,
  nowMs: number,
): string {
  const rows = delayedTargets(partitions)
    .filter((t) => topic === undefined || t.topic === topic)
    .map((t) => [t.topic, String(t.partition), String(t.pending), formatDue(t.earliestDueMs, nowMs)]);
  return formatTable(['TOPIC', 'PARTITION', 'PENDING', 'EARLIEST-DUE'], rows);
}

/** The per-delay-partition table. */
export function formatDelayPartitions(partitions: readonly DelayPartitionState[], nowMs: number): string {
  const rows = partitions.map((p) => {
    const next = p.nextDue
      .map((d) => (d.dueMs < 0 ? `overdue x${d.records}` : `${formatDue(d.dueMs, nowMs)} x${d.records}`))
      .join(', ');
    return [
      String(p.partitionIndex),
      String(p.leaderEpoch),
      p.state,
      String(p.pending),
      String(p.delivered),
      String(p.dropped),
      String(p.invalid),
      next === '' ? '-' : next,
    ];
  });
  return formatTable(
    ['DELAY-PARTITION', 'LEADER-EPOCH', 'STATE', 'PENDING', 'DELIVERED', 'DROPPED', 'INVALID', 'NEXT-DUE'],
    rows,
  );
}

export function delayedCommand(): Command {
  return withConnectionOptions(new Command('delayed'))
    .description(
      `Describe delayed delivery: records waiting in ${DELAYED_TOPIC} per target partition, and each delay ` +
        "partition's leader: its state, what it delivered and what falls due next.",
    )
    .option('--describe', 'describe pending delayed records (the only action)')
    .option('--topic <topic>', 'only target partitions of this topic in the first table')
    .action(async (flags: DelayedFlags) => {
      if (flags.describe !== true) throw new UsageError('delayed needs --describe.');
      await withAdmin(flags, async (admin) => {
        const [partitions, topics] = await Promise.all([
          admin.describeDelayedRecords(),
          admin.describeTopics([DELAYED_TOPIC]).catch(() => []),
        ]);
        const nowMs = Date.now();
        const total = partitions.reduce((sum, p) => sum + p.pending, 0);
        const count = topics[0]?.partitions.length ?? 0;
        const missing = count - partitions.length;
        process.stdout.write(
          `${total} delayed record(s) pending in ${partitions.length} partition(s) of ${DELAYED_TOPIC}` +
            (count === 0
              ? ` (the topic does not exist yet: nothing was ever sent with a delivery time).\n`
              : missing > 0
                ? `; ${missing} partition(s) have no live leader reporting.\n`
                : '.\n'),
        );
        process.stdout.write(`\n${formatDelayedTargets(partitions, flags.topic, nowMs)}`);
        process.stdout.write(`\n${formatDelayPartitions(partitions, nowMs)}`);
      });
    });
}
