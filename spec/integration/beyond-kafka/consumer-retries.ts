/**
 * Retry stages and dead letters on the shared cluster: a handler that fails every time on one record moves it
 * through each retry stage (as delayed deliveries back to the group) to the dead-letter topic, with its origin,
 * attempts and error in headers, while the other records of its partition keep being handled and committed; in
 * ordered mode the later records of a key wait until the one in retry is resolved, other keys not; `mq-admin dlq`
 * lists, describes and redrives the dead letter, which the group then handles again.
 */
import { expect } from 'chai';
import { Consumer, Producer } from '../../../lib/client/index.js';
import type { EachMessagePayload } from '../../../lib/client/index.js';
import { defer } from '../../helpers/cleanup.js';
import { mqAdmin } from '../../helpers/mq-admin-cli.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { SharedCluster } from './shared-cluster.js';

interface Handled {
  topic: string;
  value: string;
  attempt: number;
  atMs: number;
  ok: boolean;
}

export function consumerRetrySpecs(ctx: SharedCluster): void {
  describe('Consumer retries and dead letters', () => {
    let producer: Producer;

    before(async () => {
      producer = new Producer({ 'bootstrap.servers': ctx.cluster.bootstrapServers, 'linger.ms': 0 });
      await producer.connect();
    });
    after(async () => {
      await producer?.close();
    });

    /** A subscribed member running `fail` as its handler's verdict, noting every call. */
    function member(topic: string, options: Record<string, unknown>, fail: (p: EachMessagePayload) => boolean) {
      const handled: Handled[] = [];
      const consumer = new Consumer({
        'bootstrap.servers': ctx.cluster.bootstrapServers,
        'group.id': `${topic}-group`,
        'auto.offset.reset': 'earliest',
        'auto.commit.interval.ms': 200,
        'fetch.max.wait.ms': 100,
        'metadata.max.age.ms': 500,
        ...options,
      });
      const running = (async () => {
        await consumer.connect();
        consumer.subscribe([topic]);
        await consumer.run({
          eachMessage: (p) => {
            const value = p.message.value!.toString();
            const ok = !fail(p);
            handled.push({ topic: p.topic, value, attempt: p.retry?.attempt ?? 0, atMs: Date.now(), ok });
            if (!ok) throw new Error(`cannot handle ${value}`);
          },
        });
      })();
      defer(consumer, async (c) => {
        c.stop();
        await running.catch(() => undefined);
        await c.close();
      });
      return { consumer, handled, running };
    }

    it('moves a record failing every time through each retry stage to the dead-letter topic, the partition flowing on', async () => {
      await ctx.admin.createTopics([{ name: 'payments', numPartitions: 1, replicationFactor: 3 }]);
      const { handled } = member(
        'payments',
        { 'retry.topics': '1s,2s', 'dead.letter.topic': 'payments.dlq' },
        (p) => p.message.value!.toString() === 'poison',
      );
      const values = ['ok-0', 'ok-1', 'ok-2', 'poison', 'ok-3', 'ok-4', 'ok-5'];
      for (const value of values) await producer.send({ topic: 'payments', key: `k-${value}`, value });
      const sentAtMs = Date.now();

      await waitFor(() => handled.filter((h) => h.value.startsWith('ok-')).length === 6, 'the healthy records');
      const healthyDoneMs = Math.max(...handled.filter((h) => h.value.startsWith('ok-')).map((h) => h.atMs));
      await waitFor(() => handled.filter((h) => h.value === 'poison').length === 3, 'three attempts', {
        timeoutMs: 20_000,
      });
      const attempts = handled.filter((h) => h.value === 'poison');
      expect(attempts.map((a) => [a.topic, a.attempt])).to.deep.equal([
        ['payments', 0],
        ['payments.payments-group.retry-1s', 1],
        ['payments.payments-group.retry-2s', 2],
      ]);
      expect(attempts[1]!.atMs - attempts[0]!.atMs).to.be.at.least(1000);
      expect(attempts[2]!.atMs - attempts[1]!.atMs).to.be.at.least(2000);
      // The partition kept flowing: every healthy record was handled before the first retry came back.
      expect(healthyDoneMs).to.be.below(attempts[1]!.atMs);
      expect(healthyDoneMs - sentAtMs).to.be.below(3000);

      const stages = await ctx.admin.describeTopics([
        'payments.payments-group.retry-1s',
        'payments.payments-group.retry-2s',
      ]);
      expect(stages.map((t) => t.partitions.length)).to.deep.equal([1, 1]);
      const dead = await readAll('payments.dlq');
      expect(dead).to.have.length(1);
      expect(dead[0]!.value).to.equal('poison');
      expect(dead[0]!.key).to.equal('k-poison');
      expect(dead[0]!.headers).to.deep.include({
        'mq-original-topic': 'payments',
        'mq-original-partition': '0',
        'mq-original-offset': '3',
        'mq-attempt': '3',
        'mq-error': 'cannot handle poison',
        'mq-group': 'payments-group',
      });
      await waitFor(async () => {
        const [c] = await ctx.admin.listConsumerGroupOffsets('payments-group', [{ topic: 'payments', partition: 0 }]);
        return c!.offset === values.length;
      }, 'the source partition committed past the failed record');

      // mq-admin dlq: list, describe, then redrive to the original topic, where the (now healthy) group handles it.
      const list = await mqAdmin(['dlq', '--bootstrap-server', ctx.cluster.bootstrapServers, '--list']);
      expect(list.code, list.stderr).to.equal(0);
      expect(list.stdout).to.match(/TOPIC\s+PARTITIONS\s+RECORDS\npayments\.dlq\s+1\s+1\n/);
      const describe = await mqAdmin([
        'dlq',
        '--bootstrap-server',
        ctx.cluster.bootstrapServers,
        '--describe',
        '--topic',
        'payments.dlq',
      ]);
      expect(describe.code, describe.stderr).to.equal(0);
      expect(describe.stdout.split('\n')[1]).to.match(
        /^0\s+0\s+k-poison\s+payments-0@3\s+3\s+payments-group\s+\S+Z\s+cannot handle poison$/,
      );
    });

    it('redrives a dead letter (dlq --redrive) so that the group handles it again', async () => {
      await ctx.admin.createTopics([{ name: 'refunds', numPartitions: 2, replicationFactor: 3 }]);
      const { handled } = member('refunds', { 'dead.letter.topic': 'refunds.dlq' }, (p) => {
        // Fails until redriven: the redriven copy carries mq-redriven-from.
        return !p.message.headers.some((h) => h.key === 'mq-redriven-from');
      });
      await producer.send({ topic: 'refunds', key: 'r-1', value: 'refund-1' });
      await producer.send({ topic: 'refunds', key: 'r-2', value: 'refund-2' });
      await waitFor(async () => (await readAll('refunds.dlq')).length === 2, 'two dead letters', { timeoutMs: 30_000 });
      const dry = await mqAdmin([
        'dlq',
        '--bootstrap-server',
        ctx.cluster.bootstrapServers,
        '--redrive',
        '--topic',
        'refunds.dlq',
        '--where',
        'key=r-2',
        '--dry-run',
      ]);
      expect(dry.stdout).to.match(/^Would send refunds\.dlq-\d+@\d+ \(key r-2\) to refunds-\d+\n$/);
      const redriven = await mqAdmin([
        'dlq',
        '--bootstrap-server',
        ctx.cluster.bootstrapServers,
        '--redrive',
        '--topic',
        'refunds.dlq',
        '--where',
        'key=r-2',
      ]);
      expect(redriven.code, redriven.stderr).to.equal(0);
      expect(redriven.stdout).to.equal('Redrove 1 record(s) from refunds.dlq: 1 to refunds.\n');
      await waitFor(() => handled.some((h) => h.value === 'refund-2' && h.ok), 'the redriven record handled');
      expect(handled.filter((h) => h.value === 'refund-1' && h.ok)).to.have.length(0);
    });

    it('in ordered mode holds later records of a key in retry back, and not other keys', async () => {
      await ctx.admin.createTopics([{ name: 'accounts', numPartitions: 1, replicationFactor: 3 }]);
      let failedOnce = false;
      const { handled } = member(
        'accounts',
        { 'retry.topics': '1500ms', 'dead.letter.topic': 'accounts.dlq', 'retry.ordered': true },
        (p) => {
          if (p.message.value!.toString() !== 'a1' || failedOnce) return false;
          failedOnce = true;
          return true;
        },
      );
      for (const [key, value] of [
        ['A', 'a1'],
        ['B', 'b1'],
        ['A', 'a2'],
        ['B', 'b2'],
        ['A', 'a3'],
      ] as const) {
        await producer.send({ topic: 'accounts', key, value });
      }
      await waitFor(() => handled.filter((h) => h.ok).length === 5, 'every record handled', { timeoutMs: 20_000 });
      const order = handled.map((h) => `${h.value}${h.ok ? '' : '!'}`);
      expect(order).to.deep.equal(['a1!', 'b1', 'b2', 'a1', 'a2', 'a3']);
      const retryOf = (v: string) => handled.find((h) => h.value === v && h.ok)!;
      // a2 and a3 went through the stage behind a1: they carry attempt 0 (held, never failed).
      expect([retryOf('a1').attempt, retryOf('a2').attempt, retryOf('a3').attempt]).to.deep.equal([1, 0, 0]);
      expect(retryOf('a2').topic).to.equal('accounts.accounts-group.retry-1500ms');
      expect(await readAll('accounts.dlq')).to.have.length(0);
    });

    /** Every record of `topic` (all partitions) with its headers as strings. */
    async function readAll(topic: string) {
      const existing = await ctx.admin.listTopics();
      if (!existing.includes(topic)) return [];
      const [described] = await ctx.admin.describeTopics([topic]);
      const tps = described!.partitions.map((p) => ({ topic, partition: p.partition }));
      const ends = await ctx.admin.listOffsets(tps.map((tp) => ({ ...tp, spec: 'latest' as const })));
      const wanted = ends.reduce((n, e) => n + e.offset, 0);
      const out: { key: string | null; value: string; headers: Record<string, string> }[] = [];
      if (wanted === 0) return out;
      const reader = defer(
        new Consumer({ 'bootstrap.servers': ctx.cluster.bootstrapServers, 'auto.offset.reset': 'earliest' }),
        (c) => c.close(),
      );
      await reader.connect();
      reader.assign(tps);
      await reader.run({
        eachMessage: ({ message }) => {
          out.push({
            key: message.key?.toString() ?? null,
            value: message.value!.toString(),
            headers: Object.fromEntries(message.headers.map((h) => [h.key, h.value?.toString() ?? ''])),
          });
          if (out.length === wanted) reader.stop();
        },
      });
      return out;
    }
  });
}
