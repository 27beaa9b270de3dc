/**
 * DeleteRecords (KIP-107) through `mq-admin delete-records` against three brokers: the log start offset moves on
 * every replica (checked with ListOffsets through the Admin client and on each broker's disk, where the segments
 * below it are gone), -1 means the high watermark, an offset above the high watermark and a compacted topic are
 * refused per partition, and a group whose committed offset fell below the new start resets by its
 * auto.offset.reset.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin, Consumer, Producer } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const TOPIC = 'trimmed';

/** Base offsets of the segments of a partition on one broker's disk. */
function segmentBaseOffsets(cluster: TestCluster, brokerId: number, partition: number): number[] {
  const dir = join(cluster.local.broker(brokerId).dir, 'logs', `${TOPIC}-${partition}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => Number(f.slice(0, -4)))
    .sort((a, b) => a - b);
}

describe('mq-admin delete-records (3 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let admin: Admin;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerProps: { 'group.initial.rebalance.delay.ms': 0 } });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
    // Small segments (a batch of 10 records each), so that deleting records also deletes whole segments.
    await admin.createTopics([
      { name: TOPIC, numPartitions: 2, replicationFactor: 3, configs: { 'segment.bytes': '600' } },
      { name: 'compacted', numPartitions: 1, replicationFactor: 3, configs: { 'cleanup.policy': 'compact' } },
    ]);
    const producer = new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all' });
    await producer.connect();
    try {
      for (let i = 0; i < 10; i++) {
        await producer.sendBatch(
          [0, 1].flatMap((partition) =>
            Array.from({ length: 10 }, (_, j) => ({ topic: TOPIC, partition, value: `v${i * 10 + j}` })),
          ),
        );
      }
      await producer.send({ topic: 'compacted', partition: 0, key: 'k', value: 'v' });
    } finally {
      await producer.close();
    }
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  it("moves the log start offset on every replica and prints Kafka's lines; -1 means the high watermark", async () => {
    const file = join(tmpDir(), 'offsets.json');
    writeFileSync(
      file,
      JSON.stringify({
        partitions: [
          { topic: TOPIC, partition: 0, offset: 45 },
          { topic: TOPIC, partition: 1, offset: -1 },
        ],
        version: 1,
      }),
    );
    const run = await mqAdmin([
      'delete-records',
      '--bootstrap-server',
      cluster.bootstrapServers,
      '--offset-json-file',
      file,
    ]);
    expect(run.stderr).to.equal('');
    expect(run).to.include({
      code: 0,
      stdout:
        'Executing records delete operation\nRecords delete operation completed:\n' +
        `partition: ${TOPIC}-0\tlow_watermark: 45\npartition: ${TOPIC}-1\tlow_watermark: 100\n`,
    });
    const earliest = await admin.listOffsets(
      [0, 1].map((partition) => ({ topic: TOPIC, partition, spec: 'earliest' })),
    );
    expect(earliest.map((o) => o.offset)).to.deep.equal([45, 100]);
    // The low watermark counts every live replica, so each one's segments wholly below the new start are gone
    // already: the first segment left holds the new start offset.
    for (const id of cluster.local.brokerIds()) {
      for (const [partition, start] of [
        [0, 45],
        [1, 100],
      ] as const) {
        const bases = segmentBaseOffsets(cluster, id, partition);
        const where = `broker ${id}, partition ${partition}: segments ${bases.join(',')}`;
        expect(bases[0], where).to.be.above(0).and.at.most(start);
        if (bases.length > 1) expect(bases[1], where).to.be.above(start);
      }
    }
  });

  it('answers each partition with its own error: above the high watermark, a compacted topic, no such partition', async () => {
    const file = join(tmpDir(), 'offsets.json');
    writeFileSync(
      file,
      JSON.stringify({
        partitions: [
          { topic: TOPIC, partition: 0, offset: 1000 },
          { topic: 'compacted', partition: 0, offset: 0 },
          { topic: TOPIC, partition: 9, offset: 1 },
        ],
      }),
    );
    const run = await mqAdmin([
      'delete-records',
      '--bootstrap-server',
      cluster.bootstrapServers,
      '--offset-json-file',
      file,
    ]);
    expect(run.code).to.equal(1);
    const lines = run.stdout.trimEnd().split('\n').slice(2);
    expect(lines[0]).to.match(new RegExp(`^partition: ${TOPIC}-0\\terror: .*offset.*OFFSET_OUT_OF_RANGE`));
    expect(lines[1]).to.match(/^partition: compacted-0\terror: .*POLICY_VIOLATION/);
    expect(lines[2]).to.match(new RegExp(`^partition: ${TOPIC}-9\\terror: .*UNKNOWN_TOPIC_OR_PARTITION`));
    const [earliest] = await admin.listOffsets([{ topic: TOPIC, partition: 0, spec: 'earliest' }]);
    expect(earliest!.offset).to.equal(45);
  });

  it('resets a group whose committed offset fell below the log start by its auto.offset.reset', async () => {
    await admin.alterConsumerGroupOffsets('behind', [{ topic: TOPIC, partition: 0, offset: 10 }]);
    const consumer = defer(
      new Consumer({
        'bootstrap.servers': cluster.bootstrapServers,
        'group.id': 'behind',
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': false,
      }),
      (c) => c.close(),
    );
    await consumer.connect();
    consumer.assign([{ topic: TOPIC, partition: 0 }]);
    const offsets: number[] = [];
    for await (const record of consumer) {
      offsets.push(record.offset);
      if (offsets.length === 3) break;
    }
    expect(offsets).to.deep.equal([45, 46, 47]);
  });
});
