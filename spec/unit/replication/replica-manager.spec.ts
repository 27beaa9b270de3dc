import { expect } from 'chai';
import fs from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import type { FetchMessagesRequest, FetchPartitionRequest } from '../../../lib/replication/replica-reads.js';
import { MockTime } from '../../helpers/mock-time.js';
import { FakeZk } from './fake-zk.js';
import { brokerFixture, InProcessCluster, producerBatch, type BrokerFixture } from './replication-fixtures.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';

const state = (leader: number, leaderEpoch: number, isr: number[], controllerEpoch = 1) => ({
  leader,
  leaderEpoch,
  isr,
  controllerEpoch,
});

/**
 * A cluster view where broker `leader` leads t-0 (ISR `isr`) with replicas `replicas`; brokers `registered` register
 * before the state is written.
 */
function clusterWithTopic(replicas = [1, 2], isr = replicas, leader = 1, registered: number[] = []): FakeZk {
  const zk = new FakeZk();
  for (const id of registered) zk.registerBroker(id);
  zk.createTopic('t', { 0: replicas });
  zk.setState('t', 0, state(leader, 0, isr));
  return zk;
}

async function startedBroker(
  zk: FakeZk,
  brokerId = 1,
  opts: Parameters<typeof brokerFixture>[2] = {},
): Promise<BrokerFixture> {
  const broker = brokerFixture(zk, brokerId, opts);
  await broker.replicaManager.startup();
  return broker;
}

const fetchAt = (fetchOffset: number, extra: Partial<FetchPartitionRequest> = {}): FetchPartitionRequest => ({
  topic: 't',
  partition: 0,
  fetchOffset,
  partitionMaxBytes: 1 << 20,
  ...extra,
});

function fetchRequest(
  replicaId: number,
  partitions: FetchPartitionRequest[],
  extra: Partial<FetchMessagesRequest> = {},
): FetchMessagesRequest {
  return { replicaId, maxWaitMs: 0, minBytes: 1, maxBytes: 50 << 20, isolationLevel: 0, partitions, ...extra };
}

const countRecords = (records: Buffer | null): number =>
  [...iterateBatches(records!)].reduce((n, b) => n + b.recordCount, 0);

describe('ReplicaManager', () => {
  describe('#startup', () => {
    it('becomes leader or follower of every assigned partition and creates their logs', async () => {
      const zk = new FakeZk();
      zk.createTopic('t', { 0: [1, 2], 1: [2, 1], 2: [2, 3] });
      zk.setState('t', 0, state(1, 0, [1, 2]));
      zk.setState('t', 1, state(2, 0, [2, 1]));
      zk.setState('t', 2, state(2, 0, [2, 3]));
      const { replicaManager, logManager } = await startedBroker(zk);
      expect(replicaManager.getPartition('t', 0)!.role).to.equal('Leader');
      expect(replicaManager.getPartition('t', 1)!.role).to.equal('Follower');
      expect(replicaManager.getPartition('t', 2)).to.equal(undefined);
      expect([replicaManager.partitionCount, replicaManager.leaderCount]).to.deep.equal([2, 1]);
      expect(logManager.allLogs.map((l) => l.topicPartition.partition).sort()).to.deep.equal([0, 1]);
    });

    it('deletes local logs of topics deleted while the broker was down', async () => {
      const zk = clusterWithTopic([1]);
      const first = await startedBroker(zk);
      first.logManager.getOrCreateLog({ topic: 'gone', partition: 0 });
      await first.replicaManager.shutdown();
      await first.logManager.shutdown();
      const second = await startedBroker(zk, 1, { dir: first.dir });
      expect(second.logManager.allLogs.map((l) => l.topicPartition.topic)).to.deep.equal(['t']);
    });

    it('applies topic config overrides from ZooKeeper over the broker defaults', async () => {
      const zk = clusterWithTopic([1]);
      zk.create(
        '/config/topics/t',
        JSON.stringify({ version: 1, config: { 'min.insync.replicas': '2', 'no.such.key': 'x' } }),
      );
      const { replicaManager } = await startedBroker(zk, 1, {
        config: { defaultTopicConfig: { 'segment.bytes': '1048576' } },
      });
      const config = replicaManager.getPartition('t', 0)!.log.config;
      expect([config.minInsyncReplicas, config.segmentBytes]).to.deep.equal([2, 1048576]);
    });
  });

  describe('#appendRecords', () => {
    it('answers each partition on its own: appended, unknown, not hosted, corrupt', async () => {
      const zk = clusterWithTopic([1]);
      zk.createTopic('elsewhere', { 0: [2] });
      zk.setState('elsewhere', 0, state(2, 0, [2]));
      const { replicaManager } = await startedBroker(zk);
      const corrupt = producerBatch();
      corrupt[corrupt.length - 1]! ^= 0xff;
      const results = await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [
          { topic: 't', partition: 0, records: producerBatch(3) },
          { topic: 'nope', partition: 0, records: producerBatch() },
          { topic: 'elsewhere', partition: 0, records: producerBatch() },
          { topic: 't', partition: 0, records: corrupt },
          { topic: 't', partition: 0, records: producerBatch(2) },
        ],
      });
      expect(results.map((r) => [r.errorCode, r.baseOffset])).to.deep.equal([
        [ErrorCode.NONE, 0],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
        [ErrorCode.NOT_LEADER_OR_FOLLOWER, -1],
        [ErrorCode.CORRUPT_MESSAGE, -1],
        [ErrorCode.NONE, 3],
      ]);
    });

    it('acks=all waits until the follower has fetched past the batch', async () => {
      const zk = clusterWithTopic([1, 2]);
      const { replicaManager } = await startedBroker(zk);
      const produced = replicaManager.appendRecords({
        acks: -1,
        timeoutMs: 10_000,
        entries: [{ topic: 't', partition: 0, records: producerBatch(4) }],
      });
      let done = false;
      void produced.then(() => (done = true));
      await replicaManager.fetchMessages(fetchRequest(2, [fetchAt(0)]));
      await new Promise((r) => setImmediate(r));
      expect(done).to.equal(false);
      await replicaManager.fetchMessages(fetchRequest(2, [fetchAt(4)]));
      const [result] = await produced;
      expect([result!.errorCode, result!.baseOffset]).to.deep.equal([ErrorCode.NONE, 0]);
    });

    it('acks=all times out with REQUEST_TIMED_OUT while the follower does not fetch', async () => {
      const { replicaManager } = await startedBroker(clusterWithTopic([1, 2]));
      const [result] = await replicaManager.appendRecords({
        acks: -1,
        timeoutMs: 30,
        entries: [{ topic: 't', partition: 0, records: producerBatch() }],
      });
      expect(result!.errorCode).to.equal(ErrorCode.REQUEST_TIMED_OUT);
    });

    it('acks=all is refused below min.insync.replicas; acks=1 is not', async () => {
      const zk = clusterWithTopic([1, 2], [1]);
      zk.create('/config/topics/t', JSON.stringify({ version: 1, config: { 'min.insync.replicas': '2' } }));
      const { replicaManager } = await startedBroker(zk);
      const entries = [{ topic: 't', partition: 0, records: producerBatch() }];
      expect((await replicaManager.appendRecords({ acks: -1, timeoutMs: 1000, entries }))[0]!.errorCode).to.equal(
        ErrorCode.NOT_ENOUGH_REPLICAS,
      );
      expect((await replicaManager.appendRecords({ acks: 1, timeoutMs: 1000, entries }))[0]!.errorCode).to.equal(
        ErrorCode.NONE,
      );
    });

    it('answers a waiting acks=all produce with NOT_LEADER_OR_FOLLOWER when leadership moves', async () => {
      const zk = clusterWithTopic([1, 2]);
      const { replicaManager } = await startedBroker(zk);
      const produced = replicaManager.appendRecords({
        acks: -1,
        timeoutMs: 10_000,
        entries: [{ topic: 't', partition: 0, records: producerBatch() }],
      });
      zk.setState('t', 0, state(2, 1, [2]));
      const [result] = await produced;
      expect(result!.errorCode).to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      expect(replicaManager.getPartition('t', 0)!.role).to.equal('Follower');
    });

    it('with flush.messages=1 answers once the batch is on disk', async () => {
      const zk = clusterWithTopic([1]);
      zk.create('/config/topics/t', JSON.stringify({ version: 1, config: { 'flush.messages': '1' } }));
      const { replicaManager } = await startedBroker(zk);
      const results = await Promise.all(
        [1, 2, 3].map(() =>
          replicaManager.appendRecords({
            acks: 1,
            timeoutMs: 1000,
            entries: [{ topic: 't', partition: 0, records: producerBatch() }],
          }),
        ),
      );
      expect(results.map(([r]) => r!.errorCode)).to.deep.equal([0, 0, 0]);
      expect(replicaManager.getPartition('t', 0)!.log.recoveryPoint).to.equal(3);
    });
  });

  describe('#fetchMessages', () => {
    it('lets consumers read below the HW and followers to the log end', async () => {
      const { replicaManager } = await startedBroker(clusterWithTopic([1, 2]));
      await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [{ topic: 't', partition: 0, records: producerBatch(5) }],
      });
      const [follower] = await replicaManager.fetchMessages(fetchRequest(2, [fetchAt(0)]));
      expect([countRecords(follower!.records), follower!.highWatermark]).to.deep.equal([5, 0]);
      const [consumer] = await replicaManager.fetchMessages(fetchRequest(-1, [fetchAt(0)]));
      expect([countRecords(consumer!.records), consumer!.highWatermark]).to.deep.equal([0, 0]);
      await replicaManager.fetchMessages(fetchRequest(2, [fetchAt(5)]));
      const [later] = await replicaManager.fetchMessages(fetchRequest(-1, [fetchAt(0)]));
      expect([countRecords(later!.records), later!.highWatermark]).to.deep.equal([5, 5]);
    });

    it('returns records as views of the mapped segment, not copies', async () => {
      const { replicaManager } = await startedBroker(clusterWithTopic([1]));
      await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [{ topic: 't', partition: 0, records: producerBatch(2) }],
      });
      const [a] = await replicaManager.fetchMessages(fetchRequest(-1, [fetchAt(0)]));
      const [b] = await replicaManager.fetchMessages(fetchRequest(-1, [fetchAt(0)]));
      expect(a!.records!.buffer).to.equal(b!.records!.buffer);
      expect(a!.records!.byteOffset).to.equal(b!.records!.byteOffset);
    });

    it('long-polls a consumer until the HW moves, and a follower until the leader appends', async () => {
      const { replicaManager } = await startedBroker(clusterWithTopic([1, 2]));
      const consumer = replicaManager.fetchMessages(fetchRequest(-1, [fetchAt(0)], { maxWaitMs: 10_000 }));
      const follower = replicaManager.fetchMessages(fetchRequest(2, [fetchAt(0)], { maxWaitMs: 10_000 }));
      await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [{ topic: 't', partition: 0, records: producerBatch(2) }],
      });
      expect(countRecords((await follower)[0]!.records)).to.equal(2);
      await replicaManager.fetchMessages(fetchRequest(2, [fetchAt(2)]));
      expect(countRecords((await consumer)[0]!.records)).to.equal(2);
    });

    it('holds an out-of-sync follower of a throttled replica to the leader quota, not in-sync ones nor consumers', async () => {
      const time = new MockTime();
      const { replicaManager } = await startedBroker(clusterWithTopic([1, 2, 3], [1, 3]), 1, {
        time,
        config: { defaultTopicConfig: { 'leader.replication.throttled.replicas': '*' } },
      });
      for (let i = 0; i < 3; i++)
        await replicaManager.appendRecords({
          acks: 1,
          timeoutMs: 1000,
          entries: [{ topic: 't', partition: 0, records: producerBatch(5) }],
        });
      // Past replica.lag.time.max.ms (1000 here): follower 2 has not caught up within it, so it holds no HW back.
      time.sleep(1001);
      const [inSync] = await replicaManager.fetchMessages(fetchRequest(3, [fetchAt(0)]));
      expect(countRecords(inSync!.records), 'an in-sync follower is not throttled').to.equal(15);
      await replicaManager.fetchMessages(fetchRequest(3, [fetchAt(15)]));
      // Its bytes count, as in Kafka: a bound of one byte more leaves one byte to the out-of-sync follower.
      replicaManager.leaderQuota.setRate(inSync!.records!.length + 1);
      const [first] = await replicaManager.fetchMessages(fetchRequest(2, [fetchAt(0)]));
      expect(countRecords(first!.records), 'one batch: the first batch goes whole').to.equal(5);
      const [held] = await replicaManager.fetchMessages(fetchRequest(2, [fetchAt(5)]));
      expect(held!.records!.length, 'nothing while the quota is used up').to.equal(0);

      // A consumer long-polling at the HW wakes when the HW moves, however used up the replication quota is.
      const consumer = replicaManager.fetchMessages(fetchRequest(-1, [fetchAt(15)], { maxWaitMs: 10_000 }));
      await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [{ topic: 't', partition: 0, records: producerBatch(5) }],
      });
      await replicaManager.fetchMessages(fetchRequest(3, [fetchAt(20)]));
      expect(countRecords((await consumer)[0]!.records), 'consumers are never throttled').to.equal(5);
    });

    it('answers a long poll empty at maxWaitMs', async () => {
      const { replicaManager } = await startedBroker(clusterWithTopic([1]));
      const [r] = await replicaManager.fetchMessages(fetchRequest(-1, [fetchAt(0)], { maxWaitMs: 20 }));
      expect([r!.errorCode, r!.records!.length]).to.deep.equal([ErrorCode.NONE, 0]);
    });

    it('bounds the response by maxBytes but always returns the first batch (KIP-74)', async () => {
      const zk = clusterWithTopic([1]);
      zk.createTopic('u', { 0: [1] });
      zk.setState('u', 0, state(1, 0, [1]));
      const { replicaManager } = await startedBroker(zk);
      await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [
          { topic: 't', partition: 0, records: producerBatch(1, 2000) },
          { topic: 'u', partition: 0, records: producerBatch(1, 2000) },
        ],
      });
      const results = await replicaManager.fetchMessages(
        fetchRequest(-1, [fetchAt(0, { partitionMaxBytes: 100 }), { ...fetchAt(0), topic: 'u' }], { maxBytes: 100 }),
      );
      expect(results.map((r) => countRecords(r.records))).to.deep.equal([1, 0]);
    });

    it('fences requests with an old leader epoch and rejects unknown newer ones', async () => {
      const zk = clusterWithTopic([1]);
      zk.setState('t', 0, state(1, 3, [1]));
      const { replicaManager } = await startedBroker(zk);
      const results = await replicaManager.fetchMessages(
        fetchRequest(-1, [fetchAt(0, { currentLeaderEpoch: 2 }), fetchAt(0, { currentLeaderEpoch: 4 }), fetchAt(7)]),
      );
      expect(results.map((r) => r.errorCode)).to.deep.equal([
        ErrorCode.FENCED_LEADER_EPOCH,
        ErrorCode.UNKNOWN_LEADER_EPOCH,
        ErrorCode.OFFSET_OUT_OF_RANGE,
      ]);
    });

    it('answers a waiting fetch when its topic is deleted, and deletes the local log', async () => {
      const zk = clusterWithTopic([1]);
      const { replicaManager, logManager } = await startedBroker(zk);
      const fetch = replicaManager.fetchMessages(fetchRequest(-1, [fetchAt(0)], { maxWaitMs: 10_000 }));
      zk.delete('/brokers/topics/t');
      const [r] = await fetch;
      expect(r!.errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      expect(logManager.allLogs).to.have.length(0);
    });
  });

  describe('#listOffsets and #lastOffsetForLeaderEpoch', () => {
    it('answers earliest, latest (HW, or LEO for a replica), by timestamp, and epoch end offsets', async () => {
      const zk = clusterWithTopic([1, 2]);
      const { replicaManager } = await startedBroker(zk);
      await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [{ topic: 't', partition: 0, records: producerBatch(3, 10, 1000) }],
      });
      await replicaManager.fetchMessages(fetchRequest(2, [fetchAt(3)]));
      await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [{ topic: 't', partition: 0, records: producerBatch(2, 10, 2000) }],
      });
      expect(replicaManager.listOffsets('t', 0, -2, 0)).to.include({ errorCode: 0, offset: 0 });
      expect(replicaManager.listOffsets('t', 0, -1, 0)).to.include({ errorCode: 0, offset: 3, leaderEpoch: 0 });
      expect(replicaManager.listOffsets('t', 0, -1, 0, { replicaId: 2 })).to.include({ offset: 5 });
      expect(replicaManager.listOffsets('t', 0, 1500, 0)).to.include({ offset: -1 });
      expect(replicaManager.listOffsets('t', 0, 500, 0)).to.include({ offset: 0, timestamp: 1000 });
      expect(replicaManager.listOffsets('x', 0, -1, 0).errorCode).to.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      expect(replicaManager.lastOffsetForLeaderEpoch('t', 0, 0)).to.include({
        errorCode: 0,
        leaderEpoch: 0,
        endOffset: 5,
      });
    });
  });

  describe('ISR maintenance', () => {
    it('shrinks the ISR of a stuck follower in ZooKeeper, then notifies the controller in a batch', async () => {
      const zk = clusterWithTopic([1, 2]);
      const time = new MockTime();
      const broker = brokerFixture(zk, 1, { time });
      await broker.replicaManager.startup();
      const { replicaManager } = broker;
      await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [{ topic: 't', partition: 0, records: producerBatch() }],
      });
      time.sleep(1001);
      replicaManager.maybeShrinkIsr();
      await zk.settle();
      expect(JSON.parse(zk.get('/brokers/topics/t/partitions/0/state')!.data.toString()))
        .to.include({ leader: 1, leader_epoch: 0 })
        .and.to.have.deep.property('isr', [1]);
      expect(replicaManager.getPartition('t', 0)!.isr).to.deep.equal([1]);
      expect(replicaManager.isrShrinksTotal).to.equal(1);
      expect(replicaManager.underReplicatedPartitions).to.equal(1);
      expect(zk.isrNotifications).to.deep.equal([]);
    });

    it('expands the ISR when the follower catches up and writes one notification after the blackout', async () => {
      const zk = clusterWithTopic([1, 2], [1]);
      const broker = brokerFixture(zk, 1, { time: new MockTime() });
      await broker.replicaManager.startup();
      const { replicaManager, scheduler } = broker;
      await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [{ topic: 't', partition: 0, records: producerBatch(2) }],
      });
      await replicaManager.fetchMessages(fetchRequest(2, [fetchAt(2)]));
      await zk.settle();
      expect(replicaManager.getPartition('t', 0)!.isr).to.deep.equal([1, 2]);
      expect(replicaManager.isrExpandsTotal).to.equal(1);
      await scheduler.tick(2500);
      expect(zk.isrNotifications).to.deep.equal([]);
      await scheduler.tick(5000);
      expect(zk.isrNotifications).to.deep.equal([[{ topic: 't', partition: 0 }]]);
    });
  });

  describe('leadership from ZooKeeper', () => {
    it('ignores a state with an older leader epoch and follows a newer one', async () => {
      const zk = clusterWithTopic([1, 2]);
      zk.setState('t', 0, state(1, 5, [1, 2]));
      const { replicaManager } = await startedBroker(zk);
      zk.setState('t', 0, state(2, 4, [2, 1]));
      await zk.settle();
      expect(replicaManager.getPartition('t', 0)!.role).to.equal('Leader');
      zk.setState('t', 0, state(2, 6, [2, 1]));
      await zk.settle();
      await new Promise((r) => setImmediate(r));
      const p = replicaManager.getPartition('t', 0)!;
      expect([p.role, p.leaderId, p.leaderEpoch]).to.deep.equal(['Follower', 2, 6]);
    });

    it('follows without a leader a state naming it leader written before it registered, until a new one', async () => {
      // Broker 1 was killed and restarted before its old session expired: the state was written for that run.
      const zk = clusterWithTopic([1, 2], [1]);
      zk.registerBroker(1);
      const { replicaManager } = await startedBroker(zk);
      const p = replicaManager.getPartition('t', 0)!;
      expect([p.role, p.leaderId, p.leaderEpoch]).to.deep.equal(['Follower', -1, 0]);
      expect(replicaManager.leaderCount).to.equal(0);
      expect(replicaManager.replicaFetcherManager.fetcherCount, 'no fetcher without a leader').to.equal(0);
      const [read] = await replicaManager.fetchMessages(fetchRequest(2, [fetchAt(0)]));
      expect(read!.errorCode, 'a follower fetching from it').to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);

      // The controller handles the restart: a new leader epoch, written after the registration.
      zk.setState('t', 0, state(1, 1, [1]));
      await zk.settle();
      await new Promise((r) => setImmediate(r));
      expect([p.role, p.leaderId, p.leaderEpoch]).to.deep.equal(['Leader', 1, 1]);
    });

    it('leads on a state written after it registered, its own ISR writes included', async () => {
      const zk = clusterWithTopic([1, 2], [1, 2], 1, [1]);
      const { replicaManager } = await startedBroker(zk);
      const p = replicaManager.getPartition('t', 0)!;
      expect([p.role, p.leaderId, p.leaderEpoch]).to.deep.equal(['Leader', 1, 0]);
    });

    it('deletes its replica when the assignment moves it away', async () => {
      const zk = clusterWithTopic([1, 2], [1, 2], 2);
      const { replicaManager, logManager } = await startedBroker(zk);
      zk.set('/brokers/topics/t', JSON.stringify({ version: 2, partitions: { 0: [2, 3] } }));
      await zk.settle();
      await new Promise((r) => setImmediate(r));
      expect(replicaManager.getPartition('t', 0)).to.equal(undefined);
      expect(logManager.allLogs).to.have.length(0);
    });

    it('emits leadershipChange with the partitions that changed role', async () => {
      const zk = clusterWithTopic([1, 2]);
      const broker = brokerFixture(zk, 1);
      const changes: string[][] = [];
      broker.replicaManager.on('leadershipChange', (leaders, followers) =>
        changes.push([...leaders.map((p) => `L:${p.key}`), ...followers.map((p) => `F:${p.key}`)]),
      );
      await broker.replicaManager.startup();
      zk.setState('t', 0, state(2, 1, [2, 1]));
      await zk.settle();
      await new Promise((r) => setImmediate(r));
      expect(changes).to.deep.equal([['L:t-0'], ['F:t-0']]);
    });
  });

  describe('fencing while the ZooKeeper session may be gone', () => {
    it('gives up leadership at once: waiting and new produces and fetches get NOT_LEADER_OR_FOLLOWER', async () => {
      const zk = clusterWithTopic([1, 2]);
      const broker = await startedBroker(zk);
      const { replicaManager } = broker;
      const changes: string[][] = [];
      replicaManager.on('leadershipChange', (leaders, followers) =>
        changes.push([...leaders.map((p) => `L:${p.key}`), ...followers.map((p) => `F:${p.key}`)]),
      );
      const entries = [{ topic: 't', partition: 0, records: producerBatch() }];
      const waiting = replicaManager.appendRecords({ acks: -1, timeoutMs: 10_000, entries });
      replicaManager.fenceLeadership('spec');
      expect(replicaManager.leadershipFenced).to.equal(true);
      expect((await waiting)[0]!.errorCode).to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const p = replicaManager.getPartition('t', 0)!;
      expect([p.role, p.leaderId, p.leaderEpoch]).to.deep.equal(['Follower', -1, 0]);
      expect(replicaManager.leaderCount).to.equal(0);
      expect((await replicaManager.appendRecords({ acks: 1, timeoutMs: 1000, entries }))[0]!.errorCode).to.equal(
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
      );
      const [read] = await replicaManager.fetchMessages(fetchRequest(-1, [fetchAt(0)]));
      expect(read!.errorCode).to.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      expect(changes).to.deep.equal([['F:t-0']]);
    });

    it('applies a state naming it leader as a follower without a leader until resume() re-read ZooKeeper', async () => {
      const zk = clusterWithTopic([1, 2], [1, 2], 2);
      const { replicaManager } = await startedBroker(zk);
      replicaManager.fenceLeadership('spec');
      zk.setState('t', 0, state(1, 1, [1, 2]));
      await zk.settle();
      await new Promise((r) => setImmediate(r));
      const p = replicaManager.getPartition('t', 0)!;
      expect([p.role, p.leaderId, p.leaderEpoch]).to.deep.equal(['Follower', -1, 1]);
      expect(replicaManager.replicaFetcherManager.fetcherCount, 'no fetcher without a leader').to.equal(0);

      let refreshed = false;
      await replicaManager.resumeLeadership(async () => {
        await zk.settle();
        refreshed = true;
      });
      expect(refreshed).to.equal(true);
      expect(replicaManager.leadershipFenced).to.equal(false);
      expect([p.role, p.leaderId, p.leaderEpoch]).to.deep.equal(['Leader', 1, 1]);
    });

    it('stays fenced when the session is lost again while resuming', async () => {
      const zk = clusterWithTopic([1, 2]);
      const { replicaManager } = await startedBroker(zk);
      replicaManager.fenceLeadership('spec');
      await replicaManager.resumeLeadership(async () => {
        await Promise.resolve();
        replicaManager.fenceLeadership('lost again');
      });
      expect(replicaManager.leadershipFenced).to.equal(true);
      expect(replicaManager.getPartition('t', 0)!.role).to.equal('Follower');
    });
  });

  describe('high watermark checkpoint', () => {
    it('is written at shutdown and restores the HW at the next start', async () => {
      const zk = clusterWithTopic([1]);
      const first = await startedBroker(zk);
      await first.replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [{ topic: 't', partition: 0, records: producerBatch(7) }],
      });
      await first.replicaManager.shutdown();
      await first.logManager.shutdown();
      expect(fs.readFileSync(join(first.dir, 'replication-offset-checkpoint'), 'utf8')).to.equal('0\n1\nt 0 7\n');
      zk.setState('t', 0, state(1, 0, [1, 2]));
      zk.set('/brokers/topics/t', JSON.stringify({ version: 2, partitions: { 0: [1, 2] } }));
      const second = await startedBroker(zk, 1, { dir: first.dir });
      expect(second.replicaManager.getPartition('t', 0)!.highWatermark).to.equal(7);
    });
  });

  describe('replication between brokers', () => {
    /** Brokers 1 and 2 registered, t-0 on both, led by 1 in epoch 0 with both in the ISR. */
    async function twoBrokers(
      isr = [1, 2],
    ): Promise<{ zk: FakeZk; cluster: InProcessCluster; b1: BrokerFixture; b2: BrokerFixture }> {
      const zk = clusterWithTopic([1, 2], isr, 1, [1, 2]);
      const cluster = new InProcessCluster();
      const b1 = await startedBroker(zk, 1, { cluster });
      const b2 = await startedBroker(zk, 2, { cluster });
      return { zk, cluster, b1, b2 };
    }

    const produce = (b: BrokerFixture, acks: -1 | 1, count: number) =>
      b.replicaManager.appendRecords({
        acks,
        timeoutMs: 5000,
        entries: [{ topic: 't', partition: 0, records: producerBatch(count) }],
      });
    const logBytes = (b: BrokerFixture) =>
      Buffer.from(b.replicaManager.getPartition('t', 0)!.log.read(0, 1 << 20).records);

    it('acknowledges acks=all once the follower fetched the batch, and the follower holds the same bytes', async () => {
      const { b1, b2 } = await twoBrokers();
      const [result] = await produce(b1, -1, 5);
      expect(result!.errorCode).to.equal(ErrorCode.NONE);
      const follower = b2.replicaManager.getPartition('t', 0)!;
      await waitFor(() => follower.highWatermark === 5, 'the follower HW to reach 5', { intervalMs: 5 });
      expect(logBytes(b2).equals(logBytes(b1))).to.equal(true);
    });

    it('expands the ISR in ZooKeeper when a follower catches up, and the follower learns it from the state znode', async () => {
      const { zk, b1, b2 } = await twoBrokers([1]);
      await produce(b1, 1, 3);
      await waitFor(
        () => b2.replicaManager.getPartition('t', 0)!.isr.length === 2,
        'broker 2 to see the expanded ISR',
        { intervalMs: 5 },
      );
      expect(JSON.parse(zk.get('/brokers/topics/t/partitions/0/state')!.data.toString()).isr).to.deep.equal([1, 2]);
      expect(b1.replicaManager.getPartition('t', 0)!.isr).to.deep.equal([1, 2]);
    });

    it('makes a deposed leader truncate its unreplicated tail by leader epoch and follow the new leader', async () => {
      const { zk, cluster, b1, b2 } = await twoBrokers();
      await produce(b1, -1, 5);
      await b2.replicaManager.shutdown();
      await b2.logManager.shutdown();
      cluster.unregister(2);
      await produce(b1, 1, 3);
      expect(b1.replicaManager.getPartition('t', 0)!.logEndOffset).to.equal(8);
      zk.setState('t', 0, state(2, 1, [2]));
      const b2Again = await startedBroker(zk, 2, { dir: b2.dir, cluster });
      const newLeader = b2Again.replicaManager.getPartition('t', 0)!;
      expect([newLeader.role, newLeader.logEndOffset]).to.deep.equal(['Leader', 5]);
      await produce(b2Again, 1, 2);
      const deposed = b1.replicaManager.getPartition('t', 0)!;
      await waitFor(() => deposed.logEndOffset === 7 && deposed.role === 'Follower', 'the deposed leader to follow', {
        intervalMs: 5,
      });
      expect(logBytes(b1).equals(logBytes(b2Again))).to.equal(true);
      expect(deposed.log.leaderEpochCache.epochEntries).to.deep.equal([
        { epoch: 0, startOffset: 0 },
        { epoch: 1, startOffset: 5 },
      ]);
    });
  });

  describe('failed log dirs', () => {
    /** Broker 1 leads t-0 and t-1 over two log dirs (the LogManager puts one in each); returns which dir holds t-0. */
    async function brokerOverTwoDirs(): Promise<{ broker: BrokerFixture; zk: FakeZk; failed: string; live: string }> {
      const zk = new FakeZk();
      zk.createTopic('t', { 0: [1, 2], 1: [1, 2] });
      zk.setState('t', 0, state(1, 0, [1, 2]));
      zk.setState('t', 1, state(1, 0, [1, 2]));
      const broker = await startedBroker(zk, 1, { logDirs: [tmpDir(), tmpDir()] });
      const failed = dirname(broker.replicaManager.getPartition('t', 0)!.log.dir);
      const live = dirname(broker.replicaManager.getPartition('t', 1)!.log.dir);
      expect(failed).to.not.equal(live);
      return { broker, zk, failed, live };
    }

    it('takes the replicas of the failed dir offline, answers KAFKA_STORAGE_ERROR for them and serves the other dir', async () => {
      const { broker, zk, failed, live } = await brokerOverTwoDirs();
      const { replicaManager } = broker;
      const changes: string[][] = [];
      replicaManager.on('leadershipChange', (leaders, followers) =>
        changes.push([...leaders.map((p) => `L:${p.key}`), ...followers.map((p) => `F:${p.key}`)]),
      );
      const waiting = replicaManager.appendRecords({
        acks: -1,
        timeoutMs: 10_000,
        entries: [{ topic: 't', partition: 0, records: producerBatch() }],
      });
      const log = replicaManager.getPartition('t', 0)!.log;
      await waitFor(() => log.logEndOffset === 1, 'the append');
      await new Promise((r) => setImmediate(r)); // the produce now waits in the purgatory for the follower
      replicaManager.handleLogDirFailure(failed);
      expect((await waiting)[0]!.errorCode, 'a produce waiting for acks=all').to.equal(
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
      );
      expect(changes, 'the group coordinator hears that t-0 is no longer led here').to.deep.equal([['F:t-0']]);
      expect(replicaManager.getPartition('t', 0)).to.equal(undefined);
      expect(replicaManager.offlineReplicaCount).to.equal(1);
      const results = await replicaManager.appendRecords({
        acks: 1,
        timeoutMs: 1000,
        entries: [0, 1].map((partition) => ({ topic: 't', partition, records: producerBatch() })),
      });
      expect(results.map((r) => r.errorCode)).to.deep.equal([ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.NONE]);
      const fetched = await replicaManager.fetchMessages(fetchRequest(-1, [fetchAt(0)]));
      expect(fetched[0]!.errorCode).to.equal(ErrorCode.KAFKA_STORAGE_ERROR);
      await waitFor(() => zk.logDirEvents.length === 1, 'the log dir event notification');
      expect(zk.logDirEvents).to.deep.equal([1]);
      const described = new Map(replicaManager.describeLogDirs(null).map((d) => [d.logDir, d]));
      expect(described.get(resolve(failed))).to.deep.include({
        errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
        partitions: [],
      });
      expect(described.get(resolve(live))?.errorCode).to.equal(ErrorCode.NONE);
      expect(described.get(resolve(live))?.partitions.map((p) => p.partition)).to.deep.equal([1]);
    });

    it('never hosts an offline replica again, whatever ZooKeeper says, until the broker restarts', async () => {
      const { broker, zk, failed } = await brokerOverTwoDirs();
      broker.replicaManager.handleLogDirFailure(failed);
      zk.setState('t', 0, state(1, 1, [1, 2]));
      await zk.settle();
      await new Promise((r) => setImmediate(r));
      expect(broker.replicaManager.getPartition('t', 0)).to.equal(undefined);
      expect(broker.logManager.getLog({ topic: 't', partition: 0 })).to.equal(undefined);
    });

    it('tells the controller again when a new controller is elected', async () => {
      const { broker, zk, failed } = await brokerOverTwoDirs();
      broker.replicaManager.handleLogDirFailure(failed);
      await waitFor(() => zk.logDirEvents.length === 1, 'the first notification');
      zk.create('/controller', JSON.stringify({ version: 1, brokerid: 2, timestamp: '1' }));
      await zk.settle();
      await waitFor(() => zk.logDirEvents.length === 2, 'a notification for the new controller');
    });

    it('emits allLogDirsFailed when the last dir fails', async () => {
      const zk = clusterWithTopic([1, 2]);
      const broker = await startedBroker(zk);
      let failedAll = false;
      broker.replicaManager.on('allLogDirsFailed', () => (failedAll = true));
      broker.replicaManager.handleLogDirFailure(broker.dir);
      expect(failedAll).to.equal(true);
    });

    it('after starting with a dir that could not be loaded, keeps offline an in-sync replica that has no local log', async () => {
      const zk = new FakeZk();
      zk.createTopic('t', { 0: [1, 2], 1: [2, 1] });
      zk.setState('t', 0, state(2, 0, [2, 1]));
      zk.setState('t', 1, state(2, 0, [2]));
      const notADir = join(tmpDir(), 'file');
      fs.writeFileSync(notADir, 'not a directory');
      const { replicaManager } = await startedBroker(zk, 1, { logDirs: [notADir, tmpDir()] });
      expect(replicaManager.getPartition('t', 0), 'in the ISR: its log may be in the failed dir').to.equal(undefined);
      expect(replicaManager.offlineReplicaCount).to.equal(1);
      expect(replicaManager.getPartition('t', 1)?.role, 'not in the ISR: safe to start empty').to.equal('Follower');
      await waitFor(() => zk.logDirEvents.length === 1, 'the log dir event notification');
    });
  });
});
