/**
 * What a broker knows of transactions survives its restart: the aborted transactions (from each segment's .txnindex,
 * or rebuilt from the markers in the log when the index files are gone) and the open transaction that holds the last
 * stable offset (from the producer state). One broker; the log holds committed, aborted and open transactions over
 * several segments, then the broker is restarted cleanly, and SIGKILLed with every .txnindex deleted.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { Admin, Producer } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { readToEnd } from '../helpers/read-to-end.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Transactions across broker restarts (1 broker)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let admin: Admin;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 1 });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  const partitionDir = (topic: string) => join(cluster.local.dir, 'broker-1', 'logs', `${topic}-0`);
  const txnIndexes = (topic: string) =>
    fs
      .readdirSync(partitionDir(topic))
      .filter((f) => f.endsWith('.txnindex'))
      .sort()
      .map((f) => [f, fs.readFileSync(join(partitionDir(topic), f)).toString('hex')] as const);

  async function lso(topic: string): Promise<number> {
    const [o] = await admin.listOffsets([{ topic, partition: 0, spec: 'latest' }], {
      isolationLevel: 'read_committed',
    });
    return o!.offset;
  }

  async function read(topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
    return (await readToEnd(cluster.bootstrapServers, admin, [{ topic, partition: 0 }], isolation))[0]!;
  }

  /**
   * Fills `topic` (small segments) with transactions of 20 records each: committed (c0..), aborted (a0..) in turn,
   * and finally one left open by a producer that stays alive. Returns what read_committed must see.
   */
  async function fill(topic: string): Promise<{ committed: string[]; all: string[]; openAt: number }> {
    await admin.createTopics([
      { name: topic, numPartitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '4096' } },
    ]);
    const p = defer(
      new Producer({ 'bootstrap.servers': cluster.bootstrapServers, 'transactional.id': `${topic}-producer` }),
      (x) => x.close({ timeoutMs: 2000 }),
    );
    await p.connect();
    await p.initTransactions();
    const committed: string[] = [];
    const all: string[] = [];
    for (let t = 0; t < 8; t++) {
      const commit = t % 2 === 0;
      const values = Array.from({ length: 20 }, (_, i) => `${commit ? 'c' : 'a'}${t}-${i}-${'x'.repeat(100)}`);
      p.beginTransaction();
      await Promise.all(values.map((value) => p.send({ topic, partition: 0, value })));
      if (commit) await p.commitTransaction();
      else await p.abortTransaction();
      all.push(...values);
      if (commit) committed.push(...values);
    }
    const [before] = await admin.listOffsets([{ topic, partition: 0, spec: 'latest' }]);
    p.beginTransaction();
    await p.send({ topic, partition: 0, value: 'open' });
    await p.flush();
    all.push('open');
    return { committed, all, openAt: before!.offset };
  }

  async function expectState(topic: string, expected: { committed: string[]; all: string[]; openAt: number }) {
    await waitFor(async () => (await lso(topic)) === expected.openAt, `the LSO of ${topic} at the open transaction`);
    expect(await read(topic, 'read_committed')).to.deep.equal(expected.committed);
    expect(await read(topic, 'read_uncommitted')).to.deep.equal(expected.all);
  }

  it('keeps aborted transactions and the LSO over a clean restart (from .txnindex and the snapshot)', async () => {
    const topic = 'txn-restart-clean';
    const expected = await fill(topic);
    await expectState(topic, expected);
    const indexes = txnIndexes(topic);
    expect(indexes.length, 'several segments').to.be.above(2);
    expect(indexes.filter(([, hex]) => hex.length > 0).length, 'segments with aborted transactions').to.be.above(0);
    await cluster.local.stopBroker(1);
    await cluster.local.startBroker(1);
    expect(txnIndexes(topic)).to.deep.equal(indexes);
    await expectState(topic, expected);
  });

  it('rebuilds every .txnindex from the log after a SIGKILL with the index files deleted', async () => {
    const topic = 'txn-restart-rebuild';
    const expected = await fill(topic);
    await expectState(topic, expected);
    const indexes = txnIndexes(topic);
    expect(indexes.filter(([, hex]) => hex.length > 0).length, 'segments with aborted transactions').to.be.above(0);
    await cluster.local.killBroker(1);
    for (const [file] of indexes) fs.rmSync(join(partitionDir(topic), file));
    await cluster.local.startBroker(1);
    await expectState(topic, expected);
    expect(txnIndexes(topic)).to.deep.equal(indexes);
  });
});
