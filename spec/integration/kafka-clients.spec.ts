/**
 * Unchanged third-party Kafka clients against three brokers' Kafka-protocol listeners (the KAFKA listener every
 * TestCluster broker opens, `listener.wire.protocol.map=KAFKA:KAFKA`): kcat 1.7 and Python's confluent-kafka on
 * librdkafka 2.0 (Debian's packages), and KafkaJS 2.2. What they see must be what the brokers hold, and what they
 * write must be what this project's client reads, byte for byte, and the reverse.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { CompressionTypes } from 'kafkajs';
import { Admin, Consumer, Producer } from '../../lib/client/index.js';
import { CompressionType } from '../../lib/record/record-batch.js';
import { iterateBatches } from '../../lib/record/record-batch-reader.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { readN } from '../helpers/consume.js';
import { readToEnd } from '../helpers/read-to-end.js';
import { kafkaJs, kcat, python } from '../helpers/kafka-tools.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Kafka clients through the Kafka-protocol listener (kcat, confluent-kafka, KafkaJS)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let admin: Admin;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerProps: { 'group.initial.rebalance.delay.ms': 0 } });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  async function createTopic(name: string, numPartitions = 1, replicationFactor = 3) {
    await admin.createTopics([{ name, numPartitions, replicationFactor }]);
    await waitFor(
      async () => (await admin.describeTopics([name]))[0]!.partitions.every((p) => p.isr.length === replicationFactor),
      `${name}: every replica in sync`,
    );
  }

  async function mqConsumer(options: Partial<ConstructorParameters<typeof Consumer>[0]> = {}): Promise<Consumer> {
    const c = defer(
      new Consumer({ 'bootstrap.servers': cluster.bootstrapServers, 'auto.offset.reset': 'earliest', ...options }),
      (x) => x.close(),
    );
    await c.connect();
    return c;
  }

  /** The batches of a partition as its leader stored them. */
  async function storedBatches(topic: string) {
    const leader = (await admin.describeTopics([topic]))[0]!.partitions[0]!.leader;
    const dir = join(cluster.local.broker(leader).dir, 'logs', `${topic}-0`);
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log'));
    return logs.flatMap((f) => [...iterateBatches(readFileSync(join(dir, f)))]);
  }

  it('kcat -L lists the brokers on their Kafka listeners and every partition as the brokers hold it', async () => {
    await createTopic('kc-metadata', 3);
    const [topic] = await admin.describeTopics(['kc-metadata']);
    const { controllerId } = await admin.describeCluster();
    const listing = JSON.parse((await kcat(cluster, ['-L', '-J', '-t', 'kc-metadata'])).stdout.toString()) as {
      controllerid: number;
      brokers: { id: number; name: string }[];
      topics: {
        topic: string;
        partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[];
      }[];
    };
    expect(listing.controllerid).to.equal(controllerId);
    expect(listing.brokers.map((b) => [b.id, b.name]).sort()).to.deep.equal(
      cluster.local
        .brokerIds()
        .map((id) => [id, `127.0.0.1:${cluster.local.broker(id).kafkaPort}`])
        .sort(),
    );
    expect(listing.topics).to.have.length(1);
    expect(
      listing.topics[0]!.partitions.map((p) => ({
        partition: p.partition,
        leader: p.leader,
        replicas: p.replicas.map((r) => r.id),
        isr: p.isrs.map((r) => r.id),
      })),
    ).to.deep.equal(
      topic!.partitions.map((p) => ({ partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr })),
    );
  });

  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`kcat -P then -C -e round-trips keyed records with headers, ${codec}`, async () => {
      const topic = `kc-${codec}`;
      await createTopic(topic);
      const lines = Array.from({ length: 50 }, (_, i) => `key-${i}:value ${i} ${'x'.repeat(i)}`);
      await kcat(cluster, ['-P', '-t', topic, '-K:', '-z', codec, '-H', 'trace=t-1', '-H', 'n=2'], lines.join('\n'));
      const out = await kcat(cluster, ['-C', '-t', topic, '-e', '-J', '-q']);
      const read = out.stdout
        .toString()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { offset: number; key: string; payload: string; headers: string[] });
      expect(read.map((r) => `${r.key}:${r.payload}`)).to.deep.equal(lines);
      expect(read.map((r) => r.offset)).to.deep.equal(lines.map((_, i) => i));
      for (const r of read) expect(r.headers).to.deep.equal(['trace', 't-1', 'n', '2']);
      const stored = await storedBatches(topic);
      const expected = { none: 'None', gzip: 'Gzip', snappy: 'Snappy', lz4: 'Lz4', zstd: 'Zstd' }[codec];
      expect(stored.map((b) => CompressionType[b.compression])).to.deep.equal(stored.map(() => expected));
    });
  }

  it("records produced by this project's producer are read by kcat byte for byte", async () => {
    await createTopic('bytes-from-mq');
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all' }), (p) =>
      p.close(),
    );
    await producer.connect();
    const records = Array.from({ length: 40 }, (_, i) => ({
      key: i % 5 === 0 ? null : randomBytes(i % 17),
      value: Buffer.concat([Buffer.from([0, 10, 255, 13]), randomBytes(1 + ((i * 97) % 3000))]),
    }));
    for (const r of records) await producer.send({ topic: 'bytes-from-mq', partition: 0, ...r });
    const { stdout } = await kcat(cluster, ['-C', '-t', 'bytes-from-mq', '-e', '-q', '-f', '%o %K %S\n%k%s']);
    const read: { offset: number; key: Buffer | null; value: Buffer }[] = [];
    for (let pos = 0; pos < stdout.length;) {
      const eol = stdout.indexOf(10, pos);
      const [offset, keyLength, valueLength] = stdout.toString('latin1', pos, eol).split(' ').map(Number);
      pos = eol + 1;
      const key = keyLength! < 0 ? null : stdout.subarray(pos, (pos += keyLength!));
      read.push({ offset: offset!, key, value: stdout.subarray(pos, (pos += valueLength!)) });
    }
    expect(read.map((r) => r.offset)).to.deep.equal(records.map((_, i) => i));
    read.forEach((r, i) => {
      expect(r.key, `key ${i}`).to.deep.equal(records[i]!.key);
      expect(r.value.equals(records[i]!.value), `value ${i}`).to.equal(true);
    });
  });

  it("records produced by kcat are read by this project's consumer byte for byte", async () => {
    await createTopic('bytes-from-kcat');
    // Any byte but the two delimiters kcat is told to split on.
    const binary = (n: number) => Buffer.from([...randomBytes(n)].map((b) => (b === 1 || b === 2 ? 3 : b)));
    const records = Array.from({ length: 40 }, (_, i) => ({ key: binary(1 + (i % 20)), value: binary(1 + i * 61) }));
    const input = Buffer.concat(records.flatMap((r) => [r.key, Buffer.from([2]), r.value, Buffer.from([1])]));
    await kcat(cluster, ['-P', '-t', 'bytes-from-kcat', '-p', '0', '-D', '\\x01', '-K', '\\x02', '-z', 'lz4'], input);
    const consumer = await mqConsumer();
    consumer.assign([{ topic: 'bytes-from-kcat', partition: 0 }]);
    const read = await readN(consumer, records.length);
    read.forEach((r, i) => {
      expect(r.offset).to.equal(i);
      expect(r.key!.equals(records[i]!.key), `key ${i}`).to.equal(true);
      expect(r.value!.equals(records[i]!.value), `value ${i}`).to.equal(true);
    });
  });

  it('KafkaJS produces with acks=-1 and a group of three rebalances when a member leaves', async () => {
    const topic = 'kjs-group';
    await createTopic(topic, 6);
    const kafka = kafkaJs(cluster);
    const producer = defer(kafka.producer(), (p) => p.disconnect());
    await producer.connect();
    const send = async (from: number, count: number) => {
      const messages = Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` }));
      const acked = await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages });
      expect(acked.every((m) => m.errorCode === 0)).to.equal(true);
    };
    const seenBy = new Map<string, number>();
    const assignments: number[][] = [[], [], []];
    const members = [0, 1, 2].map((i) => {
      const c = defer(
        kafka.consumer({ groupId: 'kjs-g', sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 }),
        (x) => x.disconnect(),
      );
      c.on(c.events.GROUP_JOIN, (e) => {
        assignments[i] = e.payload.memberAssignment[topic] ?? [];
      });
      return c;
    });
    for (const [i, c] of members.entries()) {
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        eachMessage: ({ message }) => {
          if (!seenBy.has(message.value!.toString())) seenBy.set(message.value!.toString(), i);
          return Promise.resolve();
        },
      });
    }
    await send(0, 300);
    await waitFor(
      () => seenBy.size === 300 && assignments.every((a) => a.length === 2),
      'three members each reading two partitions, and every record read',
      { timeoutMs: 60_000 },
    );
    const leaverPartitions = assignments[2]!;
    await members[2]!.disconnect();
    await waitFor(
      () => [...assignments[0]!, ...assignments[1]!].sort().join() === '0,1,2,3,4,5',
      'the two remaining members to take over every partition',
      { timeoutMs: 60_000 },
    );
    expect([...assignments[0]!, ...assignments[1]!]).to.include.members(leaverPartitions);
    await send(300, 300);
    await waitFor(() => seenBy.size === 600, 'every record of the second half read', { timeoutMs: 60_000 });
    const afterLeaving = [...seenBy].filter(([value]) => Number(value.slice(1)) >= 300).map(([, member]) => member);
    expect(new Set(afterLeaving)).to.not.include(2);
  });

  it('confluent-kafka (Python) produces with acks=all and a group of three rebalances when a member leaves', async () => {
    await createTopic('py-group', 6);
    const result = await python<{ acked: number; before: number[][]; after: number[][]; seen: number; late: number[] }>(
      PYTHON_GROUP,
      [cluster.kafkaBootstrapServers, 'py-group', 'py-g', '6', '200'],
    );
    expect(result.acked).to.equal(400);
    expect(result.seen).to.equal(400);
    expect(result.before.map((a) => a.length)).to.deep.equal([2, 2, 2]);
    expect([...result.after[0]!, ...result.after[1]!].sort()).to.deep.equal([0, 1, 2, 3, 4, 5]);
    expect(result.late.filter((member) => member === 2)).to.deep.equal([]);
  });

  it('offsets committed by KafkaJS are read by librdkafka, and its commits by this project and back', async () => {
    const topic = 'cross-offsets';
    await createTopic(topic);
    const kafka = kafkaJs(cluster);
    const producer = defer(kafka.producer(), (p) => p.disconnect());
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ value: `m${i}` })) });

    // KafkaJS reads everything as a group member and commits offset 10.
    const kjs = kafka.consumer({ groupId: 'cross', maxWaitTimeInMs: 200 });
    await kjs.connect();
    await kjs.subscribe({ topic, fromBeginning: true });
    let read = 0;
    await kjs.run({ autoCommit: false, eachMessage: () => Promise.resolve(void read++) });
    await waitFor(() => read === 20, 'KafkaJS to read the twenty records');
    await kjs.commitOffsets([{ topic, partition: 0, offset: '10' }]);
    await kjs.disconnect();

    // librdkafka finds 10 committed, starts there, and commits 15.
    const py = await python<{ committedBefore: number; firstRead: number }>(PYTHON_OFFSETS, [
      cluster.kafkaBootstrapServers,
      topic,
      'cross',
    ]);
    expect(py).to.deep.equal({ committedBefore: 10, firstRead: 10 });

    // This project's consumer finds 15, starts there, and commits 18, which KafkaJS reads back.
    const mq = await mqConsumer({ 'group.id': 'cross', 'enable.auto.commit': false });
    mq.assign([{ topic, partition: 0 }]);
    expect((await mq.committed([{ topic, partition: 0 }]))[0]?.offset).to.equal(15);
    expect((await readN(mq, 1))[0]!.offset).to.equal(15);
    await mq.commit([{ topic, partition: 0, offset: 18 }]);
    const kjsAdmin = defer(kafka.admin(), (a) => a.disconnect());
    await kjsAdmin.connect();
    const [offsets] = await kjsAdmin.fetchOffsets({ groupId: 'cross', topics: [topic] });
    expect(offsets!.partitions).to.deep.equal([{ partition: 0, offset: '18', metadata: null }]); // KafkaJS: '' → null

    // KafkaJS's DeleteRecords moves the log start, which this project's consumer then starts from.
    await kjsAdmin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '12' }] });
    const [low] = await kjsAdmin.fetchTopicOffsets(topic);
    expect(low).to.include({ partition: 0, low: '12', high: '20' });
    const fresh = await mqConsumer({ 'auto.offset.reset': 'earliest' });
    fresh.assign([{ topic, partition: 0 }]);
    expect((await readN(fresh, 1))[0]!.offset).to.equal(12);
  });

  it('confluent-kafka runs a consume-transform-produce transaction: offsets committed with it, aborts hidden, fencing fatal', async () => {
    const [input, output, group, transactionalId] = ['py-txn-in', 'py-txn-out', 'py-txn', 'py-copier'];
    await createTopic(input);
    await createTopic(output);
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers }), (p) => p.close());
    await producer.connect();
    await producer.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic: input, partition: 0, value: `v${i}` })));

    const py = await python<{ committed: string[]; uncommitted: string[]; fencedFatal: boolean }>(PYTHON_TRANSACTIONS, [
      cluster.kafkaBootstrapServers,
      input,
      output,
      group,
      transactionalId,
    ]);
    const copied = Array.from({ length: 10 }, (_, i) => `V${i}`);
    const aborted = Array.from({ length: 5 }, (_, i) => `aborted-${i}`);
    expect(py.committed, 'librdkafka, read_committed').to.deep.equal([...copied, 'last']);
    expect(py.uncommitted, 'librdkafka, read_uncommitted').to.deep.equal([...copied, ...aborted, 'last']);
    expect(py.fencedFatal, 'the fenced producer fails with a fatal error').to.equal(true);

    // This project's consumer and admin see the same transactions the Kafka listener took.
    const out = [{ topic: output, partition: 0 }];
    expect(await readToEnd(cluster.bootstrapServers, admin, out, 'read_committed')).to.deep.equal([
      [...copied, 'last'],
    ]);
    expect(await readToEnd(cluster.bootstrapServers, admin, out, 'read_uncommitted')).to.deep.equal([
      [...copied, ...aborted, 'last'],
    ]);
    const offsets = await admin.listConsumerGroupOffsets(group);
    expect(offsets.find((o) => o.topic === input && o.partition === 0)?.offset).to.equal(10);
    const [txn] = await admin.describeTransactions([transactionalId]);
    expect(txn!.state, 'the zombie opened nothing').to.equal('Empty');
  });
});

/** Produces 2n keyed records with acks=all; three members read the first n, one leaves, two read the rest. */
const PYTHON_GROUP = `
import json, sys, time
from confluent_kafka import Producer, Consumer, KafkaException

bs, topic, group, partitions, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
acked = []
errors = []

def produce(start):
    p = Producer({'bootstrap.servers': bs, 'acks': 'all', 'linger.ms': 5})
    def done(err, msg):
        (errors if err is not None else acked).append(err)
    for i in range(start, start + n):
        p.produce(topic, key=b'k%d' % i, value=b'v%d' % i, on_delivery=done)
    if p.flush(30) != 0 or errors:
        raise Exception('not every record was acknowledged: %s' % errors)

members = [Consumer({'bootstrap.servers': bs, 'group.id': group, 'auto.offset.reset': 'earliest',
                     'session.timeout.ms': 10000, 'heartbeat.interval.ms': 500}) for _ in range(3)]
assigned = [set(), set(), set()]
def listeners(i):
    def on_assign(c, parts):
        assigned[i] = {p.partition for p in parts}
    def on_revoke(c, parts):
        assigned[i] = set()
    return on_assign, on_revoke
for i, c in enumerate(members):
    on_assign, on_revoke = listeners(i)
    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)

seen = {}
def poll_until(active, done, what):
    deadline = time.time() + 60
    while not done():
        if time.time() > deadline:
            raise Exception('timed out waiting for ' + what)
        for i in active:
            m = members[i].poll(0.05)
            if m is None:
                continue
            if m.error():
                raise KafkaException(m.error())
            seen.setdefault(m.value().decode(), i)

produce(0)
poll_until([0, 1, 2], lambda: len(seen) == n and all(len(a) == 2 for a in assigned), 'three members to read')
before = [sorted(a) for a in assigned]
members[2].close()
everything = set(range(partitions))
poll_until([0, 1], lambda: assigned[0] | assigned[1] == everything and assigned[0] and assigned[1], 'a rebalance')
after = [sorted(a) for a in assigned[:2]]
produce(n)
poll_until([0, 1], lambda: len(seen) == 2 * n, 'two members to read the rest')
for c in members[:2]:
    c.close()
late = [seen['v%d' % i] for i in range(n, 2 * n)]
print(json.dumps({'acked': len(acked), 'before': before, 'after': after, 'seen': len(seen), 'late': late}))
`;

/** Reads the committed offset, starts there with assign(), reads five records and commits past them. */
const PYTHON_OFFSETS = `
import json, sys
from confluent_kafka import Consumer, TopicPartition, KafkaException

bs, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
c = Consumer({'bootstrap.servers': bs, 'group.id': group, 'enable.auto.commit': False})
tp = TopicPartition(topic, 0)
committed = c.committed([tp], timeout=30)[0].offset
c.assign([tp])
offsets = []
while len(offsets) < 5:
    m = c.poll(1.0)
    if m is None:
        continue
    if m.error():
        raise KafkaException(m.error())
    offsets.append(m.offset())
c.commit(offsets=[TopicPartition(topic, 0, offsets[0] + 5)], asynchronous=False)
c.close()
print(json.dumps({'committedBefore': committed, 'firstRead': offsets[0]}))
`;

/**
 * A transactional copier on librdkafka: a group member reads 10 records with read_committed, one transaction writes
 * them uppercased with the offsets (send_offsets_to_transaction), a second writes 5 records and aborts, a third
 * writes 'last' and commits. Both isolation levels read the output back to 'last'. Then a second producer with the
 * same transactional.id initializes, and the first one's next transaction must fail with a fatal error.
 */
const PYTHON_TRANSACTIONS = `
import json, sys, time
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaException

bs, src, dst, group, tid = sys.argv[1:6]
c = Consumer({'bootstrap.servers': bs, 'group.id': group, 'auto.offset.reset': 'earliest',
              'enable.auto.commit': False, 'isolation.level': 'read_committed'})
c.subscribe([src])
p = Producer({'bootstrap.servers': bs, 'transactional.id': tid})
p.init_transactions(30)
msgs = []
deadline = time.time() + 60
while len(msgs) < 10:
    if time.time() > deadline:
        raise Exception('timed out reading the input')
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        raise KafkaException(m.error())
    msgs.append(m)
p.begin_transaction()
for m in msgs:
    p.produce(dst, value=m.value().upper(), partition=0)
p.send_offsets_to_transaction([TopicPartition(src, 0, msgs[-1].offset() + 1)], c.consumer_group_metadata(), 30)
p.commit_transaction(30)
p.begin_transaction()
for i in range(5):
    p.produce(dst, value=b'aborted-%d' % i, partition=0)
p.flush(30)
p.abort_transaction(30)
p.begin_transaction()
p.produce(dst, value=b'last', partition=0)
p.commit_transaction(30)
c.close()

def read(level):
    r = Consumer({'bootstrap.servers': bs, 'group.id': group + '-' + level, 'isolation.level': level,
                  'enable.auto.commit': False})
    r.assign([TopicPartition(dst, 0, 0)])
    values = []
    deadline = time.time() + 60
    while not values or values[-1] != 'last':
        if time.time() > deadline:
            raise Exception('timed out reading the output (%s): %s' % (level, values))
        m = r.poll(0.5)
        if m is None:
            continue
        if m.error():
            raise KafkaException(m.error())
        values.append(m.value().decode())
    r.close()
    return values

committed, uncommitted = read('read_committed'), read('read_uncommitted')
p2 = Producer({'bootstrap.servers': bs, 'transactional.id': tid})
p2.init_transactions(30)
fenced_fatal = False
try:
    p.begin_transaction()
    p.produce(dst, value=b'zombie', partition=0)
    p.commit_transaction(30)
except KafkaException as e:
    fenced_fatal = e.args[0].fatal()
print(json.dumps({'committed': committed, 'uncommitted': uncommitted, 'fencedFatal': fenced_fatal}))
`;
