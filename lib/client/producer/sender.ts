/**
 * Moves ready batches from the accumulator to the partition leaders (Kafka's `Sender`), and settles them from the
 * Produce responses.
 *
 * One run (`wakeup()` schedules one on `setImmediate`, coalescing wake-ups; a timer schedules the next for linger,
 * backoff and expiry): fail batches past `delivery.timeout.ms`; find the leaders with ready batches; for each
 * leader with a live connection, drain one Produce request at a time (every ready partition it leads, one batch
 * per partition, up to `max.request.size`) until `max.in.flight.requests.per.connection` requests are in flight;
 * start connecting to leaders without a connection.
 * Per response: a partition answered without error completes its batch (offsets from the base offset); a
 * retriable error (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, a lost connection, a request timeout, ...) puts the
 * batch back for a retry after `retry.backoff.ms`, if `retries` and `delivery.timeout.ms` allow, and stale-metadata
 * errors request a metadata refresh first; any other error fails the batch's records at once. A leader that answers
 * REQUEST_TIMED_OUT (acks=all not reached in time) is reported unresponsive, as one whose request times out in
 * flight is by the connection pool: the refresh then asks another broker (ClientCluster).
 * acks=0: the request is written without awaiting an answer; records complete with offset -1.
 * Idempotence (with a TransactionManager): before draining, the producer gets its id (InitProducerId to the least
 * loaded broker, retried after `retry.backoff.ms`) and the manager settles epoch bumps; it decides which batches may
 * be drained and numbers them, learns every batch's outcome (each failed attempt: whether the batch may have been
 * written), and decides on UNKNOWN_PRODUCER_ID and OUT_OF_ORDER_SEQUENCE_NUMBER, which it retries. A DUPLICATE_SEQUENCE_NUMBER answer counts as written (offset
 * unknown). A fatal producer error fails every batch.
 *
 * Concurrency: all on the event loop. Many requests per broker are in flight; building compressed batches awaits
 * the codec, so a run may overlap the completion of earlier requests (in-flight counts are taken before awaiting),
 * and codecs may finish out of order: requests to one broker are still written in the order they were drained.
 * Lifecycle: owned by the Producer; `close()` stops its timers (the producer first waits for the batches).
 */
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError, apiErrorFromCode } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Time } from '../../common/time.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.js';
import type { NetworkClient } from '../../network/network-client.js';
import { CompressionType } from '../../record/record-batch.js';
import type { ClientCluster } from '../client-cluster.js';
import { clientErrorFromCode } from '../errors.js';
import { isRetriable, isStaleMetadata } from '../retry.js';
import type { Acks } from './producer-options.js';
import type { ProducerBatch } from './producer-batch.js';
import type { RecordAccumulator } from './record-accumulator.js';
import type { TransactionManager } from './transaction-manager.js';

export interface SenderOptions {
  accumulator: RecordAccumulator;
  cluster: ClientCluster;
  acks: Acks;
  compression: CompressionType;
  requestTimeoutMs: number;
  maxInFlightRequests: number;
  maxRequestBytes: number;
  retries: number;
  retryBackoffMs: number;
  deliveryTimeoutMs: number;
  /** The idempotent producer's manager; undefined without idempotence. */
  transactionManager?: TransactionManager;
  time: Time;
  logger: Logger;
}

const API_VERSION = 0;
/** InitProducerId's transaction timeout for a producer without a transactional id (Kafka sends Integer.MAX_VALUE). */
const NO_TRANSACTION_TIMEOUT_MS = 2147483647;
/** Shortest pause of the check timer, so that a run never spins. */
const MIN_CHECK_DELAY_MS = 1;

export class Sender {
  private readonly options: SenderOptions;
  private readonly logger: Logger;
  private readonly inFlightByNode = new Map<number, number>();
  private readonly connecting = new Set<number>();
  /** Per node, settles once the latest drained request has been handed to the connection. */
  private readonly lastWrite = new Map<number, Promise<void>>();
  private runScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private timerDueMs = Infinity;
  private closed = false;
  private abortedForFatalError = false;
  private readonly runBound = (): void => this.run();
  private readonly onTimer = (): void => {
    this.timer = null;
    this.timerDueMs = Infinity;
    this.run();
  };

  constructor(options: SenderOptions) {
    this.options = options;
    this.logger = options.logger.child({ component: 'Sender' });
  }

  /** Produce requests in flight, over all brokers. */
  get inFlightRequests(): number {
    let n = 0;
    for (const count of this.inFlightByNode.values()) n += count;
    return n;
  }

  /** Schedules a run soon (records appended in the current tick still join their batches). */
  wakeup(): void {
    if (this.runScheduled || this.closed) return;
    this.runScheduled = true;
    setImmediate(this.runBound);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private run(): void {
    this.runScheduled = false;
    if (this.closed) return;
    const { accumulator, cluster, maxInFlightRequests, maxRequestBytes, time, transactionManager: tm } = this.options;
    const nowMs = time.hiResMs();
    for (const batch of accumulator.expireBatches(nowMs)) tm?.handleExpiredBatch(batch);
    if (tm !== undefined) {
      if (tm.fatalError !== null) {
        if (!this.abortedForFatalError) accumulator.abortAll(tm.fatalError);
        this.abortedForFatalError = true;
        return;
      }
      tm.prepareDrain();
      if (tm.needsProducerId) this.initProducerId(tm);
    }
    const metadata = cluster.metadata;
    const check = accumulator.ready(metadata, nowMs);
    if (check.unknownLeader) cluster.requestUpdate();
    for (const nodeId of check.readyNodes) {
      const connection = cluster.readyConnection(nodeId);
      if (connection === undefined) {
        this.initiateConnect(nodeId);
        continue;
      }
      let inFlight = this.inFlightByNode.get(nodeId) ?? 0;
      while (inFlight < maxInFlightRequests) {
        const batches = accumulator.drain(metadata, nodeId, maxRequestBytes, nowMs, tm);
        if (batches.length === 0) break;
        inFlight++;
        void this.sendProduceRequest(nodeId, connection, batches);
      }
      this.inFlightByNode.set(nodeId, inFlight);
    }
    if (check.nextCheckDelayMs < Infinity) this.armTimer(nowMs + Math.max(check.nextCheckDelayMs, MIN_CHECK_DELAY_MS));
  }

  private armTimer(dueMs: number): void {
    if (dueMs >= this.timerDueMs) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerDueMs = dueMs;
    this.timer = setTimeout(this.onTimer, dueMs - this.options.time.hiResMs());
  }

  /** Asks any broker for a producer id; a failure is retried after retry.backoff.ms unless it is fatal. */
  private initProducerId(tm: TransactionManager): void {
    const { cluster, retryBackoffMs, time } = this.options;
    tm.beginInitializing();
    const failed = (e: unknown): void => {
      this.logger.debug({ err: e }, 'InitProducerId failed');
      tm.failInitializing(e as Error);
      if (tm.fatalError === null) this.armTimer(time.hiResMs() + Math.max(retryBackoffMs, MIN_CHECK_DELAY_MS));
      else this.wakeup();
    };
    cluster
      .sendToAny(ApiKey.InitProducerId, {
        transactionalId: null,
        transactionTimeoutMs: NO_TRANSACTION_TIMEOUT_MS,
        producerId: -1,
        producerEpoch: -1,
      })
      .then((res) => {
        if (res.errorCode !== ErrorCode.NONE) return failed(apiErrorFromCode(res.errorCode));
        tm.completeInitializing(res.producerId, res.producerEpoch);
        this.wakeup();
      }, failed);
  }

  private initiateConnect(nodeId: number): void {
    if (this.connecting.has(nodeId)) return;
    this.connecting.add(nodeId);
    this.options.cluster.connection(nodeId).then(
      () => {
        this.connecting.delete(nodeId);
        this.wakeup();
      },
      (e: unknown) => {
        this.connecting.delete(nodeId);
        this.logger.debug({ nodeId, err: e }, 'Could not connect to the leader; will retry');
        this.options.cluster.requestUpdate();
        const { time } = this.options;
        this.armTimer(time.hiResMs() + Math.max(this.options.cluster.connectBackoffMs(nodeId), MIN_CHECK_DELAY_MS));
      },
    );
  }

  private async sendProduceRequest(nodeId: number, connection: NetworkClient, batches: ProducerBatch[]): Promise<void> {
    const { acks, accumulator } = this.options;
    // Compression runs off the event loop and may finish out of order: requests to a node are written in drain order.
    const built = this.buildAll(batches);
    const turn = (this.lastWrite.get(nodeId) ?? Promise.resolve()).then(() => built);
    this.lastWrite.set(
      nodeId,
      turn.then(
        () => {},
        () => {},
      ),
    );
    try {
      const sendable = await turn;
      if (sendable.length === 0) return;
      const request = this.produceRequest(sendable);
      if (acks === 0) {
        await connection.send(ApiKey.Produce, API_VERSION, request, { expectResponse: false });
        for (const batch of sendable) {
          batch.complete(-1, -1);
          accumulator.deallocate(batch);
        }
      } else {
        const response = await connection.send(ApiKey.Produce, API_VERSION, request);
        this.handleResponse(nodeId, sendable, response);
      }
    } catch (e) {
      for (const batch of batches) if (batch.inFlight && !batch.isDone) this.handleFailure(batch, e as Error);
    } finally {
      this.inFlightByNode.set(nodeId, (this.inFlightByNode.get(nodeId) ?? 1) - 1);
      this.wakeup();
    }
  }

  /** Builds the batches still open; fails (and drops) those whose codec fails. */
  private async buildAll(batches: ProducerBatch[]): Promise<ProducerBatch[]> {
    const { accumulator, compression } = this.options;
    let failed = false;
    for (const batch of batches) {
      if (batch.payload !== null) continue;
      try {
        accumulator.recycle(compression === CompressionType.None ? batch.closeSync() : await batch.close());
      } catch (e) {
        failed = true;
        this.options.transactionManager?.handleFailedBatch(batch, e as Error);
        batch.fail(e as Error);
        accumulator.deallocate(batch);
      }
    }
    return failed ? batches.filter((b) => !b.isDone) : batches;
  }

  private produceRequest(batches: ProducerBatch[]): ProduceRequest {
    const topicData: ProduceRequest['topicData'] = [];
    let current: ProduceRequest['topicData'][number] | undefined;
    for (const batch of batches) {
      if (current === undefined || current.name !== batch.topic) {
        current = topicData.find((t) => t.name === batch.topic);
        if (current === undefined) {
          current = { name: batch.topic, partitionData: [] };
          topicData.push(current);
        }
      }
      current.partitionData.push({ index: batch.partition, records: batch.payload! });
    }
    return { transactionalId: null, acks: this.options.acks, timeoutMs: this.options.requestTimeoutMs, topicData };
  }

  private handleResponse(nodeId: number, batches: ProducerBatch[], response: ProduceResponse): void {
    const { accumulator, cluster } = this.options;
    let timedOut = false;
    let next = 0; // brokers answer in request order: try the next batch before searching
    for (const topic of response.responses) {
      for (const p of topic.partitionResponses) {
        const hinted = batches[next];
        const batch =
          hinted !== undefined && hinted.partition === p.index && hinted.topic === topic.name
            ? hinted
            : batches.find((b) => b.partition === p.index && b.topic === topic.name);
        next++;
        if (batch === undefined || !batch.inFlight) continue;
        const tm = this.options.transactionManager;
        const duplicate = p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER && tm !== undefined;
        if (p.errorCode === ErrorCode.NONE || duplicate) {
          const baseOffset = duplicate ? -1 : p.baseOffset;
          tm?.handleCompletedBatch(batch, baseOffset);
          batch.complete(baseOffset, p.logAppendTimeMs);
          accumulator.deallocate(batch);
        } else {
          if (p.errorCode === ErrorCode.REQUEST_TIMED_OUT) timedOut = true;
          this.handleFailure(batch, clientErrorFromCode(p.errorCode, p.errorMessage ?? undefined), p.logStartOffset);
        }
      }
    }
    if (timedOut) cluster.markUnresponsive(nodeId);
    for (const batch of batches) {
      if (!batch.isDone && batch.inFlight) {
        this.handleFailure(
          batch,
          new ApiError(
            'UNKNOWN_SERVER_ERROR',
            `The Produce response did not mention ${batch.topic}-${batch.partition}, which the request carried.`,
          ),
        );
      }
    }
  }

  /** A retry when allowed (retries, delivery timeout, and the error, as the TransactionManager judges it), else a failure. */
  private handleFailure(batch: ProducerBatch, error: Error, logStartOffset = -1): void {
    const {
      accumulator,
      cluster,
      retries,
      deliveryTimeoutMs,
      retryBackoffMs,
      time,
      transactionManager: tm,
    } = this.options;
    tm?.handleFailedAttempt(batch, error);
    const nowMs = time.hiResMs();
    const withinDelivery = nowMs + retryBackoffMs - batch.createdMs < deliveryTimeoutMs;
    if (
      !this.closed &&
      batch.attempts <= retries &&
      withinDelivery &&
      (tm === undefined ? isRetriable(error) : tm.canRetry(error, batch, logStartOffset))
    ) {
      if (isStaleMetadata(error)) cluster.requestUpdate();
      this.logger.debug(
        { topic: batch.topic, partition: batch.partition, attempt: batch.attempts, err: error },
        'Retrying a batch',
      );
      accumulator.reenqueue(batch, retryBackoffMs, nowMs);
      return;
    }
    tm?.handleFailedBatch(batch, error);
    batch.fail(error);
    accumulator.deallocate(batch);
  }
}
