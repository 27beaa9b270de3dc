/**
 * Metadata: brokers, controller and partition leadership from the metadata cache (kept from ZooKeeper
 * watches). Missing topics are auto-created when the request allows it and `auto.create.topics.enable` is set
 * (answered LEADER_NOT_AVAILABLE until their leaders are elected, as Kafka does). The internal topic of delayed
 * delivery is created whenever it is asked for, as Kafka creates its internal topics (a producer sending its first
 * delayed record asks for it).
 *
 * Brokers are listed with their endpoint on the listener the request arrived on (a broker without one is left
 * out), so a client bootstrapped on a Kafka-protocol listener is sent to the others' Kafka-protocol listeners. A
 * live leader without such an endpoint is LISTENER_NOT_FOUND, as in Kafka.
 *
 * This broker names itself a partition's leader only once it acts as one (`advertisedLeader`; 10,000 new partitions
 * take seconds to host): until then the partition is LEADER_NOT_AVAILABLE, which clients retry, rather than a
 * leader answering NOT_LEADER_OR_FOLLOWER.
 *
 * A fenced broker (its ZooKeeper session may be gone, ReplicaManager.leadershipFenced) no longer knows who leads
 * what it led, nor whether it is itself still part of the cluster: it answers as if it were not live — absent from
 * the broker list, its partitions LEADER_NOT_AVAILABLE with leader -1 — and with no controller, so that clients
 * refresh from the brokers that know.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { topicNameProblem } from '../../common/topic-partition.js';
import type { RequestContext } from '../../network/request-context.js';
import type { MetadataRequest, MetadataResponse } from '../../protocol/messages/index.js';
import { DELAYED_TOPIC } from '../../record/delayed-record.js';
import { advertisedLeader, endpointOn, type BrokerServices } from './broker-services.js';
import { delayedTopicSpec } from './internal-topics.js';

type TopicMetadata = MetadataResponse['topics'][number];

export async function handleMetadata(
  s: BrokerServices,
  ctx: RequestContext,
  req: MetadataRequest,
): Promise<MetadataResponse> {
  const cache = s.metadataCache;
  const listener = ctx.listener.name;
  const fenced = s.replicaManager.leadershipFenced;
  const aliveBrokers = cache.aliveBrokers().filter((b) => !fenced || b.id !== s.brokerId);
  const brokers: MetadataResponse['brokers'] = [];
  for (const b of aliveBrokers) {
    const endpoint = endpointOn(b, listener);
    if (endpoint) brokers.push({ nodeId: b.id, host: endpoint.host, port: endpoint.port, rack: b.rack ?? null });
  }
  const reachable = new Set(brokers.map((b) => b.nodeId));
  const names = req.topics === null ? cache.topics() : req.topics.map((t) => t.name);
  const live = new Set(aliveBrokers.map((b) => b.id));
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
      const leaderId = advertisedLeader(s, name, p);
      const leaderLive = leaderId >= 0 && live.has(leaderId);
      const leaderReachable = leaderLive && reachable.has(leaderId);
      partitions.push({
        errorCode: leaderReachable
          ? ErrorCode.NONE
          : leaderLive
            ? ErrorCode.LISTENER_NOT_FOUND
            : ErrorCode.LEADER_NOT_AVAILABLE,
        partitionIndex: p,
        leaderId: leaderReachable ? leaderId : -1,
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
    brokers,
    clusterId: cache.clusterId ?? null,
    controllerId: fenced ? -1 : (cache.controllerId ?? -1),
    topics,
  };
}
