/**
 * Delayed delivery on the shared three brokers: records sent with a delivery time arrive in their topic no earlier
 * than due and within a second after (the wheel's tick is 100 ms), each exactly where its key sends it, with records
 * of one key and one due time in send order; across a SIGKILL of the broker leading the most delay partitions and a
 * restart of the whole cluster (both SIGKILLs), none is lost or delivered early. Records sent in a transaction wait for
 * its commit and are never delivered when it aborts. A consumer reading the target topic notes when each record
 * arrives.
 */
import { expect } from 'chai';
import { DELAYED_TOPIC, Producer } from '../../../lib/client/index.js';
import { defer } from '../../helpers/cleanup.js';
import { mqAdmin } from '../../helpers/mq-admin-cli.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  expectDelivered,
  expectSendOrderPerKeyAndDue,
  sendDelayed,
  watchArrivals,
} from '../../helpers/delayed-arrivals.js';
import type { SharedCluster } from './shared-cluster.js';

const PARTITIONS = 3;

export function delayedDeliverySpecs(ctx: SharedCluster): void {
  describe('Delayed delivery', () => {
    async function createTopic(topic: string): Promise<void> {
      await ctx.admin.createTopics([{ name: topic, numPartitions: PARTITIONS, replicationFactor: 3 }]);
      await waitFor(
        async () => (await ctx.admin.describeTopics([topic]))[0]!.partitions.every((p) => p.leader >= 0),
        `${topic} to have leaders`,
      );
    }

    function newProducer(): Producer {
      return defer(
        new Producer({
          'bootstrap.servers': ctx.cluster.bootstrapServers,
          acks: 'all',
          'linger.ms': 5,
          'request.timeout.ms': 5000,
          'retry.backoff.ms': 100,
          'metadata.max.age.ms': 1000,
        }),
        (p) => p.close(),
      );
    }

    it('delivers records no earlier than due and within 1 s after, to their key’s partition, in send order per key and due time', async () => {
      const topic = 'delayed-basic';
      await createTopic(topic);
      const reader = watchArrivals(ctx.cluster.bootstrapServers, topic, PARTITIONS);
      defer(reader, (r) => r.stop());
      const producer = newProducer();
      await producer.connect();
      const { sent, stored } = await sendDelayed(producer, topic, { count: 400, minDelayMs: 1000, maxDelayMs: 3500 });
      expect(new Set(stored.map((m) => m.topic))).to.deep.equal(new Set([DELAYED_TOPIC]));
      await waitFor(
        async () => (await ctx.admin.describeDelayedRecords()).reduce((n, p) => n + p.pending, 0) > 0,
        'the delay partitions to report pending records',
      );
      await waitFor(() => reader.arrivals.size === sent.length, 'every delayed record to arrive', {
        timeoutMs: 20_000,
      });
      const { late, maxLateMs } = expectDelivered(sent, reader.arrivals, PARTITIONS, 0);
      expect(late, `records more than 1 s late (worst ${maxLateMs} ms)`).to.equal(0);
      expectSendOrderPerKeyAndDue(sent, reader.arrivals);
    });

    it('shows pending records per target and the next due times (mq-admin delayed --describe, metrics)', async () => {
      const topic = 'delayed-described';
      await createTopic(topic);
      const producer = newProducer();
      await producer.connect();
      const dueMs = Date.now() + 60_000;
      await producer.sendBatch([
        ...Array.from({ length: 30 }, (_, i) => ({ topic, partition: 0, value: `a${i}`, deliverAt: dueMs })),
        ...Array.from({ length: 12 }, (_, i) => ({ topic, partition: 2, value: `b${i}`, deliverAt: dueMs + 5000 })),
      ]);
      await waitFor(async () => (await pendingInMetrics()) >= 42, 'pending in the metrics');
      const result = await mqAdmin([
        'delayed',
        '--bootstrap-server',
        ctx.cluster.bootstrapServers,
        '--describe',
        '--topic',
        topic,
      ]);
      expect(result.code, result.stderr).to.equal(0);
      const lines = result.stdout.split('\n');
      const at = lines.findIndex((l) => l.startsWith('TOPIC'));
      expect(lines[at]!.split(/\s+/)).to.deep.equal(['TOPIC', 'PARTITION', 'PENDING', 'EARLIEST-DUE']);
      expect(lines[at + 1]).to.match(
        new RegExp(`^${topic} 0 +30 +${new Date(dueMs).toISOString()} \\(in 5\\d\\.\\ds\\)$`),
      );
      expect(lines[at + 2]).to.match(new RegExp(`^${topic} 2 +12 +${new Date(dueMs + 5000).toISOString()} `));
      expect(lines.some((l) => /^DELAY-PARTITION +LEADER-EPOCH +STATE +PENDING/.test(l))).to.equal(true);
      expect(lines.filter((l) => /^\d+ +\d+ +Running +\d+/.test(l))).to.have.length(6);
    });

    it('delivers the delayed records of a committed transaction once it commits, none of an aborted one', async () => {
      const topic = 'delayed-transactional';
      await createTopic(topic);
      const reader = watchArrivals(ctx.cluster.bootstrapServers, topic, PARTITIONS);
      defer(reader, (r) => r.stop());
      const producer = defer(
        new Producer({
          'bootstrap.servers': ctx.cluster.bootstrapServers,
          'transactional.id': 'delayed-transactional',
          'request.timeout.ms': 5000,
          'metadata.max.age.ms': 1000,
        }),
        (p) => p.close(),
      );
      await producer.connect();
      await producer.initTransactions();
      // One key: one target partition, so one delay partition, which hands records out in due order.
      const send = (id: number, delayMs: number) => producer.send({ topic, key: 'k', value: String(id), delayMs });
      producer.beginTransaction();
      const aborted = send(1, 300);
      await producer.flush();
      await aborted;
      await producer.abortTransaction();
      producer.beginTransaction();
      const openSentMs = Date.now();
      const sends = [send(2, 300), send(3, 600)];
      await producer.flush();
      // Held while its transaction is open, due or not (the delay leader reads no further than the last stable offset).
      await waitFor(() => Date.now() >= openSentMs + 1600, 'the open transaction’s records to be overdue by a second');
      expect([...reader.arrivals.keys()], 'records delivered before their transaction ended').to.deep.equal([]);
      const committedMs = Date.now();
      await producer.commitTransaction();
      await Promise.all(sends);
      await waitFor(() => reader.arrivals.size === 2, 'the committed records to arrive', { timeoutMs: 10_000 });
      // Record 1, due before 2 and 3 through the same delay partition, would have arrived first had it been delivered.
      expect([...reader.arrivals.keys()].sort()).to.deep.equal([2, 3]);
      for (const [a] of reader.arrivals.values()) expect(a!.atMs).to.be.at.least(committedMs);
    });

    /** mq_delayed_records_pending summed over every delay partition of every broker. */
    async function pendingInMetrics(): Promise<number> {
      let total = 0;
      for (const id of ctx.cluster.local.brokerIds()) {
        const text = await (await fetch(`http://127.0.0.1:${ctx.cluster.local.broker(id).metricsPort}/metrics`)).text();
        for (const line of text.split('\n')) {
          if (line.startsWith('mq_delayed_records_pending{')) total += Number(line.split(' ').pop());
        }
      }
      return total;
    }

    /** The broker leading the most partitions of the delay topic. */
    async function busiestDelayLeader(): Promise<number> {
      const [delayTopic] = await ctx.admin.describeTopics([DELAYED_TOPIC]);
      const led = new Map<number, number>();
      for (const p of delayTopic!.partitions) led.set(p.leader, (led.get(p.leader) ?? 0) + 1);
      return [...led].sort((a, b) => b[1] - a[1])[0]![0];
    }

    it('loses none and delivers none early across a SIGKILL of the delay partitions’ busiest leader', async () => {
      const topic = 'delayed-leader-kill';
      await createTopic(topic);
      const reader = watchArrivals(ctx.cluster.bootstrapServers, topic, PARTITIONS);
      defer(reader, (r) => r.stop());
      const producer = newProducer();
      await producer.connect();
      const { sent } = await sendDelayed(producer, topic, { count: 300, minDelayMs: 3000, maxDelayMs: 14_000 });
      const victim = await busiestDelayLeader();
      await ctx.cluster.local.killBroker(victim);
      const killedAtMs = Date.now();
      await waitFor(
        async () =>
          (await ctx.admin.describeTopics([DELAYED_TOPIC]))[0]!.partitions.every(
            (p) => p.leader !== victim && p.leader >= 0,
          ),
        'new leaders for every delay partition',
        { timeoutMs: 30_000 },
      );
      await ctx.cluster.local.startBroker(victim);
      await waitFor(() => reader.arrivals.size === sent.length, 'every delayed record to arrive', {
        timeoutMs: 40_000,
      });
      // Records due before the new leaders took over (a session timeout plus the load) arrive late; later ones on time.
      const { late, maxLateMs, punctualChecked } = expectDelivered(
        sent,
        reader.arrivals,
        PARTITIONS,
        killedAtMs + ctx.sessionTimeoutMs + 3000,
      );
      expect(punctualChecked, 'records due after the takeover').to.be.greaterThan(0);
      expect(late, `records due after the takeover but more than 1 s late (worst ${maxLateMs} ms)`).to.equal(0);
      expectSendOrderPerKeyAndDue(sent, reader.arrivals);
    });

    it('loses none and delivers none early across a full cluster restart (all brokers SIGKILLed)', async () => {
      const topic = 'delayed-cluster-restart';
      await createTopic(topic);
      const producer = newProducer();
      await producer.connect();
      const { sent } = await sendDelayed(producer, topic, { count: 300, minDelayMs: 3000, maxDelayMs: 16_000 });
      const ids = ctx.cluster.local.brokerIds();
      await Promise.all(ids.map((id) => ctx.cluster.local.killBroker(id)));
      await Promise.all(ids.map((id) => ctx.cluster.local.startBroker(id)));
      const restartedAtMs = Date.now();
      const reader = watchArrivals(ctx.cluster.bootstrapServers, topic, PARTITIONS);
      defer(reader, (r) => r.stop());
      await waitFor(() => reader.arrivals.size === sent.length, 'every delayed record to arrive', {
        timeoutMs: 60_000,
      });
      const { late, maxLateMs, punctualChecked } = expectDelivered(
        sent,
        reader.arrivals,
        PARTITIONS,
        restartedAtMs + 5000,
      );
      expect(punctualChecked, 'records due after the restart').to.be.greaterThan(0);
      expect(late, `records due after the restart but more than 1 s late (worst ${maxLateMs} ms)`).to.equal(0);
    });
  });
}
