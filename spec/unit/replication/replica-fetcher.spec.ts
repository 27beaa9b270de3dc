import { ReplicationQuota } from '../../../lib/replication/replication-quota.js';
import { expect } from 'chai';
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { silentLogger } from '../../../lib/common/logger.js';
import { SystemTime } from '../../../lib/common/time.js';
import { stampBatch } from '../../../lib/record/record-batch.js';
import type { EpochEndOffsetRequest, LeaderEndPoint } from '../../../lib/replication/leader-end-point.js';
import type { AliveBroker } from '../../../lib/replication/metadata-cache.js';
import type { Partition } from '../../../lib/replication/partition.js';
import { ReplicaFetcher, truncationOffset } from '../../../lib/replication/replica-fetcher.js';
import { fetcherIdFor } from '../../../lib/replication/replica-fetcher-manager.js';
import type {
  EpochEndOffsetResult,
  FetchMessagesRequest,
  FetchPartitionResult,
  ListOffsetsResult,
} from '../../../lib/replication/replica-reads.js';
import { deferFn } from '../../helpers/cleanup.js';
import { waitFor } from '../../helpers/wait-for.js';
import { partitionFixture, partitionState, producerBatch } from './replication-fixtures.js';

/** A batch of `count` records as a leader stamped it: base offset and partition leader epoch. */
function leaderBatch(baseOffset: number, count: number, epoch: number): Buffer {
  const batch = producerBatch(count);
  stampBatch(batch, 0, baseOffset, epoch);
  return batch;
}

/** A follower of broker 2 in epoch `epoch`, whose log holds `epochs` ([epoch, count] runs from offset 0). */
function followerWithLog(epochs: [number, number][], epoch = 5): Partition {
  const { partition } = partitionFixture();
  partition.makeFollower(partitionState(2, epoch, [2, 1]), [1, 2]);
  let offset = 0;
  for (const [e, count] of epochs) {
    partition.appendRecordsAsFollower(leaderBatch(offset, count, e));
    offset += count;
  }
  return partition;
}

/** A leader that answers from scripted results and records what it was asked. */
class ScriptedLeader implements LeaderEndPoint {
  epochAnswers: EpochEndOffsetResult[] = [];
  readonly epochRequests: EpochEndOffsetRequest[] = [];
  readonly fetchRequests: FetchMessagesRequest[] = [];
  fetchAnswer: (req: FetchMessagesRequest) => FetchPartitionResult[] = () => [];
  offsets: Record<number, ListOffsetsResult> = {};

  async fetch(req: FetchMessagesRequest): Promise<FetchPartitionResult[]> {
    this.fetchRequests.push(req);
    await new Promise((r) => setTimeout(r, 5));
    return this.fetchAnswer(req);
  }

  async fetchEpochEndOffsets(partitions: readonly EpochEndOffsetRequest[]) {
    this.epochRequests.push(...partitions);
    const answer = this.epochAnswers.shift() ?? { errorCode: 0, leaderEpoch: -1, endOffset: -1 };
    return partitions.map((p) => ({ topic: p.topic, partition: p.partition, ...answer }));
  }

  async fetchOffset(_tp: unknown, _epoch: number, timestamp: -1 | -2): Promise<ListOffsetsResult> {
    return this.offsets[timestamp]!;
  }

  async close(): Promise<void> {}
}

function fetcherFor(leader: LeaderEndPoint): ReplicaFetcher {
  const broker: AliveBroker = { id: 2, host: '127.0.0.1', port: 1, rack: null, endpoints: [], epoch: 1 };
  const fetcher = new ReplicaFetcher({
    localBrokerId: 1,
    leaderId: 2,
    fetcherId: 0,
    metadataCache: { broker: () => broker },
    quota: new ReplicationQuota({
      kind: 'follower',
      localBrokerId: 1,
      rate: Number.MAX_SAFE_INTEGER,
      windowNum: 11,
      windowSizeMs: 1000,
      time: SystemTime,
    }),
    connect: async () => leader,
    time: SystemTime,
    logger: silentLogger,
    config: {
      replicaFetchWaitMaxMs: 0,
      replicaFetchMinBytes: 1,
      replicaFetchMaxBytes: 1 << 20,
      replicaFetchResponseMaxBytes: 10 << 20,
      replicaFetchBackoffMs: 10,
    },
  });
  deferFn(() => fetcher.shutdown());
  return fetcher;
}

const emptyFetch = (req: FetchMessagesRequest): FetchPartitionResult[] =>
  req.partitions.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    errorCode: 0,
    highWatermark: 0,
    lastStableOffset: 0,
    logStartOffset: 0,
    records: Buffer.alloc(0),
  }));

describe('ReplicaFetcher', () => {
  describe('truncationOffset (KIP-101/279)', () => {
    it('keeps everything up to the leader end offset of our latest epoch, even above our high watermark', () => {
      const p = followerWithLog([[0, 10]]);
      p.log.updateHighWatermark(5);
      expect(truncationOffset(p, { errorCode: 0, leaderEpoch: 0, endOffset: 10 })).to.deep.equal({
        offset: 10,
        complete: true,
      });
    });

    it("cuts back to where the leader's copy of our epoch ends", () => {
      const p = followerWithLog([[0, 10]]);
      expect(truncationOffset(p, { errorCode: 0, leaderEpoch: 0, endOffset: 7 })).to.deep.equal({
        offset: 7,
        complete: true,
      });
    });

    it('takes the smaller of both ends of an older epoch the leader answered', () => {
      const p = followerWithLog([
        [0, 4],
        [3, 6],
      ]);
      expect(truncationOffset(p, { errorCode: 0, leaderEpoch: 0, endOffset: 6 })).to.deep.equal({
        offset: 4,
        complete: true,
      });
    });

    it('cuts to the end of our largest smaller epoch and asks again when the leader answers an epoch we lack', () => {
      const p = followerWithLog([
        [0, 5],
        [2, 5],
      ]);
      expect(truncationOffset(p, { errorCode: 0, leaderEpoch: 1, endOffset: 8 })).to.deep.equal({
        offset: 5,
        complete: false,
      });
    });

    it('keeps the log end when the leader knows no epoch at or below ours', () => {
      const p = followerWithLog([[4, 3]]);
      expect(truncationOffset(p, { errorCode: 0, leaderEpoch: -1, endOffset: -1 })).to.deep.equal({
        offset: 3,
        complete: true,
      });
    });
  });

  describe('truncation then fetching', () => {
    it('truncates by epoch before the first fetch, never to the high watermark', async () => {
      const p = followerWithLog([[0, 10]]);
      p.log.updateHighWatermark(5);
      const leader = new ScriptedLeader();
      leader.epochAnswers = [{ errorCode: 0, leaderEpoch: 0, endOffset: 10 }];
      leader.fetchAnswer = emptyFetch;
      const fetcher = fetcherFor(leader);
      fetcher.addPartition(p, 5);
      await waitFor(() => leader.fetchRequests.length > 0, 'the first fetch');
      expect(leader.epochRequests).to.deep.include({ topic: 't', partition: 0, currentLeaderEpoch: 5, leaderEpoch: 0 });
      expect(leader.fetchRequests[0]!.partitions[0]).to.include({ fetchOffset: 10, currentLeaderEpoch: 5 });
      expect(p.logEndOffset).to.equal(10);
    });

    it('asks again after an intermediate truncation', async () => {
      const p = followerWithLog([
        [0, 5],
        [2, 5],
      ]);
      const leader = new ScriptedLeader();
      leader.epochAnswers = [
        { errorCode: 0, leaderEpoch: 1, endOffset: 8 },
        { errorCode: 0, leaderEpoch: 0, endOffset: 3 },
      ];
      leader.fetchAnswer = emptyFetch;
      const fetcher = fetcherFor(leader);
      fetcher.addPartition(p, 5);
      await waitFor(() => leader.fetchRequests.length > 0, 'the first fetch');
      expect(leader.epochRequests.map((r) => r.leaderEpoch)).to.deep.equal([2, 0]);
      expect(p.logEndOffset).to.equal(3);
      expect(fetcher.fetchState('t-0')).to.include({ phase: 'Fetching', fetchOffset: 3 });
    });

    it('appends fetched batches as they are and follows the leader HW', async () => {
      const p = followerWithLog([]);
      const leader = new ScriptedLeader();
      let served = false;
      leader.fetchAnswer = (req) => {
        const first = !served;
        served = true;
        return req.partitions.map(() => ({
          topic: 't',
          partition: 0,
          errorCode: 0,
          highWatermark: 2,
          lastStableOffset: 2,
          logStartOffset: 0,
          records: first ? Buffer.concat([leaderBatch(0, 2, 4), leaderBatch(2, 3, 5)]) : Buffer.alloc(0),
        }));
      };
      const fetcher = fetcherFor(leader);
      fetcher.addPartition(p, 5);
      await waitFor(() => p.logEndOffset === 5 && p.highWatermark === 2, 'the fetched batches and HW');
      expect(p.log.leaderEpochCache.epochEntries).to.deep.equal([
        { epoch: 4, startOffset: 0 },
        { epoch: 5, startOffset: 2 },
      ]);
      await waitFor(
        () => leader.fetchRequests.some((r) => r.partitions[0]!.fetchOffset === 5),
        'a fetch from the new end',
      );
    });

    it("truncates to the leader's log end when it is below ours (out of range)", async () => {
      const p = followerWithLog([[5, 6]]);
      const leader = new ScriptedLeader();
      leader.epochAnswers = [{ errorCode: 0, leaderEpoch: -1, endOffset: -1 }];
      leader.fetchAnswer = (req) =>
        req.partitions[0]!.fetchOffset > 4
          ? [
              {
                topic: 't',
                partition: 0,
                errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
                highWatermark: -1,
                lastStableOffset: -1,
                logStartOffset: -1,
                records: null,
              },
            ]
          : emptyFetch(req);
      leader.offsets = { [-1]: { errorCode: 0, offset: 4, timestamp: -1, leaderEpoch: 5 } };
      const fetcher = fetcherFor(leader);
      fetcher.addPartition(p, 5);
      await waitFor(
        () => leader.fetchRequests.some((r) => r.partitions[0]!.fetchOffset === 4),
        'a fetch at the leader log end',
      );
      expect(p.logEndOffset).to.equal(4);
    });

    it("restarts at the leader's log start when ours ends below it (out of range)", async () => {
      const p = followerWithLog([[5, 3]]);
      const leader = new ScriptedLeader();
      leader.epochAnswers = [{ errorCode: 0, leaderEpoch: 5, endOffset: 3 }];
      leader.fetchAnswer = (req) =>
        req.partitions[0]!.fetchOffset < 50
          ? [
              {
                topic: 't',
                partition: 0,
                errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
                highWatermark: -1,
                lastStableOffset: -1,
                logStartOffset: -1,
                records: null,
              },
            ]
          : emptyFetch(req);
      leader.offsets = {
        [-1]: { errorCode: 0, offset: 90, timestamp: -1, leaderEpoch: 5 },
        [-2]: { errorCode: 0, offset: 50, timestamp: -1, leaderEpoch: 5 },
      };
      const fetcher = fetcherFor(leader);
      fetcher.addPartition(p, 5);
      await waitFor(
        () => leader.fetchRequests.some((r) => r.partitions[0]!.fetchOffset === 50),
        'a fetch at the leader log start',
      );
      expect([p.log.logStartOffset, p.logEndOffset]).to.deep.equal([50, 50]);
    });

    it('drops a response for a partition that stopped following meanwhile', async () => {
      const p = followerWithLog([]);
      const leader = new ScriptedLeader();
      leader.fetchAnswer = (req) => {
        p.makeLeader(partitionState(1, 6, [1]), [1, 2]);
        return req.partitions.map(() => ({
          topic: 't',
          partition: 0,
          errorCode: 0,
          highWatermark: 1,
          lastStableOffset: 1,
          logStartOffset: 0,
          records: leaderBatch(0, 1, 5),
        }));
      };
      const fetcher = fetcherFor(leader);
      fetcher.addPartition(p, 5);
      await waitFor(() => leader.fetchRequests.length > 0, 'a fetch');
      await fetcher.shutdown();
      expect(p.logEndOffset).to.equal(0);
    });
  });

  describe('fetcherIdFor', () => {
    it('spreads partitions over the fetchers as Kafka does (Java String.hashCode)', () => {
      // "t".hashCode() = 116: (31 * 116 + p) % 3
      expect([0, 1, 2, 3].map((p) => fetcherIdFor('t', p, 3))).to.deep.equal([3596 % 3, 3597 % 3, 3598 % 3, 3599 % 3]);
      expect(fetcherIdFor('any', 7, 1)).to.equal(0);
    });
  });
});
