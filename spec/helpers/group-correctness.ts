/**
 * The consumer-group correctness run (issue: "6 partitions, 3 members, N keyed records, members restarted at random;
 * every record consumed at least once, and in order per key within each member's run").
 *
 * A producer (acks=all) writes `records` keyed records at a steady pace: key k<i mod keys>, value "<key>:<seq>" where
 * seq counts that key's records. Three member processes (spec/helpers/member-process.ts) read the topic as one group,
 * committing after every batch; meanwhile one member at a time is stopped at random, by SIGKILL or SIGTERM, and a new
 * process takes its place. Once the producer is done and the restarts stop, the run waits until the members together
 * have read every record, then checks:
 *   - every produced (key, seq) was read at least once, and every offset of every partition;
 *   - within each member process's run, each key's seqs were read in increasing order (a key lives in one partition,
 *     so this is per-partition order surviving rebalances and restarts).
 * Used by the integration suite at a reduced size and by `npm run soak` at full size.
 */
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import type { TestCluster } from './cluster-harness.js';
import { MemberProcess } from './member-process.js';
import { waitFor } from './wait-for.js';

export interface CorrectnessOptions {
  records: number;
  keys: number;
  /** How long the producer takes for all records (a steady pace; restarts happen meanwhile). */
  produceMs: number;
  /** Pause between two restarts, drawn uniformly from [min, max]. */
  restartEveryMs: [number, number];
  /** Progress lines (the soak prints them). */
  onProgress?: (line: string) => void;
}

export interface CorrectnessReport {
  records: number;
  reads: number;
  duplicates: number;
  kills: number;
  terms: number;
  durationMs: number;
}

const TOPIC = 'group-correctness';
const PARTITIONS = 6;
const MEMBERS = 3;

export async function runGroupCorrectness(cluster: TestCluster, opts: CorrectnessOptions): Promise<CorrectnessReport> {
  const started = Date.now();
  const progress = opts.onProgress ?? (() => undefined);
  const admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
  const producer = new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all', 'linger.ms': 5 });
  const incarnations: MemberProcess[] = [];
  let producing = true;
  let production: Promise<void> | undefined;
  const slots: MemberProcess[] = [];
  let next = 0;
  const spawnMember = (slot: number) => {
    const m = new MemberProcess(`m${slot}#${next++}`, {
      topic: TOPIC,
      consumer: {
        'bootstrap.servers': cluster.bootstrapServers,
        'group.id': 'correctness',
        'client.id': `member-${slot}`,
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 3000,
        'heartbeat.interval.ms': 300,
      },
    });
    incarnations.push(m);
    slots[slot] = m;
  };
  try {
    await admin.connect();
    await admin.createTopics([
      { name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    await producer.connect();
    for (let slot = 0; slot < MEMBERS; slot++) spawnMember(slot);

    const chunk = Math.max(1, Math.ceil(opts.records / (opts.produceMs / 100)));
    production = (async () => {
      for (let i = 0; i < opts.records && producing; i += chunk) {
        const n = Math.min(chunk, opts.records - i);
        await producer.sendBatch(
          Array.from({ length: n }, (_, j) => {
            const index = i + j;
            const key = `k${index % opts.keys}`;
            return { topic: TOPIC, key, value: `${key}:${Math.floor(index / opts.keys)}` };
          }),
        );
        if ((i / chunk) % 50 === 0) progress(`produced ${i + n} of ${opts.records}`);
        await sleep(100);
      }
      producing = false;
    })();

    let kills = 0;
    let terms = 0;
    while (producing) {
      const [min, max] = opts.restartEveryMs;
      await sleep(min + Math.random() * (max - min));
      if (!producing) break;
      const slot = Math.floor(Math.random() * MEMBERS);
      const victim = slots[slot]!;
      if (Math.random() < 0.5) {
        kills++;
        await victim.kill();
      } else {
        terms++;
        expect(await victim.stop(), `${victim.name} exit code after SIGTERM; stderr: ${victim.errors}`).to.equal(0);
      }
      spawnMember(slot);
      progress(`restarted member ${slot} (${kills} SIGKILL, ${terms} SIGTERM)`);
    }
    await production;

    const ends = (
      await admin.listOffsets(
        Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition, spec: 'latest' as const })),
      )
    ).map((e) => e.offset);
    const unread = () => {
      const read = new Set(incarnations.flatMap((m) => m.records.map((r) => `${r.partition}:${r.offset}`)));
      let missing = 0;
      ends.forEach((end, p) => {
        for (let o = 0; o < end; o++) if (!read.has(`${p}:${o}`)) missing++;
      });
      return missing;
    };
    expect(
      ends.reduce((a, b) => a + b, 0),
      'records in the topic',
    ).to.equal(opts.records);
    await waitFor(() => unread() === 0, 'the members to read every record', { timeoutMs: 120_000 }).catch(
      (e: Error) => {
        throw new Error(`${e.message} (${unread()} unread)`);
      },
    );

    const seen = new Set<string>();
    let reads = 0;
    for (const m of incarnations) {
      const lastSeq = new Map<string, number>();
      for (const r of m.records) {
        reads++;
        seen.add(r.value);
        const seq = Number(r.value.slice(r.value.indexOf(':') + 1));
        const before = lastSeq.get(r.key) ?? -1;
        expect(
          seq,
          `${m.name}: key ${r.key} read out of order (seq ${seq} after ${before}, offset ${r.offset})`,
        ).to.be.greaterThan(before);
        lastSeq.set(r.key, seq);
      }
      expect(m.errors, `${m.name} stderr`).to.equal('');
    }
    expect(seen.size, 'distinct records read').to.equal(opts.records);
    return {
      records: opts.records,
      reads,
      duplicates: reads - opts.records,
      kills,
      terms,
      durationMs: Date.now() - started,
    };
  } finally {
    producing = false;
    await production?.catch(() => undefined);
    await Promise.all(incarnations.map((m) => m.kill()));
    await producer.close();
    await admin.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
