/**
 * Moving a replica between the log dirs of a broker (JBOD, KIP-113) with `mq-admin reassign-partitions` and
 * "log_dirs", under produce load: one broker with two log dirs, a topic holding about a megabyte, a producer with
 * acks=all throughout. --execute with --replica-alter-log-dirs-throttle sets the throttle on the broker and starts
 * the move; DescribeLogDirs shows the future replica in the target dir while it copies; --verify reports it until
 * it is complete, then removes the throttle. Afterwards the replica lives in the target dir only (the old dir's copy
 * is deleted from disk) and every acknowledged record is read back at its offset.
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

describe('Moving a replica between log dirs with reassign-partitions (1 broker, 2 log dirs)', function () {
  this.timeout(60_000);

  it('moves it under load within the throttle, removes the throttle on --verify, deletes the old copy, loses nothing', async () => {
    const cluster = defer(await TestCluster.start({ brokers: 1, logDirsPerBroker: 2 }), (c) => c.stop());
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
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

    const writes = new ContinuousProducer(producer, TOPIC, 1, 5).start();
    defer(writes, (w) => w.stop());
    await writes.ackedMore(50, 'before the move');

    const work = mkdtempSync(join(tmpdir(), 'dir-move-'));
    defer(work, (d) => rmSync(d, { recursive: true, force: true }));
    const file = join(work, 'move.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: [1], log_dirs: [target] }] }),
    );
    const boot = ['--bootstrap-server', cluster.bootstrapServers, '--reassignment-json-file', file];
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
    expect(verify.stdout).to.contain('Clearing broker-level throttles on brokers 1');
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
});
