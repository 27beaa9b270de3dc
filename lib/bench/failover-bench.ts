/**
 * Failover time as a producer sees it (docs/BENCHMARKS.md, Targets: "a leader killed with kill -9 ... acks=all
 * producers resume within 8 s"): on a 3-broker cluster, a topic with RF 3 and min.insync.replicas 2 receives a steady
 * stream of acks=all sends; the partition leader is SIGKILLed; the figure is the time from the kill to the first
 * acknowledgement of a record sent after it. Between rounds the broker is restarted and the ISR is full again.
 *
 * The cluster is injected (`FailoverCluster`, implemented by LocalCluster in mq-bench) so this module stays below
 * the CLI. Data safety under the same kills is the failover spec's business (spec/integration/failover.spec.ts).
 */
import { Admin, Producer } from '../client/index.js';

export interface FailoverCluster {
  readonly bootstrapServers: string;
  killBroker(id: number): Promise<void>;
  startBroker(id: number): Promise<unknown>;
}

export interface FailoverBenchOptions {
  cluster: FailoverCluster;
  rounds: number;
  /** Called with each round's result, for progress lines. */
  onRound?: (round: FailoverRound) => void;
}

export interface FailoverRound {
  round: number;
  killedBrokerId: number;
  /** Kill → first acknowledgement of a record sent after the kill. */
  recoveryMs: number;
}

const TOPIC = 'failover-bench';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFailoverBench(opts: FailoverBenchOptions): Promise<FailoverRound[]> {
  const admin = new Admin({ 'bootstrap.servers': opts.cluster.bootstrapServers });
  const producer = new Producer({
    'bootstrap.servers': opts.cluster.bootstrapServers,
    acks: 'all',
    'linger.ms': 0,
    'request.timeout.ms': 3000,
    'retry.backoff.ms': 20,
    'metadata.max.age.ms': 60_000,
    'delivery.timeout.ms': 120_000,
  });
  await admin.connect();
  await producer.connect();
  const rounds: FailoverRound[] = [];
  try {
    await admin.createTopics([
      { name: TOPIC, numPartitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    const state = async () => (await admin.describeTopics([TOPIC]))[0]!.partitions[0]!;
    const untilFullIsr = async () => {
      while ((await state()).isr.length < 3) await sleep(100);
    };
    for (let round = 1; round <= opts.rounds; round++) {
      await untilFullIsr();
      const leader = (await state()).leader;
      // Steady traffic: a send every few ms, each timestamped when it is issued.
      let killedAt = Infinity;
      let recoveredAt = Infinity;
      let sending = true;
      const traffic = (async () => {
        const inFlight = new Set<Promise<void>>();
        while (sending) {
          const issuedAt = performance.now();
          const p = producer
            .send({ topic: TOPIC, partition: 0, value: `r${round}` })
            .then(() => {
              if (issuedAt > killedAt && recoveredAt === Infinity) recoveredAt = performance.now();
            })
            .finally(() => inFlight.delete(p));
          inFlight.add(p);
          await sleep(2);
        }
        await Promise.all(inFlight);
      })();
      await sleep(500);
      killedAt = performance.now();
      await opts.cluster.killBroker(leader);
      while (recoveredAt === Infinity) await sleep(10);
      sending = false;
      await traffic;
      const result = { round, killedBrokerId: leader, recoveryMs: Math.round(recoveredAt - killedAt) };
      rounds.push(result);
      opts.onRound?.(result);
      await opts.cluster.startBroker(leader);
    }
  } finally {
    await producer.close();
    await admin.close();
  }
  return rounds;
}
