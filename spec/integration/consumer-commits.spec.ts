/**
 * What a consumer commits without being told offsets, against a real broker: auto commit, commit(), the commit before
 * a revoke and close() store, per partition, the offset after the last record the application finished — whose
 * eachMessage or eachBatch resolved, or with the iterator every record before the one the caller holds — never a
 * record a handler is still working on. A rebalance waits for the handler at work, so an orderly rebalance delivers
 * nothing twice. Committing explicitly before handling is the at-most-once choice.
 */
import { expect } from 'chai';
import { Admin, Consumer, Producer, type ConsumerOptions, type ConsumerRecord } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { GROUP_SPEC_BROKER_PROPS } from '../helpers/group-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

/** A promise a handler waits on, opened by the spec. */
class Gate {
  readonly opened: Promise<void>;
  open!: () => void;
  constructor() {
    this.opened = new Promise((resolve) => {
      this.open = resolve;
    });
  }
}

/** The offset of the iterator's next record (-1 when it ended). */
async function nextOffset(records: AsyncIterator<ConsumerRecord, unknown>): Promise<number> {
  const step = await records.next();
  return step.done === true ? -1 : step.value.offset;
}

describe('Consumer commits what the application finished (1 broker)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let admin: Admin;
  let topics = 0;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 1, brokerProps: GROUP_SPEC_BROKER_PROPS });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  /** A new topic with `perPartition` records v0, v1, ... in each partition. */
  async function topicWith(partitions: number, perPartition: number): Promise<string> {
    const topic = `commits-${topics++}`;
    await admin.createTopics([{ name: topic, numPartitions: partitions, replicationFactor: 1 }]);
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers }), (p) => p.close());
    await producer.connect();
    await producer.sendBatch(
      Array.from({ length: partitions * perPartition }, (_, i) => ({
        topic,
        partition: i % partitions,
        value: `v${Math.floor(i / partitions)}`,
      })),
    );
    return topic;
  }

  async function member(group: string, topic: string, options: ConsumerOptions = {}): Promise<Consumer> {
    const c = defer(
      new Consumer({
        'bootstrap.servers': cluster.bootstrapServers,
        'group.id': group,
        'auto.offset.reset': 'earliest',
        'auto.commit.interval.ms': 10,
        'heartbeat.interval.ms': 200,
        ...options,
      }),
      (x) => x.close(),
    );
    await c.connect();
    c.subscribe([topic]);
    return c;
  }

  /** The group's committed offset of each partition of `topic` (-1: none). */
  async function committed(group: string, topic: string, partitions = 1): Promise<number[]> {
    const offsets = await admin.listConsumerGroupOffsets(
      group,
      Array.from({ length: partitions }, (_, partition) => ({ topic, partition })),
    );
    return offsets.map((o) => o.offset);
  }

  /** Waits until the committed offsets are `expected`, then checks they stay so for 30 auto commit intervals. */
  async function committedSettlesAt(group: string, topic: string, expected: number[]): Promise<void> {
    await waitFor(
      async () => JSON.stringify(await committed(group, topic, expected.length)) === JSON.stringify(expected),
      `committed offsets ${JSON.stringify(expected)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await committed(group, topic, expected.length)).to.deep.equal(expected);
  }

  it('auto-commits up to the record whose eachMessage is still running, and past it once it resolves', async () => {
    const topic = await topicWith(1, 10);
    const c = await member('each-message', topic);
    const gate = new Gate();
    let entered = -1;
    const running = c.run({
      eachMessage: async ({ message }) => {
        entered = message.offset;
        if (message.offset === 4) await gate.opened;
      },
    });
    await waitFor(() => entered === 4, 'the handler of offset 4 to run');
    await committedSettlesAt('each-message', topic, [4]);
    gate.open();
    await committedSettlesAt('each-message', topic, [10]);
    c.stop();
    await running;
  });

  it('auto-commits up to the batch whose eachBatch is still running (max.poll.records parts)', async () => {
    const topic = await topicWith(1, 10);
    const c = await member('each-batch', topic, { 'max.poll.records': 3 });
    const gate = new Gate();
    const batches: number[][] = [];
    const running = c.run({
      eachBatch: async ({ batch }) => {
        const offsets = [...batch].map((r) => r.offset);
        batches.push(offsets);
        if (offsets[0] === 3) await gate.opened;
      },
    });
    await waitFor(() => batches.length === 2, 'the second batch to be handled');
    await committedSettlesAt('each-batch', topic, [3]);
    gate.open();
    await committedSettlesAt('each-batch', topic, [10]);
    expect(batches).to.deep.equal([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    c.stop();
    await running;
  });

  it('commits, with the iterator, every record before the one the caller holds; commit() and close() alike', async () => {
    const topic = await topicWith(1, 10);
    const c = await member('iterated', topic, { 'enable.auto.commit': false });
    const records = c[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) expect(await nextOffset(records)).to.equal(i);
    await c.commit();
    expect(await committed('iterated', topic)).to.deep.equal([2]);
    expect(await nextOffset(records)).to.equal(3);
    await c.commit();
    expect(await committed('iterated', topic)).to.deep.equal([3]);
    await records.return!();
    await c.close();
    expect(await committed('iterated', topic), 'close() without auto commit commits nothing').to.deep.equal([3]);

    const auto = await member('iterated', topic);
    const next = auto[Symbol.asyncIterator]();
    expect(await nextOffset(next), 'the next member starts at the commit').to.equal(3);
    expect(await nextOffset(next)).to.equal(4);
    await next.return!();
    await auto.close();
    expect(await committed('iterated', topic), 'close() commits up to the held record').to.deep.equal([4]);
  });

  it('lets a rebalance wait for the handler at work, so that an orderly rebalance delivers nothing twice', async () => {
    const topic = await topicWith(2, 20);
    const a = await member('rebalanced', topic);
    await waitFor(() => a.assignment().length === 2, 'the first member to own both partitions');
    const gate = new Gate();
    const read: string[] = [];
    const events: string[] = [];
    let blocked = -1;
    const runA = a.run({
      eachMessage: async ({ partition, message }) => {
        read.push(`${partition}:${message.offset}`);
        if (message.offset === 5 && blocked < 0) {
          blocked = partition;
          await gate.opened;
          events.push('handler done');
        }
      },
    });
    await waitFor(() => blocked >= 0, 'a handler to block');

    const b = defer(
      new Consumer({
        'bootstrap.servers': cluster.bootstrapServers,
        'group.id': 'rebalanced',
        'auto.offset.reset': 'earliest',
        'heartbeat.interval.ms': 200,
      }),
      (x) => x.close(),
    );
    await b.connect();
    b.subscribe([topic], {
      onPartitionsAssigned: (tps) => {
        events.push(`b assigned ${tps.length}`);
      },
    });
    const runB = b.run({
      eachMessage: ({ partition, message }) => {
        read.push(`${partition}:${message.offset}`);
      },
    });
    // The rebalance is held up by a's handler: b gets nothing until it finishes.
    await waitFor(
      async () => (await admin.describeConsumerGroups(['rebalanced']))[0]!.state === 'PreparingRebalance',
      'the rebalance to begin',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(b.assignment(), "b's assignment while a's handler works").to.deep.equal([]);
    gate.open();
    await waitFor(() => read.length >= 40 && b.assignment().length === 1, 'both partitions read to the end');
    await waitFor(() => new Set(read).size === 40, 'all 40 records read');
    expect(events.slice(0, 2)).to.deep.equal(['handler done', 'b assigned 1']);
    expect(read.length, `records read, duplicates included: ${read.join(' ')}`).to.equal(40);
    a.stop();
    b.stop();
    await Promise.all([runA, runB]);
  });

  it('gives at-most-once to a handler that commits before processing', async () => {
    const topic = await topicWith(1, 10);
    const c = await member('at-most-once', topic, { 'enable.auto.commit': false });
    let processing = -1;
    const crash = new Gate();
    const running = c.run({
      eachMessage: async ({ topic: t, partition, message }) => {
        await c.commit([{ topic: t, partition, offset: message.offset + 1 }]);
        processing = message.offset;
        if (message.offset === 6) await crash.opened; // the consumer goes away while processing offset 6
      },
    });
    await waitFor(() => processing === 6, 'offset 6 to be processing');
    expect(await committed('at-most-once', topic)).to.deep.equal([7]);
    await c.close();
    crash.open();
    await running;

    const next = await member('at-most-once', topic);
    const records = next[Symbol.asyncIterator]();
    expect(await nextOffset(records), 'offset 6 is never delivered again').to.equal(7);
    await records.return!();
  });
});
