/**
 * Fetch: consumers (replicaId -1) and followers (replicaId = their broker id) read from this broker as leader.
 * Record data are zero-copy slices of mapped segments; the frame encoder writes them to the socket as their
 * own chunks. Long polling happens in the ReplicaManager's fetch purgatory.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { groupByTopic } from '../../common/topic-partition.js';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/index.js';
import type { FetchPartitionRequest } from '../../replication/replica-reads.js';
import type { BrokerServices } from './broker-services.js';

const EMPTY = Buffer.alloc(0);

export async function handleFetch(s: BrokerServices, req: FetchRequest): Promise<FetchResponse> {
  // Built in plain loops: a follower asks again after every append, so this runs about once per produced batch.
  const partitions: FetchPartitionRequest[] = [];
  for (const t of req.topics) {
    for (const p of t.partitions) {
      partitions.push({
        topic: t.topic,
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: p.currentLeaderEpoch,
        logStartOffset: p.logStartOffset,
      });
    }
  }
  const results = await s.replicaManager.fetchMessages({
    replicaId: req.replicaId,
    maxWaitMs: req.maxWaitMs,
    minBytes: req.minBytes,
    maxBytes: req.maxBytes,
    isolationLevel: req.isolationLevel === 1 ? 1 : 0,
    partitions,
  });
  const fromFollower = req.replicaId >= 0;
  for (const r of results) if (r.records !== null) s.topicStats.recordFetched(r.topic, r.records.length, fromFollower);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    responses: groupByTopic(results, (r) => ({
      partitionIndex: r.partition,
      errorCode: r.errorCode,
      highWatermark: r.highWatermark,
      lastStableOffset: r.lastStableOffset,
      logStartOffset: r.logStartOffset,
      abortedTransactions: r.abortedTransactions ?? null,
      preferredReadReplica: -1,
      records: r.records ?? EMPTY,
    })).map(({ name, items }) => ({ topic: name, partitions: items })),
  };
}
