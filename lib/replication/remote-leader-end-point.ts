/**
 * A LeaderEndPoint over one NetworkClient connection to the leader broker (Kafka's `RemoteLeaderEndPoint` /
 * ReplicaFetcherBlockingSend): translates the fetcher's plain requests into Fetch, OffsetForLeaderEpoch and
 * ListOffsets messages (version 0, which carries Kafka 2.8's field set) and the responses back, keeping request
 * order. The record batches of a Fetch response are appended as they arrive.
 *
 * Errors: a top-level errorCode in a Fetch response rejects with its ApiError; connection loss and timeouts
 * reject with the NetworkClient's ConnectionError / TimeoutError, after which the connection is closed and the
 * fetcher opens a new end point. Ownership: the fetcher that created it closes it.
 */
import { ErrorCode } from '../common/error-codes.js';
import { apiErrorFromCode } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { groupByTopic, tpKey, type TopicPartition } from '../common/topic-partition.js';
import { NetworkClient } from '../network/network-client.js';
import type { ClientSecurity } from '../network/security/client-security.js';
import { ApiKey } from '../protocol/api-keys.js';
import type { EpochEndOffsetRequest, LeaderEndPoint } from './leader-end-point.js';
import type { AliveBroker } from './metadata-cache.js';
import type {
  EpochEndOffsetResult,
  FetchMessagesRequest,
  FetchPartitionResult,
  ListOffsetsResult,
} from './replica-reads.js';

const API_VERSION = 0;
const EMPTY = Buffer.alloc(0);
const LEFT_OUT = 'The leader left this partition out of its response.';

export interface RemoteLeaderEndPointOptions {
  localBrokerId: number;
  fetcherId: number;
  /** Per-request timeout; must exceed replica.fetch.wait.max.ms (Kafka's replica.socket.timeout.ms). @default 30000 */
  requestTimeoutMs?: number;
  /** The inter-broker listener's TLS and SASL settings. @default PLAINTEXT */
  security?: ClientSecurity;
  logger: Logger;
}

export class RemoteLeaderEndPoint implements LeaderEndPoint {
  private constructor(
    private readonly client: NetworkClient,
    private readonly localBrokerId: number,
  ) {}

  static async connect(leader: AliveBroker, opts: RemoteLeaderEndPointOptions): Promise<RemoteLeaderEndPoint> {
    const client = await NetworkClient.connect({
      host: leader.host,
      port: leader.port,
      clientId: `broker-${opts.localBrokerId}-fetcher-${opts.fetcherId}`,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
      maxInFlightRequests: 1,
      security: opts.security,
      logger: opts.logger,
    });
    return new RemoteLeaderEndPoint(client, opts.localBrokerId);
  }

  async fetch(req: FetchMessagesRequest): Promise<FetchPartitionResult[]> {
    const response = await this.client.send(ApiKey.Fetch, API_VERSION, {
      replicaId: req.replicaId,
      maxWaitMs: req.maxWaitMs,
      minBytes: req.minBytes,
      maxBytes: req.maxBytes,
      isolationLevel: req.isolationLevel,
      topics: byTopic(req.partitions, (p) => ({
        partition: p.partition,
        currentLeaderEpoch: p.currentLeaderEpoch ?? -1,
        fetchOffset: p.fetchOffset,
        logStartOffset: p.logStartOffset ?? -1,
        partitionMaxBytes: p.partitionMaxBytes,
      })),
    });
    if (response.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(response.errorCode);
    return inAskedOrder(
      req.partitions,
      response.responses,
      (topic, p): FetchPartitionResult => ({
        topic,
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        highWatermark: p.highWatermark,
        lastStableOffset: p.lastStableOffset,
        logStartOffset: p.logStartOffset,
        records: p.errorCode === ErrorCode.NONE ? (p.records ?? EMPTY) : null,
      }),
      (tp) => ({ ...leftOut(tp), highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: null }),
    );
  }

  async fetchEpochEndOffsets(
    partitions: readonly EpochEndOffsetRequest[],
  ): Promise<(EpochEndOffsetResult & TopicPartition)[]> {
    const response = await this.client.send(ApiKey.OffsetForLeaderEpoch, API_VERSION, {
      replicaId: this.localBrokerId,
      topics: byTopic(partitions, (p) => ({
        partition: p.partition,
        currentLeaderEpoch: p.currentLeaderEpoch,
        leaderEpoch: p.leaderEpoch,
      })),
    });
    return inAskedOrder(
      partitions,
      response.topics,
      (topic, p): EpochEndOffsetResult & TopicPartition => ({
        topic,
        partition: p.partition,
        errorCode: p.errorCode,
        leaderEpoch: p.leaderEpoch,
        endOffset: p.endOffset,
      }),
      (tp) => ({ ...leftOut(tp), leaderEpoch: -1, endOffset: -1 }),
    );
  }

  async fetchOffset(tp: TopicPartition, currentLeaderEpoch: number, timestamp: -1 | -2): Promise<ListOffsetsResult> {
    const response = await this.client.send(ApiKey.ListOffsets, API_VERSION, {
      replicaId: this.localBrokerId,
      isolationLevel: 0,
      topics: [{ name: tp.topic, partitions: [{ partitionIndex: tp.partition, currentLeaderEpoch, timestamp }] }],
    });
    const p = response.topics
      .find((t) => t.name === tp.topic)
      ?.partitions.find((x) => x.partitionIndex === tp.partition);
    if (p === undefined)
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, offset: -1, timestamp: -1, leaderEpoch: -1 };
    return { errorCode: p.errorCode, offset: p.offset, timestamp: p.timestamp, leaderEpoch: p.leaderEpoch };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Kafka's request layout, with this protocol version's field names: partitions under their topic. */
function byTopic<P extends TopicPartition, Q>(
  partitions: readonly P[],
  map: (p: P) => Q,
): { topic: string; partitions: Q[] }[] {
  return groupByTopic(partitions, map).map(({ name, items }) => ({ topic: name, partitions: items }));
}

/**
 * A response's partitions as the asked ones, in the order asked: each through `result`, and `unanswered` for one the
 * leader's response does not mention.
 */
function inAskedOrder<P, R extends TopicPartition>(
  asked: readonly TopicPartition[],
  topics: readonly { topic: string; partitions: readonly P[] }[],
  result: (topic: string, partition: P) => R,
  unanswered: (tp: TopicPartition) => R,
): R[] {
  const answered = new Map<string, R>();
  for (const t of topics) {
    for (const p of t.partitions) {
      const r = result(t.topic, p);
      answered.set(tpKey(r.topic, r.partition), r);
    }
  }
  return asked.map((tp) => answered.get(tpKey(tp.topic, tp.partition)) ?? unanswered(tp));
}

/** The common part of the answer for a partition the leader left out of its response. */
function leftOut(tp: TopicPartition) {
  return {
    topic: tp.topic,
    partition: tp.partition,
    errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
    errorMessage: LEFT_OUT,
  };
}
