/**
 * What makes a group rebalance and what does not, end to end against three broker processes: a reader that stalls
 * past max.poll.interval.ms is removed and its partitions go to the others (and it rejoins once it reads again);
 * a static member (group.instance.id) that restarts within the session timeout causes no rebalance; a pattern
 * subscription picks up matching topics created later and a group picks up partitions added to its topics; with
 * cooperative-sticky, partitions that do not move are never revoked; a member closing while its join waits for a
 * held-up rebalance does not wait for it.
 */
import { expect } from 'chai';
import {
  Consumer,
  Producer,
  type ConsumerOptions,
  type RebalanceListener,
  type TopicPartitionRef,
} from '../../lib/client/index.js';
import { useGroupCluster } from '../helpers/group-cluster.js';
import { defer, deferFn } from '../helpers/cleanup.js';
import { MemberProcess } from '../helpers/member-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { describeGroup } from '../helpers/wire.js';

const names = (tps: readonly TopicPartitionRef[]) => tps.map((tp) => `${tp.topic}-${tp.partition}`).sort();

/** Every listener call of one member, in order. */
class ListenerLog implements RebalanceListener {
  readonly events: { kind: 'assigned' | 'revoked' | 'lost'; partitions: string[] }[] = [];
  onPartitionsAssigned(partitions: TopicPartitionRef[]): void {
    this.events.push({ kind: 'assigned', partitions: names(partitions) });
  }
  onPartitionsRevoked(partitions: TopicPartitionRef[]): void {
    this.events.push({ kind: 'revoked', partitions: names(partitions) });
  }
  onPartitionsLost(partitions: TopicPartitionRef[]): void {
    this.events.push({ kind: 'lost', partitions: names(partitions) });
  }
  /** The partitions of every `kind` event from event number `from` on (what happened after a moment). */
  of(kind: 'assigned' | 'revoked' | 'lost', from = 0): string[] {
    return this.events
      .slice(from)
      .filter((e) => e.kind === kind)
      .flatMap((e) => e.partitions);
  }
}

describe('Consumer group rebalances (3 brokers)', function () {
  this.timeout(120_000);
  const env = useGroupCluster();

  async function member(
    groupId: string,
    topics: string[] | RegExp,
    listener: RebalanceListener,
    options: ConsumerOptions = {},
  ): Promise<Consumer> {
    const c = defer(
      new Consumer({
        'bootstrap.servers': env.cluster.bootstrapServers,
        'group.id': groupId,
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 6000,
        'heartbeat.interval.ms': 200,
        'auto.commit.interval.ms': 200,
        ...options,
      }),
      (x) => x.close(),
    );
    await c.connect();
    c.subscribe(topics, listener);
    return c;
  }

  async function produce(topic: string, partitions: number, n: number): Promise<void> {
    const p = defer(new Producer({ 'bootstrap.servers': env.cluster.bootstrapServers, acks: 'all' }), (x) => x.close());
    await p.connect();
    await p.sendBatch(Array.from({ length: n }, (_, i) => ({ topic, partition: i % partitions, value: `v${i}` })));
  }

  const counts = (members: Consumer[]) =>
    members
      .map((m) => m.assignment().length)
      .sort((a, b) => a - b)
      .join();

  it('removes a member whose reader stalls past max.poll.interval.ms, and takes it back once it reads again', async () => {
    await env.admin.createTopics([{ name: 'stall', numPartitions: 4, replicationFactor: 3 }]);
    await produce('stall', 4, 40);
    const slowLog = new ListenerLog();
    const slow = await member('stallers', ['stall'], slowLog, { 'max.poll.interval.ms': 2000 });
    const fast = await member('stallers', ['stall'], new ListenerLog());
    await waitFor(() => counts([slow, fast]) === '2,2', 'two partitions each', { timeoutMs: 30_000 });

    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let batches = 0;
    const slowRun = slow.run({
      eachBatch: async () => {
        if (batches++ === 0) await released;
      },
    });
    const fastRun = fast.run({ eachBatch: () => undefined });
    await waitFor(() => fast.assignment().length === 4, 'the other member to own every partition', {
      timeoutMs: 30_000,
    });
    const group = await describeGroup(env.cluster, 'stallers');
    expect(group.members.length, 'members while the slow reader is stuck').to.equal(1);
    expect(slowLog.of('lost'), 'nothing is handed over as lost before the reader returns').to.deep.equal([]);

    release();
    await waitFor(() => counts([slow, fast]) === '2,2', 'the slow member to rejoin and get two partitions', {
      timeoutMs: 30_000,
    });
    expect(slowLog.of('lost'), 'the stalled member lost the partitions it held').to.have.length(2);
    slow.stop();
    fast.stop();
    await Promise.all([slowRun, fastRun]);
  });

  it('lets a static member restart within the session timeout without a rebalance', async () => {
    await env.admin.createTopics([{ name: 'static', numPartitions: 4, replicationFactor: 3 }]);
    const staticOptions = (id: string): ConsumerOptions => ({ 'group.instance.id': id, 'session.timeout.ms': 10_000 });
    const otherLog = new ListenerLog();
    const a = await member('statics', ['static'], new ListenerLog(), staticOptions('a'));
    const b = await member('statics', ['static'], otherLog, staticOptions('b'));
    await waitFor(
      async () => (await describeGroup(env.cluster, 'statics')).groupState === 'Stable' && counts([a, b]) === '2,2',
      'a stable group of two',
      { timeoutMs: 30_000 },
    );
    const before = await describeGroup(env.cluster, 'statics');
    const assignedBefore = names(a.assignment());
    const otherEventsBefore = otherLog.events.length;

    await a.close(); // a static member sends no LeaveGroup
    const restartedLog = new ListenerLog();
    const restarted = await member('statics', ['static'], restartedLog, staticOptions('a'));
    await waitFor(() => restarted.assignment().length === 2, 'the restarted member to get its partitions back', {
      timeoutMs: 30_000,
    });
    expect(names(restarted.assignment())).to.deep.equal(assignedBefore);
    const after = await describeGroup(env.cluster, 'statics');
    expect(after.groupState).to.equal('Stable');
    expect(after.members.map((m) => m.groupInstanceId).sort()).to.deep.equal(['a', 'b']);
    expect(after.members.map((m) => m.memberId)).to.not.include.members(
      before.members.filter((m) => m.groupInstanceId === 'a').map((m) => m.memberId),
    );
    expect(otherLog.events.slice(otherEventsBefore), 'the other member saw no rebalance').to.deep.equal([]);
  });

  it('picks up topics matching a pattern and partitions added to subscribed topics', async () => {
    await env.admin.createTopics([{ name: 'orders-eu', numPartitions: 2, replicationFactor: 3 }]);
    const log = new ListenerLog();
    const c = await member('patterned', /orders-.*/, log, { 'metadata.max.age.ms': 300 });
    await waitFor(() => names(c.assignment()).join() === 'orders-eu-0,orders-eu-1', 'the existing matching topic', {
      timeoutMs: 30_000,
    });

    await env.admin.createTopics([
      { name: 'orders-us', numPartitions: 2, replicationFactor: 3 },
      { name: 'invoices', numPartitions: 1, replicationFactor: 3 },
    ]);
    await waitFor(() => c.assignment().length === 4, 'the new matching topic to be assigned', { timeoutMs: 30_000 });
    expect(names(c.assignment())).to.deep.equal(['orders-eu-0', 'orders-eu-1', 'orders-us-0', 'orders-us-1']);

    await env.admin.createPartitions([{ topic: 'orders-eu', count: 3 }]);
    await waitFor(() => c.assignment().length === 5, 'the added partition to be assigned', { timeoutMs: 30_000 });
    expect(names(c.assignment())).to.not.include('invoices-0');

    await produce('orders-us', 2, 10);
    const seen: string[] = [];
    const reading = c.run({
      eachMessage: ({ topic, message }) => {
        seen.push(`${topic}:${message.value}`);
      },
    });
    await waitFor(() => seen.length === 10, 'the records of the topic that appeared', { timeoutMs: 30_000 });
    c.stop();
    await reading;
  });

  it('with cooperative-sticky, revokes only the partitions that move and keeps the others flowing', async () => {
    await env.admin.createTopics([{ name: 'coop', numPartitions: 6, replicationFactor: 3 }]);
    const options: ConsumerOptions = { 'partition.assignment.strategy': 'cooperative-sticky' };
    const [logA, logB, logC] = [new ListenerLog(), new ListenerLog(), new ListenerLog()];
    const a = await member('cooperators', ['coop'], logA, options);
    const b = await member('cooperators', ['coop'], logB, options);
    await waitFor(() => counts([a, b]) === '3,3', 'three partitions each', { timeoutMs: 30_000 });
    const before = { a: names(a.assignment()), b: names(b.assignment()) };
    const [markA, markB] = [logA.events.length, logB.events.length];
    const read = new Map<string, number>();
    const reading = [a, b].map((m) =>
      m.run({
        eachMessage: ({ topic, partition }) => {
          read.set(`${topic}-${partition}`, (read.get(`${topic}-${partition}`) ?? 0) + 1);
        },
      }),
    );
    const producer = defer(new Producer({ 'bootstrap.servers': env.cluster.bootstrapServers, 'linger.ms': 5 }), (x) =>
      x.close(),
    );
    await producer.connect();
    let producing = true;
    const load = (async () => {
      for (let i = 0; producing; i++) {
        await producer.sendBatch(
          Array.from({ length: 6 }, (_, p) => ({ topic: 'coop', partition: p, value: `v${i}` })),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    const c = await member('cooperators', ['coop'], logC, options);
    await waitFor(() => counts([a, b, c]) === '2,2,2', 'two partitions each after the third member joins', {
      timeoutMs: 30_000,
    });
    const after = { a: names(a.assignment()), b: names(b.assignment()), c: names(c.assignment()) };
    // What a and b kept is a subset of what they had; only what c took was revoked, and nothing was lost.
    expect(before.a).to.include.members(after.a);
    expect(before.b).to.include.members(after.b);
    expect(logA.of('revoked', markA).sort()).to.deep.equal(before.a.filter((tp) => !after.a.includes(tp)).sort());
    expect(logB.of('revoked', markB).sort()).to.deep.equal(before.b.filter((tp) => !after.b.includes(tp)).sort());
    expect([...logA.of('revoked', markA), ...logB.of('revoked', markB)].sort()).to.deep.equal(after.c);
    expect([...logA.of('lost'), ...logB.of('lost')]).to.deep.equal([]);
    expect(logC.of('assigned')).to.deep.equal(after.c);

    // The partitions a and b kept never stopped: records sent after c joined reached them without a new assignment.
    const kept = [...after.a, ...after.b];
    const readAtJoin = new Map(kept.map((tp) => [tp, read.get(tp) ?? 0]));
    await waitFor(
      () => kept.every((tp) => (read.get(tp) ?? 0) > readAtJoin.get(tp)! + 5),
      'records on the partitions that stayed',
    );
    producing = false;
    await load;
    a.stop();
    b.stop();
    await Promise.all(reading);
  });

  it('closes a member at once while its join waits for a rebalance held up by a frozen member', async () => {
    await env.admin.createTopics([{ name: 'held', numPartitions: 2, replicationFactor: 3 }]);
    const frozen = new MemberProcess('frozen', {
      topic: 'held',
      consumer: {
        'bootstrap.servers': env.cluster.bootstrapServers,
        'group.id': 'holders',
        'session.timeout.ms': 30_000,
        'max.poll.interval.ms': 30_000,
      },
    });
    deferFn(async () => {
      process.kill(frozen.pid, 'SIGCONT');
      await frozen.kill();
    });
    await waitFor(() => frozen.owned.size === 2, 'the first member to own both partitions', { timeoutMs: 30_000 });
    process.kill(frozen.pid, 'SIGSTOP');

    // The newcomer's join starts a rebalance that cannot finish before the frozen member's 30 s session ends.
    const newcomer = await member('holders', ['held'], new ListenerLog(), {
      'session.timeout.ms': 30_000,
      'max.poll.interval.ms': 30_000,
    });
    await waitFor(
      async () => (await describeGroup(env.cluster, 'holders')).groupState === 'PreparingRebalance',
      'a rebalance under way',
    );
    await newcomer.close();
    const group = await describeGroup(env.cluster, 'holders');
    expect(group.groupState, 'the rebalance is still waiting for the frozen member when close() returns').to.equal(
      'PreparingRebalance',
    );
  });
});
