/**
 * The client library against real broker processes: the admin client manages topics, the producer writes keyed
 * and compressed records, the consumer reads them back in order, and offsets are looked up by time.
 */
import { expect } from 'chai';
import { Admin, ApiError, Consumer, Producer, partitionForKey } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { readN } from '../helpers/consume.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Client library (2 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let admin: Admin;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 2, brokerProps: { 'auto.create.topics.enable': false } });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  async function producer(options: ConstructorParameters<typeof Producer>[0] = {}): Promise<Producer> {
    const p = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers, ...options }), (x) => x.close());
    await p.connect();
    return p;
  }

  async function consumer(options: ConstructorParameters<typeof Consumer>[0] = {}): Promise<Consumer> {
    const c = defer(
      new Consumer({ 'bootstrap.servers': cluster.bootstrapServers, 'auto.offset.reset': 'earliest', ...options }),
      (x) => x.close(),
    );
    await c.connect();
    return c;
  }

  it('produces keyed records to murmur2 partitions and consumes them back in order', async () => {
    await admin.createTopics([{ name: 'keyed', numPartitions: 3, replicationFactor: 2 }]);
    const p = await producer({ 'linger.ms': 2, acks: 'all' });
    const records = Array.from({ length: 300 }, (_, i) => ({
      topic: 'keyed',
      key: `key-${i % 7}`,
      value: `value-${i}`,
    }));
    const sent = await Promise.all(records.map((r) => p.send(r)));
    sent.forEach((m, i) => expect(m.partition).to.equal(partitionForKey(records[i]!.key, 3)));
    const c = await consumer();
    c.assign([0, 1, 2].map((partition) => ({ topic: 'keyed', partition })));
    const read = await readN(c, 300);
    for (const partition of [0, 1, 2]) {
      const expected = records.filter((r) => partitionForKey(r.key, 3) === partition).map((r) => r.value);
      expect(read.filter((r) => r.partition === partition).map((r) => r.value!.toString())).to.deep.equal(expected);
    }
  });

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`round-trips ${codec}-compressed batches through sendBatch and eachBatch`, async () => {
      const topic = `codec-${codec}`;
      await admin.createTopics([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
      const p = await producer({ 'compression.type': codec });
      const values = Array.from({ length: 1000 }, (_, i) => `${codec}-${i}`);
      const results = await p.sendBatch(values.map((value) => ({ topic, value })));
      expect(results.reduce((n, r) => n + r.recordCount, 0)).to.equal(1000);
      const c = await consumer();
      c.assign([{ topic, partition: 0 }]);
      const read: string[] = [];
      await c.run({
        eachBatch: ({ batch }) => {
          for (const r of batch) read.push(r.value!.toString());
          if (read.length >= values.length) c.stop();
        },
      });
      expect(read).to.deep.equal(values);
    });
  }

  it('looks up offsets by time and seeks to them', async () => {
    await admin.createTopics([{ name: 'timed', numPartitions: 1, replicationFactor: 1 }]);
    const p = await producer();
    // One batch per record: the log answers timestamp lookups at batch precision (LogSegment.findOffsetByTimestamp).
    for (const timestamp of [1000, 2000, 3000]) await p.send({ topic: 'timed', value: `t${timestamp}`, timestamp });
    const listed = await admin.listOffsets([{ topic: 'timed', partition: 0, spec: 1500 }]);
    expect(listed[0]).to.include({ offset: 1, timestamp: 2000 });
    expect((await admin.listOffsets([{ topic: 'timed', partition: 0, spec: 'latest' }]))[0]!.offset).to.equal(3);
    const c = await consumer();
    c.assign([{ topic: 'timed', partition: 0 }]);
    const [found] = await c.offsetsForTimes([{ topic: 'timed', partition: 0, timestamp: 2500 }]);
    c.seek({ topic: 'timed', partition: 0, offset: found!.offset });
    expect((await readN(c, 1))[0]!.value!.toString()).to.equal('t3000');
  });

  it('fails a send to a missing topic with UNKNOWN_TOPIC_OR_PARTITION after max.block.ms', async () => {
    const p = await producer({ 'max.block.ms': 500 });
    const error = await p.send({ topic: 'no-such-topic', value: 'x' }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'UNKNOWN_TOPIC_OR_PARTITION');
  });

  // Last: deleting and growing topics here must not disturb the topics of the other cases.
  it('creates, describes, lists, grows and deletes topics', async () => {
    const [created] = await admin.createTopics([{ name: 'adm', numPartitions: 2, replicationFactor: 2 }]);
    expect(created).to.deep.equal({ name: 'adm', numPartitions: 2, replicationFactor: 2 });
    expect(await admin.listTopics()).to.include('adm');
    const [described] = await waitFor(async () => {
      const d = await admin.describeTopics(['adm']);
      return d[0]!.partitions.every((p) => p.leader >= 0) ? d : null;
    }, 'leaders for adm');
    expect(described!.partitions.map((p) => p.replicas.length)).to.deep.equal([2, 2]);
    const clusterInfo = await admin.describeCluster();
    expect(clusterInfo.brokers.map((b) => b.nodeId).sort()).to.deep.equal([1, 2]);
    await admin.createPartitions([{ topic: 'adm', count: 4 }]);
    await waitFor(async () => (await admin.describeTopics(['adm']))[0]!.partitions.length === 4, 'four partitions');
    const duplicate = await admin.createTopics([{ name: 'adm', numPartitions: 1 }]).catch((e: unknown) => e);
    expect(duplicate).to.be.instanceOf(ApiError).with.property('errorName', 'TOPIC_ALREADY_EXISTS');
    await admin.deleteTopics(['adm']);
    await waitFor(async () => !(await admin.listTopics()).includes('adm'), 'adm to be deleted');
  });
});
