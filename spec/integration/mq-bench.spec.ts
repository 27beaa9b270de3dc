/**
 * mq-bench as a user runs it: the real bin/mq-bench in child processes, each subcommand on a tiny real workload
 * (seconds) against a real local cluster — a shared one-broker TestCluster for the commands that take
 * --bootstrap-server, clusters of their own for those that start one — and the last line of its `--json` output
 * holding the keys docs/BENCHMARKS.md documents, with values that are consistent. No speed is asserted: these
 * are benchmarks, and this machine is shared. `mq-bench suite` is a composition of these commands whose report is
 * checked by spec/unit/bench; a reduced run of it takes minutes, so it is run by `npm run bench -- --quick`, not here.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { XMLValidator } from 'fast-xml-parser';
import { commandPath } from '../../lib/bench/peers/server-process.js';
import { Admin } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const BIN = fileURLToPath(new URL('../../../bin/mq-bench', import.meta.url));

/** Runs mq-bench to completion; resolves with its exit code and output, and the last stdout line parsed. */
function mqBench(
  args: readonly string[],
): Promise<{ code: number | null; stderr: string; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trimEnd().split('\n').at(-1) ?? '';
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(last) as Record<string, unknown>;
      } catch {
        reject(
          new Error(`mq-bench ${args.join(' ')} exited ${code}; last stdout line is not JSON: ${last}\n${stderr}`),
        );
        return;
      }
      resolve({ code, stderr, json });
    });
  });
}

const LATENCY_KEYS = ['count', 'avgMs', 'maxMs', 'p50Ms', 'p90Ms', 'p95Ms', 'p99Ms', 'p999Ms', 'p9999Ms'];
const STAT_KEYS = ['median', 'min', 'max', 'runs'];

describe('mq-bench subcommands on tiny real workloads (--json)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  const boot = () => ['--bootstrap-server', cluster.bootstrapServers];

  before(async () => {
    cluster = await TestCluster.start({ brokers: 1 });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('produce then consume report the records they moved', async () => {
    const produced = await mqBench(['produce', ...boot(), '--topic', 'bench-spec', '--num-records', '3000']);
    expect(produced.code).to.equal(0);
    expect(produced.json).to.include.all.keys('records', 'elapsedMs', 'recordsPerSec', 'mbPerSec', ...LATENCY_KEYS);
    expect(produced.json).to.include({ records: 3000, count: 3000 });

    const consumed = await mqBench(['consume', ...boot(), '--topic', 'bench-spec', '--messages', '3000']);
    expect(consumed.code).to.equal(0);
    expect(consumed.json).to.include.all.keys(
      'startTime',
      'endTime',
      'messages',
      'bytes',
      'elapsedMs',
      'fetchTimeMs',
      'mbPerSec',
      'messagesPerSec',
      'fetchMbPerSec',
      'fetchMessagesPerSec',
      'timedOut',
    );
    expect(consumed.json).to.include({ messages: 3000, bytes: 300_000, timedOut: false });
  });

  it('produce --transactional-id commits every --transaction-size records, which read_committed then reads', async () => {
    const produced = await mqBench([
      'produce',
      ...boot(),
      '--topic',
      'bench-spec-txn',
      '--num-records',
      '2500',
      '--transactional-id',
      'bench-spec-tx',
      '--transaction-size',
      '1000',
    ]);
    expect(produced.code).to.equal(0);
    expect(produced.json).to.include({ records: 2500, count: 2500 });
    const admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
    try {
      const [txn] = await admin.describeTransactions(['bench-spec-tx']);
      expect(txn).to.include({ state: 'CompleteCommit' });
    } finally {
      await admin.close();
    }

    const consumed = await mqBench([
      'consume',
      ...boot(),
      '--topic',
      'bench-spec-txn',
      '--messages',
      '2500',
      '--consumer-props',
      'isolation.level=read_committed',
    ]);
    expect(consumed.json).to.include({ messages: 2500, timedOut: false });
  });

  it('e2e measures every record from its intended send time, percentiles ordered up to p99.99', async () => {
    const chart = join(tmpDir(), 'e2e.svg');
    const r = await mqBench(['e2e', ...boot(), '--num-records', '400', '--throughput', '1000', '--chart', chart]);
    expect(r.code).to.equal(0);
    expect(r.json).to.include.all.keys(
      'acks',
      'replicationFactor',
      'records',
      'ratePerSec',
      'achievedPerSec',
      'elapsedMs',
      'sendLagP50Ms',
      'sendLagP99Ms',
      'sendLagMaxMs',
      'duplicates',
      'outOfOrder',
      'distribution',
      ...LATENCY_KEYS,
    );
    expect(r.json).to.include({ records: 400, count: 400, ratePerSec: 1000, duplicates: 0, outOfOrder: 0 });
    const p = ['p50Ms', 'p90Ms', 'p99Ms', 'p999Ms', 'p9999Ms', 'maxMs'].map((k) => r.json[k] as number);
    expect(p[0]).to.be.greaterThan(0);
    expect(p).to.deep.equal([...p].sort((a, b) => a - b));
    expect(XMLValidator.validate(readFileSync(chart, 'utf8'))).to.equal(true);
  });

  it('compare runs mq beside every peer that is installed, with the machine references, and skips the rest', async () => {
    const chart = join(tmpDir(), 'compare.svg');
    const r = await mqBench(['compare', ...boot(), '--num-records', '2000', '--runs', '1', '--chart', chart]);
    expect(r.code).to.equal(0);
    expect(r.json).to.include.all.keys('workload', 'runs', 'rows', 'skipped', 'references');
    expect(r.json.workload).to.deep.equal({
      recordSize: 100,
      records: 2000,
      batch: 100,
      inflight: 1000,
      durability: 'page-cache',
    });
    const references = r.json.references as Record<string, Record<string, number>>;
    for (const ref of [references.loopbackTcpMbPerSec!, references.pageCacheWriteMbPerSec!]) {
      expect(ref).to.include.all.keys(...STAT_KEYS);
      expect(ref.median).to.be.greaterThan(0);
    }
    const rows = r.json.rows as {
      system: string;
      produceRecordsPerSec: { median: number };
      consumeRecordsPerSec: { median: number };
    }[];
    const skipped = r.json.skipped as { system: string; reason: string }[];
    for (const [system, binary] of [
      ['mq', null],
      ['Redis Streams', 'redis-server'],
      ['NATS JetStream', 'nats-server'],
      ['RabbitMQ streams', 'rabbitmq-server'],
    ] as const) {
      const row = rows.find((x) => x.system === system);
      if (binary === null || commandPath(binary) !== null) {
        expect(row, `${system} ran (${skipped.find((s) => s.system === system)?.reason ?? ''})`).to.not.equal(
          undefined,
        );
        expect(row!).to.include.all.keys(
          'setting',
          'produceRecordsPerSec',
          'produceMbPerSec',
          'ackP50Ms',
          'ackP99Ms',
          'consumeRecordsPerSec',
          'consumeMbPerSec',
        );
        expect(row!.produceRecordsPerSec.median).to.be.greaterThan(0);
        expect(row!.consumeRecordsPerSec.median).to.be.greaterThan(0);
      } else {
        expect(row).to.equal(undefined);
        expect(skipped.find((s) => s.system === system)?.reason).to.match(/not installed.*setup\.sh --bench/);
      }
    }
    expect(XMLValidator.validate(readFileSync(chart, 'utf8'))).to.equal(true);
  });

  it('log measures the storage engine alone', async () => {
    const r = await mqBench(['log', '--dir', tmpDir(), '--total-bytes', '4m', '--repeat', '1']);
    expect(r.code).to.equal(0);
    expect(r.json).to.include.all.keys(
      'append_records_per_s',
      'append_mb_per_s',
      'reference_write_mb_per_s',
      'append_to_reference_ratio',
      'read_mb_per_s',
      'durable_append_records_per_s',
      'durable_ack_p50_ms',
      'durable_ack_p99_ms',
      'runs',
    );
  });

  it('scale starts one broker per partition count and reports its figures and memory', async () => {
    const r = await mqBench(['scale', '--max', '100', '--num-records', '2000', '--runs', '1']);
    expect(r.code).to.equal(0);
    expect(r.json).to.include({ runs: 1, records: 2000 });
    const points = r.json.points as Record<string, number | Record<string, number>>[];
    expect(points.map((p) => p.partitions)).to.deep.equal([1, 100]);
    for (const p of points) {
      for (const k of [
        'createMs',
        'produceRecordsPerSec',
        'heapUsedMiB',
        'rssMiB',
        'openFds',
        'shutdownMs',
        'startMs',
        'readyMs',
      ]) {
        expect(p[k], k).to.include.all.keys(...STAT_KEYS);
        expect((p[k] as Record<string, number>).median, k).to.be.greaterThan(0);
      }
    }
    // The broker's descriptors, not the bench's: a partition's active segment holds one once it is written, so
    // records spread over 100 partitions (sticky batches over several of them) open more than over one.
    const fds = points.map((p) => (p.openFds as Record<string, number>).median);
    expect(fds[1]).to.be.greaterThan(fds[0]!);
  });

  it('failover times a SIGKILLed leader on a cluster of its own', async () => {
    const r = await mqBench(['failover', '--rounds', '1', '--session-timeout-ms', '2000']);
    expect(r.code).to.equal(0);
    expect(r.json).to.include.all.keys('sessionTimeoutMs', 'recoveryMs', 'medianMs');
    expect(r.json.recoveryMs).to.have.length(1);
    expect(r.json.medianMs).to.be.greaterThan(0);
  });

  it('delayed delivers a small load with probes on a cluster of its own, restarting it once accepted', async () => {
    const r = await mqBench([
      'delayed',
      '--pending',
      '500',
      '--due-in-ms',
      '3000',
      '--spread-ms',
      '1000',
      '--probe-rate',
      '20',
      '--probe-delay-ms',
      '500',
      '--restart',
    ]);
    expect(r.code).to.equal(0);
    expect(r.json).to.include({ pending: 500, delivered: 500, notDelivered: 0, early: 0 });
    expect(r.json).to.include.all.keys(
      'acceptedPerSec',
      'deliveredPerSec',
      'lateness',
      'probeLateness',
      'maxHeapUsedMiB',
    );
    expect(r.json.probes).to.be.greaterThan(0);
    expect(r.json.reloadMs).to.be.at.least(0);
  });

  it('rebalance times a member leaving a group on a cluster of its own', async () => {
    const r = await mqBench([
      'rebalance',
      '--members',
      '2',
      '--partitions',
      '4',
      '--rounds',
      '1',
      '--heartbeat-interval-ms',
      '300',
      '--session-timeout-ms',
      '6000',
    ]);
    expect(r.code).to.equal(0);
    expect(r.json).to.include.all.keys(
      'strategy',
      'members',
      'partitions',
      'heartbeatIntervalMs',
      'reassignedMs',
      'resumedMs',
      'unmovedStallMs',
    );
    expect(r.json.reassignedMs).to.include.all.keys('median', 'min', 'max');
  });
});
