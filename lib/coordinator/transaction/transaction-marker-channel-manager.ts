/**
 * Has the partition leaders of a completing transaction write its marker, and records the completion (Kafka's
 * TransactionMarkerChannelManager with its request completion handler). The coordinator hands over a transaction in
 * PrepareCommit/PrepareAbort with its prepared CompleteCommit/CompleteAbort transition (`addTxnMarkersToSend`); this
 * channel then
 *  1. queues, per leader broker, one marker entry (producer id and epoch, result, coordinator epoch, partitions)
 *     and sends each broker's queue as one WriteTxnMarkers request over a NetworkClient connection of its own (to the
 *     inter-broker listener, secured as replication is), one request in flight per broker;
 *  2. per partition answered: NONE removes it from the transaction; NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION,
 *     NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR or a failed request queue it again
 *     with the leader known then (after retry.backoff.ms when there is none); INVALID_PRODUCER_EPOCH or
 *     TRANSACTION_COORDINATOR_FENCED (a newer epoch or coordinator wrote there) give the transaction's markers up,
 *     as Kafka does; a partition whose topic was deleted counts as done;
 *  3. once no partition is left, writes the completion to `__transaction_state`, retrying while the answer is
 *     COORDINATOR_NOT_AVAILABLE; NOT_COORDINATOR or a changed coordinator epoch drops it (the new coordinator loads
 *     the Prepare state and sends the markers again).
 * Markers are retried until every leader wrote them: a transaction never stays half-marked while this broker
 * coordinates it.
 *
 * Concurrency: all on the event loop; per broker at most one request in flight, so markers of one producer reach a
 * leader in order. Responses are applied only if the transaction is still handled here under the same coordinator
 * epoch. Ownership: one per broker (TransactionCoordinator's); owns its connections; `shutdown()` closes them and
 * forgets what is queued (a restarted coordinator resumes from the log).
 */
import { ErrorCode, errorNameOf } from '../../common/error-codes.js';
import { ConnectionError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { tpKey, type TopicPartition } from '../../common/topic-partition.js';
import { NetworkClient } from '../../network/network-client.js';
import type { ClientSecurity } from '../../network/security/client-security.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../protocol/messages/index.js';
import type { AliveBroker, MetadataCache } from '../../replication/metadata-cache.js';
import type { TransactionMetadata, TxnTransitMetadata } from './transaction-metadata.js';
import type { TransactionStateManager } from './transaction-state-manager.js';

/** How the channel reaches one broker: a WriteTxnMarkers round trip. */
export interface MarkerEndpoint {
  writeTxnMarkers(request: WriteTxnMarkersRequest): Promise<WriteTxnMarkersResponse>;
  close(): Promise<void>;
}

export interface TransactionMarkerChannelOptions {
  brokerId: number;
  metadataCache: Pick<MetadataCache, 'partitionState' | 'broker' | 'hasTopic'>;
  stateManager: TransactionStateManager;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  time: Time;
  logger: Logger;
  /** How this broker secures its connections to the other brokers' inter-broker listener (TLS, SASL). */
  security?: ClientSecurity;
  /** @default a NetworkClient connection to the broker's inter-broker endpoint, secured by `security` */
  connect?: (broker: AliveBroker) => Promise<MarkerEndpoint>;
}

type TxnResult = 'COMMIT' | 'ABORT';

/** One transaction's marker bound for one broker. */
interface QueuedMarker {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  result: TxnResult;
  coordinatorEpoch: number;
  partitions: TopicPartition[];
}

/** A transaction whose markers are being written, with the completion to store afterwards. */
interface PendingCompleteTxn {
  coordinatorEpoch: number;
  metadata: TransactionMetadata;
  transit: TxnTransitMetadata;
}

const RETRIABLE = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

export class TransactionMarkerChannelManager {
  private readonly pending = new Map<string, PendingCompleteTxn>();
  private readonly queues = new Map<number, QueuedMarker[]>();
  private readonly inFlight = new Set<number>();
  private readonly endpoints = new Map<number, Promise<MarkerEndpoint>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly opts: TransactionMarkerChannelOptions) {
    this.log = opts.logger.child({ component: 'TransactionMarkerChannelManager' });
  }

  /** Transactions whose markers are still being written (for tools and specs). */
  get pendingTransactionalIds(): string[] {
    return [...this.pending.keys()];
  }

  /**
   * Starts writing `result`'s markers for `metadata`'s partitions; `transit` is its prepared Complete* transition,
   * stored once every partition has its marker.
   */
  addTxnMarkersToSend(
    coordinatorEpoch: number,
    result: TxnResult,
    metadata: TransactionMetadata,
    transit: TxnTransitMetadata,
  ): void {
    const transactionalId = metadata.transactionalId;
    this.pending.set(transactionalId, { coordinatorEpoch, metadata, transit });
    this.enqueue(
      {
        transactionalId,
        producerId: metadata.producerId,
        producerEpoch: metadata.producerEpoch,
        result,
        coordinatorEpoch,
      },
      metadata.topicPartitions,
    );
    this.maybeWriteTxnCompletion(transactionalId);
  }

  /** Forgets the markers of the transactions of one `__transaction_state` partition (it moved away). */
  removeMarkersForTxnTopicPartition(txnTopicPartition: number): void {
    for (const id of [...this.pending.keys()]) {
      if (this.opts.stateManager.partitionFor(id) === txnTopicPartition) this.removeMarkersForTxnId(id);
    }
  }

  /** Stops writing one transaction's markers. */
  removeMarkersForTxnId(transactionalId: string): void {
    this.pending.delete(transactionalId);
    for (const queue of this.queues.values()) {
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.transactionalId === transactionalId) queue.splice(i, 1);
    }
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
    this.queues.clear();
    const endpoints = [...this.endpoints.values()];
    this.endpoints.clear();
    await Promise.all(endpoints.map((p) => p.then((e) => e.close()).catch(() => undefined)));
  }

  /** Queues `marker` for the leaders of `partitions`; partitions without a leader are tried again after a backoff. */
  private enqueue(marker: Omit<QueuedMarker, 'partitions'>, partitions: readonly TopicPartition[]): void {
    const { metadataCache } = this.opts;
    const byBroker = new Map<number, TopicPartition[]>();
    const leaderless: TopicPartition[] = [];
    const txn = this.pending.get(marker.transactionalId);
    for (const tp of partitions) {
      if (!metadataCache.hasTopic(tp.topic)) {
        // The topic was deleted: nothing left to mark.
        this.log.info(
          { transactionalId: marker.transactionalId, partition: tpKey(tp.topic, tp.partition) },
          'topic gone; skipping its marker',
        );
        txn?.metadata.removePartition(tp);
        continue;
      }
      const leader = metadataCache.partitionState(tp.topic, tp.partition)?.leader ?? -1;
      if (leader < 0 || metadataCache.broker(leader) === undefined) {
        leaderless.push(tp);
        continue;
      }
      const list = byBroker.get(leader);
      if (list === undefined) byBroker.set(leader, [tp]);
      else list.push(tp);
    }
    for (const [brokerId, tps] of byBroker) {
      const queue = this.queues.get(brokerId) ?? [];
      this.queues.set(brokerId, queue);
      queue.push({ ...marker, partitions: tps });
      this.drain(brokerId);
    }
    if (leaderless.length > 0) this.later(() => this.enqueue(marker, leaderless));
  }

  /** Sends everything queued for `brokerId` as one request, unless one is in flight. */
  private drain(brokerId: number): void {
    const queue = this.queues.get(brokerId);
    if (this.closed || this.inFlight.has(brokerId) || queue === undefined || queue.length === 0) return;
    const markers = queue.splice(0);
    this.inFlight.add(brokerId);
    void this.send(brokerId, markers).finally(() => {
      this.inFlight.delete(brokerId);
      this.drain(brokerId);
    });
  }

  private async send(brokerId: number, markers: QueuedMarker[]): Promise<void> {
    const request: WriteTxnMarkersRequest = {
      markers: markers.map((m) => ({
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        transactionResult: m.result === 'COMMIT',
        topics: groupTopics(m.partitions),
        coordinatorEpoch: m.coordinatorEpoch,
      })),
    };
    let response: WriteTxnMarkersResponse;
    try {
      response = await (await this.endpoint(brokerId)).writeTxnMarkers(request);
    } catch (err) {
      this.log.info({ brokerId, err }, 'sending transaction markers failed; retrying with the leaders known then');
      this.dropEndpoint(brokerId);
      for (const m of markers) this.later(() => this.retry(m, m.partitions));
      return;
    }
    markers.forEach((m, i) => this.onMarkerResponse(m, response.markers[i]));
  }

  private onMarkerResponse(marker: QueuedMarker, answer: WriteTxnMarkersResponse['markers'][number] | undefined): void {
    const txn = this.pending.get(marker.transactionalId);
    if (txn === undefined || txn.coordinatorEpoch !== marker.coordinatorEpoch) return;
    const lookup = this.opts.stateManager.getTransactionState(marker.transactionalId);
    if (lookup.error !== null || lookup.coordinatorEpoch !== marker.coordinatorEpoch) {
      this.log.info(
        { transactionalId: marker.transactionalId },
        'no longer coordinating this transaction; dropping its markers',
      );
      this.removeMarkersForTxnId(marker.transactionalId);
      return;
    }
    const codes = new Map<string, number>();
    for (const t of answer?.topics ?? [])
      for (const p of t.partitions) codes.set(tpKey(t.name, p.partitionIndex), p.errorCode);
    const retry: TopicPartition[] = [];
    for (const tp of marker.partitions) {
      const code = codes.get(tpKey(tp.topic, tp.partition)) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (code === ErrorCode.NONE) {
        txn.metadata.removePartition(tp);
      } else if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.TRANSACTION_COORDINATOR_FENCED) {
        this.log.info(
          {
            transactionalId: marker.transactionalId,
            partition: tpKey(tp.topic, tp.partition),
            error: errorNameOf(code),
          },
          'a newer producer epoch or coordinator wrote there; giving up the markers of this transaction',
        );
        this.removeMarkersForTxnId(marker.transactionalId);
        return;
      } else {
        if (!RETRIABLE.has(code))
          this.log.warn(
            {
              transactionalId: marker.transactionalId,
              partition: tpKey(tp.topic, tp.partition),
              error: errorNameOf(code),
            },
            'unexpected error writing a transaction marker; retrying',
          );
        retry.push(tp);
      }
    }
    if (retry.length > 0) this.later(() => this.retry(marker, retry));
    else this.maybeWriteTxnCompletion(marker.transactionalId);
  }

  private retry(marker: QueuedMarker, partitions: readonly TopicPartition[]): void {
    const txn = this.pending.get(marker.transactionalId);
    if (txn === undefined || txn.coordinatorEpoch !== marker.coordinatorEpoch) return;
    this.enqueue(marker, partitions);
  }

  /** Once no partition waits for its marker: stores the Complete* state (see the class comment). */
  private maybeWriteTxnCompletion(transactionalId: string): void {
    const txn = this.pending.get(transactionalId);
    if (txn === undefined || txn.metadata.topicPartitions.length > 0) return;
    this.pending.delete(transactionalId);
    void this.writeCompletion(transactionalId, txn);
  }

  private async writeCompletion(transactionalId: string, txn: PendingCompleteTxn): Promise<void> {
    const { stateManager, retryBackoffMs } = this.opts;
    for (;;) {
      const code = await stateManager.appendTransactionToLog(
        transactionalId,
        txn.coordinatorEpoch,
        txn.transit,
        (c) => c === ErrorCode.COORDINATOR_NOT_AVAILABLE,
      );
      if (code === ErrorCode.NONE) {
        this.log.debug({ transactionalId, state: txn.transit.txnState }, 'completed the transaction');
        return;
      }
      if (code !== ErrorCode.COORDINATOR_NOT_AVAILABLE || this.closed) {
        this.log.info(
          { transactionalId, error: errorNameOf(code) },
          'could not store the completed transaction; its new coordinator completes it',
        );
        return;
      }
      await new Promise((r) => setTimeout(r, retryBackoffMs));
    }
  }

  private later(fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, this.opts.retryBackoffMs);
    this.timers.add(timer);
  }

  private endpoint(brokerId: number): Promise<MarkerEndpoint> {
    let endpoint = this.endpoints.get(brokerId);
    if (endpoint === undefined) {
      const broker = this.opts.metadataCache.broker(brokerId);
      endpoint =
        broker === undefined
          ? Promise.reject(new ConnectionError(`Broker ${brokerId} is not alive; its markers wait for a new leader.`))
          : (this.opts.connect ?? ((b) => connectMarkerEndpoint(b, this.opts)))(broker);
      endpoint.catch(() => this.dropEndpoint(brokerId));
      this.endpoints.set(brokerId, endpoint);
    }
    return endpoint;
  }

  private dropEndpoint(brokerId: number): void {
    const endpoint = this.endpoints.get(brokerId);
    this.endpoints.delete(brokerId);
    void endpoint?.then((e) => e.close()).catch(() => undefined);
  }
}

/** A NetworkClient connection to `broker` for WriteTxnMarkers. */
async function connectMarkerEndpoint(
  broker: AliveBroker,
  opts: TransactionMarkerChannelOptions,
): Promise<MarkerEndpoint> {
  const client = await NetworkClient.connect({
    host: broker.host,
    port: broker.port,
    clientId: `broker-${opts.brokerId}-txn-marker-sender`,
    requestTimeoutMs: opts.requestTimeoutMs,
    maxInFlightRequests: 1,
    security: opts.security,
    logger: opts.logger,
  });
  return {
    writeTxnMarkers: (request) => client.send(ApiKey.WriteTxnMarkers, 0, request),
    close: () => client.close(),
  };
}

function groupTopics(partitions: readonly TopicPartition[]): { name: string; partitionIndexes: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) {
    const list = byTopic.get(tp.topic);
    if (list === undefined) byTopic.set(tp.topic, [tp.partition]);
    else list.push(tp.partition);
  }
  return [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
}
