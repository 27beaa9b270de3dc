/**
 * Data-loss checking for failure specs (docs/DESIGN-NOTES.md, Testing for loss: record what was acknowledged, then
 * check the logs).
 *
 * - `ContinuousProducer` sends numbered values (`v<n>`) round-robin over a topic's partitions, a few at a time
 *   (optionally pausing between rounds, to bound its rate), and records for every acknowledged record its partition,
 *   offset and time, and every failure with its cause.
 * - `replicaRecords` reads a partition's records straight from a broker's segment files (offset → value), and
 *   `replicaBatches` its batches (hex of their bytes), for byte-for-byte comparisons between replicas.
 * - `expectNoAckedLoss` waits until every replica of each partition holds the same batches up to the shortest
 *   log (no divergence), then checks that each acknowledged value sits at its acknowledged offset on every
 *   replica. Values acknowledged once may appear again at other offsets (retries without idempotence): that is
 *   duplication, allowed; a missing or different value at an acknowledged offset is loss.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Producer } from '../../lib/client/index.js';
import { iterateBatches } from '../../lib/record/record-batch-reader.js';
import type { TestCluster } from './cluster-harness.js';
import { waitFor } from './wait-for.js';

export interface Acked {
  partition: number;
  offset: number;
}

/** An acknowledgement as ContinuousProducer records it: where, and when it arrived (Date.now()). */
export interface TimedAck extends Acked {
  atMs: number;
}

export class ContinuousProducer {
  readonly acked = new Map<string, TimedAck>();
  readonly failures: Error[] = [];
  private next = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly inFlight = 20,
    /** Pause after each round of `inFlight` sends, in ms (0: none). */
    private readonly pauseMs = 0,
  ) {}

  get sent(): number {
    return this.next;
  }

  start(): this {
    this.loop = this.run();
    return this;
  }

  /** Stops sending and waits for every send in flight to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Resolves once `n` more records than now have been acknowledged. */
  async ackedMore(n: number, what: string, timeoutMs = 30_000): Promise<void> {
    const target = this.acked.size + n;
    await waitFor(() => this.acked.size >= target, `${n} more acknowledged records (${what})`, { timeoutMs });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const sends = Array.from({ length: this.inFlight }, () => {
        const n = this.next++;
        const value = `v${n}`;
        return this.producer
          .send({ topic: this.topic, partition: n % this.partitions, value })
          .then((m) => {
            this.acked.set(value, { partition: m.partition, offset: m.offset, atMs: Date.now() });
          })
          .catch((e: unknown) => {
            this.failures.push(e instanceof Error ? e : new Error(String(e)));
          });
      });
      const failedBefore = this.failures.length;
      await Promise.all(sends);
      // A round that failed outright (a closed producer rejects at once) waits a little: without it the loop would
      // run on microtasks alone, starve every timer and fill `failures` until the process runs out of memory.
      const pause = this.failures.length - failedBefore === this.inFlight ? Math.max(10, this.pauseMs) : this.pauseMs;
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** offset → value of a partition's records as stored in one broker's segment files. */
export function replicaRecords(
  cluster: TestCluster,
  brokerId: number,
  topic: string,
  partition: number,
): Map<number, string> {
  const dir = join(cluster.local.broker(brokerId).dir, 'logs', `${topic}-${partition}`);
  const out = new Map<number, string>();
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort()) {
    for (const batch of iterateBatches(readFileSync(join(dir, f)))) {
      for (const r of batch.records()) out.set(r.offset, r.value === null ? '' : r.value.toString());
    }
  }
  return out;
}

/** The batches of a partition's segments on one broker, each as hex of its whole bytes, in log order. */
export function replicaBatches(cluster: TestCluster, brokerId: number, topic: string, partition: number): string[] {
  const dir = join(cluster.local.broker(brokerId).dir, 'logs', `${topic}-${partition}`);
  const out: string[] = [];
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort()) {
    for (const b of iterateBatches(readFileSync(join(dir, f)))) out.push(b.bytes.toString('hex'));
  }
  return out;
}

/**
 * See the header. `replicas` are the broker ids holding the topic's partitions: one list for every partition (all
 * brokers for RF = brokers), or a function giving each partition's list.
 */
export async function expectNoAckedLoss(
  cluster: TestCluster,
  topic: string,
  partitions: number,
  replicas: readonly number[] | ((partition: number) => readonly number[]),
  acked: ReadonlyMap<string, Acked>,
): Promise<void> {
  const replicasOf = typeof replicas === 'function' ? replicas : () => replicas;
  for (let p = 0; p < partitions; p++) {
    // Replicas converge once followers catch up: identical batch lists, byte for byte.
    await waitFor(
      () => {
        const lists = replicasOf(p).map((b) => replicaBatches(cluster, b, topic, p));
        return lists.every((l) => l.length === lists[0]!.length && l.every((x, i) => x === lists[0]![i]));
      },
      `the replicas of ${topic}-${p} to hold identical batches`,
      { timeoutMs: 60_000 },
    );
  }
  const missing: string[] = [];
  const stored = Array.from({ length: partitions }, (_, p) =>
    replicasOf(p).map((b) => ({ broker: b, records: replicaRecords(cluster, b, topic, p) })),
  );
  for (const [value, { partition, offset }] of acked) {
    for (const { broker: b, records } of stored[partition]!) {
      const found = records.get(offset);
      if (found !== value)
        missing.push(
          `broker ${b}: ${value} acknowledged at ${topic}-${partition}@${offset}, found ${found ?? 'nothing'}`,
        );
    }
  }
  expect(missing.slice(0, 20), `${missing.length} acknowledged records lost`).to.deep.equal([]);
}
