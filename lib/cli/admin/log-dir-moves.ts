/**
 * The log-dir half of `reassign-partitions` (Kafka 2.8's replica moves, KIP-113), as pure functions: a reassignment
 * file's `"log_dirs"` (one entry per replica, "any" or an absolute path on that replica's broker) names, for each
 * replica whose entry is a path, a move into that log dir of its broker.
 *
 * - `parseLogDirs` checks one entry's list (as long as its replicas; "any" or absolute paths).
 * - `replicaLogDirMoves` lists the replica moves of a file; `logDirMoveBrokers` the brokers that copy (where
 *   --replica-alter-log-dirs-throttle is set).
 * - `logDirMoveStates` judges each move from DescribeLogDirs answers, and `logDirMoveStatusText` words them as
 *   Kafka's --verify does: completed, still in progress, moving elsewhere, not moving, or not found;
 *   `logDirMovesToCancel` turns the running ones back to their current dirs (--cancel).
 *
 * Replicas are named as Kafka's TopicPartitionReplica prints them: `topic-partition-broker`.
 */
import { isAbsolute } from 'node:path';
import type { BrokerLogDirs, ReplicaLogDirMove } from '../../client/admin/admin.js';
import { UsageError } from '../cli-errors.js';

/** The `log_dirs` value meaning "wherever the broker puts it". */
export const ANY_LOG_DIR = 'any';

/** A reassignment file entry's target: its replicas, and the log dir of each ("any", or an absolute path). */
export interface ReplicaTargets {
  topic: string;
  partition: number;
  replicas: readonly number[];
  /** Absent when the file has no "log_dirs" for the partition (all "any"). */
  logDirs?: readonly string[];
}

/** What --verify finds of one replica move (Kafka's LogDirMoveState). */
export type LogDirMoveState =
  | { state: 'completed' }
  | { state: 'active'; currentLogDir: string; futureLogDir: string }
  | { state: 'cancelled'; currentLogDir: string }
  | { state: 'missingReplica' }
  | { state: 'missingLogDir' };

/** Checks one entry's "log_dirs" (UsageError naming the problem); `where` locates the entry in the file. */
export function parseLogDirs(raw: unknown, replicas: readonly number[], where: string): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || !raw.every((d) => typeof d === 'string'))
    throw new UsageError(`${where}: "log_dirs" must be a list of "${ANY_LOG_DIR}" or absolute paths.`);
  if (raw.length !== replicas.length)
    throw new UsageError(
      `${where}: "log_dirs" has ${raw.length} entries for ${replicas.length} replicas; give one per replica ` +
        `("${ANY_LOG_DIR}" leaves the choice to the broker).`,
    );
  const relative = raw.find((d) => d !== ANY_LOG_DIR && !isAbsolute(d));
  if (relative !== undefined)
    throw new UsageError(`${where}: log dir "${relative}" is not an absolute path (or "${ANY_LOG_DIR}").`);
  return raw;
}

/** The replica moves a file asks for (entries whose log dir is not "any"), in file order. */
export function replicaLogDirMoves(targets: readonly ReplicaTargets[]): ReplicaLogDirMove[] {
  return targets.flatMap((t) =>
    (t.logDirs ?? [])
      .map((logDir, i) => ({ topic: t.topic, partition: t.partition, broker: t.replicas[i]!, logDir }))
      .filter((m) => m.logDir !== ANY_LOG_DIR),
  );
}

/** The brokers that move replicas between their log dirs, ascending. */
export function logDirMoveBrokers(moves: readonly ReplicaLogDirMove[]): number[] {
  return [...new Set(moves.map((m) => m.broker))].sort((a, b) => a - b);
}

/** Kafka's name of a replica: `topic-partition-broker`. */
export function replicaName(m: { topic: string; partition: number; broker: number }): string {
  return `${m.topic}-${m.partition}-${m.broker}`;
}

/** Each move's state from the log dirs of its broker (an unanswered broker: the replica is not found). */
export function logDirMoveStates(
  moves: readonly ReplicaLogDirMove[],
  brokers: readonly BrokerLogDirs[],
): Array<ReplicaLogDirMove & LogDirMoveState> {
  return moves.map((m) => {
    const dirs = brokers.find((b) => b.nodeId === m.broker)?.logDirs ?? [];
    const holding = (future: boolean) =>
      dirs.find((d) =>
        d.partitions.some((p) => p.topic === m.topic && p.partition === m.partition && p.isFuture === future),
      )?.logDir;
    const current = holding(false);
    const future = holding(true);
    if (current === undefined)
      return dirs.some((d) => d.error !== null) ? { ...m, state: 'missingLogDir' } : { ...m, state: 'missingReplica' };
    if (future !== undefined) return { ...m, state: 'active', currentLogDir: current, futureLogDir: future };
    if (current === m.logDir) return { ...m, state: 'completed' };
    return { ...m, state: 'cancelled', currentLogDir: current };
  });
}

/**
 * What --cancel asks of the brokers (Kafka's cancelAssignment): every replica still copying goes back to its
 * current log dir, which drops its future log.
 */
export function logDirMovesToCancel(states: ReadonlyArray<ReplicaLogDirMove & LogDirMoveState>): ReplicaLogDirMove[] {
  return states.flatMap((s) =>
    s.state === 'active' ? [{ topic: s.topic, partition: s.partition, broker: s.broker, logDir: s.currentLogDir }] : [],
  );
}

/** Whether any move still runs (an active move into its target or elsewhere). */
export function logDirMovesOngoing(states: ReadonlyArray<LogDirMoveState>): boolean {
  return states.some((s) => s.state === 'active');
}

/** Kafka's --verify lines for the replica moves, sorted by topic, partition and broker. */
export function logDirMoveStatusText(states: ReadonlyArray<ReplicaLogDirMove & LogDirMoveState>): string {
  const sorted = [...states].sort((a, b) =>
    a.topic !== b.topic ? (a.topic < b.topic ? -1 : 1) : a.partition - b.partition || a.broker - b.broker,
  );
  return sorted
    .map((s) => {
      const partition = `${s.topic}-${s.partition}`;
      switch (s.state) {
        case 'completed':
          return `Reassignment of replica ${replicaName(s)} completed successfully.\n`;
        case 'active':
          return s.futureLogDir === s.logDir
            ? `Reassignment of replica ${replicaName(s)} is still in progress.\n`
            : `Partition ${partition} on broker ${s.broker} is being moved to log dir ${s.futureLogDir} instead of ${s.logDir}.\n`;
        case 'cancelled':
          return `Partition ${partition} on broker ${s.broker} is not being moved from log dir ${s.currentLogDir} to ${s.logDir}.\n`;
        case 'missingReplica':
          return `Partition ${partition} cannot be found in any live log directory on broker ${s.broker}.\n`;
        case 'missingLogDir':
          return (
            `Partition ${partition} is not found in any live log dir on broker ${s.broker}. ` +
            'There is likely an offline log directory on the broker.\n'
          );
      }
    })
    .join('');
}
