/**
 * Group members as real processes (spec/helpers/member-process.ts) against three brokers, under a producer that
 * keeps writing: a member killed with SIGKILL hands its partitions to the others after its session times out, and
 * they resume from its last acknowledged commits (re-reading only what it read after them, skipping nothing); the
 * coordinator's broker killed with SIGKILL moves the group to a new coordinator, members keep committing there, and
 * no committed offset goes back.
 */
import { expect } from 'chai';
import { Consumer, Producer } from '../../lib/client/index.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import { ContinuousProducer } from '../helpers/acked-records.js';
import { useGroupCluster } from '../helpers/group-cluster.js';
import { defer, deferFn } from '../helpers/cleanup.js';
import { MemberProcess, seq } from '../helpers/member-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { connectTo } from '../helpers/wire.js';

const PARTITIONS = 6;

describe('Consumer group members as processes (3 brokers)', function () {
  this.timeout(180_000);
  const env = useGroupCluster();

  function startMember(name: string, groupId: string, topic: string): MemberProcess {
    const m = new MemberProcess(name, {
      topic,
      batchDelayMs: 5,
      consumer: {
        'bootstrap.servers': env.cluster.bootstrapServers,
        'group.id': groupId,
        'client.id': name,
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 3000,
        'heartbeat.interval.ms': 300,
      },
    });
    deferFn(async () => {
      await m.kill();
    });
    return m;
  }

  async function startLoad(topic: string): Promise<ContinuousProducer> {
    await env.admin.createTopics([
      { name: topic, numPartitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    // Six records (one per partition) per linger: a pace the members, which commit after every batch, keep up with.
    const producer = defer(
      new Producer({
        'bootstrap.servers': env.cluster.bootstrapServers,
        acks: 'all',
        'linger.ms': 20,
        'retry.backoff.ms': 50,
        'metadata.max.age.ms': 1000,
      }),
      (p) => p.close(),
    );
    await producer.connect();
    const load = new ContinuousProducer(producer, topic, PARTITIONS, 6).start();
    deferFn(() => load.stop());
    return load;
  }

  /** Waits until the members together have read every acknowledged record. */
  async function expectAllRead(load: ContinuousProducer, members: MemberProcess[]): Promise<void> {
    const key = (p: number, o: number) => `${p}:${o}`;
    const missing = () => {
      const read = new Set(members.flatMap((m) => m.records.map((r) => key(r.partition, r.offset))));
      return [...load.acked.values()].filter((a) => !read.has(key(a.partition, a.offset)));
    };
    await waitFor(() => missing().length === 0, 'every acknowledged record to be read', { timeoutMs: 60_000 }).catch(
      (e: Error) => {
        const state = members.map(
          (m) =>
            `${m.name}: owns [${[...m.owned]}], read up to ${JSON.stringify(
              Object.fromEntries(Array.from({ length: PARTITIONS }, (_, p) => [p, m.lastRead(p)])),
            )}, commits ${JSON.stringify(Object.fromEntries(m.commits))}, ` +
            `refused ${m.refusedCommits.length}, stderr ${m.errors.slice(-300)}`,
        );
        throw new Error(`${e.message}; missing e.g. ${JSON.stringify(missing().slice(0, 3))}\n${state.join('\n')}`);
      },
    );
  }

  it("gives a SIGKILLed member's partitions to the others, who resume from its last commits without gaps", async () => {
    const load = await startLoad('members-kill');
    const members = ['m1', 'm2', 'm3'].map((name) => startMember(name, 'killers', 'members-kill'));
    await waitFor(
      () => members.every((m) => m.owned.size === 2 && [...m.owned].every((p) => m.commits.has(p))),
      'three members reading and committing two partitions each',
      { timeoutMs: 60_000 },
    );
    await load.ackedMore(300, 'while all three read');

    const [victim, ...survivors] = members as [MemberProcess, ...MemberProcess[]];
    const killedAt = seq();
    await victim.kill();
    const moved = [...victim.owned];
    const lastCommit = new Map(moved.map((p) => [p, victim.commits.get(p)!]));
    const lastRead = new Map(moved.map((p) => [p, victim.lastRead(p)]));
    await waitFor(
      () => survivors.reduce((n, m) => n + m.owned.size, 0) === PARTITIONS,
      'the survivors to own all six partitions',
      { timeoutMs: 30_000 },
    );
    await load.ackedMore(300, 'after the takeover');
    await load.stop();
    await expectAllRead(load, survivors.concat(victim));

    for (const p of moved) {
      const resumedAt = Math.min(
        ...survivors.flatMap((m) =>
          m.records.filter((r) => r.partition === p && r.seq > killedAt).map((r) => r.offset),
        ),
      );
      expect(resumedAt, `partition ${p}: resumed at or after the victim's last acknowledged commit`).to.be.at.least(
        lastCommit.get(p)!,
      );
      expect(resumedAt, `partition ${p}: resumed no later than the victim's last read + 1`).to.be.at.most(
        lastRead.get(p)! + 1,
      );
    }
    for (const m of survivors) expect(m.errors, `${m.name} stderr`).to.equal('');
  });

  it("moves the group to a new coordinator when the coordinator's broker is SIGKILLed, with its offsets intact", async () => {
    const groupId = 'coordinated';
    const load = await startLoad('members-coordinator');
    const members = ['c1', 'c2'].map((name) => startMember(name, groupId, 'members-coordinator'));
    await waitFor(
      () => members.every((m) => m.owned.size === 3 && [...m.owned].every((p) => m.commits.has(p))),
      'two members reading and committing',
      { timeoutMs: 60_000 },
    );
    await load.ackedMore(300, 'before the kill');

    const findCoordinator = async (via: number) =>
      await (await connectTo(env.cluster, via)).send(ApiKey.FindCoordinator, 0, { key: groupId, keyType: 0 });
    const coordinatorId = (await findCoordinator(env.cluster.local.brokerIds()[0]!)).nodeId;
    const reader = defer(
      new Consumer({ 'bootstrap.servers': env.cluster.bootstrapServers, 'group.id': groupId }),
      (c) => c.close(),
    );
    await reader.connect();
    const partitions = Array.from({ length: PARTITIONS }, (_, partition) => ({
      topic: 'members-coordinator',
      partition,
    }));
    const committedBefore = (await reader.committed(partitions)).map((c) => c!.offset);

    await env.cluster.local.killBroker(coordinatorId);
    deferFn(async () => {
      await env.cluster.local.startBroker(coordinatorId);
    });
    const other = env.cluster.local.brokerIds().find((id) => id !== coordinatorId)!;
    await waitFor(
      async () => {
        const found = await findCoordinator(other);
        return found.errorCode === 0 && found.nodeId !== coordinatorId;
      },
      'a new coordinator',
      { timeoutMs: 30_000 },
    );
    const commitsAtKill = members.map((m) => new Map(m.commits));
    await load.ackedMore(300, 'after the kill');
    await waitFor(
      () =>
        members.every((m, i) => [...m.owned].some((p) => (m.commits.get(p) ?? -1) > (commitsAtKill[i]!.get(p) ?? -1))),
      'every member to commit at the new coordinator',
      { timeoutMs: 30_000 },
    );
    await load.stop();
    await expectAllRead(load, members);

    const committedAfter = (await reader.committed(partitions)).map((c) => c!.offset);
    committedAfter.forEach((offset, p) => expect(offset, `partition ${p}`).to.be.at.least(committedBefore[p]!));
    for (const m of members) expect(m.errors, `${m.name} stderr`).to.equal('');
  });
});
