/**
 * `mq-admin find` on the shared cluster: by key it prints the latest record with that key from the key's partition
 * (scanning backwards from the end: a key written only at the start costs the whole partition), by time the first
 * record at or after a timestamp in each partition, by offset the record there — each as `consume` prints records,
 * with partition and offset. The topic is small here (40,000 records); how long a key takes to find in a million
 * records is measured by `npm run soak` (spec/soak/find-record.soak.ts) and recorded in docs/BENCHMARKS.md.
 */
import { expect } from 'chai';
import { partitionForKey } from '../../../lib/client/index.js';
import { mqAdmin } from '../../helpers/mq-admin-cli.js';
import { writeOrderRecords, type OrderRecords } from '../../helpers/order-records.js';
import type { SharedCluster } from './shared-cluster.js';

const TOPIC = 'orders-40k';
const PARTITIONS = 3;
const RECORDS = 40_000;

export function findRecordSpecs(ctx: SharedCluster): void {
  describe('mq-admin find', () => {
    let orders: OrderRecords;

    before(async () => {
      orders = await writeOrderRecords(ctx.admin, ctx.cluster.bootstrapServers, TOPIC, PARTITIONS, RECORDS);
    });

    const find = (...args: string[]) =>
      mqAdmin(['find', '--bootstrap-server', ctx.cluster.bootstrapServers, '--topic', TOPIC, ...args]);

    it('finds the latest record of a key, written half-way through its partition', async () => {
      const result = await find('--key', 'order-42');
      expect(result.code, result.stderr).to.equal(0);
      const [partition, offset, key, value] = result.stdout.trim().split('\t');
      expect(orders.latest42.partition).to.equal(partitionForKey('order-42', PARTITIONS));
      expect([partition, key]).to.deep.equal([`Partition:${orders.latest42.partition}`, 'order-42']);
      expect(offset).to.equal(`Offset:${orders.latest42.offset}`);
      expect(value).to.match(/^latest-42-/);
      expect(result.stderr).to.match(
        /Scanned orders-40k-\d+ back to offset \d+: \d+ of \d+ records in \d+ ms, 1 found/,
      );
    });

    it('finds a key written only at the very start, scanning its whole partition', async () => {
      const result = await find('--key', 'order-7');
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.match(/^Partition:\d+\tOffset:\d+\torder-7\tvalue-7-x+\n$/);
      const scans = [...result.stderr.matchAll(/: (\d+) of (\d+) records in (\d+) ms/g)];
      const last = scans[scans.length - 1]!;
      expect(Number(last[1])).to.equal(Number(last[2]));
      expect(Number(last[2])).to.be.greaterThan(RECORDS / PARTITIONS - 2000);
    });

    it('prints nothing and exits 1 for a key that no record has', async () => {
      const result = await find('--key', 'order-none');
      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal('');
      expect(result.stderr).to.contain('No record found.');
    });

    it('finds the first record at or after a time in each partition, and the record at an offset', async () => {
      const from = RECORDS / 2 + 1000;
      const byTime = await find(
        '--time',
        new Date(orders.baseMs + from).toISOString(),
        '--property',
        'print.timestamp=true',
      );
      expect(byTime.code, byTime.stderr).to.equal(0);
      const lines = byTime.stdout.trim().split('\n');
      expect(lines).to.have.length(PARTITIONS);
      for (const line of lines) {
        const [timestamp, partition, , key] = line.split('\t');
        // The first record of this partition at or after `from` (keys are spread by the default partitioner).
        let i = from;
        while (partitionForKey(`order-${i}`, PARTITIONS) !== Number(partition!.replace('Partition:', ''))) i++;
        expect([timestamp, key]).to.deep.equal([`CreateTime:${orders.baseMs + i}`, `order-${i}`]);
      }
      const [, partitionField, offsetField] = lines[0]!.split('\t');
      const atOffset = await find(
        '--partition',
        partitionField!.replace('Partition:', ''),
        '--offset',
        offsetField!.replace('Offset:', ''),
      );
      expect(atOffset.code, atOffset.stderr).to.equal(0);
      expect(atOffset.stdout.trim()).to.equal(lines[0]!.split('\t').slice(1).join('\t'));
    });
  });
}
