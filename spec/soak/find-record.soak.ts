/**
 * `npm run soak`: `mq-admin find --key` in a topic of a million records on three brokers (RF 3, 3 partitions), the
 * size issue 19 sets its target at (the latest record of a key within 2 s). Finds the key written again half-way
 * (its latest record is in the middle of its partition) and a key written only at the very start (the whole
 * partition is scanned backwards), checks what each prints, and prints how long each took: the scan time find
 * reports on stderr and the whole command's wall time (with Node's start-up). The figures go to docs/BENCHMARKS.md;
 * they are measurements, not assertions.
 */
import { expect } from 'chai';
import { Admin, partitionForKey } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { writeOrderRecords, type OrderRecords } from '../helpers/order-records.js';

const TOPIC = 'orders-1m';
const PARTITIONS = 3;
const RECORDS = 1_000_000;

describe('mq-admin find in a topic of 1,000,000 records', function () {
  this.timeout(0);
  let cluster: TestCluster;
  let orders: OrderRecords;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 3 });
    const admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
    try {
      orders = await writeOrderRecords(admin, cluster.bootstrapServers, TOPIC, PARTITIONS, RECORDS);
    } finally {
      await admin.close();
    }
  });
  after(async () => {
    await cluster?.stop();
  });

  async function timedFind(key: string): Promise<{ stdout: string; scanMs: number; scanned: number; wallMs: number }> {
    const started = Date.now();
    const result = await mqAdmin([
      'find',
      '--bootstrap-server',
      cluster.bootstrapServers,
      '--topic',
      TOPIC,
      '--key',
      key,
    ]);
    const wallMs = Date.now() - started;
    expect(result.code, result.stderr).to.equal(0);
    const scans = [...result.stderr.matchAll(/: (\d+) of \d+ records in (\d+) ms/g)];
    const last = scans[scans.length - 1]!;
    const figures = { stdout: result.stdout, scanned: Number(last[1]), scanMs: Number(last[2]), wallMs };
    console.log(
      `  find --key ${key}: scanned ${figures.scanned} records in ${figures.scanMs} ms; command ${wallMs} ms`,
    );
    return figures;
  }

  it('finds the latest record of a key written half-way, and of a key written only at the start', async () => {
    for (let run = 0; run < 3; run++) {
      const half = await timedFind('order-42');
      expect(half.stdout.trim().split('\t').slice(0, 3)).to.deep.equal([
        `Partition:${partitionForKey('order-42', PARTITIONS)}`,
        `Offset:${orders.latest42.offset}`,
        'order-42',
      ]);
      const start = await timedFind('order-7');
      expect(start.stdout).to.match(/^Partition:\d+\tOffset:\d+\torder-7\tvalue-7-x+\n$/);
      expect(start.scanned).to.be.greaterThan(RECORDS / PARTITIONS - 20_000);
    }
  });
});
