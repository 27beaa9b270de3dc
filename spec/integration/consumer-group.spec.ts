/**
 * Consumer groups end to end against three broker processes: subscribed members split a topic's partitions, a
 * member beyond the partition count gets nothing until one leaves, two groups each receive every record (pub/sub), and a
 * member that leaves hands its partitions to the others, who resume from its committed offsets without gaps.
 */
import { expect } from 'chai';
import { Consumer, Producer, type ConsumerRecord } from '../../lib/client/index.js';
import { useGroupCluster } from '../helpers/group-cluster.js';
import { defer } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/wait-for.js';
import { describeGroup } from '../helpers/wire.js';

describe('Consumer groups (3 brokers)', function () {
  this.timeout(120_000);
  const env = useGroupCluster();

  async function member(groupId: string, topic: string): Promise<Consumer> {
    const c = defer(
      new Consumer({
        'bootstrap.servers': env.cluster.bootstrapServers,
        'group.id': groupId,
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 6000,
        'heartbeat.interval.ms': 300,
        'auto.commit.interval.ms': 200,
      }),
      (x) => x.close(),
    );
    await c.connect();
    c.subscribe([topic]);
    return c;
  }

  const counts = (members: Consumer[]) => members.map((m) => m.assignment().length).sort();

  async function produce(topic: string, n: number, from = 0): Promise<void> {
    const p = defer(new Producer({ 'bootstrap.servers': env.cluster.bootstrapServers, acks: 'all' }), (x) => x.close());
    await p.connect();
    await p.sendBatch(
      Array.from({ length: n }, (_, i) => ({ topic, partition: (from + i) % 6, value: `v${from + i}` })),
    );
  }

  /** Reads everything `c` is assigned into `into`, until stopped. */
  function drain(c: Consumer, into: ConsumerRecord[]): { stop: () => Promise<void> } {
    const running = c.run({
      eachMessage: ({ topic, partition, message }) => {
        into.push({
          topic,
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
          key: message.key,
          value: message.value,
          headers: message.headers,
        });
      },
    });
    return {
      stop: async () => {
        c.stop();
        await running;
      },
    };
  }

  it('splits six partitions two by two over three members', async () => {
    await env.admin.createTopics([{ name: 'split', numPartitions: 6, replicationFactor: 3 }]);
    const members = await Promise.all([
      member('splitters', 'split'),
      member('splitters', 'split'),
      member('splitters', 'split'),
    ]);
    await waitFor(() => counts(members).join() === '2,2,2', 'three members with two partitions each', {
      timeoutMs: 30_000,
    });
    const all = members.flatMap((m) => m.assignment().map((tp) => `${tp.topic}-${tp.partition}`)).sort();
    expect(all).to.deep.equal(['split-0', 'split-1', 'split-2', 'split-3', 'split-4', 'split-5']);
  });

  it('gives a member beyond the partition count nothing until another leaves', async () => {
    await env.admin.createTopics([{ name: 'few', numPartitions: 3, replicationFactor: 3 }]);
    const members = await Promise.all([member('crowd', 'few'), member('crowd', 'few'), member('crowd', 'few')]);
    await waitFor(() => counts(members).join() === '1,1,1', 'one partition each', { timeoutMs: 30_000 });
    const all = [...members, await member('crowd', 'few')];
    await waitFor(
      async () => {
        const group = await describeGroup(env.cluster, 'crowd');
        return group.groupState === 'Stable' && group.members.length === 4 && counts(all).join() === '0,1,1,1';
      },
      'four members, one of them (the last by member id) with nothing to read',
      { timeoutMs: 30_000 },
    );
    const idle = all.find((m) => m.assignment().length === 0)!;
    const busy = all.filter((m) => m !== idle);
    await busy[0]!.close();
    await waitFor(() => counts([idle, busy[1]!, busy[2]!]).join() === '1,1,1', 'the idle member to take over', {
      timeoutMs: 30_000,
    });
  });

  it('delivers every record to each of two groups, and resumes from committed offsets when a member leaves', async () => {
    await env.admin.createTopics([{ name: 'events', numPartitions: 6, replicationFactor: 3 }]);
    await produce('events', 300);
    const readA: ConsumerRecord[] = [];
    const readB: ConsumerRecord[] = [];
    const [a1, a2] = await Promise.all([member('group-a', 'events'), member('group-a', 'events')]);
    const b1 = await member('group-b', 'events');
    const readers = [drain(a1, readA), drain(a2, readA), drain(b1, readB)];
    const values = (records: ConsumerRecord[]) => new Set(records.map((r) => r.value!.toString()));
    await waitFor(
      () => values(readA).size === 300 && values(readB).size === 300,
      'both groups to read all 300 records',
      { timeoutMs: 30_000 },
    );

    // a1 leaves (committing on close); a2 takes all six partitions and continues after a1's last commit.
    await readers[0]!.stop();
    await a1.close();
    await waitFor(() => a2.assignment().length === 6, 'a2 to own every partition', { timeoutMs: 30_000 });
    await produce('events', 60, 300);
    await waitFor(() => values(readA).size === 360, 'group a to read the new records', { timeoutMs: 30_000 });
    const perPartition = new Map<number, number[]>();
    for (const r of readA) perPartition.set(r.partition, [...(perPartition.get(r.partition) ?? []), r.offset]);
    for (const [partition, offsets] of perPartition) {
      const unique = [...new Set(offsets)].sort((x, y) => x - y);
      expect(unique, `partition ${partition} read without gaps`).to.deep.equal(unique.map((_, i) => i));
    }
    await Promise.all(readers.slice(1).map((r) => r.stop()));
  });
});
