/**
 * `mq-admin find` on three brokers and a topic of a million records: by key it prints the latest record with that key
 * from the key's partition (scanning backwards from the end: a key written only at the start costs the whole
 * partition), by time the first record at or after a timestamp, by offset the record there — each as `consume` prints
 * records, with partition and offset.
 */
import { expect } from 'chai';
import { Admin, partitionForKey, Producer } from '../../lib/client/index.js';
import type { ProducerRecord } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';

const TOPIC = 'orders-1m';
const PARTITIONS = 3;
const RECORDS = 1_000_000;

describe('mq-admin find (3 brokers, 1,000,000 records)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  /** Where the second record keyed order-42 (written half-way) landed. */
  let latest42: { partition: number; offset: number };
  let baseMs: number;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 3 });
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }]);
    const producer = defer(
      new Producer({ 'bootstrap.servers': cluster.bootstrapServers, 'linger.ms': 5, 'batch.size': 262144 }),
      (p) => p.close(),
    );
    await producer.connect();
    baseMs = Date.now() - RECORDS;
    const padding = 'x'.repeat(80);
    // Record i has key order-i and timestamp base + i ms; half-way, order-42 is written a second time.
    for (let from = 0; from < RECORDS; from += 20_000) {
      if (from === RECORDS / 2) {
        const again = await producer.send({
          topic: TOPIC,
          key: 'order-42',
          value: `latest-42-${padding}`,
          timestamp: baseMs + from,
        });
        latest42 = { partition: again.partition, offset: again.offset };
      }
      const chunk: ProducerRecord[] = [];
      for (let i = from; i < from + 20_000; i++) {
        chunk.push({ topic: TOPIC, key: `order-${i}`, value: `value-${i}-${padding}`, timestamp: baseMs + i });
      }
      await producer.sendBatch(chunk);
    }
  });
  after(async () => {
    await cluster?.stop();
  });

  const find = (...args: string[]) =>
    mqAdmin(['find', '--bootstrap-server', cluster.bootstrapServers, '--topic', TOPIC, ...args]);

  it('finds the latest record of a key, written half-way through its partition', async () => {
    const result = await find('--key', 'order-42');
    expect(result.code, result.stderr).to.equal(0);
    const [partition, offset, key, value] = result.stdout.trim().split('\t');
    expect(latest42.partition).to.equal(partitionForKey('order-42', PARTITIONS));
    expect([partition, key]).to.deep.equal([`Partition:${latest42.partition}`, 'order-42']);
    expect(offset).to.equal(`Offset:${latest42.offset}`);
    expect(value).to.match(/^latest-42-/);
    expect(result.stderr).to.match(/Scanned orders-1m-\d+ back to offset \d+: \d+ of \d+ records in \d+ ms, 1 found/);
  });

  it('finds a key written only at the very start, scanning its whole partition within 2 s', async () => {
    const result = await find('--key', 'order-7');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^Partition:\d+\tOffset:\d+\torder-7\tvalue-7-x+\n$/);
    const scans = [...result.stderr.matchAll(/: (\d+) of (\d+) records in (\d+) ms/g)];
    const last = scans[scans.length - 1]!;
    expect(Number(last[1])).to.equal(Number(last[2]));
    expect(Number(last[2])).to.be.greaterThan(RECORDS / PARTITIONS - 20_000);
    expect(Number(last[3]), 'ms to scan the whole partition backwards').to.be.below(2000);
  });

  it('prints nothing and exits 1 for a key that no record has', async () => {
    const result = await find('--key', 'order-none', '--window', '400000');
    expect(result.code).to.equal(1);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.contain('No record found.');
  });

  it('finds the first record at or after a time in each partition, and the record at an offset', async () => {
    const byTime = await find('--time', new Date(baseMs + 600_000).toISOString(), '--property', 'print.timestamp=true');
    expect(byTime.code, byTime.stderr).to.equal(0);
    const lines = byTime.stdout.trim().split('\n');
    expect(lines).to.have.length(PARTITIONS);
    for (const line of lines) {
      const [timestamp] = line.split('\t');
      expect(Number(timestamp!.replace('CreateTime:', ''))).to.be.within(baseMs + 600_000, baseMs + 600_010);
    }
    const [, , offsetField] = lines[0]!.split('\t');
    const atOffset = await find('--partition', '0', '--offset', offsetField!.replace('Offset:', ''));
    expect(atOffset.code, atOffset.stderr).to.equal(0);
    expect(atOffset.stdout.trim()).to.equal(lines[0]!.split('\t').slice(1).join('\t'));
  });
});
