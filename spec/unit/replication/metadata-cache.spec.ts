import { expect } from 'chai';
import { defer } from '../../helpers/cleanup.js';
import { isNewerState, MetadataCache, type PartitionState } from '../../../lib/replication/metadata-cache.js';
import { replicaAssignment, TopicZNode } from '../../../lib/zk/zk-paths.js';
import { FakeZk } from './fake-zk.js';

async function startedCache(zk: FakeZk): Promise<MetadataCache> {
  const cache = defer(new MetadataCache({ zk }), (c) => c.close());
  await cache.start();
  return cache;
}

const state = (leader: number, leaderEpoch: number, isr: number[], controllerEpoch = 1) => ({
  leader,
  leaderEpoch,
  isr,
  controllerEpoch,
});

describe('MetadataCache', () => {
  describe('#start', () => {
    it('resolves with brokers, controller, cluster id, topics and partition states loaded', async () => {
      const zk = new FakeZk();
      zk.registerBroker(1);
      zk.registerBroker(2);
      zk.create('/controller', JSON.stringify({ version: 1, brokerid: 2, timestamp: '1' }));
      zk.create('/cluster/id', JSON.stringify({ version: '1', id: 'abc' }));
      zk.createTopic('t', { 0: [1, 2], 1: [2, 1] });
      zk.setState('t', 0, state(1, 0, [1, 2]));
      zk.setState('t', 1, state(2, 3, [2]));
      const cache = await startedCache(zk);
      expect(cache.aliveBrokers().map((b) => [b.id, b.host, b.port])).to.deep.equal([
        [1, '127.0.0.1', 9093],
        [2, '127.0.0.1', 9094],
      ]);
      expect(cache.controllerId).to.equal(2);
      expect(cache.clusterId).to.equal('abc');
      expect(cache.topics()).to.deep.equal(['t']);
      expect(cache.partitionCount('t')).to.equal(2);
      expect(cache.replicas('t', 1)).to.deep.equal([2, 1]);
      expect(cache.partitionState('t', 1)).to.include({ leader: 2, leaderEpoch: 3, zkVersion: 0 });
      expect(cache.topicListLoaded).to.equal(true);
    });

    // How fast is a benchmark's question (mq-bench scale, docs/BENCHMARKS.md), not a timed unit spec's.
    it('loads 10,000 partitions, each with its state', async () => {
      const zk = new FakeZk();
      for (let t = 0; t < 100; t++) {
        const assignment: Record<number, number[]> = {};
        for (let p = 0; p < 100; p++) assignment[p] = [1];
        zk.createTopic(`topic-${t}`, assignment);
        for (let p = 0; p < 100; p++) zk.setState(`topic-${t}`, p, state(1, 0, [1]));
      }
      const cache = await startedCache(zk);
      expect([...cache.partitions()].filter((p) => p.state !== undefined)).to.have.length(10_000);
    });
  });

  describe('partition state changes', () => {
    it('emits a new leader epoch and an ISR change at the same epoch', async () => {
      const zk = new FakeZk();
      zk.createTopic('t', { 0: [1, 2] });
      zk.setState('t', 0, state(1, 0, [1, 2]));
      const cache = await startedCache(zk);
      const seen: PartitionState[] = [];
      cache.on('partitionState', (_t, _p, s) => seen.push(s));
      zk.setState('t', 0, state(1, 0, [1]));
      await zk.settle();
      zk.setState('t', 0, state(2, 1, [2]));
      await zk.settle();
      expect(seen.map((s) => [s.leader, s.leaderEpoch, s.isr, s.zkVersion])).to.deep.equal([
        [1, 0, [1], 1],
        [2, 1, [2], 2],
      ]);
    });

    it('ignores a state with an older leader epoch or from an older controller', async () => {
      const zk = new FakeZk();
      zk.createTopic('t', { 0: [1, 2] });
      zk.setState('t', 0, state(1, 5, [1, 2], 3));
      const cache = await startedCache(zk);
      zk.setState('t', 0, state(2, 4, [2], 3));
      await zk.settle();
      zk.setState('t', 0, state(2, 6, [2], 2));
      await zk.settle();
      expect(cache.partitionState('t', 0)).to.include({ leader: 1, leaderEpoch: 5 });
    });

    it('emits a state for a partition created after start, with its replicas', async () => {
      const zk = new FakeZk();
      const cache = await startedCache(zk);
      const events: unknown[] = [];
      cache.on('partitionState', (t, p, s, r) => events.push([t, p, s.leader, r]));
      zk.createTopic('new', { 0: [3, 1] });
      await zk.settle();
      expect(events).to.deep.equal([]);
      zk.setState('new', 0, state(3, 0, [3, 1]));
      await zk.settle();
      expect(events).to.deep.equal([['new', 0, 3, [3, 1]]]);
    });

    it('watches a new topic through its partition list, arming a state watch only for a partition listed', async () => {
      const zk = new FakeZk();
      const cache = await startedCache(zk);
      const watchesBefore = zk.watchCount;
      const events: unknown[] = [];
      cache.on('partitionState', (t, p, s) => events.push([t, p, s.leader]));
      zk.createTopic('many', { 0: [1], 1: [1], 2: [1], 3: [1] });
      await zk.settle();
      expect(zk.watchCount).to.equal(watchesBefore + 2); // its assignment and its partition list, no state
      zk.setState('many', 2, state(1, 0, [1]));
      await zk.settle();
      expect(zk.watchCount).to.equal(watchesBefore + 3);
      expect(events).to.deep.equal([['many', 2, 1]]);
      expect(cache.partitionState('many', 0)).to.equal(undefined);
    });

    it('arms the state watch of a partition listed before the assignment that adds it was read', async () => {
      const zk = new FakeZk();
      zk.createTopic('t', { 0: [1] });
      zk.setState('t', 0, state(1, 0, [1]));
      const cache = await startedCache(zk);
      // Partition 1's znodes exist before this broker read the assignment naming it: not a partition yet.
      zk.setState('t', 1, state(1, 0, [1]));
      await zk.settle();
      expect(cache.partitionCount('t')).to.equal(1);
      expect(cache.partitionState('t', 1)).to.equal(undefined);
      zk.set('/brokers/topics/t', JSON.stringify({ version: 2, partitions: { 0: [1], 1: [1] } }));
      await zk.settle();
      expect(cache.partitionState('t', 1)).to.include({ leader: 1, leaderEpoch: 0 });
    });

    it('stops the state watch of a partition that leaves the list and keeps its last state', async () => {
      const zk = new FakeZk();
      zk.createTopic('t', { 0: [1], 1: [1] });
      zk.setState('t', 0, state(1, 0, [1]));
      zk.setState('t', 1, state(1, 0, [1]));
      const cache = await startedCache(zk);
      const watches = zk.watchCount;
      zk.delete('/brokers/topics/t/partitions/1');
      await zk.settle();
      expect(zk.watchCount).to.equal(watches - 1);
      expect(cache.partitionState('t', 1)).to.include({ leader: 1 });
      zk.setState('t', 1, state(1, 1, [1]));
      await zk.settle();
      expect(zk.watchCount).to.equal(watches);
      expect(cache.partitionState('t', 1)).to.include({ leaderEpoch: 1 });
    });

    it('does not list a topic before its assignment is read, so that no topic shows zero partitions', async () => {
      const zk = new FakeZk();
      const cache = await startedCache(zk);
      // A listed topic znode whose data never decodes stands for one whose first read has not come back yet.
      zk.create('/brokers/topics/unread', 'not an assignment');
      await zk.settle();
      expect(cache.topics()).to.deep.equal([]);
      expect(cache.hasTopic('unread')).to.equal(false);
      expect(cache.partitionCount('unread')).to.equal(undefined);
      zk.set(
        '/brokers/topics/unread',
        TopicZNode.encode({ topicId: null, partitions: new Map([[0, replicaAssignment([1])]]) }),
      );
      await zk.settle();
      expect(cache.topics()).to.deep.equal(['unread']);
      expect(cache.partitionCount('unread')).to.equal(1);
    });

    it('re-emits the state when the replica list changes', async () => {
      const zk = new FakeZk();
      zk.createTopic('t', { 0: [1, 2] });
      zk.setState('t', 0, state(1, 0, [1, 2]));
      const cache = await startedCache(zk);
      const replicas: (readonly number[])[] = [];
      cache.on('partitionState', (_t, _p, _s, r) => replicas.push(r));
      zk.set('/brokers/topics/t', JSON.stringify({ version: 2, partitions: { 0: [1, 2, 3] } }));
      await zk.settle();
      expect(replicas).to.deep.equal([[1, 2, 3]]);
    });
  });

  describe('topic deletion', () => {
    it('emits topicDeleted and forgets the topic', async () => {
      const zk = new FakeZk();
      zk.createTopic('t', { 0: [1] });
      zk.setState('t', 0, state(1, 0, [1]));
      const cache = await startedCache(zk);
      const watchesWithTopic = zk.watchCount;
      const deleted: string[] = [];
      cache.on('topicDeleted', (t) => deleted.push(t));
      zk.delete('/brokers/topics/t');
      await zk.settle();
      expect(deleted).to.deep.equal(['t']);
      expect(cache.hasTopic('t')).to.equal(false);
      expect(zk.watchCount).to.equal(watchesWithTopic - 3); // assignment, partition list, state
    });

    it('starts a re-created topic from scratch, accepting a lower leader epoch', async () => {
      const zk = new FakeZk();
      zk.createTopic('t', { 0: [1] });
      zk.setState('t', 0, state(1, 7, [1]));
      const cache = await startedCache(zk);
      zk.delete('/brokers/topics/t');
      await zk.settle();
      zk.createTopic('t', { 0: [1] });
      zk.setState('t', 0, state(1, 0, [1]));
      await zk.settle();
      expect(cache.partitionState('t', 0)).to.include({ leaderEpoch: 0 });
    });
  });

  describe('brokers', () => {
    it('tracks brokers coming and going with their epoch', async () => {
      const zk = new FakeZk();
      zk.registerBroker(1);
      const cache = await startedCache(zk);
      let events = 0;
      cache.on('brokers', () => events++);
      zk.registerBroker(2);
      await zk.settle();
      expect(cache.aliveBrokers().map((b) => b.id)).to.deep.equal([1, 2]);
      const epoch = cache.broker(2)!.epoch;
      zk.delete('/brokers/ids/2');
      await zk.settle();
      zk.registerBroker(2);
      await zk.settle();
      expect(cache.broker(2)!.epoch).to.be.above(epoch);
      expect(events).to.be.at.least(3);
    });
  });

  describe('isNewerState', () => {
    const held = { leader: 1, leaderEpoch: 5, isr: [1], controllerEpoch: 3, zkVersion: 10 };
    it('accepts a newer leader epoch, or the same epoch at a newer zkVersion', () => {
      expect(isNewerState(held, { ...held, leaderEpoch: 6 })).to.equal(true);
      expect(isNewerState(held, { ...held, zkVersion: 11 })).to.equal(true);
      expect(isNewerState(held, { ...held, controllerEpoch: 4, leaderEpoch: 6 })).to.equal(true);
    });
    it('rejects an older controller epoch, an older leader epoch, and a repeat', () => {
      expect(isNewerState(held, { ...held, controllerEpoch: 2, leaderEpoch: 6 })).to.equal(false);
      expect(isNewerState(held, { ...held, leaderEpoch: 4, zkVersion: 12 })).to.equal(false);
      expect(isNewerState(held, held)).to.equal(false);
    });
  });
});
