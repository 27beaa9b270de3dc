/**
 * The admin client's transaction operations (KIP-664; Kafka's Admin listTransactions, describeTransactions,
 * describeProducers and abortTransaction), which `mq-admin transactions` is built on:
 *
 * - `listTransactions`: ListTransactions to every broker (each lists the transactional ids it coordinates).
 * - `describeTransactions`: per id, FindCoordinator (key type 1) then DescribeTransactions to that coordinator
 *   (NOT_COORDINATOR finds it again); an unknown id rejects with TRANSACTIONAL_ID_NOT_FOUND.
 * - `describeProducers`: DescribeProducers to each partition's leader, or to one given broker (any replica answers).
 * - `abortTransaction`: WriteTxnMarkers with an ABORT marker to the partition's leader, as a coordinator would —
 *   how an operator closes a hanging transaction that holds back the last stable offset.
 * Retries: `run` is the admin client's retry loop (retriable errors until the call's deadline, metadata refreshed on
 * stale-metadata errors); per-partition retriable errors are thrown as retriable ApiErrors to use it.
 * Ownership: the Admin creates one and delegates to it; it holds no state but the coordinators it found.
 */
import { computeIfAbsent } from '../../common/collections.js';
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError, apiErrorFromCode } from '../../common/errors.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { ClientCluster } from '../client-cluster.js';
import type { TopicPartitionRef } from '../consumer/subscription-state.js';

/** One transactional id as ListTransactions lists it. */
export interface TransactionListing {
  transactionalId: string;
  producerId: number;
  state: string;
  /** The broker coordinating it. */
  coordinatorId: number;
}

/** One transactional id as its coordinator describes it. */
export interface TransactionDescription {
  transactionalId: string;
  coordinatorId: number;
  state: string;
  producerId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** When the transaction in progress started; null when none is. */
  transactionStartTimeMs: number | null;
  topicPartitions: TopicPartitionRef[];
}

/** One producer as a partition replica knows it. */
export interface ProducerState {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestamp: number;
  /** Epoch of the coordinator that wrote its last marker; null when none did. */
  coordinatorEpoch: number | null;
  /** First offset of its open transaction in the partition; null when none is open. */
  currentTransactionStartOffset: number | null;
}

export interface PartitionProducerState extends TopicPartitionRef {
  activeProducers: ProducerState[];
}

/** What an ABORT marker needs (Kafka's AbortTransactionSpec). */
export interface AbortTransactionSpec extends TopicPartitionRef {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
}

/** The admin client's retry loop for one operation (see the header). */
export type RunWithRetries = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

export class TransactionsAdmin {
  private readonly coordinators = new Map<string, number>();

  constructor(private readonly cluster: ClientCluster) {}

  async listTransactions(
    run: RunWithRetries,
    filters: { states?: readonly string[]; producerIds?: readonly number[] } = {},
  ): Promise<TransactionListing[]> {
    const byBroker = await run('ListTransactions', async () => {
      await this.cluster.refresh();
      return Promise.all(
        [...this.cluster.metadata.brokers.keys()].map(async (coordinatorId) => {
          const res = await this.cluster.send(coordinatorId, ApiKey.ListTransactions, {
            stateFilters: [...(filters.states ?? [])],
            producerIdFilters: [...(filters.producerIds ?? [])],
          });
          if (res.errorCode !== ErrorCode.NONE)
            throw apiErrorFromCode(res.errorCode, `Broker ${coordinatorId} cannot list its transactions yet`);
          return res.transactionStates.map((t) => ({
            transactionalId: t.transactionalId,
            producerId: t.producerId,
            state: t.transactionState,
            coordinatorId,
          }));
        }),
      );
    });
    return byBroker.flat().sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : 1));
  }

  describeTransactions(run: RunWithRetries, transactionalIds: readonly string[]): Promise<TransactionDescription[]> {
    return Promise.all(
      transactionalIds.map((transactionalId) =>
        run(`DescribeTransactions of '${transactionalId}'`, async () => {
          const coordinatorId = await this.coordinatorOf(transactionalId);
          const res = await this.cluster.send(coordinatorId, ApiKey.DescribeTransactions, {
            transactionalIds: [transactionalId],
          });
          const d = res.transactionStates[0];
          if (d === undefined || d.errorCode !== ErrorCode.NONE) {
            const code = d?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
            if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_NOT_AVAILABLE)
              this.coordinators.delete(transactionalId);
            throw apiErrorFromCode(code, `Transactional id '${transactionalId}': ${apiErrorFromCode(code).message}`);
          }
          return {
            transactionalId,
            coordinatorId,
            state: d.transactionState,
            producerId: d.producerId,
            producerEpoch: d.producerEpoch,
            transactionTimeoutMs: d.transactionTimeoutMs,
            transactionStartTimeMs: d.transactionStartTimeMs < 0 ? null : d.transactionStartTimeMs,
            topicPartitions: d.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
          };
        }),
      ),
    );
  }

  async describeProducers(
    run: RunWithRetries,
    partitions: readonly TopicPartitionRef[],
    brokerId?: number,
  ): Promise<PartitionProducerState[]> {
    this.cluster.addTopics(new Set(partitions.map((p) => p.topic)));
    const found = new Map<string, PartitionProducerState>();
    await run('DescribeProducers', async () => {
      const byBroker = this.byTarget(
        partitions.filter((p) => !found.has(key(p))),
        brokerId,
      );
      await Promise.all(
        [...byBroker].map(async ([nodeId, list]) => {
          const res = await this.cluster.send(nodeId, ApiKey.DescribeProducers, {
            topics: groupTopics(list).map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          });
          for (const t of res.topics) {
            for (const p of t.partitions) {
              if (p.errorCode !== ErrorCode.NONE)
                throw labelled(p.errorCode, p.errorMessage, `${t.name}-${p.partitionIndex}`);
              found.set(key({ topic: t.name, partition: p.partitionIndex }), {
                topic: t.name,
                partition: p.partitionIndex,
                activeProducers: p.activeProducers.map((a) => ({
                  producerId: a.producerId,
                  producerEpoch: a.producerEpoch,
                  lastSequence: a.lastSequence,
                  lastTimestamp: a.lastTimestamp,
                  coordinatorEpoch: a.coordinatorEpoch < 0 ? null : a.coordinatorEpoch,
                  currentTransactionStartOffset: a.currentTxnStartOffset < 0 ? null : a.currentTxnStartOffset,
                })),
              });
            }
          }
        }),
      );
    });
    return partitions.map((p) => found.get(key(p))!);
  }

  async abortTransaction(run: RunWithRetries, spec: AbortTransactionSpec): Promise<void> {
    this.cluster.addTopics([spec.topic]);
    await run(
      `Aborting the transaction of producer ${spec.producerId} in ${spec.topic}-${spec.partition}`,
      async () => {
        const leader = [...this.byTarget([spec], undefined).keys()][0]!;
        const res = await this.cluster.send(leader, ApiKey.WriteTxnMarkers, {
          markers: [
            {
              producerId: spec.producerId,
              producerEpoch: spec.producerEpoch,
              transactionResult: false,
              topics: [{ name: spec.topic, partitionIndexes: [spec.partition] }],
              coordinatorEpoch: spec.coordinatorEpoch,
            },
          ],
        });
        const code = res.markers[0]?.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
        if (code !== ErrorCode.NONE) throw labelled(code, null, `${spec.topic}-${spec.partition}`);
      },
    );
  }

  /** The partitions by the broker to ask: `brokerId`, or each one's leader (a retriable error while unknown). */
  private byTarget(
    partitions: readonly TopicPartitionRef[],
    brokerId: number | undefined,
  ): Map<number, TopicPartitionRef[]> {
    const byBroker = new Map<number, TopicPartitionRef[]>();
    const metadata = this.cluster.metadata;
    for (const p of partitions) {
      const target = brokerId ?? metadata.leaderFor(p.topic, p.partition);
      if (target < 0) {
        throw new ApiError(
          metadata.topic(p.topic) === undefined ? 'UNKNOWN_TOPIC_OR_PARTITION' : 'LEADER_NOT_AVAILABLE',
          `No leader known for ${p.topic}-${p.partition}.`,
        );
      }
      computeIfAbsent(byBroker, target, () => []).push(p);
    }
    return byBroker;
  }

  private async coordinatorOf(transactionalId: string): Promise<number> {
    const known = this.coordinators.get(transactionalId);
    if (known !== undefined) return known;
    const res = await this.cluster.sendToAny(ApiKey.FindCoordinator, { key: transactionalId, keyType: 1 });
    if (res.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(res.errorCode, res.errorMessage ?? undefined);
    this.coordinators.set(transactionalId, res.nodeId);
    return res.nodeId;
  }
}

const key = (p: TopicPartitionRef): string => `${p.topic}\0${p.partition}`;

function groupTopics(partitions: readonly TopicPartitionRef[]): [string, number[]][] {
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) computeIfAbsent(byTopic, p.topic, () => []).push(p.partition);
  return [...byTopic];
}

function labelled(code: number, message: string | null, what: string): ApiError {
  const error = apiErrorFromCode(code, message ?? undefined);
  return new ApiError(error.errorName, `${what}: ${error.message}`);
}
