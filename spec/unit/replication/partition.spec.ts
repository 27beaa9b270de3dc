import { expect } from 'chai';
import { ApiError } from '../../../lib/common/errors.js';
import { expectRejection } from '../../helpers/expect-rejection.js';
import { partitionFixture, partitionState, producerBatch, settle } from './replication-fixtures.js';

describe('Partition', () => {
  describe('#makeLeader', () => {
    it('registers the new epoch at the log end offset and reports a new leadership once', () => {
      const { partition, log } = partitionFixture();
      log.append(producerBatch(5), { assignOffsets: true, leaderEpoch: 0 });
      expect(partition.makeLeader(partitionState(1, 3, [1, 2]), [1, 2])).to.equal(true);
      expect(log.leaderEpochCache.latestEntry).to.deep.equal({ epoch: 3, startOffset: 5 });
      expect(partition.leaderEpochStartOffset).to.equal(5);
      expect(partition.makeLeader(partitionState(1, 3, [1], 1), [1, 2])).to.equal(false);
      expect(partition.isr).to.deep.equal([1]);
    });

    it('advances the HW to the log end offset when the ISR is the leader alone', async () => {
      const { partition } = partitionFixture();
      partition.makeLeader(partitionState(1, 0, [1]), [1, 2]);
      await partition.appendRecordsToLeader(producerBatch(3), 1);
      expect(partition.highWatermark).to.equal(3);
    });
  });

  describe('#appendRecordsToLeader', () => {
    it('refuses acks=all below min.insync.replicas and writes nothing', async () => {
      const { partition, log } = partitionFixture({ minInsyncReplicas: 2 });
      partition.makeLeader(partitionState(1, 0, [1]), [1, 2]);
      const e = await expectRejection(
        partition.appendRecordsToLeader(producerBatch(), -1),
        ApiError,
        'NOT_ENOUGH_REPLICAS',
      );
      expect(e.message).to.include('min.insync.replicas');
      expect(log.logEndOffset).to.equal(0);
      expect((await partition.appendRecordsToLeader(producerBatch(), 1)).firstOffset).to.equal(0);
    });

    it('stamps the leader epoch into the batches', async () => {
      const { partition, log } = partitionFixture();
      partition.makeLeader(partitionState(1, 7, [1]), [1]);
      await partition.appendRecordsToLeader(producerBatch(), 1);
      expect(log.read(0, 1000).records.readInt32BE(12)).to.equal(7);
    });

    it('throws NOT_LEADER_OR_FOLLOWER on a follower', async () => {
      const { partition } = partitionFixture();
      partition.makeFollower(partitionState(2, 0, [1, 2]), [1, 2]);
      await expectRejection(partition.appendRecordsToLeader(producerBatch(), 1), ApiError, 'NOT_LEADER_OR_FOLLOWER');
    });
  });

  describe('#deleteRecordsOnLeader', () => {
    it('raises the log start offset (-1: to the HW) and reports the low watermark over live followers', async () => {
      const { partition, log, time, listener } = partitionFixture();
      partition.makeLeader(partitionState(1, 0, [1, 2, 3]), [1, 2, 3]);
      await partition.appendRecordsToLeader(producerBatch(10), 1);
      partition.updateFollowerFetchState(2, 10, 0, time.milliseconds(), 10);
      partition.updateFollowerFetchState(3, 10, 0, time.milliseconds(), 10);
      const before = listener.logStartIncreases;
      expect(partition.deleteRecordsOnLeader(4)).to.equal(4);
      expect(log.logStartOffset).to.equal(4);
      expect(listener.logStartIncreases).to.equal(before + 1);
      const all = () => true;
      expect(partition.lowWatermarkIfLeader(all)).to.equal(0);
      partition.updateFollowerFetchState(2, 10, 4, time.milliseconds(), 10);
      expect(listener.logStartIncreases).to.equal(before + 2);
      expect(partition.lowWatermarkIfLeader(all)).to.equal(0);
      // A follower on a dead broker does not hold the low watermark back.
      expect(partition.lowWatermarkIfLeader((id) => id !== 3)).to.equal(4);
      partition.updateFollowerFetchState(3, 10, 4, time.milliseconds(), 10);
      expect(partition.lowWatermarkIfLeader(all)).to.equal(4);
      expect(partition.deleteRecordsOnLeader(-1)).to.equal(10);
      expect(log.logStartOffset).to.equal(10);
    });

    it('refuses an offset above the HW or below -1, a compacted log and a follower', async () => {
      const { partition } = partitionFixture();
      partition.makeLeader(partitionState(1, 0, [1]), [1]);
      await partition.appendRecordsToLeader(producerBatch(5), 1);
      expect(() => partition.deleteRecordsOnLeader(6))
        .to.throw(ApiError, 'high watermark 5')
        .with.property('errorName', 'OFFSET_OUT_OF_RANGE');
      expect(() => partition.deleteRecordsOnLeader(-2))
        .to.throw(ApiError)
        .with.property('errorName', 'OFFSET_OUT_OF_RANGE');
      const compacted = partitionFixture({ cleanupPolicy: ['compact'] }).partition;
      compacted.makeLeader(partitionState(1, 0, [1]), [1]);
      expect(() => compacted.deleteRecordsOnLeader(0))
        .to.throw(ApiError, 'cleanup.policy is compact')
        .with.property('errorName', 'POLICY_VIOLATION');
      const follower = partitionFixture().partition;
      follower.makeFollower(partitionState(2, 0, [1, 2]), [1, 2]);
      expect(() => follower.deleteRecordsOnLeader(0))
        .to.throw(ApiError)
        .with.property('errorName', 'NOT_LEADER_OR_FOLLOWER');
    });
  });

  describe('high watermark', () => {
    it('is the smallest log end offset in the ISR and never moves backwards', async () => {
      const { partition, time, listener } = partitionFixture();
      partition.makeLeader(partitionState(1, 0, [1, 2, 3]), [1, 2, 3]);
      await partition.appendRecordsToLeader(producerBatch(10), -1);
      expect(partition.highWatermark).to.equal(0);
      partition.updateFollowerFetchState(2, 10, 0, time.milliseconds(), 10);
      expect(partition.highWatermark).to.equal(0);
      partition.updateFollowerFetchState(3, 6, 0, time.milliseconds(), 10);
      expect(partition.highWatermark).to.equal(6);
      partition.updateFollowerFetchState(3, 4, 0, time.milliseconds(), 10);
      expect(partition.highWatermark).to.equal(6);
      expect(listener.hwIncreases).to.equal(1);
    });

    it('waits for a caught-up follower outside the ISR (Kafka 3.2 rule)', async () => {
      const { partition, time } = partitionFixture();
      partition.makeLeader(partitionState(1, 0, [1, 2]), [1, 2, 3]);
      await partition.appendRecordsToLeader(producerBatch(4), 1);
      partition.updateFollowerFetchState(2, 4, 0, time.milliseconds(), 4);
      expect(partition.highWatermark).to.equal(4);
      await partition.appendRecordsToLeader(producerBatch(4), 1);
      // Replica 3 fetches at the old log end: caught up as of its previous fetch, so it counts, below the HW.
      partition.updateFollowerFetchState(3, 2, 0, time.milliseconds(), 8);
      partition.updateFollowerFetchState(2, 8, 0, time.milliseconds(), 8);
      expect(partition.highWatermark).to.equal(4);
    });
  });

  describe('#checkEnoughReplicasReachOffset', () => {
    it('waits for the HW, then answers NONE or NOT_ENOUGH_REPLICAS_AFTER_APPEND, and fences other epochs', async () => {
      const { partition, time } = partitionFixture({ minInsyncReplicas: 2 }, 1000);
      partition.makeLeader(partitionState(1, 0, [1, 2, 3]), [1, 2, 3]);
      await partition.appendRecordsToLeader(producerBatch(2), -1);
      expect(partition.checkEnoughReplicasReachOffset(2, 0)).to.equal(undefined);
      partition.updateFollowerFetchState(2, 2, 0, time.milliseconds(), 2);
      partition.updateFollowerFetchState(3, 2, 0, time.milliseconds(), 2);
      expect(partition.checkEnoughReplicasReachOffset(2, 0)).to.equal('NONE');
      expect(partition.checkEnoughReplicasReachOffset(2, 1)).to.equal('NOT_LEADER_OR_FOLLOWER');
      partition.makeLeader(partitionState(1, 0, [1], 5), [1, 2, 3]);
      expect(partition.checkEnoughReplicasReachOffset(2, 0)).to.equal('NOT_ENOUGH_REPLICAS_AFTER_APPEND');
    });
  });

  describe('ISR shrink', () => {
    it('removes a follower stuck for replica.lag.time.max.ms with a conditional write at the same epoch', async () => {
      const { partition, time, isrWriter, listener } = partitionFixture({}, 1000);
      partition.makeLeader(partitionState(1, 4, [1, 2, 3], 17), [1, 2, 3]);
      await partition.appendRecordsToLeader(producerBatch(5), 1);
      partition.updateFollowerFetchState(2, 5, 0, time.milliseconds(), 5);
      time.sleep(1001);
      partition.updateFollowerFetchState(2, 5, 0, time.milliseconds(), 5);
      partition.maybeShrinkIsr();
      await settle();
      expect(isrWriter.writes).to.deep.equal([{ isr: [1, 2], leaderEpoch: 4, expectedZkVersion: 17 }]);
      expect(partition.isr).to.deep.equal([1, 2]);
      expect(partition.zkVersion).to.equal(101);
      expect(partition.leaderEpoch).to.equal(4);
      expect(partition.highWatermark).to.equal(5);
      expect(listener.isrChanges).to.deep.equal(['Shrink']);
    });

    it('keeps a follower that was caught up, as of its previous fetch, within the lag time', async () => {
      const { partition, time, isrWriter } = partitionFixture({}, 1000);
      partition.makeLeader(partitionState(1, 0, [1, 2, 3]), [1, 2, 3]);
      await partition.appendRecordsToLeader(producerBatch(5), 1);
      partition.updateFollowerFetchState(2, 5, 0, time.milliseconds(), 5);
      partition.updateFollowerFetchState(3, 5, 0, time.milliseconds(), 5);
      time.sleep(600);
      await partition.appendRecordsToLeader(producerBatch(5), 1);
      partition.updateFollowerFetchState(2, 5, 0, time.milliseconds(), 10);
      time.sleep(300);
      await partition.appendRecordsToLeader(producerBatch(5), 1);
      // At its fetch 300 ms ago follower 2 had everything the leader had at its fetch before: caught up then.
      partition.updateFollowerFetchState(2, 10, 0, time.milliseconds(), 15);
      time.sleep(300);
      partition.maybeShrinkIsr();
      await settle();
      expect(isrWriter.writes.map((w) => w.isr)).to.deep.equal([[1, 2]]);
    });

    it('keeps a follower at the log end however long ago it fetched', async () => {
      const { partition, time, isrWriter } = partitionFixture({}, 1000);
      partition.makeLeader(partitionState(1, 0, [1, 2]), [1, 2]);
      await partition.appendRecordsToLeader(producerBatch(5), 1);
      partition.updateFollowerFetchState(2, 5, 0, time.milliseconds(), 5);
      time.sleep(5000);
      partition.maybeShrinkIsr();
      await settle();
      expect(isrWriter.writes).to.deep.equal([]);
    });

    it('keeps the old ISR when the cached zkVersion is stale (BAD_VERSION)', async () => {
      const { partition, time, isrWriter, listener } = partitionFixture({}, 1000);
      partition.makeLeader(partitionState(1, 0, [1, 2]), [1, 2]);
      time.sleep(1001);
      await partition.appendRecordsToLeader(producerBatch(), 1);
      isrWriter.failNext = true;
      partition.maybeShrinkIsr();
      await settle();
      expect(partition.isr).to.deep.equal([1, 2]);
      expect(listener.isrChanges).to.deep.equal([]);
    });
  });

  describe('ISR expand', () => {
    it('adds a follower that reached the HW and holds the HW for it while the write is in flight', async () => {
      const { partition, time, isrWriter, listener } = partitionFixture();
      partition.makeLeader(partitionState(1, 0, [1]), [1, 2]);
      await partition.appendRecordsToLeader(producerBatch(5), 1);
      partition.updateFollowerFetchState(2, 3, 0, time.milliseconds(), 5);
      expect(isrWriter.writes).to.have.length(0);
      partition.updateFollowerFetchState(2, 5, 0, time.milliseconds(), 5);
      expect(isrWriter.writes.map((w) => w.isr)).to.deep.equal([[1, 2]]);
      await partition.appendRecordsToLeader(producerBatch(5), 1);
      expect(partition.highWatermark).to.equal(5);
      await settle();
      expect(partition.isr).to.deep.equal([1, 2]);
      expect(listener.isrChanges).to.deep.equal(['Expand']);
    });
  });

  describe('ISR expand during a reassignment', () => {
    it('does not take back a caught-up replica that the reassignment is removing', async () => {
      const { partition, time, isrWriter } = partitionFixture({}, 30_000, [2]);
      partition.makeLeader(partitionState(1, 0, [1, 3]), [3, 1, 2]);
      await partition.appendRecordsToLeader(producerBatch(5), 1);
      partition.updateFollowerFetchState(2, 5, 0, time.milliseconds(), 5);
      partition.updateFollowerFetchState(3, 5, 0, time.milliseconds(), 5);
      await settle();
      expect(isrWriter.writes.map((w) => w.isr)).to.deep.equal([]);
      expect(partition.isr).to.deep.equal([1, 3]);
    });
  });

  describe('#readRecords', () => {
    it('reads below the HW for consumers and to the log end for followers', async () => {
      const { partition, time } = partitionFixture();
      partition.makeLeader(partitionState(1, 0, [1, 2]), [1, 2]);
      await partition.appendRecordsToLeader(producerBatch(2), 1);
      partition.updateFollowerFetchState(2, 2, 0, time.milliseconds(), 2);
      await partition.appendRecordsToLeader(producerBatch(2), 1);
      const consumer = partition.readRecords(0, -1, 1 << 20, true, 'HighWatermark');
      const follower = partition.readRecords(0, -1, 1 << 20, true, 'LogEnd');
      expect(follower.records.length).to.equal(2 * consumer.records.length);
      expect(consumer.highWatermark).to.equal(2);
      expect(partition.readRecords(2, -1, 1 << 20, true, 'HighWatermark').records.length).to.equal(0);
    });

    it('fences an older leader epoch and rejects a newer one', () => {
      const { partition } = partitionFixture();
      partition.makeLeader(partitionState(1, 5, [1]), [1]);
      expect(() => partition.readRecords(0, 4, 100, true, 'HighWatermark'))
        .to.throw(ApiError)
        .with.property('errorName', 'FENCED_LEADER_EPOCH');
      expect(() => partition.readRecords(0, 6, 100, true, 'HighWatermark'))
        .to.throw(ApiError)
        .with.property('errorName', 'UNKNOWN_LEADER_EPOCH');
      expect(() => partition.readRecords(1, 5, 100, true, 'HighWatermark'))
        .to.throw(ApiError)
        .with.property('errorName', 'OFFSET_OUT_OF_RANGE');
    });
  });

  describe('#fetchOffsetForTimestamp', () => {
    it('answers OFFSET_NOT_AVAILABLE for latest while a new leader HW lags its epoch start', () => {
      const { partition, log, time } = partitionFixture();
      log.append(producerBatch(3), { assignOffsets: true, leaderEpoch: 0 });
      partition.makeLeader(partitionState(1, 1, [1, 2]), [1, 2]);
      expect(() => partition.fetchOffsetForTimestamp(-1, -1, 'HighWatermark'))
        .to.throw(ApiError)
        .with.property('errorName', 'OFFSET_NOT_AVAILABLE');
      expect(partition.fetchOffsetForTimestamp(-2, -1, 'HighWatermark')).to.deep.include({ offset: 0 });
      partition.updateFollowerFetchState(2, 3, 0, time.milliseconds(), 3);
      expect(partition.fetchOffsetForTimestamp(-1, -1, 'HighWatermark')).to.deep.include({ offset: 3 });
    });
  });

  describe('follower', () => {
    it('reports a leader or epoch change and keeps its HW at min(leader HW, own LEO), moving up only', () => {
      const { partition, log } = partitionFixture();
      expect(partition.makeFollower(partitionState(2, 0, [1, 2]), [1, 2])).to.equal(true);
      expect(partition.makeFollower(partitionState(2, 0, [2], 1), [1, 2])).to.equal(false);
      expect(partition.makeFollower(partitionState(2, 1, [2, 1], 2), [1, 2])).to.equal(true);
      const leaderBatch = producerBatch(4);
      leaderBatch.writeInt32BE(1, 12);
      partition.appendRecordsAsFollower(leaderBatch);
      partition.updateFollowerOffsets(10, 0);
      expect(partition.highWatermark).to.equal(4);
      partition.updateFollowerOffsets(2, 0);
      expect(partition.highWatermark).to.equal(4);
      expect(log.leaderEpochCache.latestEntry).to.deep.equal({ epoch: 1, startOffset: 0 });
    });
  });
});
