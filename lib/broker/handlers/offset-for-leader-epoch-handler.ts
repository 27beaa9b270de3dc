/** OffsetForLeaderEpoch: a follower asks where the leader's log for an epoch ends, to truncate before fetching. */
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleOffsetForLeaderEpoch(
  s: BrokerServices,
  req: OffsetForLeaderEpochRequest,
): Promise<OffsetForLeaderEpochResponse> {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const r = s.replicaManager.lastOffsetForLeaderEpoch(t.topic, p.partition, p.leaderEpoch, p.currentLeaderEpoch);
        return { errorCode: r.errorCode, partition: p.partition, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
      }),
    })),
  };
}
