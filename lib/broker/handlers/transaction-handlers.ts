/**
 * The transaction APIs (InitProducerId is in init-producer-id-handler.ts): AddPartitionsToTxn, AddOffsetsToTxn, EndTxn
 * (answered by the transaction coordinator of the id's `__transaction_state` partition), WriteTxnMarkers (a coordinator has this broker write
 * markers to partitions it leads), TxnOffsetCommit (the group coordinator), and KIP-664's DescribeTransactions,
 * ListTransactions and DescribeProducers.
 *
 * - AddPartitionsToTxn: partitions of unknown topics answer UNKNOWN_TOPIC_OR_PARTITION and the others
 *   OPERATION_NOT_ATTEMPTED, as Kafka does; otherwise every partition gets the coordinator's answer.
 * - WriteTxnMarkers: each marker becomes a control batch appended with acks=all to each listed partition as a
 *   coordinator append (the producer's epoch and the coordinator epoch are checked); a marker committed or aborted in
 *   a `__consumer_offsets` partition then settles that producer's pending transactional offsets there.
 * - DescribeProducers reads the producer state of the partitions' replicas on this broker (leaders by default; any
 *   replica when the caller asks a given broker, as `describe-producers --broker-id` does).
 */
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError } from '../../common/errors.js';
import { tpKey } from '../../common/topic-partition.js';
import { OFFSETS_TOPIC } from '../../coordinator/group/offsets-record-codec.js';
import type {
  AddOffsetsToTxnRequest,
  AddOffsetsToTxnResponse,
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse,
  DescribeProducersRequest,
  DescribeProducersResponse,
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
  EndTxnRequest,
  EndTxnResponse,
  ListTransactionsRequest,
  ListTransactionsResponse,
  TxnOffsetCommitRequest,
  TxnOffsetCommitResponse,
  WriteTxnMarkersRequest,
  WriteTxnMarkersResponse,
} from '../../protocol/messages/index.js';
import { ControlRecordType, buildControlBatch } from '../../record/record-batch-builder.js';
import { groupByTopic } from '../../common/topic-partition.js';
import type { BrokerServices } from './broker-services.js';
import { offsetCommitEntries, offsetCommitResponse } from './group-handlers.js';

export async function handleAddPartitionsToTxn(
  s: BrokerServices,
  req: AddPartitionsToTxnRequest,
): Promise<AddPartitionsToTxnResponse> {
  const partitions = req.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
  const unknown = partitions.filter((tp) => tp.partition >= (s.metadataCache.partitionCount(tp.topic) ?? 0));
  const code =
    unknown.length > 0
      ? undefined
      : await s.transactionCoordinator.handleAddPartitionsToTransaction(
          req.transactionalId,
          req.producerId,
          req.producerEpoch,
          partitions,
        );
  const unknownKeys = new Set(unknown.map((tp) => tpKey(tp.topic, tp.partition)));
  const answer = (tp: { topic: string; partition: number }) =>
    code ??
    (unknownKeys.has(tpKey(tp.topic, tp.partition))
      ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      : ErrorCode.OPERATION_NOT_ATTEMPTED);
  return {
    throttleTimeMs: 0,
    results: groupByTopic(partitions, (tp) => ({ partitionIndex: tp.partition, errorCode: answer(tp) })).map(
      ({ name, items }) => ({ name, results: items }),
    ),
  };
}

export async function handleAddOffsetsToTxn(
  s: BrokerServices,
  req: AddOffsetsToTxnRequest,
): Promise<AddOffsetsToTxnResponse> {
  const partition = s.groupCoordinator.offsets.partitionFor(req.groupId);
  const errorCode = await s.transactionCoordinator.handleAddPartitionsToTransaction(
    req.transactionalId,
    req.producerId,
    req.producerEpoch,
    [{ topic: OFFSETS_TOPIC, partition }],
  );
  return { throttleTimeMs: 0, errorCode };
}

export async function handleEndTxn(s: BrokerServices, req: EndTxnRequest): Promise<EndTxnResponse> {
  const errorCode = await s.transactionCoordinator.handleEndTransaction(
    req.transactionalId,
    req.producerId,
    req.producerEpoch,
    req.committed,
  );
  return { throttleTimeMs: 0, errorCode };
}

export async function handleWriteTxnMarkers(
  s: BrokerServices,
  req: WriteTxnMarkersRequest,
): Promise<WriteTxnMarkersResponse> {
  const markers = await Promise.all(
    req.markers.map(async (m) => {
      const partitions = m.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
      const records = () =>
        buildControlBatch({
          type: m.transactionResult ? ControlRecordType.Commit : ControlRecordType.Abort,
          producerId: BigInt(m.producerId),
          producerEpoch: m.producerEpoch,
          coordinatorEpoch: m.coordinatorEpoch,
          timestampMs: s.time.milliseconds(),
        });
      const results = await s.replicaManager.appendRecords({
        acks: -1,
        timeoutMs: s.config.requestTimeoutMs,
        origin: 'Coordinator',
        entries: partitions.map((tp) => ({ ...tp, records: records() })),
      });
      const settledOffsets = results
        .filter((r) => r.topic === OFFSETS_TOPIC && r.errorCode === ErrorCode.NONE)
        .map((r) => r.partition);
      if (settledOffsets.length > 0)
        s.groupCoordinator.offsets.completeTransaction(m.producerId, settledOffsets, m.transactionResult);
      return {
        producerId: m.producerId,
        topics: groupByTopic(results, (r) => ({ partitionIndex: r.partition, errorCode: r.errorCode })).map(
          ({ name, items }) => ({ name, partitions: items }),
        ),
      };
    }),
  );
  return { markers };
}

export async function handleTxnOffsetCommit(
  s: BrokerServices,
  req: TxnOffsetCommitRequest,
): Promise<TxnOffsetCommitResponse> {
  const entries = offsetCommitEntries(req.topics);
  const codes = await s.groupCoordinator.commitTxnOffsets(
    req.groupId,
    req.producerId,
    req.producerEpoch,
    req.memberId,
    req.groupInstanceId,
    req.generationId,
    entries,
  );
  return offsetCommitResponse(entries, codes);
}

export async function handleDescribeTransactions(
  s: BrokerServices,
  req: DescribeTransactionsRequest,
): Promise<DescribeTransactionsResponse> {
  return {
    throttleTimeMs: 0,
    transactionStates: s.transactionCoordinator.describeTransactions(req.transactionalIds).map((d) => ({
      errorCode: d.errorCode,
      transactionalId: d.transactionalId,
      transactionState: d.state,
      transactionTimeoutMs: d.txnTimeoutMs,
      transactionStartTimeMs: d.txnStartTimestamp,
      producerId: d.producerId,
      producerEpoch: d.producerEpoch,
      topics: groupByTopic(d.partitions, (tp) => tp.partition).map(({ name, items }) => ({
        topic: name,
        partitions: items,
      })),
    })),
  };
}

export async function handleListTransactions(
  s: BrokerServices,
  req: ListTransactionsRequest,
): Promise<ListTransactionsResponse> {
  const listed = s.transactionCoordinator.listTransactions(req.stateFilters, req.producerIdFilters);
  return {
    throttleTimeMs: 0,
    errorCode: listed.errorCode,
    unknownStateFilters: listed.unknownStateFilters,
    transactionStates: listed.transactions.map((t) => ({
      transactionalId: t.transactionalId,
      producerId: t.producerId,
      transactionState: t.state,
    })),
  };
}

export async function handleDescribeProducers(
  s: BrokerServices,
  req: DescribeProducersRequest,
): Promise<DescribeProducersResponse> {
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        const p = s.replicaManager.getPartition(t.name, partitionIndex);
        if (p === undefined) {
          const error =
            (s.metadataCache.partitionCount(t.name) ?? 0) <= partitionIndex
              ? new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `Partition ${tpKey(t.name, partitionIndex)} does not exist.`)
              : new ApiError(
                  'NOT_LEADER_OR_FOLLOWER',
                  `Broker ${s.brokerId} has no replica of ${tpKey(t.name, partitionIndex)}; ask its leader.`,
                );
          return { partitionIndex, errorCode: error.errorCode, errorMessage: error.message, activeProducers: [] };
        }
        return {
          partitionIndex,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          activeProducers: [...p.log.producerState.activeProducers.values()].map((e) => ({
            producerId: e.producerId,
            producerEpoch: e.producerEpoch,
            lastSequence: e.lastSeq,
            lastTimestamp: e.lastTimestamp,
            coordinatorEpoch: e.coordinatorEpoch,
            currentTxnStartOffset: e.currentTxnFirstOffset,
          })),
        };
      }),
    })),
  };
}
