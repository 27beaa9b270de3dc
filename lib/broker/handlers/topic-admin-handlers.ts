/**
 * CreateTopics, DeleteTopics and CreatePartitions. As in Kafka's ZooKeeper mode they are served by the active
 * controller only (others answer NOT_CONTROLLER so the client re-routes), which validates and writes the
 * znodes through TopicAdmin, then holds the response until this broker's metadata cache shows the outcome
 * (leaders elected, topic gone, partitions present) or `timeoutMs` passes (REQUEST_TIMED_OUT for what is not
 * there yet; the operation itself still completes).
 */
import { ErrorCode } from '../../common/error-codes.js';
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
} from '../../protocol/messages/index.js';
import { advertisedLeader, type BrokerServices } from './broker-services.js';

/** One topic's answer from a broker that is not the active controller: the client re-routes on NOT_CONTROLLER. */
function notController(name: string) {
  return {
    name,
    errorCode: ErrorCode.NOT_CONTROLLER,
    errorMessage: 'This broker is not the active controller; send the request to the controller named in Metadata.',
  };
}

/** Polls `done` until it holds or `timeoutMs` passes; resolves whether it held. */
async function awaitCondition(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function allLeadersKnown(s: BrokerServices, topic: string, count?: number): boolean {
  const cache = s.metadataCache;
  if (!cache.hasTopic(topic)) return false;
  const n = cache.partitionCount(topic) ?? 0;
  if (count !== undefined && n < count) return false;
  for (let p = 0; p < n; p++) if (advertisedLeader(s, topic, p) < 0) return false;
  return true;
}

export async function handleCreateTopics(s: BrokerServices, req: CreateTopicsRequest): Promise<CreateTopicsResponse> {
  if (!s.controller.isActive) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ ...notController(t.name), numPartitions: -1, replicationFactor: -1 })),
    };
  }
  const results = await s.topicAdmin.createTopics(
    req.topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: t.assignments.map((a) => ({ partitionIndex: a.partitionIndex, brokerIds: a.brokerIds })),
      configs: Object.fromEntries(t.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value!])),
    })),
    { validateOnly: req.validateOnly },
  );
  if (!req.validateOnly) {
    const created = results.filter((r) => r.errorCode === ErrorCode.NONE).map((r) => r.name);
    await awaitCondition(() => created.every((t) => allLeadersKnown(s, t)), req.timeoutMs);
    for (const r of results) {
      if (r.errorCode === ErrorCode.NONE && !allLeadersKnown(s, r.name)) {
        r.errorCode = ErrorCode.REQUEST_TIMED_OUT;
        r.errorMessage = `Topic '${r.name}' was created but its leaders were not all elected within ${req.timeoutMs} ms.`;
      }
    }
  }
  return { throttleTimeMs: 0, topics: results };
}

export async function handleDeleteTopics(s: BrokerServices, req: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
  if (!s.controller.isActive) {
    return { throttleTimeMs: 0, responses: req.topicNames.map(notController) };
  }
  const results = await s.topicAdmin.deleteTopics(req.topicNames);
  const deleting = results.filter((r) => r.errorCode === ErrorCode.NONE).map((r) => r.name);
  await awaitCondition(() => deleting.every((t) => !s.metadataCache.hasTopic(t)), req.timeoutMs);
  return {
    throttleTimeMs: 0,
    responses: results.map((r) =>
      r.errorCode === ErrorCode.NONE && s.metadataCache.hasTopic(r.name)
        ? {
            name: r.name,
            errorCode: ErrorCode.REQUEST_TIMED_OUT,
            errorMessage: `Topic '${r.name}' is marked for deletion but was not deleted within ${req.timeoutMs} ms.`,
          }
        : { name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage ?? null },
    ),
  };
}

export async function handleCreatePartitions(
  s: BrokerServices,
  req: CreatePartitionsRequest,
): Promise<CreatePartitionsResponse> {
  if (!s.controller.isActive) {
    return { throttleTimeMs: 0, results: req.topics.map((t) => notController(t.name)) };
  }
  const results = await s.topicAdmin.createPartitions(
    req.topics.map((t) => ({
      name: t.name,
      count: t.count,
      assignments: t.assignments?.map((a) => a.brokerIds) ?? null,
    })),
    { validateOnly: req.validateOnly },
  );
  if (!req.validateOnly) {
    const grown = req.topics.filter((t) => results.find((r) => r.name === t.name)?.errorCode === ErrorCode.NONE);
    await awaitCondition(() => grown.every((t) => allLeadersKnown(s, t.name, t.count)), req.timeoutMs);
    for (const t of grown) {
      const r = results.find((x) => x.name === t.name)!;
      if (!allLeadersKnown(s, t.name, t.count)) {
        r.errorCode = ErrorCode.REQUEST_TIMED_OUT;
        r.errorMessage = `Partitions of '${t.name}' were added but their leaders were not all elected within ${req.timeoutMs} ms.`;
      }
    }
  }
  return {
    throttleTimeMs: 0,
    results: results.map((r) => ({ name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage ?? null })),
  };
}
