/**
 * Topic administration as Kafka's `ZkAdminManager` + `AdminZkClient` do it: validate a request against Kafka's
 * rules, compute the assignment, and write ZooKeeper; the controller's watches do the rest. Served by request
 * handlers (CreateTopics, CreatePartitions, DeleteTopics, AlterConfigs, DescribeConfigs) and auto topic creation.
 *
 * Writes (none fenced: any broker may create topics, as in Kafka): creation writes /config/topics/<t> then
 * /brokers/topics/<t> with a fresh topic_id (readers tolerate the config alone); new partitions rewrite
 * /brokers/topics/<t> at the version read (count only grows); deletion creates /admin/delete_topics/<t>; config
 * changes rewrite /config/topics/<t> then add a /config/changes notification.
 *
 * Invariants: every topic of a request gets its own result with a Kafka error code (0 = none) and a message that
 * says what was wrong and how to fix it; one bad topic never fails the others. validateOnly runs every check and
 * writes nothing. Explicit assignments at creation are not checked against live brokers (as in Kafka's
 * TopicCommand logic); at partition growth they are.
 *
 * Concurrency: stateless between calls; the topics of one request are handled concurrently (pipelined ZooKeeper
 * operations). Two concurrent creations of one topic: ZooKeeper lets one win, the other gets TOPIC_ALREADY_EXISTS.
 * Ownership: created by the Broker with its KafkaZkClient. Crash: a creation interrupted between its two writes
 * leaves only /config/topics/<t>, which a retry overwrites.
 */
import { ErrorCode, ERROR_CODES } from '../common/error-codes.js';
import { ApiError, InvalidArgumentError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { topicNameProblem } from '../common/topic-partition.js';
import { DEFAULT_LOG_CONFIG, LOG_CONFIG, parseLogConfig } from '../log/log-config.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';
import { isZkError } from '../zk/zk-errors.js';
import { ConfigType, randomKafkaUuid, replicaAssignment, type ReplicaAssignment } from '../zk/zk-paths.js';
import {
  assignReplicasForNewPartitions,
  assignReplicasToBrokers,
  type BrokerMetadata,
  type PartitionAssignment,
} from '../common/replica-assignment.js';

/** -1 in numPartitions / replicationFactor: use the broker default (Kafka's NO_NUM_PARTITIONS / NO_REPLICATION_FACTOR). */
export const USE_BROKER_DEFAULT = -1;

export interface CreatableTopic {
  name: string;
  /** -1: num.partitions. Must be -1 when `assignments` are given. */
  numPartitions: number;
  /** -1: default.replication.factor. Must be -1 when `assignments` are given. */
  replicationFactor: number;
  /** Explicit assignment: partition index → broker ids, preferred leader first. Empty: computed. */
  assignments: readonly { partitionIndex: number; brokerIds: readonly number[] }[];
  /** Topic config overrides (Kafka's topic-level keys). */
  configs: Readonly<Record<string, string>>;
}

export interface CreateTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
  /** -1 on error. */
  numPartitions: number;
  /** -1 on error. */
  replicationFactor: number;
}

export interface NewPartitions {
  name: string;
  /** The new total partition count. */
  count: number;
  /** One replica list per added partition, or null to let the assignment algorithm place them. */
  assignments: readonly (readonly number[])[] | null;
}

export interface TopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

/** Where a described config value comes from (Kafka's ConfigSource). */
export type TopicConfigSource = 'DYNAMIC_TOPIC_CONFIG' | 'STATIC_BROKER_CONFIG' | 'DEFAULT_CONFIG';

export interface TopicConfigEntry {
  name: string;
  value: string;
  source: TopicConfigSource;
}

/** The part of the broker's metadata cache topic creation needs: live brokers with their broker.rack. */
export interface LiveBrokers {
  aliveBrokers(): readonly BrokerMetadata[];
}

export interface TopicAdminOptions {
  zk: KafkaZkClient;
  /** Live brokers, for computed assignments and for checking explicit ones when partitions are added. */
  metadataCache: LiveBrokers;
  /** The broker's defaults of the topic-level keys (`topicConfigDefaults(config)`), as strings. */
  topicDefaults?: Readonly<Record<string, string>>;
  /** delete.topic.enable @default true */
  deleteTopicEnable?: boolean;
  /** num.partitions @default 1 */
  defaultNumPartitions?: number;
  /** default.replication.factor @default 1 */
  defaultReplicationFactor?: number;
  /**
   * Checks topic config overrides; throws (InvalidArgumentError or ApiError) to reject them with INVALID_CONFIG.
   * @default parseLogConfig(configs, topicDefaults): Kafka's LogConfig keys and validators
   */
  validateTopicConfig?: (configs: Readonly<Record<string, string>>) => void;
  logger?: Logger;
}

const DEFAULT_CONFIG_STRINGS: Readonly<Record<string, string>> = LOG_CONFIG.toProperties(DEFAULT_LOG_CONFIG);

export class TopicAdmin {
  private readonly zk: KafkaZkClient;
  private readonly liveBrokers: LiveBrokers;
  private topicDefaults: Readonly<Record<string, string>>;
  private readonly deleteTopicEnable: boolean;
  private readonly defaultNumPartitions: number;
  private readonly defaultReplicationFactor: number;
  private readonly validateTopicConfig: (configs: Readonly<Record<string, string>>) => void;
  private readonly log: Logger;

  constructor(opts: TopicAdminOptions) {
    this.zk = opts.zk;
    this.liveBrokers = opts.metadataCache;
    this.topicDefaults = opts.topicDefaults ?? {};
    this.deleteTopicEnable = opts.deleteTopicEnable ?? true;
    this.defaultNumPartitions = opts.defaultNumPartitions ?? 1;
    this.defaultReplicationFactor = opts.defaultReplicationFactor ?? 1;
    this.validateTopicConfig = opts.validateTopicConfig ?? ((configs) => parseLogConfig(configs, this.topicDefaults));
    this.log = (opts.logger ?? silentLogger).child({ component: 'TopicAdmin' });
  }

  /** New broker-wide defaults of the topic keys (a dynamic broker config changed), for validation and describe. */
  updateTopicDefaults(topicDefaults: Readonly<Record<string, string>>): void {
    this.topicDefaults = topicDefaults;
  }

  /**
   * Creates topics (Kafka's CreateTopics): per topic INVALID_TOPIC_EXCEPTION (name, collision), INVALID_REQUEST
   * (duplicate in the request, counts together with assignments), TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
   * INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG. Resolves once the znodes are written;
   * leaders are elected by the controller afterwards.
   */
  async createTopics(
    topics: readonly CreatableTopic[],
    opts: { validateOnly?: boolean } = {},
  ): Promise<CreateTopicResult[]> {
    const duplicates = duplicateNames(topics.map((t) => t.name));
    const liveBrokers = this.liveBrokers.aliveBrokers();
    const existingTopics = await this.zk.getAllTopics();
    return Promise.all(
      topics.map(async (topic): Promise<CreateTopicResult> => {
        try {
          if (duplicates.has(topic.name)) {
            throw new ApiError('INVALID_REQUEST', `Topic '${topic.name}' appears more than once in the request.`);
          }
          const assignment = this.creationAssignment(topic, liveBrokers);
          await this.validateTopicCreate(topic.name, assignment, topic.configs, existingTopics);
          const replicationFactor = assignment.get(0)!.length;
          if (!opts.validateOnly) {
            await this.zk.createTopic(
              topic.name,
              { topicId: randomKafkaUuid(), partitions: toZkAssignment(assignment) },
              topic.configs,
            );
            this.log.info({ topic: topic.name, partitions: assignment.size, replicationFactor }, 'created topic');
          }
          return {
            name: topic.name,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            numPartitions: assignment.size,
            replicationFactor,
          };
        } catch (e) {
          return { ...this.errorResult(topic.name, e, 'create topic'), numPartitions: -1, replicationFactor: -1 };
        }
      }),
    );
  }

  /**
   * Adds partitions (Kafka's CreatePartitions): per topic UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION (being
   * deleted), INVALID_PARTITIONS (count does not grow), INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT
   * (wrong number of lists, unknown or duplicate brokers, replication factor differing from partition 0's).
   */
  async createPartitions(
    topics: readonly NewPartitions[],
    opts: { validateOnly?: boolean } = {},
  ): Promise<TopicResult[]> {
    const duplicates = duplicateNames(topics.map((t) => t.name));
    const liveBrokers = this.liveBrokers.aliveBrokers();
    return Promise.all(
      topics.map(async (request): Promise<TopicResult> => {
        try {
          if (duplicates.has(request.name)) {
            throw new ApiError('INVALID_REQUEST', `Topic '${request.name}' appears more than once in the request.`);
          }
          const [current, deleting] = await Promise.all([
            this.zk.getTopicAssignment(request.name),
            this.zk.getTopicDeletions(),
          ]);
          if (current === null)
            throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${request.name}' does not exist.`);
          if (deleting.includes(request.name)) {
            throw new ApiError('INVALID_TOPIC_EXCEPTION', `The topic '${request.name}' is queued for deletion.`);
          }
          const existing = new Map([...current.partitions].map(([p, a]) => [p, a.replicas]));
          const added = this.addedPartitionAssignment(request, existing, liveBrokers);
          if (!opts.validateOnly) {
            const partitions = new Map(current.partitions);
            for (const [p, replicas] of added) partitions.set(p, replicaAssignment(replicas));
            try {
              await this.zk.setTopicAssignment(
                request.name,
                { topicId: current.topicId, partitions },
                { expectedZkVersion: current.zkVersion },
              );
            } catch (e) {
              if (!isZkError(e, 'BAD_VERSION')) throw e;
              throw new ApiError(
                'INVALID_PARTITIONS',
                `The assignment of '${request.name}' changed while partitions were ` +
                  `being added; retry the request.`,
              );
            }
            this.log.info({ topic: request.name, from: existing.size, to: request.count }, 'added partitions');
          }
          return { name: request.name, errorCode: ErrorCode.NONE, errorMessage: null };
        } catch (e) {
          return this.errorResult(request.name, e, 'create partitions');
        }
      }),
    );
  }

  /**
   * Marks topics for deletion (Kafka's DeleteTopics): TOPIC_DELETION_DISABLED when delete.topic.enable is false,
   * UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist. A topic already marked is not an error.
   */
  async deleteTopics(topics: readonly string[]): Promise<TopicResult[]> {
    const duplicates = duplicateNames(topics);
    return Promise.all(
      topics.map(async (name): Promise<TopicResult> => {
        try {
          if (duplicates.has(name))
            throw new ApiError('INVALID_REQUEST', `Topic '${name}' appears more than once in the request.`);
          if (!this.deleteTopicEnable) {
            throw new ApiError(
              'TOPIC_DELETION_DISABLED',
              `Topic deletion is disabled on this cluster; set ` +
                `delete.topic.enable=true on the brokers to delete '${name}'.`,
            );
          }
          if (await this.zk.markTopicForDeletion(name)) this.log.info({ topic: name }, 'topic marked for deletion');
          return { name, errorCode: ErrorCode.NONE, errorMessage: null };
        } catch (e) {
          return this.errorResult(name, e, 'delete topic');
        }
      }),
    );
  }

  /**
   * Replaces a topic's config overrides (keys not given are removed, as Kafka's AlterConfigs) and notifies the
   * brokers. Throws ApiError UNKNOWN_TOPIC_OR_PARTITION or INVALID_CONFIG.
   */
  async alterTopicConfig(
    topic: string,
    configs: Readonly<Record<string, string>>,
    opts: { validateOnly?: boolean } = {},
  ): Promise<void> {
    if ((await this.zk.getTopicAssignment(topic)) === null) {
      throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${topic}' does not exist.`);
    }
    this.checkConfigs(topic, configs);
    if (opts.validateOnly) return;
    await this.zk.changeEntityConfig(ConfigType.Topic, topic, configs);
    this.log.info({ topic, configs }, 'changed topic config');
  }

  /**
   * The effective value of every topic-level key with its source: the topic's override, the broker's setting, or
   * Kafka's default. Throws ApiError UNKNOWN_TOPIC_OR_PARTITION.
   */
  async describeTopicConfig(topic: string): Promise<TopicConfigEntry[]> {
    const [assignment, overrides] = await Promise.all([
      this.zk.getTopicAssignment(topic),
      this.zk.getEntityConfig(ConfigType.Topic, topic),
    ]);
    if (assignment === null) throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${topic}' does not exist.`);
    return Object.keys(LOG_CONFIG.fields).map((field) => {
      const name = LOG_CONFIG.fields[field as keyof typeof LOG_CONFIG.fields].name;
      const override = overrides[name];
      if (override !== undefined) return { name, value: override, source: 'DYNAMIC_TOPIC_CONFIG' };
      const brokerValue = this.topicDefaults[name];
      if (brokerValue !== undefined && brokerValue !== DEFAULT_CONFIG_STRINGS[name]) {
        return { name, value: brokerValue, source: 'STATIC_BROKER_CONFIG' };
      }
      return { name, value: DEFAULT_CONFIG_STRINGS[name] ?? '', source: 'DEFAULT_CONFIG' };
    });
  }

  // ---- validation ----

  /** The assignment of a new topic: the explicit one (validated for shape) or Kafka's (rack-aware when racks are set). */
  private creationAssignment(topic: CreatableTopic, liveBrokers: readonly BrokerMetadata[]): PartitionAssignment {
    if (topic.assignments.length === 0) {
      const partitions = topic.numPartitions === USE_BROKER_DEFAULT ? this.defaultNumPartitions : topic.numPartitions;
      const rf =
        topic.replicationFactor === USE_BROKER_DEFAULT ? this.defaultReplicationFactor : topic.replicationFactor;
      return assignReplicasToBrokers(liveBrokers, partitions, rf);
    }
    if (topic.numPartitions !== USE_BROKER_DEFAULT || topic.replicationFactor !== USE_BROKER_DEFAULT) {
      throw new ApiError(
        'INVALID_REQUEST',
        `Both numPartitions or replicationFactor and replica assignments were set ` +
          `for '${topic.name}'. Both cannot be used at the same time: set them to -1 or leave out the assignments.`,
      );
    }
    const assignment: PartitionAssignment = new Map();
    for (const { partitionIndex, brokerIds } of topic.assignments) {
      if (assignment.has(partitionIndex)) {
        throw new ApiError(
          'INVALID_REPLICA_ASSIGNMENT',
          `Partition ${partitionIndex} of '${topic.name}' is assigned twice.`,
        );
      }
      assignment.set(partitionIndex, [...brokerIds]);
    }
    return assignment;
  }

  /** Kafka's AdminZkClient.validateTopicCreate. */
  private async validateTopicCreate(
    topic: string,
    assignment: PartitionAssignment,
    configs: Readonly<Record<string, string>>,
    existingTopics: readonly string[],
  ): Promise<void> {
    const problem = topicNameProblem(topic);
    if (problem !== undefined) throw new ApiError('INVALID_TOPIC_EXCEPTION', problem);
    if ((await this.zk.getTopicDeletions()).includes(topic)) {
      throw new ApiError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' is marked for deletion.`);
    }
    if (existingTopics.includes(topic)) throw new ApiError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' already exists.`);
    const colliding = existingTopics.filter((t) => collides(t, topic));
    if (colliding.length > 0) {
      throw new ApiError(
        'INVALID_TOPIC_EXCEPTION',
        `Topic '${topic}' collides with existing topics: ` +
          `${colliding.join(', ')} ('.' and '_' map to the same metric names). Choose another name.`,
      );
    }
    const sizes = new Set([...assignment.values()].map((r) => r.length));
    if (sizes.has(0))
      throw new ApiError('INVALID_REPLICA_ASSIGNMENT', `Every partition of '${topic}' needs at least one replica.`);
    if (sizes.size !== 1) {
      throw new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `All partitions of '${topic}' should have the same number of replicas.`,
      );
    }
    for (const [partition, replicas] of assignment) {
      if (new Set(replicas).size !== replicas.length) {
        throw new ApiError(
          'INVALID_REPLICA_ASSIGNMENT',
          `Duplicate replica assignment found for partition ${partition} ` + `of '${topic}': [${replicas.join(',')}].`,
        );
      }
    }
    for (let p = 0; p < assignment.size; p++) {
      if (!assignment.has(p)) {
        throw new ApiError(
          'INVALID_REPLICA_ASSIGNMENT',
          `Partitions of '${topic}' should be a consecutive 0-based ` +
            `integer sequence; found [${[...assignment.keys()].sort((a, b) => a - b).join(',')}].`,
        );
      }
    }
    this.checkConfigs(topic, configs);
  }

  /** The assignment of the partitions a CreatePartitions request adds (Kafka's AdminZkClient.createPartitions). */
  private addedPartitionAssignment(
    request: NewPartitions,
    existing: ReadonlyMap<number, readonly number[]>,
    liveBrokers: readonly BrokerMetadata[],
  ): PartitionAssignment {
    const partitionsToAdd = request.count - existing.size;
    if (partitionsToAdd < 0) {
      throw new ApiError(
        'INVALID_PARTITIONS',
        `Topic '${request.name}' currently has ${existing.size} partitions, which ` +
          `is higher than the requested ${request.count}. Partitions can only be added.`,
      );
    }
    if (partitionsToAdd === 0) {
      throw new ApiError('INVALID_PARTITIONS', `Topic '${request.name}' already has ${existing.size} partitions.`);
    }
    if (request.assignments === null)
      return assignReplicasForNewPartitions(liveBrokers, existing, request.count, request.name);
    if (request.assignments.length !== partitionsToAdd) {
      throw new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `Increasing the number of partitions of '${request.name}' by ` +
          `${partitionsToAdd} but ${request.assignments.length} assignments provided.`,
      );
    }
    const unknown = [...new Set(request.assignments.flat())].filter((id) => !liveBrokers.some((b) => b.id === id));
    if (unknown.length > 0) {
      throw new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`,
      );
    }
    const expectedRf = existing.get(0)?.length ?? 0;
    const assignment: PartitionAssignment = new Map();
    request.assignments.forEach((replicas, i) => {
      if (new Set(replicas).size !== replicas.length) {
        throw new ApiError(
          'INVALID_REPLICA_ASSIGNMENT',
          `Duplicate brokers not allowed in replica assignment: ` +
            `[${replicas.join(', ')}] for partition ${existing.size + i} of '${request.name}'.`,
        );
      }
      if (replicas.length !== expectedRf) {
        throw new ApiError(
          'INVALID_REPLICA_ASSIGNMENT',
          `Inconsistent replication factor between partitions of ` +
            `'${request.name}': partition 0 has ${expectedRf} replicas, partition ${existing.size + i} has ${replicas.length}.`,
        );
      }
      assignment.set(existing.size + i, [...replicas]);
    });
    return assignment;
  }

  private checkConfigs(topic: string, configs: Readonly<Record<string, string>>): void {
    try {
      this.validateTopicConfig(configs);
    } catch (e) {
      if (e instanceof InvalidArgumentError || e instanceof ApiError) {
        throw new ApiError('INVALID_CONFIG', `Invalid config for topic '${topic}': ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  private errorResult(name: string, e: unknown, what: string): TopicResult {
    if (e instanceof ApiError) return { name, errorCode: e.errorCode, errorMessage: e.message };
    this.log.error({ err: e, topic: name }, `${what} failed`);
    return {
      name,
      errorCode: ERROR_CODES.UNKNOWN_SERVER_ERROR.code,
      errorMessage: `Could not ${what} '${name}': ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

function duplicateNames(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const n of names) (seen.has(n) ? duplicates : seen).add(n);
  return duplicates;
}

/** Kafka's Topic.hasCollision: names equal once '.' is replaced by '_'. */
function collides(a: string, b: string): boolean {
  return a !== b && a.replaceAll('.', '_') === b.replaceAll('.', '_');
}

function toZkAssignment(assignment: PartitionAssignment): Map<number, ReplicaAssignment> {
  return new Map([...assignment].map(([p, replicas]) => [p, replicaAssignment(replicas)]));
}
