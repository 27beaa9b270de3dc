/** ListOffsets: earliest (-2), latest (-1) or the first offset at or after a timestamp, per partition. */
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleListOffsets(s: BrokerServices, req: ListOffsetsRequest): Promise<ListOffsetsResponse> {
  const isolationLevel = req.isolationLevel === 1 ? 1 : 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const r = s.replicaManager.listOffsets(t.name, p.partitionIndex, p.timestamp, isolationLevel, {
          replicaId: req.replicaId,
          currentLeaderEpoch: p.currentLeaderEpoch,
        });
        return {
          partitionIndex: p.partitionIndex,
          errorCode: r.errorCode,
          timestamp: r.timestamp,
          offset: r.offset,
          leaderEpoch: r.leaderEpoch,
        };
      }),
    })),
  };
}
