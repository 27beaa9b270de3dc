/**
 * After healing, every replica of a partition must hold the same batches, byte for byte, below the high watermark
 * (followers copy the leader's bytes as they are, so any difference is divergence). Waits (60 s) for every replica to
 * be back in the ISR and to have caught up, then compares each replica's batches read from its broker's segment
 * files with the leader's; returns one line per partition that still differs (none: the replicas agree).
 * A segment file is read up to its zero-filled tail: a follower's truncation zero-fills the bytes it removes and
 * leaves them until the segment rolls or closes (lib/log/log-segment.ts), and no batch has a length of 0.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from '../../../lib/client/index.js';
import type { LocalCluster } from '../../../lib/cli/local-cluster.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import { batchSizeAt, LOG_OVERHEAD } from '../../../lib/record/record-batch.js';

/** The batches of `topic-partition` on broker `brokerId` whose last offset is below `below`, as hex. */
export function replicaBatchesBelow(
  cluster: LocalCluster,
  brokerId: number,
  topic: string,
  partition: number,
  below: number,
): string[] {
  const out: string[] = [];
  for (const f of segmentFiles(cluster, brokerId, topic, partition)) {
    for (const b of iterateBatches(writtenBytes(f))) {
      if (b.baseOffset + b.lastOffsetDelta < below) out.push(b.bytes.toString('hex'));
    }
  }
  return out;
}

/** offset → value of every record of `topic-partition` in broker `brokerId`'s segment files. */
export function replicaRecordsOf(
  cluster: LocalCluster,
  brokerId: number,
  topic: string,
  partition: number,
): Map<number, string> {
  const out = new Map<number, string>();
  for (const f of segmentFiles(cluster, brokerId, topic, partition)) {
    for (const b of iterateBatches(writtenBytes(f)))
      for (const r of b.records()) out.set(r.offset, r.value === null ? '' : r.value.toString());
  }
  return out;
}

/** The bytes of segment file `file` before its zero-filled tail, if it has one. */
function writtenBytes(file: string): Buffer {
  const bytes = readFileSync(file);
  for (let at = 0; at + LOG_OVERHEAD <= bytes.length;) {
    const size = batchSizeAt(bytes, at);
    if (size === LOG_OVERHEAD) return bytes.subarray(0, at);
    // A corrupt length is left for iterateBatches to report.
    if (size < LOG_OVERHEAD) break;
    at += size;
  }
  return bytes;
}

/** The `.log` files of `topic-partition` on broker `brokerId`, in offset order (none when it holds no replica). */
function segmentFiles(cluster: LocalCluster, brokerId: number, topic: string, partition: number): string[] {
  const dir = cluster
    .broker(brokerId)
    .logDirs.map((d) => join(d, `${topic}-${partition}`))
    .find((d) => existsSync(d));
  if (dir === undefined) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort()
    .map((n) => join(dir, n));
}

export async function compareReplicas(
  cluster: LocalCluster,
  admin: Admin,
  topic: string,
  partitions: number,
  timeoutMs = 60_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const differences = await differingPartitions(cluster, admin, topic, partitions);
    if (differences.length === 0 || Date.now() > deadline) return differences;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function differingPartitions(
  cluster: LocalCluster,
  admin: Admin,
  topic: string,
  partitions: number,
): Promise<string[]> {
  const [description] = await admin.describeTopics([topic]);
  const ends = await admin.listOffsets(
    Array.from({ length: partitions }, (_, partition) => ({ topic, partition, spec: 'latest' as const })),
  );
  const out: string[] = [];
  for (const p of description!.partitions) {
    const hw = ends.find((e) => e.partition === p.partition)!.offset;
    const outOfSync = p.replicas.filter((r) => !p.isr.includes(r));
    if (outOfSync.length > 0 || p.leader < 0) {
      out.push(`${topic}-${p.partition}: leader ${p.leader}, replicas ${p.replicas}, not in sync ${outOfSync}`);
      continue;
    }
    const leader = replicaBatchesBelow(cluster, p.leader, topic, p.partition, hw);
    for (const r of p.replicas) {
      const batches = replicaBatchesBelow(cluster, r, topic, p.partition, hw);
      const first = batches.findIndex((b, i) => b !== leader[i]);
      if (batches.length !== leader.length || first >= 0) {
        out.push(
          `${topic}-${p.partition}: below the high watermark ${hw}, broker ${r} has ${batches.length} batches and ` +
            `the leader ${p.leader} ${leader.length}; first difference at batch ${first >= 0 ? first : Math.min(batches.length, leader.length)}`,
        );
      }
    }
  }
  return out;
}
