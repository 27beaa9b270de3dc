/**
 * An idempotent producer's retry that comes after the brokers restarted: the batch was written, its answer never
 * reached the producer, every broker restarted, and the producer sends the same batch again. The leader must still
 * know it and answer with the original offset, writing nothing.
 *
 * After a clean restart the producer state comes from the `.snapshot` each broker wrote at shutdown; after a SIGKILL
 * of every broker with every `.snapshot` deleted, it is rebuilt from the whole log (and so knows the producer's last
 * five batches, not only its last).
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import type { ProduceResponse } from '../../lib/protocol/messages/index.js';
import { RecordBatchBuilder } from '../../lib/record/record-batch-builder.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { connectTo, createTopic, leaderOf, produce, readAll } from '../helpers/wire.js';

const BROKERS = [1, 2, 3];

describe('Idempotent retries across broker restarts (3 brokers, RF 3, acks=all)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerProps: { 'zookeeper.session.timeout.ms': 2000 } });
  });
  after(async () => {
    await cluster?.stop();
  });

  async function newProducerId(): Promise<number> {
    const res = await (
      await connectTo(cluster, 1)
    ).send(ApiKey.InitProducerId, 0, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: -1,
      producerEpoch: -1,
    });
    expect(res.errorCode).to.equal(0);
    return res.producerId;
  }

  function batch(producerId: number, baseSequence: number, values: string[]): Buffer {
    const b = new RecordBatchBuilder();
    b.setProducerState(producerId, 0, baseSequence);
    for (const v of values) b.append(Date.now(), null, v);
    return b.buildSync();
  }

  /** Sends `records` to the partition's leader with acks=all until a leader answers (an error appends nothing). */
  async function send(
    topic: string,
    records: Buffer,
  ): Promise<ProduceResponse['responses'][0]['partitionResponses'][0]> {
    return waitFor(async () => {
      const leader = await leaderOf(cluster, topic, 0);
      if (leader < 0) return null;
      const res = await produce(await connectTo(cluster, leader), topic, 0, records, -1);
      const p = res!.responses[0]!.partitionResponses[0]!;
      return p.errorCode === 0 ? p : null;
    }, `${topic}-0 to take the batch`);
  }

  async function values(topic: string): Promise<string[]> {
    const leader = await leaderOf(cluster, topic, 0);
    return (await readAll(await connectTo(cluster, leader), topic, 0)).map((r) => r.value);
  }

  const snapshotsOf = (topic: string, id: number) => {
    const dir = join(cluster.local.broker(id).dir, 'logs', `${topic}-0`);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.snapshot'))
      .map((f) => join(dir, f));
  };

  async function writeTwoBatches(topic: string): Promise<{ producerId: number; first: Buffer; second: Buffer }> {
    await createTopic(cluster, topic, 1, 3, { 'min.insync.replicas': '2' });
    const producerId = await newProducerId();
    const first = batch(producerId, 0, ['a', 'b', 'c']);
    const second = batch(producerId, 3, ['d', 'e']);
    expect((await send(topic, first)).baseOffset).to.equal(0);
    expect((await send(topic, second)).baseOffset).to.equal(3);
    return { producerId, first, second };
  }

  it('answers the retry with the original offset after every broker restarted cleanly', async () => {
    const topic = 'restart-clean';
    const { producerId, second } = await writeTwoBatches(topic);
    for (const id of BROKERS) expect(await cluster.local.stopBroker(id), `broker ${id} stopped cleanly`).to.equal(true);
    for (const id of BROKERS) expect(snapshotsOf(topic, id), `broker ${id}'s snapshots`).to.not.deep.equal([]);
    await Promise.all(BROKERS.map((id) => cluster.local.startBroker(id)));
    expect((await send(topic, second)).baseOffset).to.equal(3);
    expect(await values(topic)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect((await send(topic, batch(producerId, 5, ['f']))).baseOffset).to.equal(5);
  });

  it('answers the retry with the original offset after every broker was SIGKILLed and lost its snapshots', async () => {
    const topic = 'restart-killed';
    const { producerId, first } = await writeTwoBatches(topic);
    // A clean restart first, so that every broker holds a snapshot to lose.
    for (const id of BROKERS) await cluster.local.stopBroker(id);
    await Promise.all(BROKERS.map((id) => cluster.local.startBroker(id)));
    const third = batch(producerId, 5, ['f']);
    expect((await send(topic, third)).baseOffset).to.equal(5);
    for (const id of BROKERS) await cluster.local.killBroker(id);
    for (const id of BROKERS) {
      const snapshots = snapshotsOf(topic, id);
      expect(snapshots, `broker ${id}'s snapshots`).to.not.deep.equal([]);
      for (const file of snapshots) rmSync(file);
    }
    await Promise.all(BROKERS.map((id) => cluster.local.startBroker(id)));
    expect((await send(topic, third)).baseOffset).to.equal(5);
    // Rebuilt from the whole log, the state has the producer's earlier batches too.
    expect((await send(topic, first)).baseOffset).to.equal(0);
    expect(await values(topic)).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'f']);
    expect((await send(topic, batch(producerId, 6, ['g']))).baseOffset).to.equal(6);
  });
});
