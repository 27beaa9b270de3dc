/**
 * What `Admin.describeConsumerGroupLag()` returns: a consumer group's lag per partition in records and in time, as its
 * coordinator computes it (mq's own DescribeGroupLag), behind the LAG-TIME column of `mq-admin groups --describe` and
 * `--offset-history`.
 */
import type { ApiError } from '../../common/errors.js';

export interface OffsetCommitEntry {
  offset: number;
  /** When the coordinator stored the commit, ms since the epoch. */
  commitTimestamp: number;
}

export interface PartitionLagTime {
  topic: string;
  partition: number;
  /** Why the partition's figures are unknown (its leader could not be asked), else null. */
  error: ApiError | null;
  committedOffset: number;
  commitTimestamp: number;
  /** -1 when unknown. */
  highWatermark: number;
  /** Records not consumed yet; -1 when unknown. */
  lag: number;
  /** Timestamp of the oldest record not consumed yet (the one at the committed offset); -1 when caught up or unknown. */
  oldestUnconsumedTimestamp: number;
  /** Its age when the coordinator answered: the lag in time, 0 when caught up; -1 when unknown. */
  lagMs: number;
  /** Time since the offset was committed, when the coordinator answered. */
  sinceCommitMs: number;
  /** The last commits kept (oldest first, the current one last), when asked for; else empty. */
  history: OffsetCommitEntry[];
}
