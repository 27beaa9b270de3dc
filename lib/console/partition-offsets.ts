/**
 * Offsets of many partitions (ListOffsets by spec: earliest, latest, or a timestamp) asked leader by leader, so
 * that a leader that does not answer costs only its own partitions: they are left out of the answer and named in
 * `problems`, while the rest arrive on time. Partitions whose leader is missing or not online are not asked.
 */
import type { Admin, OffsetSpec } from '../client/admin/admin.js';
import { tpKey } from './group-lag.js';

export interface LedPartition {
  topic: string;
  partition: number;
  leader: number;
}

export interface LeaderOffsets {
  /** Offset by `tpKey`. */
  offsets: Map<string, number>;
  problems: string[];
}

export async function offsetsByLeader(
  admin: Admin,
  partitions: readonly LedPartition[],
  spec: OffsetSpec,
  options: { online: (brokerId: number) => boolean; timeoutMs: number; readCommitted?: boolean },
): Promise<LeaderOffsets> {
  const byLeader = new Map<number, Array<{ topic: string; partition: number; spec: OffsetSpec }>>();
  for (const p of partitions) {
    if (p.leader < 0 || !options.online(p.leader)) continue;
    const list = byLeader.get(p.leader) ?? [];
    list.push({ topic: p.topic, partition: p.partition, spec });
    byLeader.set(p.leader, list);
  }
  const offsets = new Map<string, number>();
  const problems: string[] = [];
  await Promise.all(
    [...byLeader].map(async ([leader, queries]) => {
      try {
        const listed = await admin.listOffsets(queries, {
          timeoutMs: options.timeoutMs,
          isolationLevel: options.readCommitted === true ? 'read_committed' : 'read_uncommitted',
        });
        for (const o of listed) offsets.set(tpKey(o.topic, o.partition), o.offset);
      } catch (e) {
        problems.push(`Offsets of the partitions broker ${leader} leads: ${(e as Error).message}`);
      }
    }),
  );
  return { offsets, problems };
}
