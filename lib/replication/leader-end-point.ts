/**
 * What a follower's fetcher needs from its partitions' leader (the role of Kafka 3.x's `LeaderEndPoint`): fetch,
 * the end offsets of leader epochs (for truncation), and the leader's log end / start offset (for out-of-range
 * recovery). `RemoteLeaderEndPoint` speaks to a leader over the wire; specs connect fetchers to an in-process
 * ReplicaManager. Results are ReplicaManager's plain shapes, one per requested partition, in request order.
 */
import type { TopicPartition } from '../common/topic-partition.js';
import type { AliveBroker } from './metadata-cache.js';
import type {
  EpochEndOffsetResult,
  FetchMessagesRequest,
  FetchPartitionResult,
  ListOffsetsResult,
} from './replica-reads.js';

export interface EpochEndOffsetRequest extends TopicPartition {
  /** The follower's view of the current leader epoch (fencing). */
  currentLeaderEpoch: number;
  /** The epoch whose end offset is asked: the follower's latest. */
  leaderEpoch: number;
}

export interface LeaderEndPoint {
  /** One Fetch with the follower's replicaId. Rejects when the connection fails or the whole request is refused. */
  fetch(req: FetchMessagesRequest): Promise<FetchPartitionResult[]>;
  /** OffsetForLeaderEpoch for each partition. */
  fetchEpochEndOffsets(
    partitions: readonly EpochEndOffsetRequest[],
  ): Promise<(EpochEndOffsetResult & TopicPartition)[]>;
  /** ListOffsets as a replica: -1 answers the leader's log end offset, -2 its log start offset. */
  fetchOffset(tp: TopicPartition, currentLeaderEpoch: number, timestamp: -1 | -2): Promise<ListOffsetsResult>;
  close(): Promise<void>;
}

/** Opens an end point to a leader for one fetcher (`fetcherId` distinguishes the fetchers of one leader). */
export type LeaderEndPointFactory = (leader: AliveBroker, fetcherId: number) => Promise<LeaderEndPoint>;
