/**
 * Metadata: brokers, controller and partition leadership from the metadata cache (kept from ZooKeeper
 * watches). Missing topics are auto-created when the request allows it and `auto.create.topics.enable` is set
 * (answered LEADER_NOT_AVAILABLE until their leaders are elected, as Kafka does). The internal topic of delayed
 * delivery is created whenever it is asked for, as Kafka creates its internal topics (a producer sending its first
 * delayed record asks for it).
 */
import { ErrorCode } from '../../common/error-codes.js';
import { topicNameProblem } from '../../common/topic-partition.js';
import type { MetadataRequest, MetadataResponse } from '../../protocol/messages/index.js';
import { DELAYED_TOPIC } from '../../record/delayed-record.js';
import type { BrokerServices } from './broker-services.js';
import { delayedTopicSpec } from './internal-topics.js';

type TopicMetadata = MetadataResponse['topics'][number];

export async function handleMetadata(s: BrokerServices, req: MetadataRequest): Promise<MetadataResponse> {
  const cache = s.metadataCache;
  const names = req.topics === null ? cache.topics() : req.topics.map((t) => t.name);
  const live = new Set(cache.aliveBrokers().map((b) => b.id));
  const missing = names.filter((n) => !cache.hasTopic(n));
  const created = new Map<string, number>();
  if (missing.includes(DELAYED_TOPIC)) {
    const [result] = await s.topicAdmin.createTopics([delayedTopicSpec(s)]);
    created.set(
      DELAYED_TOPIC,
      result?.errorCode === ErrorCode.NONE || result?.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS
        ? ErrorCode.LEADER_NOT_AVAILABLE
        : (result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR),
    );
  }
  if (missing.length > 0 && req.allowAutoTopicCreation && s.config.autoCreateTopicsEnable) {
    const valid = missing.filter((n) => topicNameProblem(n) === undefined && n !== DELAYED_TOPIC);
    const results = await s.topicAdmin.createTopics(
      valid.map((name) => ({
        name,
        numPartitions: s.config.numPartitions,
        replicationFactor: Math.min(s.config.defaultReplicationFactor, Math.max(live.size, 1)),
        assignments: [],
        configs: {},
      })),
      { validateOnly: false },
    );
    for (const r of results) {
      created.set(
        r.name,
        r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS
          ? ErrorCode.LEADER_NOT_AVAILABLE
          : r.errorCode === ErrorCode.NONE
            ? ErrorCode.LEADER_NOT_AVAILABLE
            : r.errorCode,
      );
    }
  }
  const topics: TopicMetadata[] = names.map((name) => {
    if (!cache.hasTopic(name)) {
      const errorCode =
        topicNameProblem(name) !== undefined
          ? ErrorCode.INVALID_TOPIC_EXCEPTION
          : (created.get(name) ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      return { errorCode, name, isInternal: false, partitions: [] };
    }
    const count = cache.partitionCount(name) ?? 0;
    const partitions: TopicMetadata['partitions'] = [];
    for (let p = 0; p < count; p++) {
      const replicas = [...(cache.replicas(name, p) ?? [])];
      const state = cache.partitionState(name, p);
      const leaderId = state?.leader ?? -1;
      partitions.push({
        errorCode: leaderId >= 0 && live.has(leaderId) ? 0 : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex: p,
        leaderId: leaderId >= 0 && live.has(leaderId) ? leaderId : -1,
        leaderEpoch: state?.leaderEpoch ?? -1,
        replicaNodes: replicas,
        isrNodes: [...(state?.isr ?? [])],
        offlineReplicas: replicas.filter((r) => !live.has(r)),
      });
    }
    return { errorCode: ErrorCode.NONE, name, isInternal: name.startsWith('__'), partitions };
  });
  return {
    throttleTimeMs: 0,
    brokers: cache.aliveBrokers().map((b) => ({ nodeId: b.id, host: b.host, port: b.port, rack: b.rack ?? null })),
    clusterId: cache.clusterId ?? null,
    controllerId: cache.controllerId ?? -1,
    topics,
  };
}
