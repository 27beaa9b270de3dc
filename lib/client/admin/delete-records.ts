/**
 * The admin client's DeleteRecords (Kafka's `Admin.deleteRecords`, KIP-107): each partition's request goes to its
 * leader, which moves the log start offset and answers once its followers have followed. Partitions whose answer
 * says the metadata is stale (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, ...) or that timed out are sent again to
 * the leader a refreshed metadata names, with backoff, until the deadline; every other error is that partition's
 * result, as are the last retriable error (wrapped in the TimeoutError) of partitions still unanswered at the
 * deadline. A topic or partition that the freshly read metadata does not have fails at once with
 * UNKNOWN_TOPIC_OR_PARTITION, as in Kafka. One partition's failure never fails the others.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError, apiErrorFromCode, InvalidArgumentError } from '../../common/errors.js';
import type { Time } from '../../common/time.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { DeleteRecordsRequest } from '../../protocol/messages/delete-records.js';
import type { ClientCluster } from '../client-cluster.js';
import { groupByLeader } from '../leader-routing.js';
import { ExponentialBackoff, isRetriable, isStaleMetadata, retry } from '../retry.js';

export interface RecordsToDelete {
  topic: string;
  partition: number;
  /** Records before this offset are deleted; -1 deletes everything below the high watermark. */
  offset: number;
}

export interface DeletedRecords {
  topic: string;
  partition: number;
  /** The partition's low watermark (smallest log start offset of its live replicas) after the deletion; -1 on error. */
  lowWatermark: number;
  /** Why the records of this partition were not deleted; null when they were. */
  error: Error | null;
}

export interface DeleteRecordsOptions {
  cluster: ClientCluster;
  time: Time;
  /** Monotonic deadline of the whole call. */
  deadlineMs: number;
  retryBackoffMs: number;
  /** How long a leader may wait for its followers, per attempt. */
  brokerTimeoutMs: (remainingMs: number) => number;
}

/** Deletes records of every partition listed (each once); resolves with one result per entry, in order. */
export async function deleteRecords(
  entries: readonly RecordsToDelete[],
  options: DeleteRecordsOptions,
): Promise<DeletedRecords[]> {
  const { cluster, time, deadlineMs } = options;
  const key = (e: { topic: string; partition: number }) => `${e.topic}\u0000${e.partition}`;
  const results = new Map<string, DeletedRecords>();
  for (const e of entries) {
    if (results.has(key(e))) {
      throw new InvalidArgumentError(`${e.topic}-${e.partition} appears more than once; list each partition once.`);
    }
    results.set(key(e), { topic: e.topic, partition: e.partition, lowWatermark: -1, error: null });
  }
  let remaining = [...entries];
  try {
    cluster.addTopics(new Set(entries.map((e) => e.topic)));
    await cluster.refresh();
    await retry(
      async () => {
        const { byLeader, leaderless, missing } = groupByLeader(cluster.metadata, remaining);
        for (const e of missing) {
          const count = cluster.metadata.partitionCount(e.topic);
          results.get(key(e))!.error = new ApiError(
            'UNKNOWN_TOPIC_OR_PARTITION',
            count === 0
              ? `Topic '${e.topic}' does not exist.`
              : `Partition ${e.topic}-${e.partition} does not exist: the topic has ${count} partition(s).`,
          );
        }
        const failed: RecordsToDelete[] = leaderless.filter((e) => !missing.includes(e));
        let retriable: Error | null =
          failed.length === 0
            ? null
            : new ApiError(
                'LEADER_NOT_AVAILABLE',
                `No leader for ${failed.map((e) => `${e.topic}-${e.partition}`).join(', ')} yet.`,
              );
        await Promise.all(
          [...byLeader].map(async ([leader, list]) => {
            let response;
            try {
              response = await cluster.send(
                leader,
                ApiKey.DeleteRecords,
                request(list, options.brokerTimeoutMs(deadlineMs - time.hiResMs())),
              );
            } catch (e) {
              if (!isRetriable(e)) throw e;
              retriable = e as Error;
              failed.push(...list);
              return;
            }
            for (const entry of list) {
              const result = results.get(key(entry))!;
              const answer = response.topics
                .find((t) => t.name === entry.topic)
                ?.partitions.find((p) => p.partitionIndex === entry.partition);
              if (answer === undefined) {
                result.error = new ApiError(
                  'UNKNOWN_SERVER_ERROR',
                  `Broker ${leader} did not answer for ${entry.topic}-${entry.partition}.`,
                );
              } else if (answer.errorCode === ErrorCode.NONE) {
                result.lowWatermark = answer.lowWatermark;
                result.error = null;
              } else {
                const error = apiErrorFromCode(answer.errorCode);
                result.error = error;
                if (error.retriable) {
                  retriable = error;
                  failed.push(entry);
                }
              }
            }
          }),
        );
        remaining = failed;
        if (retriable !== null) throw retriable;
      },
      {
        what: 'DeleteRecords',
        time,
        deadlineMs,
        backoff: new ExponentialBackoff(options.retryBackoffMs, options.retryBackoffMs * 10),
        onRetriableError: (error) => {
          if (isStaleMetadata(error)) cluster.requestUpdate();
        },
      },
    );
  } catch (e) {
    // Out of time (or a connection-level failure): the partitions still pending carry it.
    for (const r of remaining) results.get(key(r))!.error = e as Error;
  }
  return entries.map((e) => results.get(key(e))!);
}

function request(entries: readonly RecordsToDelete[], timeoutMs: number): DeleteRecordsRequest {
  const topics: DeleteRecordsRequest['topics'] = [];
  for (const e of entries) {
    let topic = topics.find((t) => t.name === e.topic);
    if (topic === undefined) topics.push((topic = { name: e.topic, partitions: [] }));
    topic.partitions.push({ partitionIndex: e.partition, offset: e.offset });
  }
  return { topics, timeoutMs };
}
