import { expect } from 'chai';
import { silentLogger } from '../../../lib/common/logger.js';
import { SocketServer } from '../../../lib/network/socket-server.js';
import { ApiKey } from '../../../lib/protocol/api-keys.js';
import type { AliveBroker } from '../../../lib/replication/metadata-cache.js';
import { RemoteLeaderEndPoint } from '../../../lib/replication/remote-leader-end-point.js';
import { defer } from '../../helpers/cleanup.js';
import { producerBatch } from './replication-fixtures.js';

/** A leader on loopback that records each request body and answers with `answers[apiKey]`. */
async function scriptedLeader(
  answers: Record<number, object>,
): Promise<{ broker: AliveBroker; requests: [number, unknown][] }> {
  const requests: [number, unknown][] = [];
  const server = new SocketServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    handler: async (_ctx, header, body) => {
      requests.push([header.apiKey, body]);
      return answers[header.apiKey]!;
    },
  });
  await server.start();
  defer(server, (s) => s.close());
  return { broker: { id: 2, host: '127.0.0.1', port: server.port, rack: null, endpoints: [], epoch: 1 }, requests };
}

async function connected(broker: AliveBroker): Promise<RemoteLeaderEndPoint> {
  return defer(
    await RemoteLeaderEndPoint.connect(broker, { localBrokerId: 1, fetcherId: 0, logger: silentLogger }),
    (e) => e.close(),
  );
}

describe('RemoteLeaderEndPoint', () => {
  describe('#fetch', () => {
    it('sends one Fetch grouped by topic and returns the results in request order with the records', async () => {
      const batch = producerBatch(3);
      const { broker, requests } = await scriptedLeader({
        [ApiKey.Fetch]: {
          throttleTimeMs: 0,
          errorCode: 0,
          responses: [
            {
              topic: 'b',
              partitions: [
                {
                  partitionIndex: 0,
                  errorCode: 6,
                  highWatermark: -1,
                  lastStableOffset: -1,
                  logStartOffset: -1,
                  abortedTransactions: null,
                  preferredReadReplica: -1,
                  records: Buffer.alloc(0),
                },
              ],
            },
            {
              topic: 'a',
              partitions: [
                {
                  partitionIndex: 1,
                  errorCode: 0,
                  highWatermark: 7,
                  lastStableOffset: 7,
                  logStartOffset: 2,
                  abortedTransactions: null,
                  preferredReadReplica: -1,
                  records: batch,
                },
              ],
            },
          ],
        },
      });
      const endPoint = await connected(broker);
      const results = await endPoint.fetch({
        replicaId: 1,
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 1000,
        isolationLevel: 0,
        partitions: [
          {
            topic: 'a',
            partition: 1,
            fetchOffset: 4,
            partitionMaxBytes: 100,
            currentLeaderEpoch: 3,
            logStartOffset: 0,
          },
          {
            topic: 'b',
            partition: 0,
            fetchOffset: 0,
            partitionMaxBytes: 100,
            currentLeaderEpoch: 3,
            logStartOffset: 0,
          },
        ],
      });
      expect(requests[0]![1]).to.deep.include({
        replicaId: 1,
        maxWaitMs: 500,
        topics: [
          {
            topic: 'a',
            partitions: [
              { partition: 1, currentLeaderEpoch: 3, fetchOffset: 4, logStartOffset: 0, partitionMaxBytes: 100 },
            ],
          },
          {
            topic: 'b',
            partitions: [
              { partition: 0, currentLeaderEpoch: 3, fetchOffset: 0, logStartOffset: 0, partitionMaxBytes: 100 },
            ],
          },
        ],
      });
      expect(results.map((r) => [r.topic, r.errorCode, r.highWatermark])).to.deep.equal([
        ['a', 0, 7],
        ['b', 6, -1],
      ]);
      expect(Buffer.compare(results[0]!.records!, batch)).to.equal(0);
      expect(results[1]!.records).to.equal(null);
    });
  });

  describe('#fetchEpochEndOffsets and #fetchOffset', () => {
    it('asks OffsetForLeaderEpoch and ListOffsets as a replica', async () => {
      const { broker, requests } = await scriptedLeader({
        [ApiKey.OffsetForLeaderEpoch]: {
          throttleTimeMs: 0,
          topics: [{ topic: 't', partitions: [{ errorCode: 0, partition: 0, leaderEpoch: 2, endOffset: 40 }] }],
        },
        [ApiKey.ListOffsets]: {
          throttleTimeMs: 0,
          topics: [
            { name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 55, leaderEpoch: 4 }] },
          ],
        },
      });
      const endPoint = await connected(broker);
      expect(
        await endPoint.fetchEpochEndOffsets([{ topic: 't', partition: 0, currentLeaderEpoch: 4, leaderEpoch: 3 }]),
      ).to.deep.equal([{ topic: 't', partition: 0, errorCode: 0, leaderEpoch: 2, endOffset: 40 }]);
      expect(await endPoint.fetchOffset({ topic: 't', partition: 0 }, 4, -1)).to.deep.equal({
        errorCode: 0,
        offset: 55,
        timestamp: -1,
        leaderEpoch: 4,
      });
      expect(requests.map(([k, b]) => [k, (b as { replicaId: number }).replicaId])).to.deep.equal([
        [ApiKey.OffsetForLeaderEpoch, 1],
        [ApiKey.ListOffsets, 1],
      ]);
    });
  });

  it('answers a partition the leader left out of its response with UNKNOWN_SERVER_ERROR, in the order asked', async () => {
    const { broker } = await scriptedLeader({
      [ApiKey.Fetch]: { throttleTimeMs: 0, errorCode: 0, responses: [] },
      [ApiKey.OffsetForLeaderEpoch]: {
        throttleTimeMs: 0,
        topics: [{ topic: 't', partitions: [{ errorCode: 0, partition: 1, leaderEpoch: 2, endOffset: 40 }] }],
      },
    });
    const endPoint = await connected(broker);
    const left = { errorCode: -1, errorMessage: 'The leader left this partition out of its response.' };
    expect(
      await endPoint.fetch({
        replicaId: 1,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1000,
        isolationLevel: 0,
        partitions: [{ topic: 't', partition: 0, fetchOffset: 4, partitionMaxBytes: 100 }],
      }),
    ).to.deep.equal([
      { topic: 't', partition: 0, ...left, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: null },
    ]);
    expect(
      await endPoint.fetchEpochEndOffsets([
        { topic: 't', partition: 0, currentLeaderEpoch: 4, leaderEpoch: 3 },
        { topic: 't', partition: 1, currentLeaderEpoch: 4, leaderEpoch: 3 },
      ]),
    ).to.deep.equal([
      { topic: 't', partition: 0, ...left, leaderEpoch: -1, endOffset: -1 },
      { topic: 't', partition: 1, errorCode: 0, leaderEpoch: 2, endOffset: 40 },
    ]);
  });
});
