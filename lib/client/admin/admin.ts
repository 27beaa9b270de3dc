/**
 * The admin client (Kafka's `Admin`): topics (create, delete, list, describe, add partitions), records (delete
 * before an offset), leaders (preferred and unclean elections), configs (describe, alter, incremental alter, for
 * topics and brokers, config-resources.ts), partition reassignments (start, replace, cancel, list), the cluster
 * (describe, each broker's API versions and log dirs), offsets (list by earliest / latest / timestamp), consumer
 * groups (list, describe, committed offsets read, set and deleted, delete), transactions (list, describe, producers
 * of a partition, abort a hanging one: transactions-admin.ts); security: ACLs, SCRAM credentials and client quotas
 * (security-admin.ts).
 *
 * Routing: CreateTopics, DeleteTopics, CreatePartitions, ElectLeaders and the reassignment calls go to the
 * controller (the `controllerId` of the last Metadata response); a NOT_CONTROLLER answer, for the request or for a
 * topic or partition in it, refreshes metadata and retries what it concerns. DeleteRecords goes to each partition's
 * leader (delete-records.ts); broker configs go to that broker; group operations to the group's coordinator
 * (FindCoordinator, again after NOT_COORDINATOR), ListGroups to every broker; everything else to the least loaded one.
 * Errors: every call retries retriable errors (lost connections, NOT_CONTROLLER, LEADER_NOT_AVAILABLE, ...) with
 * backoff until its deadline (`timeoutMs`, default `default.api.timeout.ms`) or `retries` runs out, and rejects
 * with the first non-retriable per-topic or per-resource error, naming what it concerns (ApiError keeps Kafka's
 * code and name); calls over partitions (deleteRecords, electLeaders) resolve with each partition's own outcome.
 * Topics already handled are not sent again on a retry.
 * Lifecycle: New → `connect()` → Connected → `close()` → Closed.
 */
import type { AclBinding, AclBindingFilter } from '../../common/acl.js';
import {
  alterClientQuotas,
  alterUserScramCredentials,
  createAcls,
  deleteAcls,
  describeAcls,
  describeClientQuotas,
  describeUserScramCredentials,
  type ClientQuotaAlteration,
  type ClientQuotaEntry,
  type ClientQuotaFilter,
  type ScramCredentialAlteration,
  type UserScramCredentials,
} from './security-admin.js';
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError, apiErrorFromCode, InvalidArgumentError } from '../../common/errors.js';
import type { Time } from '../../common/time.js';
import { groupByTopic } from '../../common/topic-partition.js';
import { ApiKey } from '../../protocol/api-keys.js';
import type { CreateTopicsRequest } from '../../protocol/messages/create-topics.js';
import { ElectionType } from '../../protocol/messages/elect-leaders.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../../protocol/messages/list-offsets.js';
import { ClientCluster } from '../client-cluster.js';
import { ClientLifecycle } from '../client-lifecycle.js';
import { listOffsets, offsetKey } from '../list-offsets.js';
import { ExponentialBackoff, isStaleMetadata, retry } from '../retry.js';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment } from '../../protocol/consumer-protocol.js';
import { GroupOffsets, type CommittedOffset, type OffsetToCommit } from '../consumer/group-offsets.js';
import type { TopicPartitionRef } from '../consumer/subscription-state.js';
import { resolveAdminOptions, type AdminOptions, type ResolvedAdminOptions } from './admin-options.js';
import { mergeDelayPartitions, type DelayPartitionState } from './delayed-records.js';
import {
  TransactionsAdmin,
  type AbortTransactionSpec,
  type PartitionProducerState,
  type TransactionDescription,
  type TransactionListing,
} from './transactions-admin.js';
import { deleteRecords, type DeletedRecords, type RecordsToDelete } from './delete-records.js';
import {
  groupByTarget,
  operationBody,
  resourceError,
  resourceRef,
  sendToTarget,
  toDescription,
  type AlterConfigOperation,
  type ConfigResource,
  type ConfigResourceDescription,
} from './config-resources.js';
import type { PartitionLagTime } from './group-lag.js';

export type { DeletedRecords, RecordsToDelete } from './delete-records.js';
export type {
  AlterConfigOperation,
  ConfigResource,
  ConfigResourceDescription,
  ConfigResourceKind,
} from './config-resources.js';
export type { ConfigEntry, ConfigSourceName } from './config-entry.js';

export interface NewTopic {
  name: string;
  /** @default the broker's num.partitions (when no replicaAssignment) */
  numPartitions?: number;
  /** @default the broker's default.replication.factor (when no replicaAssignment) */
  replicationFactor?: number;
  /** Partition number → broker ids of its replicas, the first being the preferred leader. */
  replicaAssignment?: Readonly<Record<number, readonly number[]>>;
  /** Topic config overrides, e.g. { 'cleanup.policy': 'compact' }. */
  configs?: Readonly<Record<string, string>>;
}

export interface CreatedTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
}

/** A partition being reassigned (Kafka's PartitionReassignment). */
export interface OngoingPartitionReassignment {
  topic: string;
  partition: number;
  /** The whole current replica set: the target replicas, then those being removed. */
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface AdminCallOptions {
  /** Bound of the call, retries included. Unit: ms. @default default.api.timeout.ms */
  timeoutMs?: number;
}

export interface PartitionDescription {
  partition: number;
  /** -1 when the partition has no leader. */
  leader: number;
  leaderEpoch: number;
  replicas: readonly number[];
  isr: readonly number[];
  offlineReplicas: readonly number[];
}

export interface TopicDescription {
  name: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
}

export interface NewPartitions {
  topic: string;
  /** The new total partition count. */
  count: number;
  /** Broker ids for each NEW partition, in order. @default placed by the controller */
  assignments?: ReadonlyArray<readonly number[]>;
}

export interface ConsumerGroupListing {
  groupId: string;
  /** 'consumer' for consumer groups. */
  protocolType: string;
  /** Kafka's state names: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead. */
  state: string;
}

export interface ConsumerGroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The assignor the group chose (range, roundrobin, sticky, cooperative-sticky); '' without members. */
  partitionAssignor: string;
  /** Broker id of the group's coordinator. */
  coordinator: number;
  members: Array<{
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    assignment: TopicPartitionRef[];
  }>;
}

export interface ClusterDescription {
  clusterId: string;
  /** -1 when no controller is known. */
  controllerId: number;
  brokers: Array<{ nodeId: number; host: string; port: number; rack: string | null }>;
}

export interface BrokerLogDirs {
  nodeId: number;
  logDirs: Array<{
    logDir: string;
    error: ApiError | null;
    /** isFuture: a replica moving into this dir (AlterReplicaLogDirs); its offsetLag is how far it trails the current one. */
    partitions: Array<{ topic: string; partition: number; size: number; offsetLag: number; isFuture: boolean }>;
  }>;
}

/** One replica to move into a log dir of its broker (Kafka's TopicPartitionReplica and the dir). */
export interface ReplicaLogDirMove {
  topic: string;
  partition: number;
  broker: number;
  /** An absolute path among the broker's log.dirs. */
  logDir: string;
}

export interface BrokerApiVersions {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  /** Absent when the broker did not answer; then `error` says why. */
  apis?: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
  error?: Error;
}

/** Which offset `listOffsets` looks up: the log start, the end, or the first at or after a timestamp (ms). */
export type OffsetSpec = 'earliest' | 'latest' | number;

export interface ListedOffset {
  topic: string;
  partition: number;
  /** -1 when no record has a timestamp at or after the one asked. */
  offset: number;
  /** The found record's timestamp; -1 for earliest/latest. */
  timestamp: number;
}

/** `label: message`, unless the broker's message already names what it concerns ("Topic 'x' already exists."). */
function labelledMessage(label: string, message: string): string {
  return message.toLowerCase().startsWith(label.toLowerCase()) ? message : `${label}: ${message}`;
}

export class Admin {
  readonly options: ResolvedAdminOptions;
  private readonly time: Time;
  private readonly cluster: ClientCluster;
  private readonly backoff: ExponentialBackoff;
  private readonly transactionsAdmin: TransactionsAdmin;
  private readonly lifecycle = new ClientLifecycle('Admin');

  constructor(options: AdminOptions) {
    const o = resolveAdminOptions(options);
    this.options = o;
    this.time = o.time;
    this.backoff = new ExponentialBackoff(o['retry.backoff.ms'], o['retry.backoff.ms'] * 10);
    this.cluster = ClientCluster.fromClientOptions(
      o,
      { maxInFlightRequests: 5, allowAutoTopicCreation: false },
      'admin client',
    );
    this.transactionsAdmin = new TransactionsAdmin(this.cluster);
  }

  /** Fetches the cluster's metadata; rejects with TimeoutError when no bootstrap server answers in time. */
  async connect(): Promise<void> {
    await this.lifecycle.connect(() =>
      this.cluster.connect(
        this.time.hiResMs() + this.options['default.api.timeout.ms'],
        `default.api.timeout.ms=${this.options['default.api.timeout.ms']}`,
      ),
    );
  }

  async close(): Promise<void> {
    if (this.lifecycle.beginClose() === null) return;
    await this.cluster.close();
    this.lifecycle.closed();
  }

  /** Creates topics; resolves with the partition count and replication factor each got. */
  async createTopics(
    topics: readonly NewTopic[],
    options: AdminCallOptions & { validateOnly?: boolean } = {},
  ): Promise<CreatedTopic[]> {
    const bodies = topics.map(toCreatableTopic);
    const created = new Map<string, CreatedTopic>();
    let pending = bodies;
    await this.withRetries('CreateTopics', options, async (remainingMs) => {
      const response = await this.cluster.sendToController(ApiKey.CreateTopics, {
        topics: pending,
        timeoutMs: this.brokerTimeoutMs(remainingMs),
        validateOnly: options.validateOnly ?? false,
      });
      const retriable = this.collect(
        response.topics,
        (t) => `Topic '${t.name}'`,
        (t) => {
          created.set(t.name, { name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor });
        },
      );
      pending = pending.filter((t) => !created.has(t.name));
      if (retriable !== null) throw retriable;
    });
    return topics.map((t) => created.get(t.name)!);
  }

  /** Deletes topics. */
  async deleteTopics(names: readonly string[], options: AdminCallOptions = {}): Promise<void> {
    const done = new Set<string>();
    await this.withRetries('DeleteTopics', options, async (remainingMs) => {
      const response = await this.cluster.sendToController(ApiKey.DeleteTopics, {
        topicNames: names.filter((n) => !done.has(n)),
        timeoutMs: this.brokerTimeoutMs(remainingMs),
      });
      const retriable = this.collect(
        response.responses,
        (t) => `Topic '${t.name}'`,
        (t) => done.add(t.name),
      );
      if (retriable !== null) throw retriable;
    });
  }

  /** Adds partitions to topics. */
  async createPartitions(
    requests: readonly NewPartitions[],
    options: AdminCallOptions & { validateOnly?: boolean } = {},
  ): Promise<void> {
    const done = new Set<string>();
    await this.withRetries('CreatePartitions', options, async (remainingMs) => {
      const topics = requests
        .filter((r) => !done.has(r.topic))
        .map((r) => ({
          name: r.topic,
          count: r.count,
          assignments:
            r.assignments === undefined ? null : r.assignments.map((brokerIds) => ({ brokerIds: [...brokerIds] })),
        }));
      const response = await this.cluster.sendToController(ApiKey.CreatePartitions, {
        topics,
        timeoutMs: this.brokerTimeoutMs(remainingMs),
        validateOnly: options.validateOnly ?? false,
      });
      const retriable = this.collect(
        response.results,
        (t) => `Topic '${t.name}'`,
        (t) => done.add(t.name),
      );
      if (retriable !== null) throw retriable;
    });
  }

  /** Names of all topics, internal ones only when asked. */
  async listTopics(options: AdminCallOptions & { includeInternal?: boolean } = {}): Promise<string[]> {
    return this.withRetries('ListTopics', options, async () => {
      const response = await this.cluster.sendToAny(ApiKey.Metadata, { topics: null, allowAutoTopicCreation: false });
      return response.topics
        .filter((t) => t.errorCode === ErrorCode.NONE && (options.includeInternal === true || !t.isInternal))
        .map((t) => t.name)
        .sort();
    });
  }

  /** Partitions, leaders, replicas and ISR of topics; rejects with UNKNOWN_TOPIC_OR_PARTITION for a missing one. */
  async describeTopics(names: readonly string[], options: AdminCallOptions = {}): Promise<TopicDescription[]> {
    const response = await this.withRetries('DescribeTopics', options, () =>
      this.cluster.sendToAny(ApiKey.Metadata, {
        topics: names.map((name) => ({ name })),
        allowAutoTopicCreation: false,
      }),
    );
    // A topic's error is final here, as in Kafka's describeTopics: the metadata answer is the description.
    return names.map((name) => {
      const t = response.topics.find((x) => x.name === name);
      if (t === undefined || t.errorCode !== ErrorCode.NONE) {
        const error = apiErrorFromCode(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        throw new ApiError(error.errorName, `Topic '${name}': ${error.message}`);
      }
      return {
        name,
        isInternal: t.isInternal,
        partitions: [...t.partitions]
          .sort((a, b) => a.partitionIndex - b.partitionIndex)
          .map((p) => ({
            partition: p.partitionIndex,
            leader: p.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
            offlineReplicas: p.offlineReplicas,
          })),
      };
    });
  }

  /** The cluster id, the controller and the live brokers. */
  async describeCluster(options: AdminCallOptions = {}): Promise<ClusterDescription> {
    return this.withRetries('DescribeCluster', options, async () => {
      const response = await this.cluster.sendToAny(ApiKey.DescribeCluster, {
        includeClusterAuthorizedOperations: false,
      });
      if (response.errorCode !== ErrorCode.NONE)
        throw apiErrorFromCode(response.errorCode, response.errorMessage ?? undefined);
      return {
        clusterId: response.clusterId,
        controllerId: response.controllerId,
        brokers: response.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
      };
    });
  }

  /** The effective configs of topics and brokers, with where each value comes from. `keys` limits the names. */
  async describeConfigs(
    resources: ReadonlyArray<ConfigResource & { keys?: readonly string[] }>,
    options: AdminCallOptions = {},
  ): Promise<ConfigResourceDescription[]> {
    const results = await Promise.all(
      groupByTarget(resources).map(([nodeId, group]) =>
        this.withRetries('DescribeConfigs', options, async () => {
          const response = await sendToTarget(this.cluster, nodeId, ApiKey.DescribeConfigs, {
            resources: group.map((r) => ({
              ...resourceRef(r),
              configurationKeys: r.keys === undefined ? null : [...r.keys],
            })),
            includeSynonyms: true,
            includeDocumentation: false,
          });
          return response.results.map(toDescription);
        }),
      ),
    );
    return results.flat();
  }

  /**
   * Replaces the dynamic config overrides of each resource with `configs` (Kafka's non-incremental AlterConfigs:
   * keys left out lose their override; a null value removes one).
   */
  async alterConfigs(
    resources: ReadonlyArray<ConfigResource & { configs: Readonly<Record<string, string | null>> }>,
    options: AdminCallOptions & { validateOnly?: boolean } = {},
  ): Promise<void> {
    await Promise.all(
      groupByTarget(resources).map(([nodeId, group]) =>
        this.withRetries('AlterConfigs', options, async () => {
          const response = await sendToTarget(this.cluster, nodeId, ApiKey.AlterConfigs, {
            resources: group.map((r) => ({
              ...resourceRef(r),
              configs: Object.entries(r.configs).map(([name, value]) => ({ name, value })),
            })),
            validateOnly: options.validateOnly ?? false,
          });
          for (const r of response.responses) if (r.errorCode !== ErrorCode.NONE) throw resourceError(r);
        }),
      ),
    );
  }

  /**
   * Changes single config keys of topics and brokers (Kafka's incrementalAlterConfigs, KIP-339): SET, DELETE, and
   * APPEND / SUBTRACT on list keys; the others keep their overrides. A broker resource ('<id>', or '' for the
   * cluster-wide default) takes dynamic broker keys only (`log.retention.hours`, `num.replica.fetchers`, ...); a
   * static one is refused with INVALID_CONFIG and the reason. Rejects with the first resource's error.
   */
  async incrementalAlterConfigs(
    resources: ReadonlyArray<ConfigResource & { ops: readonly AlterConfigOperation[] }>,
    options: AdminCallOptions & { validateOnly?: boolean } = {},
  ): Promise<void> {
    await Promise.all(
      groupByTarget(resources).map(([nodeId, group]) =>
        this.withRetries('IncrementalAlterConfigs', options, async () => {
          const response = await sendToTarget(this.cluster, nodeId, ApiKey.IncrementalAlterConfigs, {
            resources: group.map((r) => ({ ...resourceRef(r), configs: r.ops.map(operationBody) })),
            validateOnly: options.validateOnly ?? false,
          });
          for (const r of response.responses) if (r.errorCode !== ErrorCode.NONE) throw resourceError(r);
        }),
      ),
    );
  }

  /**
   * The API versions each live broker serves (its ApiVersions answer), for kafka-broker-api-versions; a broker
   * that does not answer in time gets `error` instead of `apis`.
   */
  async describeBrokerApiVersions(options: AdminCallOptions = {}): Promise<BrokerApiVersions[]> {
    const { brokers } = await this.describeCluster(options);
    return Promise.all(
      brokers.map(async (b): Promise<BrokerApiVersions> => {
        try {
          const res = await this.withRetries('ApiVersions', options, () =>
            this.cluster.send(b.nodeId, ApiKey.ApiVersions, {
              clientSoftwareName: 'mq-client',
              clientSoftwareVersion: '',
            }),
          );
          if (res.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(res.errorCode);
          return {
            ...b,
            apis: res.apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion })),
          };
        } catch (e) {
          return { ...b, error: e as Error };
        }
      }),
    );
  }

  /**
   * Each broker's log dirs with the size and high-watermark lag of every replica in them (Kafka's describeLogDirs);
   * `brokerIds` limits the brokers (default: all live ones).
   */
  async describeLogDirs(brokerIds?: readonly number[], options: AdminCallOptions = {}): Promise<BrokerLogDirs[]> {
    const ids = brokerIds ?? (await this.describeCluster(options)).brokers.map((b) => b.nodeId);
    return Promise.all(
      ids.map((nodeId) =>
        this.withRetries('DescribeLogDirs', options, async () => {
          const res = await this.cluster.send(nodeId, ApiKey.DescribeLogDirs, { topics: null });
          return {
            nodeId,
            logDirs: res.results.map((d) => ({
              logDir: d.logDir,
              error: d.errorCode === ErrorCode.NONE ? null : apiErrorFromCode(d.errorCode),
              partitions: d.topics.flatMap((t) =>
                t.partitions.map((p) => ({
                  topic: t.name,
                  partition: p.partitionIndex,
                  size: p.partitionSize,
                  offsetLag: p.offsetLag,
                  isFuture: p.isFutureKey,
                })),
              ),
            })),
          };
        }),
      ),
    );
  }

  /**
   * Moves replicas into other log dirs of their brokers (Kafka's alterReplicaLogDirs, KIP-113): one
   * AlterReplicaLogDirs request per broker. Resolves with each replica's outcome: error null once its move has started
   * (or it is already there), else REPLICA_NOT_AVAILABLE (the broker does not host it yet: it will create it in that
   * dir; retry once it does), LOG_DIR_NOT_FOUND, KAFKA_STORAGE_ERROR, CLUSTER_AUTHORIZATION_FAILED.
   */
  async alterReplicaLogDirs(
    moves: readonly ReplicaLogDirMove[],
    options: AdminCallOptions = {},
  ): Promise<Array<ReplicaLogDirMove & { error: ApiError | null }>> {
    const byBroker = new Map<number, ReplicaLogDirMove[]>();
    for (const m of moves) byBroker.set(m.broker, [...(byBroker.get(m.broker) ?? []), m]);
    const answers = await Promise.all(
      [...byBroker].map(([broker, ms]) =>
        this.withRetries('AlterReplicaLogDirs', options, async () => {
          const dirs = new Map<string, Map<string, number[]>>();
          for (const m of ms) {
            const topics = dirs.get(m.logDir) ?? new Map<string, number[]>();
            dirs.set(m.logDir, topics);
            topics.set(m.topic, [...(topics.get(m.topic) ?? []), m.partition]);
          }
          const res = await this.cluster.send(broker, ApiKey.AlterReplicaLogDirs, {
            dirs: [...dirs].map(([path, topics]) => ({
              path,
              topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
            })),
          });
          const codes = new Map<string, number>();
          for (const t of res.results)
            for (const p of t.partitions) codes.set(`${t.topicName}-${p.partitionIndex}`, p.errorCode);
          return ms.map((m) => {
            const code = codes.get(`${m.topic}-${m.partition}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
            return { ...m, error: code === ErrorCode.NONE ? null : apiErrorFromCode(code) };
          });
        }),
      ),
    );
    return answers.flat();
  }

  /**
   * What delayed delivery holds, per `__delayed_records` partition as its leader reports it: pending records per
   * target partition with their earliest due time, the next due slots, and delivery progress (mq's own
   * DescribeDelayedRecords, asked of every live broker). A partition without a live leader is absent.
   */
  async describeDelayedRecords(options: AdminCallOptions = {}): Promise<DelayPartitionState[]> {
    const ids = (await this.describeCluster(options)).brokers.map((b) => b.nodeId);
    const answers = await Promise.all(
      ids.map((nodeId) =>
        this.withRetries('DescribeDelayedRecords', options, () =>
          this.cluster.send(nodeId, ApiKey.DescribeDelayedRecords, { partitions: null }),
        ),
      ),
    );
    return mergeDelayPartitions(answers);
  }

  /** Offsets of partitions by spec: 'earliest' (log start), 'latest' (end), or a timestamp in ms. */
  async listOffsets(
    queries: ReadonlyArray<{ topic: string; partition: number; spec: OffsetSpec }>,
    options: AdminCallOptions & { isolationLevel?: 'read_uncommitted' | 'read_committed' } = {},
  ): Promise<ListedOffset[]> {
    this.lifecycle.requireConnected('listOffsets()');
    const lookups = queries.map(({ topic, partition, spec }) => {
      if (spec !== 'earliest' && spec !== 'latest' && !(Number.isSafeInteger(spec) && spec >= 0)) {
        throw new InvalidArgumentError(
          `Invalid offset spec ${JSON.stringify(spec)} for ${topic}-${partition}: use ` +
            "'earliest', 'latest' or a timestamp in ms >= 0.",
        );
      }
      return {
        topic,
        partition,
        timestamp: spec === 'earliest' ? EARLIEST_TIMESTAMP : spec === 'latest' ? LATEST_TIMESTAMP : spec,
      };
    });
    const answers = await listOffsets(lookups, {
      cluster: this.cluster,
      time: this.time,
      deadlineMs: this.deadlineMs(options),
      retryBackoffMs: this.options['retry.backoff.ms'],
      isolationLevel: options.isolationLevel === 'read_committed' ? 1 : 0,
    });
    return lookups.map(({ topic, partition }) => {
      const a = answers.get(offsetKey(topic, partition))!;
      return { topic, partition, offset: a.offset, timestamp: a.timestamp };
    });
  }

  /**
   * Deletes the records of partitions before the given offsets (Kafka's deleteRecords; -1: before the high
   * watermark): each leader raises the log start offset, deletes the segments below it and answers once its live
   * followers have done the same. Resolves with each partition's low watermark, or its error (OFFSET_OUT_OF_RANGE
   * above the high watermark, POLICY_VIOLATION for a compacted topic, a TimeoutError at the deadline, ...).
   */
  async deleteRecords(entries: readonly RecordsToDelete[], options: AdminCallOptions = {}): Promise<DeletedRecords[]> {
    this.lifecycle.requireConnected('deleteRecords()');
    return deleteRecords(entries, {
      cluster: this.cluster,
      time: this.time,
      deadlineMs: this.deadlineMs(options),
      retryBackoffMs: this.options['retry.backoff.ms'],
      brokerTimeoutMs: (remainingMs) => this.brokerTimeoutMs(remainingMs),
    });
  }

  /**
   * Elects leaders (Kafka's electLeaders, KIP-460): 'preferred' moves leadership to each partition's first replica
   * when it is alive and in sync; 'unclean' gives a partition without a live leader its first live replica, in sync
   * or not (records may be lost). `partitions` null means every partition of the cluster; the answer then lists
   * only the partitions that needed an election. Sent to the controller (again, after a metadata refresh, for the
   * partitions a stale controller answered NOT_CONTROLLER). Resolves with each partition's outcome: error null,
   * ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION...
   */
  async electLeaders(
    electionType: 'preferred' | 'unclean',
    partitions: readonly TopicPartitionRef[] | null,
    options: AdminCallOptions = {},
  ): Promise<Array<TopicPartitionRef & { error: ApiError | null }>> {
    const results = new Map<string, TopicPartitionRef & { error: ApiError | null }>();
    let pending = partitions;
    await this.withRetries('ElectLeaders', options, async (remainingMs) => {
      const byTopic = new Map<string, number[]>();
      for (const p of pending ?? []) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      const response = await this.cluster.sendToController(ApiKey.ElectLeaders, {
        electionType: electionType === 'unclean' ? ElectionType.Unclean : ElectionType.Preferred,
        topicPartitions: pending === null ? null : [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps })),
        timeoutMs: this.brokerTimeoutMs(remainingMs),
      });
      if (response.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(response.errorCode);
      const stale: TopicPartitionRef[] = [];
      for (const t of response.replicaElectionResults) {
        for (const r of t.partitionResult) {
          const tp = { topic: t.topic, partition: r.partitionId };
          const error =
            r.errorCode === ErrorCode.NONE
              ? null
              : new ApiError(
                  apiErrorFromCode(r.errorCode).errorName,
                  labelledMessage(
                    `${tp.topic}-${tp.partition}`,
                    r.errorMessage ?? apiErrorFromCode(r.errorCode).message,
                  ),
                );
          if (error?.errorName === 'NOT_CONTROLLER') stale.push(tp);
          results.set(`${tp.topic}-${tp.partition}`, { ...tp, error });
        }
      }
      if (stale.length > 0) {
        pending = pending === null && stale.length === results.size ? null : stale;
        throw new ApiError(
          'NOT_CONTROLLER',
          `The controller moved while electing leaders of ${stale.length} partition(s).`,
        );
      }
    });
    return partitions === null
      ? [...results.values()]
      : partitions.map(
          (p) =>
            results.get(`${p.topic}-${p.partition}`) ?? {
              ...p,
              error: new ApiError(
                'UNKNOWN_SERVER_ERROR',
                `The controller did not answer for ${p.topic}-${p.partition}.`,
              ),
            },
        );
  }

  /**
   * Starts, replaces or cancels partition reassignments (Kafka's alterPartitionReassignments, KIP-455): `replicas`
   * is the target replica list, preferred leader first, or null to cancel the partition's pending move (it goes back
   * to its original replicas). Sent to the controller, again after a metadata refresh when it moved. Resolves once
   * each move has started (listPartitionReassignments shows what is still moving), with each partition's outcome:
   * error null, INVALID_REPLICA_ASSIGNMENT, NO_REASSIGNMENT_IN_PROGRESS, UNKNOWN_TOPIC_OR_PARTITION...
   */
  async alterPartitionReassignments(
    reassignments: ReadonlyArray<TopicPartitionRef & { replicas: readonly number[] | null }>,
    options: AdminCallOptions = {},
  ): Promise<Array<TopicPartitionRef & { error: ApiError | null }>> {
    const topics = groupByTopic(reassignments, (r) => ({
      partitionIndex: r.partition,
      replicas: r.replicas === null ? null : [...r.replicas],
    })).map(({ name, items }) => ({ name, partitions: items }));
    const response = await this.withRetries('AlterPartitionReassignments', options, async (remainingMs) => {
      const res = await this.cluster.sendToController(ApiKey.AlterPartitionReassignments, {
        timeoutMs: this.brokerTimeoutMs(remainingMs),
        topics,
      });
      if (res.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(res.errorCode, res.errorMessage ?? undefined);
      return res;
    });
    const errors = new Map<string, ApiError | null>();
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const label = `${t.name}-${p.partitionIndex}`;
        errors.set(
          label,
          p.errorCode === ErrorCode.NONE
            ? null
            : new ApiError(
                apiErrorFromCode(p.errorCode).errorName,
                labelledMessage(label, p.errorMessage ?? apiErrorFromCode(p.errorCode).message),
              ),
        );
      }
    }
    return reassignments.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      error:
        errors.get(`${r.topic}-${r.partition}`) ??
        (errors.has(`${r.topic}-${r.partition}`)
          ? null
          : new ApiError('UNKNOWN_SERVER_ERROR', `The controller did not answer for ${r.topic}-${r.partition}.`)),
    }));
  }

  /**
   * The partitions being reassigned (Kafka's listPartitionReassignments): every one when `partitions` is null, else
   * those of `partitions` that are moving. Each with its whole replica set (targets first, then those being removed)
   * and the replicas being added and removed. Asked of the controller.
   */
  async listPartitionReassignments(
    partitions: readonly TopicPartitionRef[] | null = null,
    options: AdminCallOptions = {},
  ): Promise<OngoingPartitionReassignment[]> {
    const topics =
      partitions === null
        ? null
        : groupByTopic(partitions, (p) => p.partition).map(({ name, items }) => ({ name, partitionIndexes: items }));
    const response = await this.withRetries('ListPartitionReassignments', options, async (remainingMs) => {
      const res = await this.cluster.sendToController(ApiKey.ListPartitionReassignments, {
        timeoutMs: this.brokerTimeoutMs(remainingMs),
        topics,
      });
      if (res.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(res.errorCode, res.errorMessage ?? undefined);
      return res;
    });
    return response.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        replicas: p.replicas,
        addingReplicas: p.addingReplicas,
        removingReplicas: p.removingReplicas,
      })),
    );
  }

  /** Every consumer group of the cluster: ListGroups to each broker (each knows the groups it coordinates). */
  async listConsumerGroups(options: AdminCallOptions = {}): Promise<ConsumerGroupListing[]> {
    const byBroker = await this.withRetries('ListGroups', options, async () => {
      await this.cluster.refresh();
      return Promise.all(
        [...this.cluster.metadata.brokers.keys()].map(async (nodeId) => {
          const res = await this.cluster.send(nodeId, ApiKey.ListGroups, { statesFilter: [] });
          if (res.errorCode !== ErrorCode.NONE)
            throw apiErrorFromCode(res.errorCode, `Broker ${nodeId} cannot list its groups yet`);
          return res.groups;
        }),
      );
    });
    return byBroker
      .flat()
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState }))
      .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /**
   * State, assignor and members of consumer groups, each member with the partitions assigned to it, as its
   * coordinator describes them; an unknown group is described as Dead with no members, as in Kafka.
   */
  async describeConsumerGroups(
    groupIds: readonly string[],
    options: AdminCallOptions = {},
  ): Promise<ConsumerGroupDescription[]> {
    this.lifecycle.requireConnected('describeConsumerGroups()');
    return Promise.all(
      groupIds.map((groupId) =>
        this.groupOffsets(groupId, options).withCoordinator('DescribeGroups', async (nodeId) => {
          const res = await this.cluster.sendToCoordinator(nodeId, ApiKey.DescribeGroups, {
            groups: [groupId],
            includeAuthorizedOperations: false,
          });
          const g = res.groups[0]!;
          if (g.errorCode !== ErrorCode.NONE)
            throw apiErrorFromCode(g.errorCode, `Group '${groupId}': ${apiErrorFromCode(g.errorCode).message}`);
          return {
            groupId,
            state: g.groupState,
            protocolType: g.protocolType,
            partitionAssignor: g.protocolData,
            coordinator: nodeId,
            members: g.members.map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              assignment:
                g.protocolType === CONSUMER_PROTOCOL_TYPE ? decodeAssignment(m.memberAssignment).partitions : [],
            })),
          };
        }),
      ),
    );
  }

  /** A group's committed offsets: of `partitions`, or every one it has (offset -1 where none was committed). */
  async listConsumerGroupOffsets(
    groupId: string,
    partitions?: readonly TopicPartitionRef[],
    options: AdminCallOptions = {},
  ): Promise<CommittedOffset[]> {
    this.lifecycle.requireConnected('listConsumerGroupOffsets()');
    return this.groupOffsets(groupId, options).fetch(partitions ?? 'all');
  }

  /**
   * A group's lag per committed partition in records and in time, computed by its coordinator (mq's own
   * DescribeGroupLag): the age of the oldest record the group has not consumed, time since the commit and, with
   * `offsetHistory`, the last commits kept. Rejects with GROUP_ID_NOT_FOUND when the group has no committed offsets.
   */
  async describeConsumerGroupLag(
    groupId: string,
    options: AdminCallOptions & { offsetHistory?: boolean } = {},
  ): Promise<PartitionLagTime[]> {
    this.lifecycle.requireConnected('describeConsumerGroupLag()');
    return this.groupOffsets(groupId, options).withCoordinator('DescribeGroupLag', async (nodeId) => {
      const res = await this.cluster.send(nodeId, ApiKey.DescribeGroupLag, {
        groupId,
        includeHistory: options.offsetHistory === true,
      });
      if (res.errorCode !== ErrorCode.NONE) throw apiErrorFromCode(res.errorCode);
      return res.partitions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        error: p.errorCode === ErrorCode.NONE ? null : apiErrorFromCode(p.errorCode),
        committedOffset: p.committedOffset,
        commitTimestamp: p.commitTimestamp,
        highWatermark: p.highWatermark,
        lag: p.lag,
        oldestUnconsumedTimestamp: p.oldestUnconsumedTimestamp,
        lagMs: p.lagMs,
        sinceCommitMs: Math.max(0, res.nowMs - p.commitTimestamp),
        history: p.history,
      }));
    });
  }

  /**
   * Sets a group's committed offsets (Kafka's alterConsumerGroupOffsets, behind `mq-admin groups --reset-offsets`).
   * Only for a group without active members: the coordinator refuses the commit (UNKNOWN_MEMBER_ID) while one has.
   */
  async alterConsumerGroupOffsets(
    groupId: string,
    offsets: readonly OffsetToCommit[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    this.lifecycle.requireConnected('alterConsumerGroupOffsets()');
    await this.groupOffsets(groupId, options).commit(offsets);
  }

  /**
   * Deletes a group's committed offsets of `partitions` (Kafka's deleteConsumerGroupOffsets): allowed for a group
   * without members, and for topics an active consumer group does not subscribe to. Resolves with each partition's
   * outcome (`error` GROUP_SUBSCRIBED_TO_TOPIC where refused); rejects with a group-level error (GROUP_ID_NOT_FOUND).
   */
  async deleteConsumerGroupOffsets(
    groupId: string,
    partitions: readonly TopicPartitionRef[],
    options: AdminCallOptions = {},
  ): Promise<Array<TopicPartitionRef & { error: ApiError | null }>> {
    this.lifecycle.requireConnected('deleteConsumerGroupOffsets()');
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    return this.groupOffsets(groupId, options).withCoordinator('OffsetDelete', async (nodeId) => {
      const res = await this.cluster.sendToCoordinator(nodeId, ApiKey.OffsetDelete, {
        groupId,
        topics: [...byTopic].map(([name, ps]) => ({
          name,
          partitions: ps.map((partitionIndex) => ({ partitionIndex })),
        })),
      });
      if (res.errorCode !== ErrorCode.NONE)
        throw apiErrorFromCode(res.errorCode, `Group '${groupId}': ${apiErrorFromCode(res.errorCode).message}`);
      return res.topics.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          error: p.errorCode === ErrorCode.NONE ? null : apiErrorFromCode(p.errorCode),
        })),
      );
    });
  }

  /** Adds ACL bindings (Kafka's createAcls); SECURITY_DISABLED when the brokers have no authorizer. */
  async createAcls(bindings: readonly AclBinding[], options: AdminCallOptions = {}): Promise<void> {
    await this.withRetries('CreateAcls', options, () => createAcls(this.cluster, bindings));
  }

  /** The ACL bindings matching a filter (Kafka's describeAcls). */
  async describeAcls(filter: AclBindingFilter, options: AdminCallOptions = {}): Promise<AclBinding[]> {
    return this.withRetries('DescribeAcls', options, () => describeAcls(this.cluster, filter));
  }

  /** Removes the bindings matching each filter (Kafka's deleteAcls); resolves with what each filter removed. */
  async deleteAcls(filters: readonly AclBindingFilter[], options: AdminCallOptions = {}): Promise<AclBinding[][]> {
    return this.withRetries('DeleteAcls', options, () => deleteAcls(this.cluster, filters));
  }

  /** Which SCRAM mechanisms each user (or every user) has credentials for, with their iterations. */
  async describeUserScramCredentials(
    users?: readonly string[],
    options: AdminCallOptions = {},
  ): Promise<UserScramCredentials[]> {
    return this.withRetries('DescribeUserScramCredentials', options, () =>
      describeUserScramCredentials(this.cluster, users),
    );
  }

  /** Creates, changes or deletes SCRAM credentials; passwords are salted here and never sent. */
  async alterUserScramCredentials(
    alterations: readonly ScramCredentialAlteration[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    await this.withRetries('AlterUserScramCredentials', options, () =>
      alterUserScramCredentials(this.cluster, alterations),
    );
  }

  /** The quotas of the user and client-id entities matching a filter (Kafka's describeClientQuotas). */
  async describeClientQuotas(filter: ClientQuotaFilter, options: AdminCallOptions = {}): Promise<ClientQuotaEntry[]> {
    return this.withRetries('DescribeClientQuotas', options, () => describeClientQuotas(this.cluster, filter));
  }

  /** Sets (a number) or removes (null) quota keys of user and client-id entities (Kafka's alterClientQuotas). */
  async alterClientQuotas(
    alterations: readonly ClientQuotaAlteration[],
    options: AdminCallOptions = {},
  ): Promise<void> {
    await this.withRetries('AlterClientQuotas', options, () => alterClientQuotas(this.cluster, alterations));
  }

  /** Deletes groups without members and their offsets; NON_EMPTY_GROUP while one has members. */
  async deleteConsumerGroups(groupIds: readonly string[], options: AdminCallOptions = {}): Promise<void> {
    this.lifecycle.requireConnected('deleteConsumerGroups()');
    await Promise.all(
      groupIds.map((groupId) =>
        this.groupOffsets(groupId, options).withCoordinator('DeleteGroups', async (nodeId) => {
          const res = await this.cluster.sendToCoordinator(nodeId, ApiKey.DeleteGroups, { groupsNames: [groupId] });
          const errorCode = res.results[0]!.errorCode;
          if (errorCode !== ErrorCode.NONE)
            throw apiErrorFromCode(errorCode, `Group '${groupId}': ${apiErrorFromCode(errorCode).message}`);
        }),
      ),
    );
  }

  /** The transactional ids every broker coordinates, optionally of some states or producer ids only (KIP-664). */
  listTransactions(
    filters: { states?: readonly string[]; producerIds?: readonly number[] } = {},
    options: AdminCallOptions = {},
  ): Promise<TransactionListing[]> {
    return this.transactionsAdmin.listTransactions(this.runner(options), filters);
  }

  /** Transactional ids as their coordinators describe them; rejects with TRANSACTIONAL_ID_NOT_FOUND for an unknown one. */
  describeTransactions(
    transactionalIds: readonly string[],
    options: AdminCallOptions = {},
  ): Promise<TransactionDescription[]> {
    return this.transactionsAdmin.describeTransactions(this.runner(options), transactionalIds);
  }

  /** The producers each partition's leader (or replica on `brokerId`) knows, with their open transactions. */
  describeProducers(
    partitions: readonly TopicPartitionRef[],
    options: AdminCallOptions & { brokerId?: number } = {},
  ): Promise<PartitionProducerState[]> {
    return this.transactionsAdmin.describeProducers(this.runner(options), partitions, options.brokerId);
  }

  /** Writes an ABORT marker for a (hanging) transaction to the partition's leader, as its coordinator would. */
  abortTransaction(spec: AbortTransactionSpec, options: AdminCallOptions = {}): Promise<void> {
    return this.transactionsAdmin.abortTransaction(this.runner(options), spec);
  }

  /** The retry loop of one call, for the operations other files implement. */
  private runner(options: AdminCallOptions): <T>(what: string, fn: () => Promise<T>) => Promise<T> {
    return (what, fn) => this.withRetries(what, options, fn);
  }

  /** Coordinator routing and offsets of one group, with this call's deadline. */
  private groupOffsets(groupId: string, options: AdminCallOptions): GroupOffsets {
    return new GroupOffsets({
      cluster: this.cluster,
      groupId,
      time: this.time,
      retryBackoffMs: this.options['retry.backoff.ms'],
      apiTimeoutMs: options.timeoutMs ?? this.options['default.api.timeout.ms'],
    });
  }

  /**
   * Runs one admin operation with retries: retriable errors refresh metadata when they say it is stale (also
   * NOT_CONTROLLER) and are retried with backoff until the call's deadline. `fn` gets the time left, in ms.
   */
  private withRetries<T>(what: string, options: AdminCallOptions, fn: (remainingMs: number) => Promise<T>): Promise<T> {
    this.lifecycle.requireConnected(what);
    const deadlineMs = this.deadlineMs(options);
    return retry(() => fn(Math.max(0, deadlineMs - this.time.hiResMs())), {
      what,
      time: this.time,
      deadlineMs,
      backoff: this.backoff,
      retries: this.options.retries,
      onRetriableError: async (error) => {
        if (isStaleMetadata(error))
          await this.cluster.refresh().catch(() => {
            /* the next attempt reports it */
          });
      },
    });
  }

  /**
   * Walks per-item results: calls `onSuccess` for items without error, throws the first non-retriable error
   * (prefixed with `label(item)`), and returns the last retriable one (null when none), for the caller to retry.
   */
  private collect<T extends { errorCode: number; errorMessage: string | null }>(
    items: readonly T[],
    label: (item: T) => string,
    onSuccess: (item: T) => void,
  ): ApiError | null {
    let retriable: ApiError | null = null;
    for (const item of items) {
      if (item.errorCode === ErrorCode.NONE) {
        onSuccess(item);
        continue;
      }
      const error = apiErrorFromCode(item.errorCode, item.errorMessage ?? undefined);
      const labelled = new ApiError(error.errorName, labelledMessage(label(item), error.message));
      if (!error.retriable) throw labelled;
      retriable = labelled;
    }
    return retriable;
  }

  private deadlineMs(options: AdminCallOptions): number {
    return this.time.hiResMs() + (options.timeoutMs ?? this.options['default.api.timeout.ms']);
  }

  /** How long the broker may wait for the change to apply: what is left of the call, at most request.timeout.ms. */
  private brokerTimeoutMs(remainingMs: number): number {
    return Math.max(0, Math.min(Math.floor(remainingMs), this.options['request.timeout.ms']));
  }
}

function toCreatableTopic(t: NewTopic): CreateTopicsRequest['topics'][number] {
  if (typeof t.name !== 'string' || t.name === '') {
    throw new InvalidArgumentError(`A new topic needs a non-empty name; found ${JSON.stringify(t.name)}.`);
  }
  const assignment = t.replicaAssignment;
  if (assignment !== undefined && (t.numPartitions !== undefined || t.replicationFactor !== undefined)) {
    throw new InvalidArgumentError(
      `Topic '${t.name}': give either replicaAssignment or numPartitions/replicationFactor, ` + 'not both.',
    );
  }
  return {
    name: t.name,
    numPartitions: t.numPartitions ?? -1,
    replicationFactor: t.replicationFactor ?? -1,
    assignments:
      assignment === undefined
        ? []
        : Object.entries(assignment).map(([p, brokerIds]) => ({
            partitionIndex: Number(p),
            brokerIds: [...brokerIds],
          })),
    configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
  };
}
