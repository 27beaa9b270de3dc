/**
 * Moving replicas into chosen log dirs (JBOD, KIP-113) with `mq-admin reassign-partitions` and "log_dirs"; two
 * brokers with two log dirs each.
 *
 * - Between the dirs of one broker, under produce load: a topic on broker 1 holding about a megabyte, a producer with
 *   acks=all throughout. --execute with --replica-alter-log-dirs-throttle sets the throttle on the broker and starts
 *   the move; DescribeLogDirs shows the future replica in the target dir while it copies; once it is complete,
 *   --verify says so and removes the throttle. The replica then lives in the target dir only (the old dir's copy is
 *   deleted from disk) and every acknowledged record is read back at its offset.
 * - Onto another broker: a replica the reassignment adds is created in the dir the file names for it (the tool
 *   retries the broker until the replica exists, as Kafka's does).
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Producer } from '../../lib/client/index.js';
import { ContinuousProducer } from '../helpers/acked-records.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { readToEnd } from '../helpers/read-to-end.js';
import { waitFor } from '../helpers/wait-for.js';

const TOPIC = 'dir-move';
const THROTTLE = 400_000;
const THROTTLE_KEY = 'replica.alter.log.dirs.io.max.bytes.per.second';

describe('Moving replicas into chosen log dirs with reassign-partitions (2 brokers, 2 log dirs each)', function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let admin: Admin;
  let work: string;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 2, logDirsPerBroker: 2 });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
    work = mkdtempSync(join(tmpdir(), 'dir-move-'));
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  const moveFile = (name: string, partitions: object[]) => {
    const file = join(work, name);
    writeFileSync(file, JSON.stringify({ version: 1, partitions }));
    return ['--bootstrap-server', cluster.bootstrapServers, '--reassignment-json-file', file];
  };

  it('moves one under load within the throttle, removes the throttle on --verify, deletes the old copy, loses nothing', async () => {
    await admin.createTopics([
      { name: TOPIC, replicaAssignment: { 0: [1] }, configs: { 'file.delete.delay.ms': '100' } },
    ]);
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: -1 }), (p) => p.close());
    await producer.connect();
    const bulk = Buffer.alloc(1000, 0x62);
    await Promise.all(Array.from({ length: 1000 }, () => producer.send({ topic: TOPIC, partition: 0, value: bulk })));

    const dirsNow = async () => (await admin.describeLogDirs([1]))[0]!.logDirs;
    const holding = (dirs: Awaited<ReturnType<typeof dirsNow>>, isFuture: boolean) =>
      dirs.filter((d) => d.partitions.some((p) => p.topic === TOPIC && p.isFuture === isFuture)).map((d) => d.logDir);
    const before = await dirsNow();
    const [source] = holding(before, false);
    const target = before.map((d) => d.logDir).find((d) => d !== source)!;
    expect(source, 'the replica lives in one dir').to.be.a('string');

    // At most 500 small records a second (tens of kB/s): well below the throttle, so that the copy catches up.
    const writes = new ContinuousProducer(producer, TOPIC, 1, 5, 10).start();
    defer(writes, (w) => w.stop());
    await writes.ackedMore(50, 'before the move');

    const boot = moveFile('move.json', [{ topic: TOPIC, partition: 0, replicas: [1], log_dirs: [target] }]);
    const started = Date.now();
    const execute = await mqAdmin([
      'reassign-partitions',
      ...boot,
      '--execute',
      '--replica-alter-log-dirs-throttle',
      String(THROTTLE),
    ]);
    expect(execute.stderr).to.equal('');
    expect(execute.code).to.equal(0);
    expect(execute.stdout).to.contain(`The replica-alter-dir throttle limit was set to ${THROTTLE} B/s`);
    expect(execute.stdout).to.contain(`Successfully started log directory move for: ${TOPIC}-0-1`);

    const throttle = async () =>
      (await admin.describeConfigs([{ type: 'broker', name: '1', keys: [THROTTLE_KEY] }]))[0]!.configs[0]!;
    expect(await throttle()).to.deep.include({ value: String(THROTTLE), source: 'DYNAMIC_BROKER_CONFIG' });
    const during = await dirsNow();
    expect(holding(during, true), 'the future replica in the target dir').to.deep.equal([target]);
    expect(holding(during, false), 'still served from the source dir').to.deep.equal([source]);
    const copySize = during.find((d) => d.logDir === source)!.partitions[0]!.size;

    await waitFor(
      async () => {
        const dirs = await dirsNow();
        return holding(dirs, true).length === 0 && holding(dirs, false)[0] === target;
      },
      'the log dir move to complete',
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const tookMs = Date.now() - started;
    const verify = await mqAdmin(['reassign-partitions', ...boot, '--verify']);
    expect(verify.code).to.equal(0);
    expect(verify.stdout).to.contain(`Reassignment of replica ${TOPIC}-0-1 completed successfully.`);
    expect(verify.stdout).to.contain('Clearing broker-level throttles on brokers 1,2');
    // The copier's first second may use a whole window of the quota; after that it keeps to the rate.
    expect(tookMs, `copying ${copySize} bytes at ${THROTTLE} B/s`).to.be.greaterThan(
      ((copySize - THROTTLE) / THROTTLE) * 1000 * 0.8,
    );
    expect((await throttle()).source).to.equal('DEFAULT_CONFIG');

    const after = await dirsNow();
    expect(holding(after, false)).to.deep.equal([target]);
    expect(holding(after, true)).to.deep.equal([]);
    await waitFor(
      () => readdirSync(source!).every((n) => !n.startsWith(`${TOPIC}-0`)),
      'the old copy to be deleted from the source dir',
      { timeoutMs: 10_000 },
    );

    await writes.ackedMore(50, 'after the move');
    await writes.stop();
    expect(writes.failures.map((e) => e.message)).to.deep.equal([]);
    const [values] = await readToEnd(
      cluster.bootstrapServers,
      admin,
      [{ topic: TOPIC, partition: 0 }],
      'read_uncommitted',
    );
    const lost = [...writes.acked].filter(([value, { offset }]) => values![offset] !== value).map(([v]) => v);
    expect(lost.slice(0, 10), `${lost.length} acknowledged records not read back at their offset`).to.deep.equal([]);
  });

  it('creates a replica that a reassignment adds in the log dir the file names for it', async () => {
    const topic = 'dir-placed';
    await admin.createTopics([{ name: topic, replicaAssignment: { 0: [1] } }]);
    // Broker 2 would put a new log in its dir holding the fewest logs (the first on a tie): name the other one.
    const dirs = (await admin.describeLogDirs([2]))[0]!.logDirs;
    const chosen = [...dirs].sort(
      (a, b) => b.partitions.length - a.partitions.length || (a.logDir < b.logDir ? 1 : -1),
    )[0]!.logDir;
    const execute = await mqAdmin([
      'reassign-partitions',
      ...moveFile('place.json', [{ topic, partition: 0, replicas: [1, 2], log_dirs: ['any', chosen] }]),
      '--execute',
    ]);
    expect(execute.stderr).to.equal('');
    expect(execute.code).to.equal(0);
    expect(execute.stdout).to.contain(`Successfully started log directory move for: ${topic}-0-2`);
    await waitFor(async () => (await admin.listPartitionReassignments()).length === 0, 'the reassignment to complete');
    const placed = await waitFor(async () => {
      const now = (await admin.describeLogDirs([2]))[0]!.logDirs;
      const holding = now.filter((d) => d.partitions.some((p) => p.topic === topic));
      return holding.length === 1 && !holding[0]!.partitions.find((p) => p.topic === topic)!.isFuture
        ? holding[0]!.logDir
        : null;
    }, 'broker 2 to hold its replica in one dir');
    expect(placed).to.equal(chosen);
  });
});
