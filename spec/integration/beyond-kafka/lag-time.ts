/**
 * Lag in time on three brokers: the group coordinator reports, per partition, the age of the oldest record the group
 * has not consumed — asked of the partition's leader, which for some partitions is another broker — matching the
 * records' known timestamps within a second; `mq-admin groups --describe` shows it as LAG-TIME, and
 * `--offset-history` lists the last commits (a transaction's once it commits), which survive a move of the coordinator
 * (reloaded from the log).
 */
import { expect } from 'chai';
import { Producer } from '../../../lib/client/index.js';
import { defer } from '../../helpers/cleanup.js';
import { mqAdmin } from '../../helpers/mq-admin-cli.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { SharedCluster } from './shared-cluster.js';

const PARTITIONS = 3;
const TOPIC = 'lagging';
const GROUP = 'slow-readers';

export function lagTimeSpecs(ctx: SharedCluster): void {
  describe('Lag in time', () => {
    /** Record i of every partition was stamped base + i s. */
    let baseMs: number;

    before(async () => {
      await ctx.admin.createTopics([{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }]);
      const producer = defer(new Producer({ 'bootstrap.servers': ctx.cluster.bootstrapServers }), (p) => p.close());
      await producer.connect();
      baseMs = Date.now() - 600_000;
      const records = [];
      for (let partition = 0; partition < PARTITIONS; partition++) {
        for (let i = 0; i < 100; i++)
          records.push({ topic: TOPIC, partition, value: `r${i}`, timestamp: baseMs + i * 1000 });
      }
      await producer.sendBatch(records);
    });

    /** Commits `offsets[p]` for partition p, as a consumer with assign() and the group would. */
    async function commit(offsets: readonly number[]): Promise<void> {
      await ctx.admin.alterConsumerGroupOffsets(
        GROUP,
        offsets.map((offset, partition) => ({ topic: TOPIC, partition, offset })),
      );
    }

    /** Commits `offset` for partition 0 in a transaction (as a copier without group membership would), then ends it. */
    async function commitInTransaction(offset: number, end: 'commit' | 'abort'): Promise<void> {
      const producer = defer(
        new Producer({ 'bootstrap.servers': ctx.cluster.bootstrapServers, 'transactional.id': 'lag-time-copier' }),
        (p) => p.close(),
      );
      await producer.connect();
      await producer.initTransactions();
      producer.beginTransaction();
      await producer.sendOffsetsToTransaction([{ topic: TOPIC, partition: 0, offset }], {
        groupId: GROUP,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
      });
      await (end === 'commit' ? producer.commitTransaction() : producer.abortTransaction());
      await producer.close();
    }

    it('reports the age of the oldest unconsumed record per partition within 1 s, from every partition leader', async () => {
      const leaders = new Set((await ctx.admin.describeTopics([TOPIC]))[0]!.partitions.map((p) => p.leader));
      expect(leaders.size, 'partitions led by more than one broker').to.be.greaterThan(1);
      await commit([10, 40, 100]);
      const before = Date.now();
      const lags = await ctx.admin.describeConsumerGroupLag(GROUP);
      const after = Date.now();
      const byPartition = new Map(lags.map((l) => [l.partition, l]));
      for (const [partition, committed] of [
        [0, 10],
        [1, 40],
      ] as const) {
        const l = byPartition.get(partition)!;
        expect(l.error).to.equal(null);
        expect(l.lag).to.equal(100 - committed);
        expect(l.oldestUnconsumedTimestamp).to.equal(baseMs + committed * 1000);
        expect(l.lagMs).to.be.within(
          before - (baseMs + committed * 1000) - 1000,
          after - (baseMs + committed * 1000) + 1000,
        );
        expect(l.sinceCommitMs).to.be.within(0, 10_000);
      }
      const caughtUp = byPartition.get(2)!;
      expect([caughtUp.lag, caughtUp.lagMs, caughtUp.oldestUnconsumedTimestamp]).to.deep.equal([0, 0, -1]);

      // The coordinator exports the same figure to Prometheus.
      const [group] = await ctx.admin.describeConsumerGroups([GROUP]);
      const text = await (
        await fetch(`http://127.0.0.1:${ctx.cluster.local.broker(group!.coordinator).metricsPort}/metrics`)
      ).text();
      const sample = (partition: number) => {
        const line = text
          .split('\n')
          .find(
            (l) =>
              l.startsWith('kafka_consumergroup_lag_seconds{') &&
              l.includes(`consumergroup="${GROUP}"`) &&
              l.includes(`topic="${TOPIC}"`) &&
              l.includes(`partition="${partition}"`),
          );
        return Number(line?.split(' ').pop());
      };
      expect(sample(0)).to.be.within(
        (Date.now() - (baseMs + 10_000)) / 1000 - 2,
        (Date.now() - (baseMs + 10_000)) / 1000,
      );
      expect(sample(2)).to.equal(0);
    });

    it('shows LAG-TIME in mq-admin groups --describe', async () => {
      await commit([50, 99, 100]);
      const result = await mqAdmin([
        'groups',
        '--bootstrap-server',
        ctx.cluster.bootstrapServers,
        '--describe',
        '--group',
        GROUP,
      ]);
      expect(result.code, result.stderr).to.equal(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]!.split(/\s+/)).to.deep.equal([
        'GROUP',
        'TOPIC',
        'PARTITION',
        'CURRENT-OFFSET',
        'LOG-END-OFFSET',
        'LAG',
        'CONSUMER-ID',
        'HOST',
        'CLIENT-ID',
        'LAG-TIME',
      ]);
      const rows = new Map(
        lines
          .slice(1)
          .map((l) => l.split(/\s+/))
          .map((cells) => [Number(cells[2]), cells]),
      );
      const seconds = (text: string) => {
        const m = /^(?:(\d+)m)?([\d.]+)s$/.exec(text);
        return m === null ? NaN : Number(m[1] ?? 0) * 60 + Number(m[2]);
      };
      for (const [partition, committed] of [
        [0, 50],
        [1, 99],
      ] as const) {
        const expected = (Date.now() - (baseMs + committed * 1000)) / 1000;
        expect(seconds(rows.get(partition)![9]!)).to.be.within(expected - 1.5, expected + 0.5);
      }
      expect(rows.get(2)![9]).to.equal('0.0s');
    });

    it('keeps the last commits of each partition (--offset-history), also after its coordinator moves', async () => {
      for (const offset of [60, 70, 80]) await commit([offset, 99, 100]);
      // A commit in a transaction joins the history at its commit marker; one whose transaction aborts never does.
      await commitInTransaction(90, 'commit');
      await commitInTransaction(95, 'abort');
      const history = async () => {
        const result = await mqAdmin([
          'groups',
          '--bootstrap-server',
          ctx.cluster.bootstrapServers,
          '--describe',
          '--group',
          GROUP,
          '--offset-history',
        ]);
        expect(result.code, result.stderr).to.equal(0);
        return result.stdout
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(/\s+/))
          .filter((cells) => cells[2] === '0')
          .map((cells) => [cells[3], cells[5]]);
      };
      // Partition 0 was committed at 10, 50, 60, 70, 80, 90 by this suite: each row with what it advanced.
      const expected = [
        ['10', '-'],
        ['50', '40'],
        ['60', '10'],
        ['70', '10'],
        ['80', '10'],
        ['90', '10'],
      ];
      expect(await history()).to.deep.equal(expected);
      const [coordinator] = (await ctx.admin.describeConsumerGroups([GROUP])).map((g) => g.coordinator);
      await ctx.cluster.local.stopBroker(coordinator!);
      try {
        await waitFor(
          async () => {
            const [g] = await ctx.admin.describeConsumerGroups([GROUP]);
            return g!.coordinator !== coordinator && g!.coordinator >= 0;
          },
          'another coordinator for the group',
          { timeoutMs: 30_000 },
        );
        expect(await history()).to.deep.equal(expected);
      } finally {
        await ctx.cluster.local.startBroker(coordinator!);
      }
    });
  });
}
