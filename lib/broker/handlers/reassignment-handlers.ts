/**
 * AlterPartitionReassignments and ListPartitionReassignments (KIP-455): served by the active controller, which
 * starts, replaces or cancels the moves on its event queue (partition-reassignment.ts) and lists the partitions whose
 * assignment records a move. The alter answer comes once each move is started, not when it completes. A broker that
 * is not the active controller answers NOT_CONTROLLER at the top level; the client retries at the controller its
 * metadata names.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError } from '../../common/errors.js';
import { groupByTopic, type TopicPartition } from '../../common/topic-partition.js';
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleAlterPartitionReassignments(
  s: BrokerServices,
  req: AlterPartitionReassignmentsRequest,
): Promise<AlterPartitionReassignmentsResponse> {
  const requests = req.topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas })),
  );
  let outcomes: Array<ApiError | undefined>;
  try {
    outcomes = await s.controller.alterPartitionReassignments(requests);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { throttleTimeMs: 0, errorCode: e.errorCode, errorMessage: e.message, responses: [] };
  }
  const answered = requests.map((r, i) => ({ ...r, error: outcomes[i] }));
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    responses: groupByTopic(answered, (r) => ({
      partitionIndex: r.partition,
      errorCode: r.error?.errorCode ?? ErrorCode.NONE,
      errorMessage: r.error?.message ?? null,
    })).map(({ name, items }) => ({ name, partitions: items })),
  };
}

export function handleListPartitionReassignments(
  s: BrokerServices,
  req: ListPartitionReassignmentsRequest,
): Promise<ListPartitionReassignmentsResponse> {
  const partitions: TopicPartition[] | null =
    req.topics === null
      ? null
      : req.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
  try {
    const moving = s.controller.listPartitionReassignments(partitions);
    return Promise.resolve({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: groupByTopic(moving, (m) => ({
        partitionIndex: m.partition,
        replicas: m.replicas,
        addingReplicas: m.addingReplicas,
        removingReplicas: m.removingReplicas,
      })).map(({ name, items }) => ({ name, partitions: items })),
    });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return Promise.resolve({ throttleTimeMs: 0, errorCode: e.errorCode, errorMessage: e.message, topics: [] });
  }
}
