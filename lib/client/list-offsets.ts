/**
 * Looks up offsets by timestamp (or the earliest / latest offset) for many partitions at once, each asked of its
 * leader, retrying partitions whose answer says the metadata is stale (NOT_LEADER_OR_FOLLOWER,
 * UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, ...) after a metadata refresh, until a deadline. Shared by the
 * consumer (resets, `offsetsForTimes`) and the admin client (`listOffsets`).
 */
import { ErrorCode } from '../common/error-codes.js';
import { ApiError, apiErrorFromCode, InvalidArgumentError } from '../common/errors.js';
import type { Time } from '../common/time.js';
import { ApiKey } from '../protocol/api-keys.js';
import type { ListOffsetsRequest } from '../protocol/messages/list-offsets.js';
import type { ClientCluster } from './client-cluster.js';
import { groupByLeader } from './leader-routing.js';
import { ExponentialBackoff, isRetriable, isStaleMetadata, retry } from './retry.js';

export interface OffsetQuery {
  topic: string;
  partition: number;
  /** ms since the epoch, or -1 (latest) / -2 (earliest). */
  timestamp: number;
}

export interface OffsetAnswer {
  /** -1 when no record has a timestamp at or after the one asked. */
  offset: number;
  /** The found record's timestamp; -1 for earliest/latest. */
  timestamp: number;
  leaderEpoch: number;
}

export interface ListOffsetsOptions {
  cluster: ClientCluster;
  time: Time;
  /** Monotonic deadline. */
  deadlineMs: number;
  retryBackoffMs: number;
  /** 0 read_uncommitted, 1 read_committed (latest = last stable offset). */
  isolationLevel: number;
}

export function offsetKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Answers every query (keyed by `offsetKey`), or rejects with the first non-retriable error or a TimeoutError. */
export async function listOffsets(
  queries: readonly OffsetQuery[],
  options: ListOffsetsOptions,
): Promise<Map<string, OffsetAnswer>> {
  const { cluster, time, deadlineMs, retryBackoffMs, isolationLevel } = options;
  const answers = new Map<string, OffsetAnswer>();
  const keys = new Set(queries.map((q) => offsetKey(q.topic, q.partition)));
  if (keys.size !== queries.length) {
    throw new InvalidArgumentError(
      'Each partition may appear once per offset lookup; look up other timestamps of the ' +
        'same partition in another call.',
    );
  }
  let remaining = [...queries];
  cluster.addTopics(new Set(queries.map((q) => q.topic)));
  await retry(
    async () => {
      const { byLeader, leaderless, error } = groupByLeader(cluster.metadata, remaining);
      let retriable: Error | null = error;
      const failed: OffsetQuery[] = leaderless;
      await Promise.all(
        [...byLeader].map(async ([leader, list]) => {
          let response;
          try {
            response = await cluster.send(leader, ApiKey.ListOffsets, request(list, isolationLevel));
          } catch (e) {
            if (!isRetriable(e)) throw e;
            retriable = e as Error;
            failed.push(...list);
            return;
          }
          for (const t of response.topics) {
            for (const p of t.partitions) {
              const query = list.find((q) => q.topic === t.name && q.partition === p.partitionIndex);
              if (query === undefined) continue;
              if (p.errorCode === ErrorCode.NONE) {
                answers.set(offsetKey(t.name, p.partitionIndex), {
                  offset: p.offset,
                  timestamp: p.timestamp,
                  leaderEpoch: p.leaderEpoch,
                });
                continue;
              }
              const error = apiErrorFromCode(p.errorCode);
              if (!error.retriable)
                throw new ApiError(error.errorName, `ListOffsets for ${t.name}-${p.partitionIndex}: ${error.message}`);
              retriable = error;
              failed.push(query);
            }
          }
        }),
      );
      remaining = failed;
      if (retriable !== null) throw retriable;
    },
    {
      what: 'ListOffsets',
      time,
      deadlineMs,
      backoff: new ExponentialBackoff(retryBackoffMs, retryBackoffMs * 10),
      onRetriableError: (error) => {
        if (isStaleMetadata(error)) cluster.requestUpdate();
      },
    },
  );
  return answers;
}

function request(queries: readonly OffsetQuery[], isolationLevel: number): ListOffsetsRequest {
  const topics: ListOffsetsRequest['topics'] = [];
  for (const q of queries) {
    let topic = topics.find((t) => t.name === q.topic);
    if (topic === undefined) topics.push((topic = { name: q.topic, partitions: [] }));
    topic.partitions.push({ partitionIndex: q.partition, currentLeaderEpoch: -1, timestamp: q.timestamp });
  }
  return { replicaId: -1, isolationLevel, topics };
}
