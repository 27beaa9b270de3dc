/**
 * Rebalance time of a consumer group (issue 6: "rebalance time for a group of 10 members after one leaves"): a
 * group of `members` consumers (in this process) reads a topic of `partitions` partitions while a producer writes
 * one record to every partition every 5 ms. Each round, once the group is stable (every partition assigned exactly
 * once), the oldest member closes (it commits and sends LeaveGroup), and the round measures from the start of
 * close():
 *   - reassignedMs: until the remaining members' assignments cover every partition exactly once again;
 *   - resumedMs: until a record was delivered on every partition the leaver had owned;
 *   - unmovedStallMs: the longest pause in deliveries, during the rebalance, on partitions the leaver did NOT own
 *     (eager: everyone revokes, so it is about the rebalance time; cooperative: they keep flowing).
 * Then a new member joins to restore the group size (not measured) and the next round begins.
 *
 * The others learn of a rebalance from their next heartbeat (heartbeat.interval.ms), which with Kafka's default of
 * 3 s dominates the figure; the bench takes the interval as a parameter to show it.
 * The caller provides the cluster (mq-bench starts a LocalCluster), so this module stays below the CLI.
 */
import { TimeoutError } from '../common/errors.js';
import { Admin, Consumer, Producer, type TopicPartitionRef } from '../client/index.js';

export interface RebalanceBenchOptions {
  bootstrapServers: string;
  members: number;
  partitions: number;
  rounds: number;
  /** partition.assignment.strategy. */
  strategy: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  onProgress?: (line: string) => void;
  onRound?: (round: RebalanceRound) => void;
}

export interface RebalanceRound {
  round: number;
  reassignedMs: number;
  resumedMs: number;
  unmovedStallMs: number;
}

const TOPIC = 'rebalance-bench';
const PRODUCE_EVERY_MS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const key = (tp: TopicPartitionRef) => tp.partition;

export async function runRebalanceBench(opts: RebalanceBenchOptions): Promise<RebalanceRound[]> {
  const progress = opts.onProgress ?? (() => undefined);
  const admin = new Admin({ 'bootstrap.servers': opts.bootstrapServers });
  const producer = new Producer({ 'bootstrap.servers': opts.bootstrapServers, acks: 1, 'linger.ms': 0 });
  /** Per partition, the times records were delivered to any member. */
  const deliveries: number[][] = Array.from({ length: opts.partitions }, () => []);
  const group: { consumer: Consumer; reading: Promise<void>; leaving: boolean }[] = [];
  let producing = true;
  let production: Promise<void> | undefined;

  const join = async () => {
    const consumer = new Consumer({
      'bootstrap.servers': opts.bootstrapServers,
      'group.id': 'rebalance-bench',
      'auto.offset.reset': 'latest',
      'partition.assignment.strategy': opts.strategy,
      'session.timeout.ms': opts.sessionTimeoutMs,
      'heartbeat.interval.ms': opts.heartbeatIntervalMs,
    });
    await consumer.connect();
    consumer.subscribe([TOPIC]);
    const member = { consumer, reading: Promise.resolve(), leaving: false };
    // What a member still reads while it closes does not count: the figures are about the members that stay.
    member.reading = consumer.run({
      eachBatch: ({ batch }) => {
        if (!member.leaving) deliveries[batch.partition]!.push(performance.now());
      },
    });
    group.push(member);
  };
  /** True when the members' assignments cover every partition exactly once. */
  const stable = () => {
    const owned = group.flatMap((m) => m.consumer.assignment().map(key));
    return owned.length === opts.partitions && new Set(owned).size === opts.partitions;
  };
  /** Stable, and (when there are enough partitions) every member owns some: no rebalance is still under way. */
  const settled = () =>
    stable() && (opts.partitions < group.length || group.every((m) => m.consumer.assignment().length > 0));
  const until = async (done: () => boolean, what: string) => {
    const deadline = performance.now() + 120_000;
    while (!done()) {
      if (performance.now() > deadline)
        throw new TimeoutError(`The group did not become stable within 120 s (${what}).`);
      await sleep(2);
    }
  };

  try {
    await admin.connect();
    await admin.createTopics([{ name: TOPIC, numPartitions: opts.partitions, replicationFactor: 3 }]);
    await producer.connect();
    production = (async () => {
      while (producing) {
        await producer.sendBatch(
          Array.from({ length: opts.partitions }, (_, partition) => ({ topic: TOPIC, partition, value: 'x' })),
        );
        await sleep(PRODUCE_EVERY_MS);
      }
    })();
    progress(`starting ${opts.members} members (${opts.strategy}, heartbeat.interval.ms=${opts.heartbeatIntervalMs})`);
    await Promise.all(Array.from({ length: opts.members }, () => join()));
    await until(settled, 'initial join');
    const rounds: RebalanceRound[] = [];
    for (let round = 1; round <= opts.rounds; round++) {
      await sleep(1000);
      const leaver = group.shift()!;
      const moved = new Set(leaver.consumer.assignment().map(key));
      const t0 = performance.now();
      leaver.leaving = true;
      await leaver.consumer.close();
      await leaver.reading;
      await until(stable, `round ${round}`);
      const reassignedAt = performance.now();
      const firstAfter = (p: number) => deliveries[p]!.find((t) => t > t0);
      while ([...moved].some((p) => firstAfter(p) === undefined)) await sleep(2);
      const resumedAt = Math.max(...[...moved].map((p) => firstAfter(p)!));
      await sleep(200);
      let unmovedStallMs = 0;
      for (let p = 0; p < opts.partitions; p++) {
        if (moved.has(p)) continue;
        const times = deliveries[p]!.filter((t) => t > t0 - 1000 && t < Math.max(reassignedAt, resumedAt) + 200);
        for (let i = 1; i < times.length; i++) unmovedStallMs = Math.max(unmovedStallMs, times[i]! - times[i - 1]!);
      }
      const result = {
        round,
        reassignedMs: Math.round(reassignedAt - t0),
        resumedMs: Math.round(resumedAt - t0),
        unmovedStallMs: Math.round(unmovedStallMs),
      };
      rounds.push(result);
      opts.onRound?.(result);
      for (const d of deliveries) d.splice(0, d.length - 1);
      await join();
      await until(settled, `rejoin after round ${round}`);
    }
    return rounds;
  } finally {
    producing = false;
    await production?.catch(() => undefined);
    for (const m of group) m.consumer.stop();
    await Promise.all(
      group.map(async (m) => {
        await m.reading.catch(() => undefined);
        await m.consumer.close();
      }),
    );
    await producer.close();
    await admin.close();
  }
}
