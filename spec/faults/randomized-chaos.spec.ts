/**
 * The randomized chaos run: for MQ_CHAOS_DURATION_S seconds (600 by default, what `npm run chaos` runs), a fault
 * drawn at random every 5-15 s from the fault library (spec/helpers/faults/random-faults.ts: brokers cut off from
 * their peers, ZooKeeper, clients or everyone, SIGKILL, SIGSTOP, power loss, a slow and lossy link, a ZooKeeper
 * member stopped or cut off), each healed 30 s after it began, at most two at a time, while the checked workload
 * runs: an idempotent acks=all producer of keyed values (so that a fault on one partition holds back only its
 * share: see the Workload's `keys`) and two consumers of one group. Three brokers and a ZooKeeper ensemble of
 * three, each on a host of its own; a topic of three partitions, RF 3, min.insync.replicas 2, leaders spread.
 *
 * At the end every fault is healed, the cluster is let settle (a quorum, every replica back in the ISR, writes
 * acknowledged again), and the checker runs: no acknowledged write lost, no duplicate, no offset with two values,
 * no non-monotonic read or commit, replicas identical below the high watermark.
 *
 * The draw is seeded: the seed is printed and MQ_CHAOS_SEED replays the same choices (as far as the cluster's
 * timing repeats: which broker is controller or leader when a fault is drawn may differ). The timeline (values
 * acknowledged per second, produce latency p50/p99, every fault's span) is written as an SVG chart to
 * MQ_CHAOS_TIMELINE, by default `chaos-timeline.svg` in the working directory, also when the run fails. A run that
 * finds anomalies or does not settle copies the cluster's directory, the producer's events and its client's log to a directory it
 * names (mq-chaos-anomalies-* or mq-chaos-unsettled-* in the temporary directory) before failing.
 */
import { randomInt } from 'node:crypto';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { anomalyCount } from '../helpers/checker/anomalies.js';
import { Workload } from '../helpers/checker/workload.js';
import { expectNoAnomalies } from '../helpers/checker/verdict.js';
import { writeTimelineSvg, type FaultSpan } from '../helpers/checker/timeline.js';
import { FaultCluster } from '../helpers/fault-cluster.js';
import { pickFault, targetLabel, type ActiveFault, type ClusterView } from '../helpers/faults/random-faults.js';
import { prng } from '../helpers/prng.js';

const TOPIC = 'chaos';
const PARTITIONS = 3;
const BROKERS = [1, 2, 3];
const MEMBERS = [1, 2, 3];
const HEAL_AFTER_MS = 30_000;
const MAX_ACTIVE = 2;

function envInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`${name} must be a whole number ≥ 0, not "${raw}".`);
  return n;
}

const durationS = envInteger('MQ_CHAOS_DURATION_S', 600);
const seed = envInteger('MQ_CHAOS_SEED', randomInt(2 ** 31));
const timelinePath = resolve(process.env['MQ_CHAOS_TIMELINE'] || 'chaos-timeline.svg');

const log = (line: string) => process.stdout.write(`      ${line}\n`);

async function viewOf(cluster: FaultCluster): Promise<ClusterView> {
  const states = await Promise.all(
    Array.from({ length: PARTITIONS }, (_, partition) => cluster.state(TOPIC, partition)),
  );
  return {
    brokers: BROKERS,
    controller: await cluster.zk.getControllerId(),
    leaders: states.map((s) => s?.leader ?? -1),
    zooKeeperMembers: MEMBERS,
    allInSync: states.every((s) => s !== null && s.isr.length === BROKERS.length),
  };
}

/**
 * Copies what a failed run leaves for its diagnosis to a new directory (the cluster's own goes with the cleanup):
 * the cluster's directory (brokers' logs and data, ZooKeeper's), every event of the producer and its client's log
 * (at info). Returns its path.
 */
function keepEvidence(cluster: FaultCluster, workload: Workload, prefix: string): string {
  const kept = mkdtempSync(join(tmpdir(), prefix));
  cpSync(cluster.local.dir, join(kept, 'cluster'), { recursive: true });
  writeFileSync(join(kept, 'producer.events.jsonl'), workload.producer.events.map((e) => JSON.stringify(e)).join('\n'));
  writeFileSync(join(kept, 'producer.stderr.log'), workload.producer.stderr);
  return kept;
}

/**
 * Waits for a quorum, every replica back in its ISR and acknowledgements again. If the cluster does not settle, the
 * error says where each partition stands and where the evidence was kept.
 */
async function settle(cluster: FaultCluster, workload: Workload): Promise<void> {
  try {
    await cluster.local.zooKeeper!.awaitQuorum();
    const healedMs = Date.now();
    for (let p = 0; p < PARTITIONS; p++)
      await cluster.waitForState(TOPIC, p, (s) => s.isr.length === BROKERS.length, 'every replica in sync', 120_000);
    log(`every replica in sync ${((Date.now() - healedMs) / 1000).toFixed(1)} s after the last heal`);
    await workload.ackedMore(300, 'after every fault was healed', 120_000);
  } catch (e) {
    const kept = keepEvidence(cluster, workload, 'mq-chaos-unsettled-');
    const states = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => cluster.state(TOPIC, p)));
    const where = states.map((s, p) => `${TOPIC}-${p}: ${JSON.stringify(s)}`).join('; ');
    throw new Error(`${(e as Error).message}\n${where}\nevidence kept in ${kept}`, { cause: e });
  }
}

describe('Fault: randomized chaos', function () {
  this.timeout(durationS * 1000 + 10 * 60_000);

  it(`draws a fault every 5-15 s for ${durationS} s, heals each after 30 s, and loses nothing`, async () => {
    log(`seed ${seed} (replay: MQ_CHAOS_SEED=${seed}), ${durationS} s, timeline → ${timelinePath}`);
    const cluster = await FaultCluster.start({ brokers: 3, zkEnsemble: 3, durabilityJournal: true });
    await cluster.createTopic(
      TOPIC,
      Array.from({ length: PARTITIONS }, (_, p) => BROKERS.map((_, i) => BROKERS[(p + i) % BROKERS.length]!)),
      { 'min.insync.replicas': '2' },
    );
    const workload = new Workload({
      cluster: cluster.local,
      topic: TOPIC,
      partitions: PARTITIONS,
      consumers: 2,
      keys: 1000,
    });
    await workload.ackedMore(300, 'before the first fault');

    const random = prng(seed);
    const between = (lowMs: number, highMs: number) => lowMs + random() * (highMs - lowMs);
    const spans: FaultSpan[] = [];
    const active: (ActiveFault & { label: string; startMs: number; heal: () => Promise<void> })[] = [];
    const startMs = Date.now();
    let producerStoppedMs: number | undefined;
    const at = () => `+${((Date.now() - startMs) / 1000).toFixed(1)} s`;
    const heal = async (fault: (typeof active)[number]) => {
      await fault.heal();
      active.splice(active.indexOf(fault), 1);
      spans.push({ kind: fault.kind.name, target: fault.label, startMs: fault.startMs, healMs: Date.now() });
      log(`${at()} healed ${fault.kind.name}: ${fault.label}`);
    };
    try {
      const endMs = startMs + durationS * 1000;
      let dueMs = startMs + between(5000, 15_000);
      while (Date.now() < endMs) {
        for (const fault of active.filter((f) => Date.now() - f.startMs >= HEAL_AFTER_MS)) await heal(fault);
        if (Date.now() >= dueMs) {
          const view = await viewOf(cluster);
          const next = pickFault(random, view, active, MAX_ACTIVE);
          if (next !== undefined) {
            const label = targetLabel(next.target, view);
            const faultStartMs = Date.now();
            active.push({ ...next, label, startMs: faultStartMs, heal: await next.kind.inject(cluster, next.target) });
            log(`${at()} injected ${next.kind.name}: ${label}`);
            dueMs = Date.now() + between(5000, 15_000);
          }
        }
        await sleep(100);
      }
      while (active.length > 0) await heal(active[0]!);
      log(`${at()} every fault healed (${spans.length} in all); letting the cluster settle`);

      await settle(cluster, workload);
      expect(spans.length, 'faults injected').to.be.greaterThan(0);
      producerStoppedMs = Date.now();
      const verdict = await workload.check();
      log(`${at()} ${verdict.acked} values acknowledged, ${verdict.read} read, ${verdict.finalRecords} in the log`);
      const lines = workload.producer.stderr.split('\n');
      const count = (message: string) => lines.filter((line) => line.includes(` INFO ${message} `)).length;
      log(
        `the producer got ${count('got a producer id')} producer id(s), bumped its epoch ${count('bumped epoch')} ` +
          `time(s), failed ${verdict.failed} send(s)`,
      );
      if (anomalyCount(verdict.report) > 0)
        log(`anomalies: evidence kept in ${keepEvidence(cluster, workload, 'mq-chaos-anomalies-')}`);
      expectNoAnomalies(`randomized chaos: seed ${seed}, ${durationS} s, ${spans.length} faults`, verdict);
    } finally {
      const title = `mq chaos run: seed ${seed}, ${durationS} s, ${spans.length + active.length} faults`;
      // The chart ends when the producer stopped (or now, if the run failed before).
      const endMs = producerStoppedMs ?? Date.now();
      const unhealed = active.map((f) => ({ kind: f.kind.name, target: f.label, startMs: f.startMs, healMs: endMs }));
      await writeTimelineSvg(timelinePath, title, workload.ackSamples(), [...spans, ...unhealed], startMs, endMs);
      log(`timeline written to ${timelinePath}`);
    }
  });
});
