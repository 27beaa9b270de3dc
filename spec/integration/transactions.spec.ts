/**
 * Transactions end to end on three real brokers (transaction.state.log RF 3, min ISR 2): a committed transaction is
 * visible to read_committed consumers and an aborted one is not (read_uncommitted sees both, so the check can
 * fail); the last stable offset holds read_committed readers at an open transaction; a second producer with the same
 * transactional.id fences the first; a transaction left open past its timeout is aborted by the coordinator; offsets
 * sent in a transaction become the group's only when it commits.
 */
import { expect } from 'chai';
import { Admin, Consumer, Producer } from '../../lib/client/index.js';
import { ProducerFencedError, InvalidProducerEpochError } from '../../lib/client/errors.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { readToEnd } from '../helpers/read-to-end.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Transactions (3 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let admin: Admin;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 500 },
    });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  async function topic(name: string, partitions = 1): Promise<string> {
    await admin.createTopics([
      { name, numPartitions: partitions, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    return name;
  }

  function producer(transactionalId: string, extra: Record<string, unknown> = {}): Producer {
    return defer(
      new Producer({ 'bootstrap.servers': cluster.bootstrapServers, 'transactional.id': transactionalId, ...extra }),
      (p) => p.close({ timeoutMs: 5000 }),
    );
  }

  /** The values of partition 0 of `name` up to the end `isolation` sees, read from the start. */
  async function readAll(name: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<string[]> {
    return (await readToEnd(cluster.bootstrapServers, admin, [{ topic: name, partition: 0 }], isolation))[0]!;
  }

  it('shows committed transactions to read_committed consumers and hides aborted ones', async () => {
    const t = await topic('txn-basic');
    const p = producer('txn-basic-producer');
    await p.connect();
    await p.initTransactions();
    p.beginTransaction();
    await Promise.all(['a1', 'a2', 'a3'].map((v) => p.send({ topic: t, partition: 0, value: v })));
    await p.commitTransaction();
    p.beginTransaction();
    const aborted = ['b1', 'b2'].map((v) => p.send({ topic: t, partition: 0, value: v }));
    await p.flush();
    await Promise.all(aborted);
    await p.abortTransaction();
    p.beginTransaction();
    await p.send({ topic: t, partition: 0, value: 'c1' });
    await p.commitTransaction();

    expect(await readAll(t, 'read_committed')).to.deep.equal(['a1', 'a2', 'a3', 'c1']);
    expect(await readAll(t, 'read_uncommitted')).to.deep.equal(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
  });

  it('holds read_committed readers at an open transaction (the last stable offset)', async () => {
    const t = await topic('txn-lso');
    const p = producer('txn-lso-producer');
    await p.connect();
    await p.initTransactions();
    p.beginTransaction();
    await p.send({ topic: t, partition: 0, value: 'open' });
    await p.flush();
    const [hw] = await admin.listOffsets([{ topic: t, partition: 0, spec: 'latest' }]);
    const [lso] = await admin.listOffsets([{ topic: t, partition: 0, spec: 'latest' }], {
      isolationLevel: 'read_committed',
    });
    expect(hw!.offset).to.equal(1);
    expect(lso!.offset).to.equal(0);
    await p.commitTransaction();
    await waitFor(
      async () =>
        (
          await admin.listOffsets([{ topic: t, partition: 0, spec: 'latest' }], { isolationLevel: 'read_committed' })
        )[0]!.offset === 2,
      'the LSO passes the commit marker',
    );
  });

  it('fences the first producer when a second one with the same transactional.id initializes', async () => {
    const t = await topic('txn-fence', 2);
    const first = producer('txn-fence-producer');
    await first.connect();
    await first.initTransactions();
    first.beginTransaction();
    await first.send({ topic: t, partition: 0, value: 'zombie-before' });

    const second = producer('txn-fence-producer');
    await second.connect();
    await second.initTransactions();

    // Partition 1 is new to the first producer's transaction: AddPartitionsToTxn is refused with PRODUCER_FENCED.
    const fenced = await first.send({ topic: t, partition: 1, value: 'zombie-after' }).catch((e: unknown) => e);
    expect(fenced).to.be.instanceOf(ProducerFencedError);
    const commit = await first.commitTransaction().catch((e: unknown) => e);
    expect(commit).to.be.instanceOf(ProducerFencedError);
    const again = await first.send({ topic: t, partition: 0, value: 'zombie-later' }).catch((e: unknown) => e);
    expect(again).to.be.instanceOf(ProducerFencedError);

    second.beginTransaction();
    await second.send({ topic: t, partition: 0, value: 'new' });
    await second.commitTransaction();
    expect(await readAll(t, 'read_committed')).to.deep.equal(['new']);
  });

  it('fails a write of the fenced epoch to a partition already in its transaction', async () => {
    const t = await topic('txn-fence-epoch');
    const first = producer('txn-fence-epoch-producer');
    await first.connect();
    await first.initTransactions();
    first.beginTransaction();
    await first.send({ topic: t, partition: 0, value: 'zombie-before' });
    const second = producer('txn-fence-epoch-producer');
    await second.connect();
    await second.initTransactions();
    const stale = await first.send({ topic: t, partition: 0, value: 'zombie-after' }).catch((e: unknown) => e);
    expect(stale).to.be.instanceOf(InvalidProducerEpochError);
    expect(await first.abortTransaction().catch((e: unknown) => e)).to.be.instanceOf(ProducerFencedError);
    expect(await readAll(t, 'read_committed')).to.deep.equal([]);
  });

  it('aborts a transaction left open past its timeout and fences its producer', async () => {
    const t = await topic('txn-timeout');
    const p = producer('txn-timeout-producer', { 'transaction.timeout.ms': 1500 });
    await p.connect();
    await p.initTransactions();
    p.beginTransaction();
    await p.send({ topic: t, partition: 0, value: 'left-open' });
    await p.flush();
    await waitFor(
      async () =>
        (
          await admin.listOffsets([{ topic: t, partition: 0, spec: 'latest' }], { isolationLevel: 'read_committed' })
        )[0]!.offset === 2,
      'the coordinator writes the abort marker',
      { timeoutMs: 20_000 },
    );
    expect(await readAll(t, 'read_uncommitted')).to.deep.equal(['left-open']);
    expect(await readAll(t, 'read_committed')).to.deep.equal([]);
    const late = await p.commitTransaction().catch((e: unknown) => e);
    expect(late).to.be.instanceOf(ProducerFencedError);
  });

  it('commits offsets sent in a transaction only when it commits', async () => {
    const t = await topic('txn-offsets');
    const group = 'txn-offsets-group';
    const p = producer('txn-offsets-producer');
    await p.connect();
    await p.initTransactions();
    const meta = { groupId: group, generationId: -1, memberId: '', groupInstanceId: null };
    p.beginTransaction();
    await p.sendOffsetsToTransaction([{ topic: t, partition: 0, offset: 5 }], meta);
    await p.abortTransaction();
    p.beginTransaction();
    await p.sendOffsetsToTransaction([{ topic: t, partition: 0, offset: 7 }], meta);
    const reader = defer(new Consumer({ 'bootstrap.servers': cluster.bootstrapServers, 'group.id': group }), (c) =>
      c.close(),
    );
    await reader.connect();
    expect((await admin.listConsumerGroupOffsets(group)).map((o) => o.offset)).to.deep.equal([]);
    await p.commitTransaction();
    await waitFor(
      async () => (await reader.committed([{ topic: t, partition: 0 }]))[0]?.offset === 7,
      'the committed offset after the commit marker',
    );
  });
});
