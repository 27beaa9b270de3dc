/**
 * Kafka's cluster operations on ZooKeeper (Kafka's `KafkaZkClient`): broker registration, controller election
 * and fencing, topic assignments, partition state, admin requests, notifications and configs, each written
 * exactly as zk-paths.ts lays them out.
 *
 * Invariants:
 * - Broker registration is a "checked ephemeral" (KAFKA-7165): an existing /brokers/ids/<id> is accepted only
 *   when this client's session owns it; the broker epoch is the znode's czxid (KIP-380).
 * - Controller writes are fenced (KAFKA-6082): `controllerMulti` prefixes check(/controller_epoch, epochZkVersion)
 *   and a failed check raises `ControllerMovedError`, so a controller paused past its session cannot overwrite
 *   the state its successor wrote.
 * - Conditional writes (partition state, producer id blocks) use the znode version read with the data; a
 *   BAD_VERSION means somebody else wrote first and the caller must re-read before deciding again.
 * - ZkClient retries CONNECTION_LOSS, so a write may already have applied when its retry reports NODE_EXISTS or
 *   BAD_VERSION; every method here that can see that re-reads to tell its own earlier success from a lost race
 *   (Kafka does the same).
 * - Writes that Kafka does in two steps stay two steps (topic config before topic assignment; config before its
 *   change notification): readers tolerate either one alone (trap 19).
 *
 * Concurrency: methods may run concurrently; each is a short sequence of ZooKeeper operations with no local
 * state, so interleavings are those of ZooKeeper itself.
 * Ownership: owns its ZkClient (`zk`, also used directly for watches and session events); `close()` closes it.
 * Crash: all state lives in ZooKeeper; ephemeral znodes vanish when the session ends.
 */
import { ApiError, IllegalStateError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { SystemTime, type Time } from '../common/time.js';
import type { TopicPartition } from '../common/topic-partition.js';
import { childPath, ZkClient, type ZkClientOptions, type ZkOp, type ZkOpResults } from './zk-client.js';
import { ControllerMovedError, isZkError, ZkError } from './zk-errors.js';
import {
  BrokerIdsZNode,
  BrokerIdZNode,
  BrokerSequenceIdZNode,
  ClusterIdZNode,
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityChangeNotificationZNode,
  ConfigEntityTypeZNode,
  ConfigEntityZNode,
  ConfigType,
  ControllerEpochZNode,
  ControllerZNode,
  DeleteTopicsTopicZNode,
  DeleteTopicsZNode,
  IsrChangeNotificationSequenceZNode,
  IsrChangeNotificationZNode,
  LogDirEventNotificationSequenceZNode,
  LogDirEventNotificationZNode,
  PERSISTENT_PATHS,
  PreferredReplicaElectionZNode,
  ProducerIdBlockZNode,
  randomKafkaUuid,
  ReassignPartitionsZNode,
  TopicPartitionStateZNode,
  TopicPartitionsZNode,
  TopicPartitionZNode,
  TopicsZNode,
  TopicZNode,
  type BrokerInfo,
  type BrokerRegistration,
  type ConfigEntityType,
  type LeaderIsrAndControllerEpoch,
  type PartitionReassignment,
  type ProducerIdBlock,
  type TopicAssignment,
} from './zk-paths.js';

export interface KafkaZkClientOptions {
  logger?: Logger;
  time?: Time;
}

/** A controller epoch and the version of /controller_epoch that holds it (the fencing token). */
export interface ControllerEpochAndZkVersion {
  readonly epoch: number;
  readonly epochZkVersion: number;
}

/** A live broker's registration and its broker epoch (the czxid of its registration znode). */
export interface BrokerAndEpoch extends BrokerRegistration {
  readonly epoch: number;
}

export interface TopicAssignmentAndZkVersion extends TopicAssignment {
  readonly zkVersion: number;
}

export interface LeaderIsrAndZkVersion extends LeaderIsrAndControllerEpoch {
  /** The state znode's version: the token for the next conditional update. */
  readonly zkVersion: number;
}

/**
 * Whether a state znode last written at zxid `stateMzxid` addresses the registration of its leader whose broker
 * epoch (czxid) is `brokerEpoch` — KIP-380's stale broker epoch check, on what brokers read instead of on
 * LeaderAndIsr requests. A state written before the broker registered was written for an earlier run of it (one
 * that crashed and came back before its old session expired): acting on it would make a broker lead with what it
 * has now, before the controller has handled the restart (the failure of the old registration, an election).
 */
export function stateAddressesRegistration(stateMzxid: number, brokerEpoch: number): boolean {
  return stateMzxid > brokerEpoch;
}

/** A failed check of /controller_epoch (op 0 of a fenced multi) as ControllerMovedError; other errors unchanged. */
function controllerMovedOr(e: unknown, epochZkVersion: number): unknown {
  if (!(e instanceof ZkError) || e.failedOpIndex !== 0 || e.zkCode !== 'BAD_VERSION') return e;
  return new ControllerMovedError(
    `Controller moved to another broker: ${ControllerEpochZNode.path} is no longer ` +
      `at version ${epochZkVersion}. This broker must stop acting as controller.`,
    { cause: e },
  );
}

export class KafkaZkClient {
  private readonly log: Logger;
  private readonly time: Time;

  constructor(
    readonly zk: ZkClient,
    opts: KafkaZkClientOptions = {},
  ) {
    this.log = (opts.logger ?? silentLogger).child({ component: 'KafkaZkClient' });
    this.time = opts.time ?? SystemTime;
  }

  /** Connects a ZkClient (creating the chroot if needed) and wraps it. */
  static async connect(opts: ZkClientOptions & KafkaZkClientOptions): Promise<KafkaZkClient> {
    const zk = new ZkClient(opts);
    await zk.connect();
    return new KafkaZkClient(zk, opts);
  }

  close(): Promise<void> {
    return this.zk.close();
  }

  /** Creates the persistent paths every broker expects (Kafka's createTopLevelPaths). */
  async createTopLevelPaths(): Promise<void> {
    await Promise.all(PERSISTENT_PATHS.map((p) => this.zk.ensurePath(p)));
  }

  // ---- cluster id ----

  async getClusterId(): Promise<string | null> {
    const node = await this.zk.getData(ClusterIdZNode.path);
    return node === null ? null : ClusterIdZNode.decode(node.data);
  }

  /** The cluster id; the first broker creates it (with `proposedId`), the others read it. */
  async getOrCreateClusterId(proposedId: string = randomKafkaUuid()): Promise<string> {
    const existing = await this.getClusterId();
    if (existing !== null) return existing;
    try {
      await this.zk.create(ClusterIdZNode.path, ClusterIdZNode.encode(proposedId), { createParents: true });
      this.log.info({ clusterId: proposedId }, 'created cluster id');
      return proposedId;
    } catch (e) {
      if (!isZkError(e, 'NODE_EXISTS')) throw e;
      const id = await this.getClusterId();
      if (id === null) throw new IllegalStateError(`${ClusterIdZNode.path} existed and then vanished; retry startup.`);
      return id;
    }
  }

  // ---- brokers ----

  /**
   * Registers the broker as an ephemeral znode owned by this session and returns its broker epoch (czxid).
   * Throws ZkError NODE_EXISTS when another live session holds the id.
   */
  async registerBroker(info: BrokerInfo): Promise<number> {
    const path = BrokerIdZNode.path(info.id);
    const data = BrokerIdZNode.encode(info, this.time.milliseconds());
    for (;;) {
      try {
        // create + setData in one multi: the setData result carries the stat, hence the czxid (as Kafka does).
        const [, set] = await this.zk.multi([
          { type: 'create', path, data: null, mode: 'EPHEMERAL' },
          { type: 'setData', path, data, version: 0 },
        ] as const);
        this.log.info(
          { brokerId: info.id, brokerEpoch: set.stat.czxid, endpoints: data.toString() },
          'registered broker',
        );
        return set.stat.czxid;
      } catch (e) {
        if (!isZkError(e, 'NODE_EXISTS')) throw e;
      }
      const existing = await this.zk.getData(path);
      if (existing === null) continue; // went away while we read it: create again
      if (existing.stat.ephemeralOwner !== this.zk.sessionId) {
        throw new ZkError(
          'NODE_EXISTS',
          `broker.id ${info.id} is already registered by another live broker (session 0x${existing.stat.ephemeralOwner}; ` +
            `this broker's session is 0x${this.zk.sessionId}). Stop the other broker or wait until its ZooKeeper ` +
            `session expires (zookeeper.session.timeout.ms), or give this broker a different broker.id.`,
          { path },
        );
      }
      return existing.stat.czxid;
    }
  }

  async getBroker(id: number): Promise<BrokerAndEpoch | null> {
    const node = await this.zk.getData(BrokerIdZNode.path(id));
    return node === null ? null : { ...BrokerIdZNode.decode(id, node.data), epoch: node.stat.czxid };
  }

  /** Every registered broker with its epoch, by ascending id. */
  async getAllBrokers(): Promise<BrokerAndEpoch[]> {
    const ids = (await this.zk.getChildren(BrokerIdsZNode.path)) ?? [];
    const brokers = await Promise.all(
      ids
        .filter((name) => {
          if (/^\d+$/.test(name)) return true;
          this.log.warn({ path: childPath(BrokerIdsZNode.path, name) }, 'ignoring a znode that is not a broker id');
          return false;
        })
        .map((name) => this.getBroker(Number(name))),
    );
    return brokers.filter((b): b is BrokerAndEpoch => b !== null).sort((a, b) => a.id - b.id);
  }

  /** A new broker id sequence number: the new data version of /brokers/seqid (add reserved.broker.max.id). */
  async generateBrokerSequenceId(): Promise<number> {
    try {
      return (await this.zk.setData(BrokerSequenceIdZNode.path, Buffer.alloc(0))).version;
    } catch (e) {
      if (!isZkError(e, 'NO_NODE')) throw e;
      await this.zk.ensurePath(BrokerSequenceIdZNode.path);
      return this.generateBrokerSequenceId();
    }
  }

  // ---- controller ----

  /** The current controller's broker id, or null when there is none. */
  async getControllerId(): Promise<number | null> {
    const node = await this.zk.getData(ControllerZNode.path);
    return node === null ? null : ControllerZNode.decode(node.data);
  }

  async getControllerEpoch(): Promise<ControllerEpochAndZkVersion | null> {
    const node = await this.zk.getData(ControllerEpochZNode.path);
    return node === null ? null : { epoch: ControllerEpochZNode.decode(node.data), epochZkVersion: node.stat.version };
  }

  /**
   * Tries to become controller: one multi creates the ephemeral /controller and bumps /controller_epoch at the
   * version read (created as "0" if missing). Returns the new epoch and its zkVersion (the fencing token for
   * every later controller write), or null when another broker won.
   */
  async registerControllerAndIncrementEpoch(brokerId: number): Promise<ControllerEpochAndZkVersion | null> {
    const current = (await this.getControllerEpoch()) ?? (await this.createControllerEpochZNode());
    const newEpoch = current.epoch + 1;
    try {
      const [, set] = await this.zk.multi([
        {
          type: 'create',
          path: ControllerZNode.path,
          data: ControllerZNode.encode(brokerId, this.time.milliseconds()),
          mode: 'EPHEMERAL',
        },
        {
          type: 'setData',
          path: ControllerEpochZNode.path,
          data: ControllerEpochZNode.encode(newEpoch),
          version: current.epochZkVersion,
        },
      ] as const);
      this.log.info({ brokerId, epoch: newEpoch, epochZkVersion: set.stat.version }, 'elected controller');
      return { epoch: newEpoch, epochZkVersion: set.stat.version };
    } catch (e) {
      if (!isZkError(e, 'NODE_EXISTS', 'BAD_VERSION')) throw e;
    }
    // Lost, unless a retry after a connection loss is what saw our own earlier success.
    const controller = await this.zk.getData(ControllerZNode.path);
    if (
      controller !== null &&
      ControllerZNode.decode(controller.data) === brokerId &&
      controller.stat.ephemeralOwner === this.zk.sessionId
    ) {
      const epoch = await this.getControllerEpoch();
      if (epoch !== null && epoch.epoch === newEpoch) return epoch;
    }
    return null;
  }

  /** Resigns: deletes /controller, fenced; a missing /controller is fine. */
  async deleteController(epochZkVersion: number): Promise<void> {
    try {
      await this.controllerMulti(epochZkVersion, [{ type: 'delete', path: ControllerZNode.path }] as const);
    } catch (e) {
      if (!isZkError(e, 'NO_NODE')) throw e;
    }
  }

  /**
   * Runs `ops` as one multi fenced by check(/controller_epoch, epochZkVersion). Throws ControllerMovedError when
   * the check fails; other failures are ZkErrors whose failedOpIndex refers to `ops`.
   */
  async controllerMulti<const T extends readonly ZkOp[]>(epochZkVersion: number, ops: T): Promise<ZkOpResults<T>> {
    try {
      const [, ...results] = await this.zk.multi([
        { type: 'check', path: ControllerEpochZNode.path, version: epochZkVersion },
        ...ops,
      ] as const);
      return results;
    } catch (e) {
      const error = controllerMovedOr(e, epochZkVersion);
      if (!(error instanceof ZkError) || error.failedOpIndex === undefined) throw error;
      throw new ZkError(error.zkCode, error.message, {
        path: error.path ?? '',
        failedOpIndex: error.failedOpIndex - 1,
        cause: error,
      });
    }
  }

  private async createControllerEpochZNode(): Promise<ControllerEpochAndZkVersion> {
    try {
      await this.zk.create(ControllerEpochZNode.path, ControllerEpochZNode.encode(0));
      return { epoch: 0, epochZkVersion: 0 };
    } catch (e) {
      if (!isZkError(e, 'NODE_EXISTS')) throw e;
      const epoch = await this.getControllerEpoch();
      if (epoch === null) throw new IllegalStateError(`${ControllerEpochZNode.path} existed and then vanished.`);
      return epoch;
    }
  }

  // ---- topics ----

  async getAllTopics(): Promise<string[]> {
    return ((await this.zk.getChildren(TopicsZNode.path)) ?? []).sort();
  }

  async getTopicAssignment(topic: string): Promise<TopicAssignmentAndZkVersion | null> {
    const node = await this.zk.getData(TopicZNode.path(topic));
    return node === null ? null : { ...TopicZNode.decode(topic, node.data), zkVersion: node.stat.version };
  }

  /**
   * Creates a topic as Kafka's AdminZkClient does: /config/topics/<t> first, then /brokers/topics/<t> (which the
   * controller watches). Throws ApiError TOPIC_ALREADY_EXISTS if the topic exists or is marked for deletion.
   */
  async createTopic(
    topic: string,
    assignment: TopicAssignment,
    config: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    const [exists, deleting] = await Promise.all([
      this.zk.exists(TopicZNode.path(topic)),
      this.zk.exists(DeleteTopicsTopicZNode.path(topic)),
    ]);
    if (deleting !== null) throw new ApiError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' is marked for deletion.`);
    if (exists !== null) throw new ApiError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' already exists.`);
    await this.setOrCreateEntityConfig(ConfigType.Topic, topic, config);
    try {
      await this.zk.create(TopicZNode.path(topic), TopicZNode.encode(assignment), { createParents: true });
    } catch (e) {
      if (isZkError(e, 'NODE_EXISTS')) throw new ApiError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' already exists.`);
      throw e;
    }
    this.log.info({ topic, partitions: assignment.partitions.size }, 'created topic assignment');
  }

  /**
   * Replaces a topic's assignment (adding partitions, reassignment) and returns the new zkVersion. Optional
   * `expectedZkVersion` makes it conditional (ZkError BAD_VERSION); `controllerEpochZkVersion` fences it.
   */
  async setTopicAssignment(
    topic: string,
    assignment: TopicAssignment,
    opts: { expectedZkVersion?: number; controllerEpochZkVersion?: number } = {},
  ): Promise<number> {
    const op = {
      type: 'setData',
      path: TopicZNode.path(topic),
      data: TopicZNode.encode(assignment),
      version: opts.expectedZkVersion ?? -1,
    } as const;
    if (opts.controllerEpochZkVersion === undefined)
      return (await this.zk.setData(op.path, op.data, op.version)).version;
    const [set] = await this.controllerMulti(opts.controllerEpochZkVersion, [op] as const);
    return set.stat.version;
  }

  /** Deletes a topic's znodes once its deletion completed (assignment and states, config, marker), fenced. */
  async deleteTopicZNodes(topic: string, controllerEpochZkVersion: number): Promise<void> {
    await this.fencedDeleteRecursive(TopicZNode.path(topic), controllerEpochZkVersion);
    await this.fencedDeleteRecursive(ConfigEntityZNode.path(ConfigType.Topic, topic), controllerEpochZkVersion);
    await this.fencedDeleteRecursive(DeleteTopicsTopicZNode.path(topic), controllerEpochZkVersion);
  }

  // ---- partition state ----

  async getPartitionState(tp: TopicPartition): Promise<LeaderIsrAndZkVersion | null> {
    return (await this.getPartitionStateWritten(tp))?.state ?? null;
  }

  /** The state znode with the zxid of its last write (see `stateAddressesRegistration`). */
  async getPartitionStateWritten(tp: TopicPartition): Promise<{ state: LeaderIsrAndZkVersion; mzxid: number } | null> {
    const node = await this.zk.getData(TopicPartitionStateZNode.path(tp));
    if (node === null) return null;
    return {
      state: { ...TopicPartitionStateZNode.decode(tp, node.data), zkVersion: node.stat.version },
      mzxid: node.stat.mzxid,
    };
  }

  /**
   * Creates the state znodes of new partitions of one topic (and their empty parents), fenced. Returns per
   * partition whether it was created (false: it already existed; read it).
   */
  async createPartitionStates(
    topic: string,
    states: ReadonlyMap<number, LeaderIsrAndControllerEpoch>,
    controllerEpochZkVersion: number,
  ): Promise<Map<number, boolean>> {
    try {
      await this.controllerMulti(controllerEpochZkVersion, [
        { type: 'create', path: TopicPartitionsZNode.path(topic) },
      ] as const);
    } catch (e) {
      if (!isZkError(e, 'NODE_EXISTS')) throw e;
    }
    const created = await Promise.all(
      [...states].map(async ([partition, state]) => {
        const tp = { topic, partition };
        const statePath = TopicPartitionStateZNode.path(tp);
        const data = TopicPartitionStateZNode.encode(state);
        try {
          await this.controllerMulti(controllerEpochZkVersion, [
            { type: 'create', path: TopicPartitionZNode.path(tp) },
            { type: 'create', path: statePath, data },
          ] as const);
          return [partition, true] as const;
        } catch (e) {
          if (!isZkError(e, 'NODE_EXISTS')) throw e;
        }
        try {
          await this.controllerMulti(controllerEpochZkVersion, [{ type: 'create', path: statePath, data }] as const);
          return [partition, true] as const;
        } catch (e) {
          if (!isZkError(e, 'NODE_EXISTS')) throw e;
          return [partition, false] as const;
        }
      }),
    );
    return new Map(created);
  }

  /**
   * Writes a partition's state if its zkVersion is still `expectedZkVersion`; returns the new zkVersion, or null
   * when the znode changed since it was read (BAD_VERSION: re-read and decide again). With
   * `controllerEpochZkVersion` the write is fenced (controller); without, it is a leader's ISR update.
   */
  async updatePartitionState(
    tp: TopicPartition,
    state: LeaderIsrAndControllerEpoch,
    expectedZkVersion: number,
    controllerEpochZkVersion?: number,
  ): Promise<number | null> {
    const path = TopicPartitionStateZNode.path(tp);
    const data = TopicPartitionStateZNode.encode(state);
    try {
      if (controllerEpochZkVersion === undefined) return (await this.zk.setData(path, data, expectedZkVersion)).version;
      const [set] = await this.controllerMulti(controllerEpochZkVersion, [
        { type: 'setData', path, data, version: expectedZkVersion },
      ] as const);
      return set.stat.version;
    } catch (e) {
      if (isZkError(e, 'BAD_VERSION')) return null;
      throw e;
    }
  }

  // ---- topic deletion markers ----

  /**
   * Marks a topic for deletion (the controller acts on it). Returns false if it was already marked; throws
   * ApiError UNKNOWN_TOPIC_OR_PARTITION when the topic does not exist.
   */
  async markTopicForDeletion(topic: string): Promise<boolean> {
    if ((await this.zk.exists(TopicZNode.path(topic))) === null) {
      throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`);
    }
    try {
      await this.zk.create(DeleteTopicsTopicZNode.path(topic), null, { createParents: true });
      return true;
    } catch (e) {
      if (isZkError(e, 'NODE_EXISTS')) return false;
      throw e;
    }
  }

  async getTopicDeletions(): Promise<string[]> {
    return ((await this.zk.getChildren(DeleteTopicsZNode.path)) ?? []).sort();
  }

  /** Removes deletion markers (e.g. of topics that no longer exist), fenced; missing ones are fine. */
  async deleteTopicDeletions(topics: readonly string[], controllerEpochZkVersion: number): Promise<void> {
    await this.fencedDeleteEach(
      topics.map((t) => DeleteTopicsTopicZNode.path(t)),
      controllerEpochZkVersion,
    );
  }

  // ---- reassignment and preferred leader election requests ----

  /** Writes /admin/reassign_partitions; false if a reassignment is already pending. */
  async createPartitionReassignment(reassignments: readonly PartitionReassignment[]): Promise<boolean> {
    return this.createIfAbsent(ReassignPartitionsZNode.path, ReassignPartitionsZNode.encode(reassignments));
  }

  async getPartitionReassignment(): Promise<PartitionReassignment[] | null> {
    const node = await this.zk.getData(ReassignPartitionsZNode.path);
    return node === null ? null : ReassignPartitionsZNode.decode(node.data);
  }

  /** Replaces the pending reassignments with those still in progress (the controller's update), fenced. */
  async updatePartitionReassignment(
    reassignments: readonly PartitionReassignment[],
    controllerEpochZkVersion: number,
  ): Promise<void> {
    await this.controllerMulti(controllerEpochZkVersion, [
      {
        type: 'setData',
        path: ReassignPartitionsZNode.path,
        data: ReassignPartitionsZNode.encode(reassignments),
        version: -1,
      },
    ] as const);
  }

  async deletePartitionReassignment(controllerEpochZkVersion: number): Promise<void> {
    await this.fencedDeleteEach([ReassignPartitionsZNode.path], controllerEpochZkVersion);
  }

  /** Writes /admin/preferred_replica_election; false if an election is already pending. */
  async createPreferredReplicaElection(partitions: readonly TopicPartition[]): Promise<boolean> {
    return this.createIfAbsent(PreferredReplicaElectionZNode.path, PreferredReplicaElectionZNode.encode(partitions));
  }

  async getPreferredReplicaElection(): Promise<TopicPartition[] | null> {
    const node = await this.zk.getData(PreferredReplicaElectionZNode.path);
    return node === null ? null : PreferredReplicaElectionZNode.decode(node.data);
  }

  async deletePreferredReplicaElection(controllerEpochZkVersion: number): Promise<void> {
    await this.fencedDeleteEach([PreferredReplicaElectionZNode.path], controllerEpochZkVersion);
  }

  // ---- ISR change notifications ----

  /** Tells the controller that these partitions' ISR changed; returns the notification's sequence number. */
  async createIsrChangeNotification(partitions: Iterable<TopicPartition>): Promise<string> {
    const path = await this.zk.create(
      IsrChangeNotificationSequenceZNode.path(),
      IsrChangeNotificationSequenceZNode.encode(partitions),
      { mode: 'PERSISTENT_SEQUENTIAL', createParents: true },
    );
    return IsrChangeNotificationSequenceZNode.sequenceNumber(path);
  }

  /** Sequence numbers of pending ISR change notifications, oldest first. */
  async getIsrChangeNotifications(): Promise<string[]> {
    const children = (await this.zk.getChildren(IsrChangeNotificationZNode.path)) ?? [];
    return children.map((c) => IsrChangeNotificationSequenceZNode.sequenceNumber(c)).sort();
  }

  /** The partitions named by these notifications; notifications deleted meanwhile are skipped. */
  async getPartitionsFromIsrChangeNotifications(sequenceNumbers: readonly string[]): Promise<TopicPartition[]> {
    const nodes = await Promise.all(
      sequenceNumbers.map(async (seq) => {
        const path = IsrChangeNotificationSequenceZNode.path(seq);
        const node = await this.zk.getData(path);
        return node === null ? [] : IsrChangeNotificationSequenceZNode.decode(path, node.data);
      }),
    );
    return nodes.flat();
  }

  async deleteIsrChangeNotifications(
    sequenceNumbers: readonly string[],
    controllerEpochZkVersion: number,
  ): Promise<void> {
    await this.fencedDeleteEach(
      sequenceNumbers.map((s) => IsrChangeNotificationSequenceZNode.path(s)),
      controllerEpochZkVersion,
    );
  }

  // ---- log dir events ----

  /** A broker tells the controller that one of its log dirs failed (Kafka's `propagateLogDirEvent`). */
  async propagateLogDirEvent(brokerId: number): Promise<string> {
    const path = await this.zk.create(
      LogDirEventNotificationSequenceZNode.path(),
      LogDirEventNotificationSequenceZNode.encode(brokerId),
      { mode: 'PERSISTENT_SEQUENTIAL', createParents: true },
    );
    return LogDirEventNotificationSequenceZNode.sequenceNumber(path);
  }

  /** Sequence numbers of pending log dir event notifications, oldest first. */
  async getLogDirEventNotifications(): Promise<string[]> {
    const children = (await this.zk.getChildren(LogDirEventNotificationZNode.path)) ?? [];
    return children.map((c) => LogDirEventNotificationSequenceZNode.sequenceNumber(c)).sort();
  }

  /** The brokers named by these notifications (each once); notifications deleted meanwhile are skipped. */
  async getBrokerIdsFromLogDirEvents(sequenceNumbers: readonly string[]): Promise<number[]> {
    const ids = await Promise.all(
      sequenceNumbers.map(async (seq) => {
        const path = LogDirEventNotificationSequenceZNode.path(seq);
        const node = await this.zk.getData(path);
        return node === null ? [] : [LogDirEventNotificationSequenceZNode.decode(path, node.data)];
      }),
    );
    return [...new Set(ids.flat())].sort((a, b) => a - b);
  }

  async deleteLogDirEventNotifications(
    sequenceNumbers: readonly string[],
    controllerEpochZkVersion: number,
  ): Promise<void> {
    await this.fencedDeleteEach(
      sequenceNumbers.map((s) => LogDirEventNotificationSequenceZNode.path(s)),
      controllerEpochZkVersion,
    );
  }

  // ---- entity configs ----

  /** An entity's config overrides; empty when it has none. */
  async getEntityConfig(entityType: ConfigEntityType, entityName: string): Promise<Record<string, string>> {
    const node = await this.zk.getData(ConfigEntityZNode.path(entityType, entityName));
    return node === null ? {} : ConfigEntityZNode.decode(entityType, entityName, node.data);
  }

  /**
   * Replaces an entity's config overrides and notifies every broker through /config/changes (Kafka's
   * AdminZkClient.changeEntityConfig): the config is written first, then the notification.
   */
  async changeEntityConfig(
    entityType: ConfigEntityType,
    entityName: string,
    config: Readonly<Record<string, string>>,
  ): Promise<void> {
    await this.setOrCreateEntityConfig(entityType, entityName, config);
    await this.zk.create(
      ConfigEntityChangeNotificationSequenceZNode.createPath,
      ConfigEntityChangeNotificationSequenceZNode.encode(`${entityType}/${entityName}`),
      { mode: 'PERSISTENT_SEQUENTIAL', createParents: true },
    );
  }

  /**
   * Every user and client entity with a config znode, as notification entity paths: `users/<u>`,
   * `users/<u>/clients/<c>`, `clients/<c>` (names sanitized, `<default>` for defaults). Quotas and SCRAM credentials
   * live there.
   */
  async getClientEntityPaths(): Promise<string[]> {
    const paths: string[] = [];
    const users = (await this.zk.getChildren(ConfigEntityTypeZNode.path(ConfigType.User))) ?? [];
    for (const user of users) {
      paths.push(`${ConfigType.User}/${user}`);
      const clients =
        (await this.zk.getChildren(`${ConfigEntityTypeZNode.path(ConfigType.User)}/${user}/clients`)) ?? [];
      for (const client of clients) paths.push(`${ConfigType.User}/${user}/clients/${client}`);
    }
    const clients = (await this.zk.getChildren(ConfigEntityTypeZNode.path(ConfigType.Client))) ?? [];
    for (const client of clients) paths.push(`${ConfigType.Client}/${client}`);
    return paths;
  }

  /** The config of an entity path (`users/alice/clients/c1`), empty when it has none. */
  async getEntityConfigByPath(entityPath: string): Promise<Record<string, string>> {
    const slash = entityPath.indexOf('/');
    return this.getEntityConfig(entityPath.slice(0, slash) as ConfigEntityType, entityPath.slice(slash + 1));
  }

  /** Names of pending config change notifications (`config_change_<seq>`), oldest first. */
  async getConfigChangeNotifications(): Promise<string[]> {
    return ((await this.zk.getChildren(ConfigEntityChangeNotificationZNode.path)) ?? []).sort();
  }

  /** A notification's entity path (`topics/<t>`) and creation time (notifications are purged after 15 min). */
  async getConfigChangeNotification(name: string): Promise<{ entityPath: string; ctimeMs: number } | null> {
    const path = childPath(ConfigEntityChangeNotificationZNode.path, name);
    const node = await this.zk.getData(path);
    return node === null
      ? null
      : { entityPath: ConfigEntityChangeNotificationSequenceZNode.decode(path, node.data), ctimeMs: node.stat.ctimeMs };
  }

  async deleteConfigChangeNotification(name: string): Promise<void> {
    try {
      await this.zk.delete(childPath(ConfigEntityChangeNotificationZNode.path, name));
    } catch (e) {
      if (!isZkError(e, 'NO_NODE')) throw e;
    }
  }

  private async setOrCreateEntityConfig(
    entityType: ConfigEntityType,
    entityName: string,
    config: Readonly<Record<string, string>>,
  ): Promise<void> {
    const path = ConfigEntityZNode.path(entityType, entityName);
    const data = ConfigEntityZNode.encode(config);
    try {
      await this.zk.setData(path, data);
    } catch (e) {
      if (!isZkError(e, 'NO_NODE')) throw e;
      try {
        await this.zk.create(path, data, { createParents: true });
      } catch (e2) {
        if (!isZkError(e2, 'NODE_EXISTS')) throw e2;
        await this.zk.setData(path, data);
      }
    }
  }

  // ---- producer ids ----

  /**
   * Claims the next block of `blockSize` producer ids for `brokerId` with a conditional update of
   * /latest_producer_id_block, retrying when another broker claimed one first (Kafka's ProducerIdManager).
   */
  async allocateProducerIdBlock(brokerId: number, blockSize = 1000): Promise<ProducerIdBlock> {
    for (;;) {
      const node = await this.zk.getData(ProducerIdBlockZNode.path);
      const previous = node === null || node.data.length === 0 ? null : ProducerIdBlockZNode.decode(node.data);
      const blockStartId = previous === null ? 0 : previous.blockEndId + 1;
      const block: ProducerIdBlock = { brokerId, blockStartId, blockEndId: blockStartId + blockSize - 1 };
      if (!Number.isSafeInteger(block.blockEndId)) {
        throw new IllegalStateError(`Producer ids are exhausted: the last block ends at ${previous?.blockEndId}.`);
      }
      try {
        if (node === null) await this.zk.create(ProducerIdBlockZNode.path, ProducerIdBlockZNode.encode(block));
        else await this.zk.setData(ProducerIdBlockZNode.path, ProducerIdBlockZNode.encode(block), node.stat.version);
        this.log.info({ ...block }, 'allocated producer id block');
        return block;
      } catch (e) {
        if (!isZkError(e, 'BAD_VERSION', 'NODE_EXISTS')) throw e;
      }
    }
  }

  // ---- helpers ----

  private async createIfAbsent(path: string, data: Buffer): Promise<boolean> {
    try {
      await this.zk.create(path, data, { createParents: true });
      return true;
    } catch (e) {
      if (isZkError(e, 'NODE_EXISTS')) return false;
      throw e;
    }
  }

  /** Fenced deletes of independent znodes; missing ones are fine. */
  private async fencedDeleteEach(paths: readonly string[], controllerEpochZkVersion: number): Promise<void> {
    await Promise.all(
      paths.map(async (path) => {
        try {
          await this.controllerMulti(controllerEpochZkVersion, [{ type: 'delete', path }] as const);
        } catch (e) {
          if (!isZkError(e, 'NO_NODE')) throw e;
        }
      }),
    );
  }

  /** zk.deleteRecursive fenced by the controller epoch. */
  private async fencedDeleteRecursive(path: string, controllerEpochZkVersion: number): Promise<void> {
    try {
      await this.zk.deleteRecursive(path, { path: ControllerEpochZNode.path, version: controllerEpochZkVersion });
    } catch (e) {
      throw controllerMovedOr(e, controllerEpochZkVersion);
    }
  }
}
