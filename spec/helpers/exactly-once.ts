/**
 * The exactly-once run (issue 13, after Kafka's transactions_test in group mode): `records` seeded input records over
 * 3 partitions; 3 transactional copier processes in one group copy them to an output topic, one transaction per
 * record batch (at most `recordsPerTransaction`), offsets sent in the transaction; while they run, one copier is
 * SIGKILLed mid-transaction and restarted, then the leader of an output partition is SIGKILLed and restarted, the
 * copier again, then the transaction coordinator of a copier's transactional id — that round of four faults (or the
 * `faults` given) `rounds` times, spread over the run. Afterwards every copier must have finished and:
 *  - read_committed, each output partition holds exactly the copies of its input partition, in input order: no
 *    record of an aborted transaction, no part of one, nothing lost, nothing twice;
 *  - read_uncommitted sees more (the aborted transactions' records), which shows the check can fail.
 * Input and output topics: replication factor 3, min.insync.replicas 2. `useExactlyOnceCluster()` registers the mocha
 * hooks that start the run's three brokers (no initial rebalance delay, timed-out transactions looked for every
 * second) before the suite and stop them after it.
 */
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { TestCluster } from './cluster-harness.js';
import { CopierProcess } from './copier-process.js';
import { transformed, type CopierConfig } from './copier-config.js';
import { readToEnd } from './read-to-end.js';
import { waitFor } from './wait-for.js';

/**
 * One fault of a round: SIGKILL copier 0 mid-transaction (and start it again), or a broker — the leader of output
 * partition 0, or the transaction coordinator of copier 1's transactional id — then restart it.
 */
export type ExactlyOnceFault = 'copier' | 'output-leader' | 'coordinator';

/** The round: each kind of process killed twice (the copier, and a broker: a leader, then a coordinator). */
export const FULL_ROUND: readonly ExactlyOnceFault[] = ['copier', 'output-leader', 'copier', 'coordinator'];

export interface ExactlyOnceOptions {
  records: number;
  recordsPerTransaction: number;
  /** Pause inside each transaction before its commit, so that kills find transactions open. */
  pauseBeforeCommitMs: number;
  /** The faults of one round, in order. @default FULL_ROUND */
  faults?: readonly ExactlyOnceFault[];
  /** How many times the round of faults is injected, spread over the run. @default 1 */
  rounds?: number;
  onProgress?: (line: string) => void;
}

export interface ExactlyOnceReport {
  committedTransactions: number;
  abortedTransactions: number;
  outputCommitted: number;
  outputUncommitted: number;
  faults: string[];
  durationMs: number;
}

const PARTITIONS = 3;

/** Call inside a describe(): the cluster is set once its before-all hook ran. */
export function useExactlyOnceCluster(): { readonly cluster: TestCluster } {
  const env = {} as { cluster: TestCluster };
  before(async () => {
    env.cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: {
        'group.initial.rebalance.delay.ms': 0,
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': 1000,
      },
    });
  });
  after(async () => {
    await env.cluster?.stop();
  });
  return env;
}

export async function runExactlyOnce(cluster: TestCluster, opts: ExactlyOnceOptions): Promise<ExactlyOnceReport> {
  const started = Date.now();
  const progress = opts.onProgress ?? (() => undefined);
  const run = `eos-${Date.now()}`;
  const input = `${run}-in`;
  const output = `${run}-out`;
  const admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
  await admin.connect();
  const copiers: CopierProcess[] = [];
  try {
    for (const name of [input, output]) {
      await admin.createTopics([
        { name, numPartitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
      ]);
    }
    const inputValues = await seed(cluster, input, opts.records);
    progress(`seeded ${opts.records} records`);
    const configFor = (i: number): CopierConfig => ({
      bootstrapServers: cluster.bootstrapServers,
      groupId: `${run}-copiers`,
      transactionalId: `${run}-copier-${i}`,
      input,
      output,
      inputEnds: inputValues.map((v) => v.length),
      recordsPerTransaction: opts.recordsPerTransaction,
      pauseBeforeCommitMs: opts.pauseBeforeCommitMs,
      transactionTimeoutMs: 20_000,
    });
    for (let i = 0; i < 3; i++) copiers.push(new CopierProcess(`copier-${i}`, configFor(i)));
    const totalTransactions = Math.ceil(opts.records / opts.recordsPerTransaction);
    // Transactions of copier processes already killed and replaced.
    const retired = { committed: 0, aborted: 0 };
    const committed = () => copiers.reduce((n, c) => n + c.committed, retired.committed);
    const faults: string[] = [];
    const atProgress = async (fraction: number) =>
      waitFor(
        () => committed() >= fraction * totalTransactions || copiers.every((c) => c.done),
        `${Math.round(fraction * 100)}% of the transactions committed`,
        { timeoutMs: 120_000 },
      );

    const killCopier = async (i: number) => {
      await waitFor(() => copiers[i]!.inTransaction, `copier ${i} in a transaction`, { timeoutMs: 60_000 });
      await copiers[i]!.kill();
      faults.push(`SIGKILL copier ${i} mid-transaction`);
      progress(`killed copier ${i} (committed so far: ${committed()})`);
      retired.committed += copiers[i]!.committed;
      retired.aborted += copiers[i]!.aborted;
      copiers[i] = new CopierProcess(`copier-${i}`, configFor(i));
    };
    const killBroker = async (id: number, role: string) => {
      await cluster.local.killBroker(id);
      faults.push(`SIGKILL broker ${id} (${role})`);
      progress(`killed broker ${id}, ${role} (committed so far: ${committed()})`);
      await cluster.local.startBroker(id);
    };

    const rounds = opts.rounds ?? 1;
    const round = opts.faults ?? FULL_ROUND;
    for (let r = 0; r < rounds; r++) {
      for (const [i, fault] of round.entries()) {
        // Spread the round's faults evenly between 10% and 70% of the round's share of the transactions.
        await atProgress((r + 0.1 + (0.6 * i) / Math.max(1, round.length - 1)) / rounds);
        if (fault === 'copier') {
          await killCopier(0);
        } else if (fault === 'output-leader') {
          const [outputTopic] = await admin.describeTopics([output]);
          await killBroker(outputTopic!.partitions[0]!.leader, `leader of ${output}-0`);
        } else {
          const [txn] = await admin.describeTransactions([configFor(1).transactionalId]);
          await killBroker(txn!.coordinatorId, `transaction coordinator of ${configFor(1).transactionalId}`);
        }
      }
    }

    const codes = await Promise.all(copiers.map((c) => c.exited));
    for (const [i, code] of codes.entries())
      expect(code, `copier ${i} exit code; stderr: ${copiers[i]!.errors}`).to.equal(0);
    progress('every copier finished');

    const outputPartitions = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: output, partition }));
    const committedOut = await readToEnd(cluster.bootstrapServers, admin, outputPartitions, 'read_committed');
    const uncommittedOut = await readToEnd(cluster.bootstrapServers, admin, outputPartitions, 'read_uncommitted');
    for (let p = 0; p < PARTITIONS; p++) {
      const expected = inputValues[p]!.map(transformed);
      const got = committedOut[p]!;
      const firstDiff = got.findIndex((v, i) => v !== expected[i]);
      expect(
        got.length === expected.length && firstDiff < 0,
        `output partition ${p} (read_committed) holds ${got.length} records, the input ${expected.length}; first ` +
          `difference at ${firstDiff}: ${JSON.stringify(got[firstDiff])} instead of ${JSON.stringify(expected[firstDiff])}`,
      ).to.equal(true);
    }
    const total = (parts: string[][]) => parts.reduce((n, p) => n + p.length, 0);
    expect(total(uncommittedOut), 'read_uncommitted also sees the records of aborted transactions').to.be.above(
      total(committedOut),
    );
    return {
      committedTransactions: committed(),
      abortedTransactions: copiers.reduce((n, c) => n + c.aborted, retired.aborted),
      outputCommitted: total(committedOut),
      outputUncommitted: total(uncommittedOut),
      faults,
      durationMs: Date.now() - started,
    };
  } finally {
    await Promise.all(copiers.map((c) => c.kill()));
    await admin.close();
  }
}

/** Seeds `records` values over the input partitions (round robin); returns each partition's values in order. */
async function seed(cluster: TestCluster, topic: string, records: number): Promise<string[][]> {
  const producer = new Producer({ 'bootstrap.servers': cluster.bootstrapServers, 'linger.ms': 5 });
  await producer.connect();
  const values: string[][] = Array.from({ length: PARTITIONS }, () => []);
  const batch = Array.from({ length: records }, (_, i) => {
    const partition = i % PARTITIONS;
    const value = `p${partition}-${String(values[partition]!.length).padStart(6, '0')}`;
    values[partition]!.push(value);
    return { topic, partition, key: value, value };
  });
  await producer.sendBatch(batch);
  await producer.close();
  return values;
}
