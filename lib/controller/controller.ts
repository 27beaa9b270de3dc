/**
 * The ZooKeeper-era Kafka controller (Kafka's `KafkaController`): every broker runs one; the one that creates the
 * ephemeral /controller znode (bumping /controller_epoch in the same multi) is active and decides partition
 * leadership. By this product's design it sends no RPCs: its only output is ZooKeeper writes, each fenced by a
 * check of /controller_epoch's version, and brokers learn leadership by watching the state znodes.
 *
 * Layout: one ControllerEventQueue; watch callbacks, the session listeners, the rebalance timer, the answers of
 * brokers asked about failed log dirs and the public API only put `ControllerEvent`s, and `process` handles them one at a time (Kafka's one event thread). An activation
 * (`Activation`) bundles what exists only while active: the ControllerContext with the fencing token, the state
 * machines, the deletion manager, the watch subscriptions and the rebalance timer.
 *
 * Invariants:
 * - Active ⇔ `activation` is set; it is set when this broker wins the race and cleared, synchronously and before
 *   anything else, when it resigns (ControllerMovedError, /controller names another broker, session expiry,
 *   shutdown). Watch callbacks of an old activation put nothing.
 * - Every ZooKeeper write of an activation carries that activation's epochZkVersion, so a handler still running
 *   after its activation ended (a zombie) is refused by ZooKeeper and changes nothing.
 *
 * Concurrency: handlers await ZooKeeper, but the queue runs them strictly one after the other, so the context only
 * changes inside the running handler. The 'expired' listener runs inside the ZooKeeper client's callbacks: it
 * clears the activation and the queue synchronously, so an in-flight handler's next write fails fenced or with
 * SESSION_EXPIRED.
 *
 * Ownership: the Broker creates it with a connected KafkaZkClient it owns, calls `startup()` once and `shutdown()`
 * once (before closing the ZooKeeper client). shutdown() resigns and deletes /controller so another broker takes
 * over at once instead of after the session ends.
 * Crash: nothing is stored locally; the next controller rebuilds its context from ZooKeeper at failover.
 */
import { computeIfAbsent } from '../common/collections.js';
import { EventEmitter } from 'node:events';
import { ApiError, IllegalStateError, toError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import { SystemScheduler, type ScheduledTask, type Scheduler } from '../common/scheduler.js';
import { SystemTime, type Time } from '../common/time.js';
import type { TopicPartition } from '../common/topic-partition.js';
import type { KafkaZkClient, TopicAssignmentAndZkVersion } from '../zk/kafka-zk-client.js';
import { ControllerMovedError, MalformedZNodeError } from '../zk/zk-errors.js';
import {
  BrokerIdsZNode,
  BrokerIdZNode,
  ControllerZNode,
  DeleteTopicsZNode,
  IsrChangeNotificationZNode,
  LogDirEventNotificationZNode,
  PreferredReplicaElectionZNode,
  ReassignPartitionsZNode,
  TopicsZNode,
  TopicZNode,
} from '../zk/zk-paths.js';
import {
  ControllerContext,
  isBeingReassigned,
  type ControllerPartition,
  type ControllerReplica,
} from './controller-context.js';
import { ControllerEventQueue } from './controller-event-queue.js';
import { ControllerStats } from './controller-stats.js';
import { coalesceKey, mergeEvents, type ControllerEvent, type ServedReplicas } from './controller-events.js';
import { PartitionReassigner } from './partition-reassignment.js';
import { PartitionStateMachine } from './partition-state-machine.js';
import { electReplicaLeaders, type ElectionOutcome, type ElectionTypeName } from './replica-leader-election.js';
import { ReplicaStateMachine } from './replica-state-machine.js';
import { TopicDeletionManager } from './topic-deletion-manager.js';

/** A partition being reassigned, as ListPartitionReassignments shows it. */
export interface OngoingReassignment extends TopicPartition {
  /** The whole current set: the target replicas, then those being removed. */
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

/** The broker settings the controller uses (Kafka's names, camelCased). */
export interface KafkaControllerConfig {
  /** unclean.leader.election.enable: broker default; a topic's config overrides it. @default false */
  uncleanLeaderElectionEnable: boolean;
  /** auto.leader.rebalance.enable @default true */
  autoLeaderRebalanceEnable: boolean;
  /** leader.imbalance.per.broker.percentage @default 10 */
  leaderImbalancePerBrokerPercentage: number;
  /** leader.imbalance.check.interval.seconds @default 300 */
  leaderImbalanceCheckIntervalSeconds: number;
  /** delete.topic.enable @default true */
  deleteTopicEnable: boolean;
}

export const DEFAULT_CONTROLLER_CONFIG: Readonly<KafkaControllerConfig> = Object.freeze({
  uncleanLeaderElectionEnable: false,
  autoLeaderRebalanceEnable: true,
  leaderImbalancePerBrokerPercentage: 10,
  leaderImbalanceCheckIntervalSeconds: 300,
  deleteTopicEnable: true,
});

/** Kafka schedules the first imbalance check 5 s after failover. */
const FIRST_REBALANCE_CHECK_DELAY_MS = 5_000;
/** Pause before asking a live broker again which replicas it serves when it did not answer. */
const SERVED_REPLICAS_RETRY_MS = 1_000;

/**
 * Asks a broker which replicas it still serves (DescribeLogDirs over the network, or this broker's own replica
 * manager); rejects when it cannot be reached.
 */
export type ServedReplicasQuery = (brokerId: number) => Promise<ServedReplicas>;

export interface KafkaControllerOptions {
  brokerId: number;
  /** Connected; owned by the caller, who closes it after `shutdown()`. */
  zkClient: KafkaZkClient;
  config?: Partial<KafkaControllerConfig>;
  logger?: Logger;
  time?: Time;
  /** Runs the periodic leader imbalance check. @default SystemScheduler */
  scheduler?: Scheduler;
  /** How brokers that report a failed log dir are asked about their replicas. @default nobody can be asked */
  servedReplicas?: ServedReplicasQuery;
}

export interface KafkaControllerEvents {
  /** Failover completed: this broker is the active controller with this epoch. */
  activated: [epoch: number];
  /** This broker stopped being the active controller. */
  resigned: [];
}

/** What exists only while this broker is the active controller. */
interface Activation {
  readonly context: ControllerContext;
  readonly partitionStateMachine: PartitionStateMachine;
  readonly replicaStateMachine: ReplicaStateMachine;
  readonly topicDeletionManager: TopicDeletionManager;
  readonly reassigner: PartitionReassigner;
  /** Watches on fixed paths. */
  readonly unwatch: (() => void)[];
  readonly brokerWatches: Map<number, () => void>;
  readonly topicWatches: Map<string, () => void>;
  rebalanceTask: ScheduledTask | undefined;
}

export class KafkaController extends EventEmitter<KafkaControllerEvents> {
  readonly brokerId: number;
  /** Elections counted and timed while active, for the metrics endpoint. */
  readonly stats = new ControllerStats();
  private readonly zk: KafkaZkClient;
  private readonly config: KafkaControllerConfig;
  private readonly log: Logger;
  private readonly scheduler: Scheduler;
  private readonly time: Time;
  private readonly queue: ControllerEventQueue<ControllerEvent>;
  private readonly servedReplicas: ServedReplicasQuery;
  private activation: Activation | undefined;
  private knownControllerId = -1;
  private started = false;
  private stopping: Promise<void> | undefined;
  private unwatchController: (() => void) | undefined;
  private readonly onExpired = (): void => this.handleSessionExpired();
  private readonly onNewSession = (): void => this.queue.put({ type: 'ControllerChange' });

  constructor(opts: KafkaControllerOptions) {
    super();
    this.brokerId = opts.brokerId;
    this.zk = opts.zkClient;
    this.config = { ...DEFAULT_CONTROLLER_CONFIG, ...opts.config };
    this.log = (opts.logger ?? silentLogger).child({ component: 'KafkaController', brokerId: opts.brokerId });
    this.scheduler =
      opts.scheduler ??
      new SystemScheduler((name, e) => this.log.error({ err: e, task: name }, 'scheduled task failed'));
    this.time = opts.time ?? SystemTime;
    this.servedReplicas =
      opts.servedReplicas ??
      ((brokerId) =>
        Promise.reject(
          new IllegalStateError(`This controller has no way to ask broker ${brokerId} about its log dirs.`),
        ));
    this.queue = new ControllerEventQueue<ControllerEvent>({
      process: (event) => this.process(event),
      preempt: (event) => {
        if (answersCaller(event)) event.reject(notController(this.knownControllerId));
      },
      coalesceKey,
      merge: mergeEvents,
      describe: (event) => event.type,
      logger: this.log,
      time: this.time,
    });
  }

  /** True while this broker is the active controller (from winning the race until resigning). */
  get isActive(): boolean {
    return this.activation !== undefined;
  }

  /** The controller epoch of the current activation; 0 when not active. */
  get epoch(): number {
    return this.activation?.context.epoch ?? 0;
  }

  /** The active controller's broker id as last seen in /controller; -1 when there is none. */
  get activeControllerId(): number {
    return this.isActive ? this.brokerId : this.knownControllerId;
  }

  /** 1 on the active controller, 0 elsewhere (Kafka's ActiveControllerCount). */
  get activeControllerCount(): number {
    return this.isActive ? 1 : 0;
  }

  /** Partitions without a live leader, outside topics being deleted; 0 when not active. */
  get offlinePartitionsCount(): number {
    return this.activation?.context.offlinePartitionCount ?? 0;
  }

  /** Partitions in the cluster; 0 when not active. */
  get globalPartitionCount(): number {
    return this.activation?.context.globalPartitionCount ?? 0;
  }

  /**
   * Starts watching /controller and the ZooKeeper session; the race for /controller and, on a win, the failover
   * run on the event queue afterwards (listen for 'activated').
   */
  async startup(): Promise<void> {
    if (this.started) throw new IllegalStateError('KafkaController.startup() may be called only once.');
    this.started = true;
    this.zk.zk.on('expired', this.onExpired);
    this.zk.zk.on('newSession', this.onNewSession);
    this.unwatchController = this.zk.zk.watchData(ControllerZNode.path, (node) => {
      this.knownControllerId = node === null ? -1 : this.decodeControllerId(node.data);
      this.queue.put({ type: 'ControllerChange' });
    });
  }

  /** Resigns if active (deleting /controller so another broker takes over now), and stops processing events. */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      this.zk.zk.off('expired', this.onExpired);
      this.zk.zk.off('newSession', this.onNewSession);
      this.unwatchController?.();
      this.queue.clearAndPut({ type: 'Shutdown' });
      await this.queue.idle();
      await this.queue.close();
      this.log.info('controller shut down');
    })();
    return this.stopping;
  }

  /**
   * Controlled shutdown of `brokerId` (Kafka's ControlledShutdown request, served by the active controller):
   * moves leadership of its replicated partitions to other ISR members and takes it out of the ISRs of the
   * partitions it follows. Resolves with the partitions it still leads (the broker retries until none).
   * Rejects with ApiError NOT_CONTROLLER when not active, BROKER_NOT_AVAILABLE for an unknown broker and
   * STALE_BROKER_EPOCH when `brokerEpoch` is older than its registration (-1 skips that check).
   */
  controlledShutdown(brokerId: number, brokerEpoch: number): Promise<TopicPartition[]> {
    return new Promise((resolve, reject) =>
      this.queue.put({ type: 'ControlledShutdown', brokerId, brokerEpoch, resolve, reject }),
    );
  }

  /**
   * Preferred or unclean leader elections of `partitions` (Kafka's ElectLeaders, served by the active controller):
   * resolves with each partition's new leader or its error (see replica-leader-election.ts). Rejects with ApiError
   * NOT_CONTROLLER when this broker is not the active controller.
   */
  electLeaders(partitions: readonly TopicPartition[], electionType: ElectionTypeName): Promise<ElectionOutcome[]> {
    return new Promise((resolve, reject) =>
      this.queue.put({ type: 'ReplicaLeaderElection', partitions, electionType, resolve, reject }),
    );
  }

  /**
   * Starts, replaces or cancels (replicas null) partition reassignments (Kafka's AlterPartitionReassignments, served
   * by the active controller; see partition-reassignment.ts): resolves with each request's refusal in order
   * (undefined: the move started, or completed at once). Rejects with ApiError NOT_CONTROLLER when not active.
   */
  alterPartitionReassignments(
    requests: ReadonlyArray<TopicPartition & { replicas: readonly number[] | null }>,
  ): Promise<Array<ApiError | undefined>> {
    return new Promise((resolve, reject) =>
      this.queue.put({ type: 'ApiPartitionReassignment', requests, resolve, reject }),
    );
  }

  /**
   * The partitions being reassigned now, with their whole replica set and KIP-455's adding and removing replicas
   * (Kafka's ListPartitionReassignments), limited to `partitions` unless null. Read from the context between events:
   * the fields of one partition are replaced together, so a partition is never seen half-updated. Throws ApiError
   * NOT_CONTROLLER when not active.
   */
  listPartitionReassignments(partitions: readonly TopicPartition[] | null): OngoingReassignment[] {
    const a = this.activation;
    if (a === undefined) throw notController(this.knownControllerId);
    const moving =
      partitions === null
        ? a.context.partitionsBeingReassigned()
        : partitions
            .map((tp) => a.context.partition(tp.topic, tp.partition))
            .filter((p): p is ControllerPartition => p !== undefined && isBeingReassigned(p));
    return moving.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      replicas: [...p.replicas],
      addingReplicas: [...p.addingReplicas],
      removingReplicas: [...p.removingReplicas],
    }));
  }

  /**
   * The broker default of unclean.leader.election.enable changed (a dynamic broker config): later elections use it,
   * and turning it on lets offline partitions elect an out-of-sync replica now (Kafka's
   * enableDefaultUncleanLeaderElection).
   */
  setUncleanLeaderElectionEnable(enable: boolean): void {
    this.config.uncleanLeaderElectionEnable = enable;
    if (this.activation !== undefined) this.activation.partitionStateMachine.uncleanLeaderElectionEnable = enable;
    if (enable) this.queue.put({ type: 'UncleanLeaderElectionEnable' });
  }

  // ---- event processing ----

  private async process(event: ControllerEvent): Promise<void> {
    try {
      switch (event.type) {
        case 'ControllerChange':
          return await this.processControllerChange();
        case 'Expire':
          return this.resign('ZooKeeper session expired');
        case 'Shutdown':
          return await this.processShutdown();
        case 'ControlledShutdown':
          return await this.processControlledShutdown(event);
        case 'ReplicaLeaderElection':
          return await this.processReplicaLeaderElection(event);
        case 'ApiPartitionReassignment':
          return await this.processApiPartitionReassignment(event);
      }
      const a = this.activation;
      if (a === undefined) return;
      switch (event.type) {
        case 'BrokerChange':
          return await this.processBrokerChange(a);
        case 'TopicChange':
          return await this.processTopicChange(a);
        case 'PartitionModifications':
          return await this.processPartitionModifications(a, event.topics);
        case 'TopicDeletion':
          return await a.topicDeletionManager.onDeletionMarkers(await this.zk.getTopicDeletions());
        case 'IsrChangeNotification':
          return await this.processIsrChangeNotification(a);
        case 'LogDirEventNotification':
          return await this.processLogDirEventNotification(a);
        case 'ServedReplicas':
          return await this.processServedReplicas(a, event);
        case 'PreferredReplicaElection':
          return await this.processPreferredReplicaElection(a);
        case 'PartitionReassignment':
          return await a.reassigner.advance();
        case 'AutoPreferredReplicaLeaderElection':
          return await this.checkAndTriggerAutoLeaderRebalance(a);
        case 'UncleanLeaderElectionEnable':
          await a.partitionStateMachine.triggerOnlinePartitionStateChange();
          return;
      }
    } catch (e) {
      if (answersCaller(event)) event.reject(toError(e));
      if (e instanceof ControllerMovedError) {
        this.log.warn({ event: event.type, err: e }, 'controller moved to another broker while handling an event');
        this.resign('controller moved');
        return;
      }
      throw e;
    }
  }

  /** /controller changed: resign if another broker holds it; race for it if nobody does (Kafka's Reelect). */
  private async processControllerChange(): Promise<void> {
    if (this.stopping !== undefined) return;
    const controllerId = await this.zk.getControllerId();
    this.knownControllerId = controllerId ?? -1;
    if (this.activation !== undefined && controllerId !== this.brokerId) {
      this.resign(`broker ${controllerId ?? 'none'} holds /controller now`);
    }
    if (controllerId === null) await this.elect();
  }

  private async elect(): Promise<void> {
    const won = await this.zk.registerControllerAndIncrementEpoch(this.brokerId);
    if (won === null) {
      this.knownControllerId = (await this.zk.getControllerId()) ?? -1;
      this.log.info({ controllerId: this.knownControllerId }, 'another broker won the controller election');
      return;
    }
    this.knownControllerId = this.brokerId;
    const a = this.activate(won.epoch, won.epochZkVersion);
    try {
      await this.onControllerFailover(a);
    } catch (e) {
      if (this.activation !== a) throw e;
      if (e instanceof ControllerMovedError) throw e;
      // Let another broker (or this one, afresh) try: Kafka's triggerControllerMove.
      this.log.error({ err: e }, 'controller failover failed; resigning and deleting /controller');
      this.resign('failover failed');
      await this.zk.deleteController(a.context.epochZkVersion);
    }
  }

  private activate(epoch: number, epochZkVersion: number): Activation {
    const context = new ControllerContext(epoch, epochZkVersion);
    const partitionStateMachine = new PartitionStateMachine({
      context,
      zkClient: this.zk,
      uncleanLeaderElectionEnable: this.config.uncleanLeaderElectionEnable,
      stats: this.stats,
      logger: this.log,
    });
    const replicaStateMachine = new ReplicaStateMachine({ context, zkClient: this.zk, logger: this.log });
    const a: Activation = {
      context,
      partitionStateMachine,
      replicaStateMachine,
      topicDeletionManager: new TopicDeletionManager({
        context,
        zkClient: this.zk,
        partitionStateMachine,
        replicaStateMachine,
        deleteTopicEnable: this.config.deleteTopicEnable,
        logger: this.log,
        onTopicDeleted: (topic) => this.unwatchTopic(a, topic),
      }),
      reassigner: new PartitionReassigner(context, this.zk, this.log),
      unwatch: [],
      brokerWatches: new Map(),
      topicWatches: new Map(),
      rebalanceTask: undefined,
    };
    this.activation = a;
    this.log.info({ epoch, epochZkVersion }, 'became the active controller');
    return a;
  }

  /**
   * Kafka's onControllerFailover: watch first (events queue up behind this one), delete stale ISR change
   * notifications, load brokers, topics, assignments and every state znode, start the replica then the partition
   * state machine (electing leaders for New and Offline partitions), then take the replicas of brokers that are not
   * live out of the ISRs (after the elections: see ReplicaStateMachine.startup), resume deletions, schedule the
   * rebalance.
   */
  private async onControllerFailover(a: Activation): Promise<void> {
    const startMs = this.time.hiResMs();
    const zk = this.zk.zk;
    const put = (event: ControllerEvent) => (): void => {
      if (this.activation === a) this.queue.put(event);
    };
    /** For admin request znodes: only their appearance or change is an event, not their absence. */
    const putIfExists =
      (event: ControllerEvent) =>
      (stat: unknown): void => {
        if (stat !== null) put(event)();
      };
    a.unwatch.push(
      zk.watchChildren(BrokerIdsZNode.path, put({ type: 'BrokerChange' })),
      zk.watchChildren(TopicsZNode.path, put({ type: 'TopicChange' })),
      zk.watchChildren(DeleteTopicsZNode.path, put({ type: 'TopicDeletion' })),
      zk.watchChildren(IsrChangeNotificationZNode.path, put({ type: 'IsrChangeNotification' })),
      zk.watchChildren(LogDirEventNotificationZNode.path, put({ type: 'LogDirEventNotification' })),
      zk.watchExists(PreferredReplicaElectionZNode.path, putIfExists({ type: 'PreferredReplicaElection' })),
      zk.watchExists(ReassignPartitionsZNode.path, putIfExists({ type: 'PartitionReassignment' })),
    );
    const ctx = a.context;
    await this.zk.deleteIsrChangeNotifications(await this.zk.getIsrChangeNotifications(), ctx.epochZkVersion);

    for (const broker of await this.zk.getAllBrokers()) {
      ctx.liveBrokerEpochs.set(broker.id, broker.epoch);
      this.watchBroker(a, broker.id);
    }
    const topics = await this.zk.getAllTopics();
    const assignments = await Promise.all(topics.map((t) => this.readTopicAssignment(t)));
    topics.forEach((topic, i) => {
      const assignment = assignments[i];
      if (assignment === null || assignment === undefined) return;
      ctx.addTopic(topic);
      for (const [partition, { replicas, addingReplicas, removingReplicas }] of assignment.partitions)
        ctx.putPartition(topic, partition, replicas, addingReplicas, removingReplicas);
      this.watchTopic(a, topic);
    });
    const partitions = [...ctx.allPartitions()];
    const states = await Promise.all(partitions.map((p) => this.zk.getPartitionStateWritten(p)));
    const stateMzxids = new Map<ControllerPartition, number>();
    partitions.forEach((p, i) => {
      p.leaderIsr = states[i]?.state;
      if (states[i]) stateMzxids.set(p, states[i].mzxid);
    });
    const restarted = ctx.leadersRegisteredSinceTheirStates((p) => stateMzxids.get(p));
    const markedForDeletion = await this.zk.getTopicDeletions();
    this.log.info(
      {
        epoch: ctx.epoch,
        liveBrokers: [...ctx.liveBrokerEpochs.keys()],
        topics: topics.length,
        partitions: partitions.length,
        markedForDeletion,
        restartedLeaders: restarted,
      },
      'controller context loaded',
    );

    const offlineReplicas = await a.replicaStateMachine.startup();
    a.partitionStateMachine.initializeStates();
    await a.partitionStateMachine.triggerOnlinePartitionStateChange();
    await a.replicaStateMachine.handleStateChanges(
      offlineReplicas,
      'OfflineReplica',
      'controller failover: broker not live',
    );
    // Brokers that registered again after the states naming them leader were written: their restart is handled
    // now, as a bounce (ControllerContext.leadersRegisteredSinceTheirStates; they do not lead on those states).
    await this.onBrokersBounced(a, restarted, new Map(ctx.liveBrokerEpochs));
    await a.topicDeletionManager.onDeletionMarkers(markedForDeletion);
    // Kafka's initializePartitionReassignments: moves recorded in the assignments resume, whatever the znode says.
    await a.reassigner.advance();

    if (this.activation !== a) return;
    if (this.config.autoLeaderRebalanceEnable) {
      a.rebalanceTask = this.scheduler.schedule(
        'auto-leader-rebalance',
        put({ type: 'AutoPreferredReplicaLeaderElection' }),
        FIRST_REBALANCE_CHECK_DELAY_MS,
        this.config.leaderImbalanceCheckIntervalSeconds * 1000,
      );
    }
    this.log.info(
      {
        epoch: ctx.epoch,
        offlinePartitions: ctx.offlinePartitionCount,
        failoverMs: Math.round(this.time.hiResMs() - startMs),
      },
      'controller failover complete',
    );
    this.emit('activated', ctx.epoch);
  }

  /** Stops acting as controller, synchronously: no more watch events, timers or writes from this activation. */
  private resign(reason: string): void {
    const a = this.activation;
    if (a === undefined) return;
    this.activation = undefined;
    if (this.knownControllerId === this.brokerId) this.knownControllerId = -1;
    for (const unwatch of [...a.unwatch, ...a.brokerWatches.values(), ...a.topicWatches.values()]) unwatch();
    a.rebalanceTask?.cancel();
    this.log.info({ epoch: a.context.epoch, reason }, 'resigned as controller');
    this.emit('resigned');
  }

  /** Runs inside the ZooKeeper client's expiry callback: resign before anything else, drop what was queued. */
  private handleSessionExpired(): void {
    this.log.warn({ active: this.isActive }, 'ZooKeeper session expired');
    this.resign('ZooKeeper session expired');
    this.queue.clearAndPut({ type: 'Expire' });
  }

  private async processShutdown(): Promise<void> {
    const a = this.activation;
    if (a === undefined) return;
    this.resign('shutdown');
    try {
      await this.zk.deleteController(a.context.epochZkVersion);
    } catch (e) {
      this.log.warn({ err: e }, 'could not delete /controller at shutdown; it goes with the ZooKeeper session');
    }
  }

  // ---- brokers ----

  /** Diffs /brokers/ids against the context: new, dead and bounced (same id, newer epoch) brokers. */
  private async processBrokerChange(a: Activation): Promise<void> {
    const ctx = a.context;
    const current = new Map((await this.zk.getAllBrokers()).map((b) => [b.id, b.epoch]));
    const newIds = [...current.keys()].filter((id) => !ctx.liveBrokerEpochs.has(id));
    const deadIds = [...ctx.liveBrokerEpochs.keys()].filter((id) => !current.has(id));
    const bouncedIds = [...current]
      .filter(([id, epoch]) => epoch > (ctx.liveBrokerEpochs.get(id) ?? epoch))
      .map(([id]) => id);
    if (newIds.length + deadIds.length + bouncedIds.length === 0) return;
    this.log.info(
      { newBrokers: newIds, deadBrokers: deadIds, bouncedBrokers: bouncedIds, liveBrokers: [...current.keys()] },
      'broker change',
    );
    for (const id of newIds) {
      ctx.liveBrokerEpochs.set(id, current.get(id)!);
      this.watchBroker(a, id);
    }
    await this.onBrokerStartup(a, newIds);
    await this.onBrokersBounced(a, bouncedIds, current);
    for (const id of deadIds) {
      ctx.removeLiveBroker(id);
      a.brokerWatches.get(id)?.();
      a.brokerWatches.delete(id);
    }
    await this.onBrokerFailure(a, deadIds);
  }

  /**
   * Its replicas go Online (a restarted broker's failed log dirs are forgotten: it reports again what still fails);
   * New and Offline partitions retry election. Leadership returns only by preferred election.
   */
  private async onBrokerStartup(a: Activation, brokerIds: readonly number[]): Promise<void> {
    if (brokerIds.length === 0) return;
    for (const id of brokerIds) a.context.replicasOnOfflineDirs.delete(id);
    const replicas = a.context.replicasOnBrokers(new Set(brokerIds));
    await a.replicaStateMachine.handleStateChanges(replicas, 'OnlineReplica', `broker ${brokerIds.join(',')} started`);
    await a.partitionStateMachine.triggerOnlinePartitionStateChange();
  }

  /**
   * Brokers that registered again (with `epochs`) while the context held them live: the old registration fails (new
   * leaders, or leader -1, with a new leader epoch, for what they led) and the new one starts (elections), so that
   * every state naming them leader is written after they registered.
   */
  private async onBrokersBounced(
    a: Activation,
    brokerIds: readonly number[],
    epochs: ReadonlyMap<number, number>,
  ): Promise<void> {
    if (brokerIds.length === 0) return;
    for (const id of brokerIds) a.context.removeLiveBroker(id);
    await this.onBrokerFailure(a, brokerIds);
    for (const id of brokerIds) a.context.liveBrokerEpochs.set(id, epochs.get(id)!);
    await this.onBrokerStartup(a, brokerIds);
  }

  /** Its replicas go offline (see onReplicasBecomeOffline). */
  private async onBrokerFailure(a: Activation, brokerIds: readonly number[]): Promise<void> {
    if (brokerIds.length === 0) return;
    for (const id of brokerIds) a.context.replicasOnOfflineDirs.delete(id);
    await this.onReplicasBecomeOffline(
      a,
      a.context.replicasOnBrokers(new Set(brokerIds)),
      `broker ${brokerIds.join(',')} failed`,
    );
  }

  /**
   * Kafka's onReplicasBecomeOffline: partitions whose leader is no longer an online replica go Offline and elect
   * anew from the ISR, then the replicas go Offline (leaving the ISRs) — in that order, so that a partition moves to
   * its new leader in one leader_epoch.
   */
  private async onReplicasBecomeOffline(
    a: Activation,
    replicas: readonly ControllerReplica[],
    reason: string,
  ): Promise<void> {
    const ctx = a.context;
    const offline = replicas.filter((r) => !ctx.isTopicQueuedUpForDeletion(r.partition.topic));
    await a.partitionStateMachine.handleStateChanges(ctx.partitionsWithOfflineLeader(), 'OfflinePartition', reason);
    await a.partitionStateMachine.triggerOnlinePartitionStateChange();
    await a.replicaStateMachine.handleStateChanges(offline, 'OfflineReplica', reason);
  }

  // ---- failed log dirs ----

  /**
   * /log_dir_event_notification changed (Kafka's processLogDirEventNotification): the notifications are deleted and
   * each live broker they name is asked which replicas it still serves; its answer comes back as a ServedReplicas
   * event. Kafka asks with a LeaderAndIsr request for every replica of the broker and reads the KAFKA_STORAGE_ERRORs
   * in the response; here, with no controller-to-broker requests of that kind, the question is DescribeLogDirs,
   * whose answer lists the replicas of the broker's live dirs and flags the failed ones.
   */
  private async processLogDirEventNotification(a: Activation): Promise<void> {
    const sequenceNumbers = await this.zk.getLogDirEventNotifications();
    if (sequenceNumbers.length === 0) return;
    const brokerIds = await this.zk.getBrokerIdsFromLogDirEvents(sequenceNumbers);
    await this.zk.deleteLogDirEventNotifications(sequenceNumbers, a.context.epochZkVersion);
    this.log.info({ brokerIds }, 'log dirs failed on brokers; asking which replicas they still serve');
    for (const id of brokerIds) this.askServedReplicas(a, id);
  }

  /** Asks off the event queue (a slow broker must not hold elections up); retries while the broker stays live. */
  private askServedReplicas(a: Activation, brokerId: number): void {
    const brokerEpoch = a.context.liveBrokerEpochs.get(brokerId);
    if (this.activation !== a || brokerEpoch === undefined) return;
    this.servedReplicas(brokerId).then(
      (answer) => {
        if (this.activation === a) this.queue.put({ type: 'ServedReplicas', brokerId, brokerEpoch, answer });
      },
      (err: unknown) => {
        if (this.activation !== a) return;
        this.log.warn({ brokerId, err }, 'could not ask a broker which replicas it still serves; retrying');
        this.scheduler.schedule(
          `served-replicas-${brokerId}`,
          () => this.askServedReplicas(a, brokerId),
          SERVED_REPLICAS_RETRY_MS,
        );
      },
    );
  }

  /**
   * A broker's answer: every replica assigned to it that it does not serve is on a failed dir (until it registers
   * again) and goes offline — new leaders where it led, out of the ISRs where it followed. An answer given under an
   * older registration is dropped: the broker reports again after registering.
   */
  private async processServedReplicas(
    a: Activation,
    event: Extract<ControllerEvent, { type: 'ServedReplicas' }>,
  ): Promise<void> {
    const ctx = a.context;
    const { brokerId, answer } = event;
    if (ctx.liveBrokerEpochs.get(brokerId) !== event.brokerEpoch || answer.offlineLogDirs.length === 0) return;
    const known = computeIfAbsent(ctx.replicasOnOfflineDirs, brokerId, () => new Set<string>());
    const newlyOffline = ctx.replicasOnBrokers(new Set([brokerId])).filter((r) => {
      const key = `${r.partition.topic}-${r.partition.partition}`;
      if (answer.replicas.has(key) || known.has(key)) return false;
      known.add(key);
      return true;
    });
    this.log.warn(
      {
        brokerId,
        offlineLogDirs: answer.offlineLogDirs,
        offlineReplicas: newlyOffline.map((r) => `${r.partition.topic}-${r.partition.partition}`),
      },
      'replicas on failed log dirs go offline',
    );
    await this.onReplicasBecomeOffline(a, newlyOffline, `log dir failure on broker ${brokerId}`);
  }

  private async processControlledShutdown(
    event: Extract<ControllerEvent, { type: 'ControlledShutdown' }>,
  ): Promise<void> {
    const a = this.activation;
    if (a === undefined) {
      event.reject(notController(this.knownControllerId));
      return;
    }
    const ctx = a.context;
    const { brokerId, brokerEpoch } = event;
    const registeredEpoch = ctx.liveBrokerEpochs.get(brokerId);
    if (registeredEpoch === undefined) {
      event.reject(
        new ApiError(
          'BROKER_NOT_AVAILABLE',
          `Broker ${brokerId} asked for a controlled shutdown but is not ` +
            `registered in ZooKeeper (live brokers: ${[...ctx.liveBrokerEpochs.keys()].join(',')}).`,
        ),
      );
      return;
    }
    if (brokerEpoch !== -1 && brokerEpoch < registeredEpoch) {
      event.reject(
        new ApiError(
          'STALE_BROKER_EPOCH',
          `Controlled shutdown of broker ${brokerId} with epoch ${brokerEpoch} ` +
            `refused: the broker registered again since (epoch ${registeredEpoch}).`,
        ),
      );
      return;
    }
    ctx.shuttingDownBrokerIds.add(brokerId);
    const reason = `controlled shutdown of broker ${brokerId}`;
    const toActOn = ctx
      .replicasOnBrokers(new Set([brokerId]))
      .map((r) => r.partition)
      .filter((p) => p.replicas.length > 1 && p.leaderIsr !== undefined && !ctx.isTopicQueuedUpForDeletion(p.topic));
    const led = toActOn.filter((p) => p.leaderIsr!.leader === brokerId);
    const followed = toActOn.filter((p) => p.leaderIsr!.leader !== brokerId);
    await a.partitionStateMachine.handleStateChanges(led, 'OnlinePartition', reason, { kind: 'ControlledShutdown' });
    await a.replicaStateMachine.handleStateChanges(
      followed.map((partition) => ({ partition, brokerId })),
      'OfflineReplica',
      reason,
    );
    const stillLed = ctx.partitionsLedBy(brokerId).filter((p) => p.replicas.length > 1);
    this.log.info({ brokerId, stillLed: stillLed.length }, 'controlled shutdown handled');
    event.resolve(stillLed.map(({ topic, partition }) => ({ topic, partition })));
  }

  // ---- topics ----

  /** Diffs /brokers/topics against the context: new topics get their partitions created, vanished ones dropped. */
  private async processTopicChange(a: Activation): Promise<void> {
    const ctx = a.context;
    const topics = new Set(await this.zk.getAllTopics());
    const newTopics = [...topics].filter((t) => !ctx.hasTopic(t));
    for (const topic of [...ctx.allTopics].filter((t) => !topics.has(t))) {
      this.log.info({ topic }, 'topic znode removed; forgetting the topic');
      ctx.removeTopic(topic);
      this.unwatchTopic(a, topic);
    }
    if (newTopics.length === 0) return;
    const assignments = await Promise.all(newTopics.map((t) => this.readTopicAssignment(t)));
    const created: ControllerPartition[] = [];
    newTopics.forEach((topic, i) => {
      const assignment = assignments[i];
      if (assignment === null || assignment === undefined) return;
      ctx.addTopic(topic);
      for (const [partition, { replicas, addingReplicas, removingReplicas }] of assignment.partitions)
        created.push(ctx.putPartition(topic, partition, replicas, addingReplicas, removingReplicas));
      this.watchTopic(a, topic);
    });
    this.log.info({ topics: newTopics, partitions: created.length }, 'new topics');
    await this.onNewPartitionCreation(a, created);
  }

  /** Partitions added to existing topics' assignments become New then Online. */
  private async processPartitionModifications(a: Activation, topics: ReadonlySet<string>): Promise<void> {
    const ctx = a.context;
    const known = [...topics].filter((t) => ctx.hasTopic(t));
    const assignments = await Promise.all(known.map((t) => this.readTopicAssignment(t)));
    const added: ControllerPartition[] = [];
    known.forEach((topic, i) => {
      const assignment = assignments[i];
      if (assignment === null || assignment === undefined || !ctx.hasTopic(topic)) return;
      const newPartitions = [...assignment.partitions].filter(([p]) => ctx.partition(topic, p) === undefined);
      if (newPartitions.length === 0) return;
      if (ctx.isTopicQueuedUpForDeletion(topic)) {
        this.log.warn(
          { topic, partitions: newPartitions.map(([p]) => p) },
          'ignoring partitions added to a topic being deleted',
        );
        return;
      }
      for (const [partition, { replicas, addingReplicas, removingReplicas }] of newPartitions)
        added.push(ctx.putPartition(topic, partition, replicas, addingReplicas, removingReplicas));
    });
    if (added.length === 0) return;
    this.log.info(
      { partitions: added.map((p) => `${p.topic}-${p.partition}`) },
      'new partitions added to existing topics',
    );
    await this.onNewPartitionCreation(a, added);
  }

  private async onNewPartitionCreation(a: Activation, partitions: readonly ControllerPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    const reason = 'new partition';
    const replicas = a.context.replicasOf(partitions);
    await a.partitionStateMachine.handleStateChanges(partitions, 'NewPartition', reason);
    await a.replicaStateMachine.handleStateChanges(replicas, 'NewReplica', reason);
    await a.partitionStateMachine.handleStateChanges(partitions, 'OnlinePartition', reason);
    await a.replicaStateMachine.handleStateChanges(replicas, 'OnlineReplica', reason);
  }

  // ---- notifications and admin requests ----

  /** Leaders changed ISRs: re-read the named state znodes into the context, then delete the notifications. */
  private async processIsrChangeNotification(a: Activation): Promise<void> {
    const ctx = a.context;
    const sequenceNumbers = await this.zk.getIsrChangeNotifications();
    if (sequenceNumbers.length === 0) return;
    try {
      const named = await this.zk.getPartitionsFromIsrChangeNotifications(sequenceNumbers);
      const partitions = [...new Set(named.map((tp) => ctx.partition(tp.topic, tp.partition)))].filter(
        (p): p is ControllerPartition => p !== undefined,
      );
      const states = await Promise.all(partitions.map((p) => this.zk.getPartitionState(p)));
      partitions.forEach((p, i) => {
        const state = states[i];
        if (state !== null && state !== undefined) p.leaderIsr = state;
      });
      this.log.debug({ partitions: partitions.length }, 'ISR changes read');
    } finally {
      await this.zk.deleteIsrChangeNotifications(sequenceNumbers, ctx.epochZkVersion);
    }
    // A reassignment waits for its new replicas to join the ISR: this may be the change it waits for.
    await a.reassigner.advance();
  }

  private async processReplicaLeaderElection(
    event: Extract<ControllerEvent, { type: 'ReplicaLeaderElection' }>,
  ): Promise<void> {
    const a = this.activation;
    if (a === undefined) {
      event.reject(notController(this.knownControllerId));
      return;
    }
    const outcomes = await electReplicaLeaders(
      a.context,
      a.partitionStateMachine,
      event.partitions,
      event.electionType,
      `${event.electionType.toLowerCase()} leader election requested by an admin`,
    );
    this.log.info(
      {
        electionType: event.electionType,
        elected: outcomes.filter((o) => o.error === undefined).length,
        requested: outcomes.length,
      },
      'admin leader election handled',
    );
    event.resolve(outcomes);
  }

  private async processApiPartitionReassignment(
    event: Extract<ControllerEvent, { type: 'ApiPartitionReassignment' }>,
  ): Promise<void> {
    const a = this.activation;
    if (a === undefined) {
      event.reject(notController(this.knownControllerId));
      return;
    }
    const outcomes = await a.reassigner.alter(event.requests);
    this.log.info(
      { requested: outcomes.length, refused: outcomes.filter((o) => o !== undefined).length },
      'admin partition reassignment handled',
    );
    event.resolve(outcomes);
  }

  /** /admin/preferred_replica_election: elect the preferred replicas of the listed partitions, then delete it. */
  private async processPreferredReplicaElection(a: Activation): Promise<void> {
    const requested = await this.zk.getPreferredReplicaElection();
    if (requested === null) return;
    try {
      const ctx = a.context;
      const partitions = requested
        .map((tp) => ctx.partition(tp.topic, tp.partition))
        .filter((p): p is ControllerPartition => p !== undefined && !ctx.isTopicQueuedUpForDeletion(p.topic));
      await this.electPreferredLeaders(a, partitions, 'preferred replica election requested in ZooKeeper');
    } finally {
      await this.zk.deletePreferredReplicaElection(a.context.epochZkVersion);
    }
  }

  private async electPreferredLeaders(
    a: Activation,
    partitions: readonly ControllerPartition[],
    reason: string,
  ): Promise<void> {
    const electable = partitions.filter((p) => p.leaderIsr !== undefined && p.leaderIsr.leader !== p.replicas[0]);
    if (electable.length === 0) return;
    await a.partitionStateMachine.handleStateChanges(electable, 'OnlinePartition', reason, {
      kind: 'PreferredReplica',
    });
  }

  /**
   * Kafka's checkAndTriggerAutoLeaderRebalance: per preferred broker, if more than
   * leader.imbalance.per.broker.percentage of the partitions preferring it are led elsewhere, elect it for those
   * where it is online and in the ISR.
   */
  private async checkAndTriggerAutoLeaderRebalance(a: Activation): Promise<void> {
    const ctx = a.context;
    const byPreferred = new Map<number, ControllerPartition[]>();
    for (const p of ctx.allPartitions()) {
      const preferred = p.replicas[0];
      if (preferred === undefined || ctx.isTopicQueuedUpForDeletion(p.topic)) continue;
      const list = computeIfAbsent(byPreferred, preferred, () => []);
      list.push(p);
    }
    const candidates: ControllerPartition[] = [];
    for (const [brokerId, partitions] of byPreferred) {
      const notLedByPreferred = partitions.filter((p) => p.leaderIsr !== undefined && p.leaderIsr.leader !== brokerId);
      const imbalanceRatio = notLedByPreferred.length / partitions.length;
      if (imbalanceRatio <= this.config.leaderImbalancePerBrokerPercentage / 100) continue;
      this.log.info({ brokerId, imbalanceRatio }, 'leader imbalance above leader.imbalance.per.broker.percentage');
      if (!ctx.isBrokerOnline(brokerId)) continue;
      candidates.push(...notLedByPreferred.filter((p) => p.leaderIsr!.isr.includes(brokerId)));
    }
    await this.electPreferredLeaders(a, candidates, 'auto leader rebalance');
  }

  // ---- watches ----

  /** Watches of a resigned activation are never created (resign() already dropped its watches). */
  private watchBroker(a: Activation, brokerId: number): void {
    if (this.activation !== a || a.brokerWatches.has(brokerId)) return;
    a.brokerWatches.set(
      brokerId,
      this.zk.zk.watchData(BrokerIdZNode.path(brokerId), () => {
        if (this.activation === a) this.queue.put({ type: 'BrokerChange' });
      }),
    );
  }

  private watchTopic(a: Activation, topic: string): void {
    if (this.activation !== a || a.topicWatches.has(topic)) return;
    a.topicWatches.set(
      topic,
      this.zk.zk.watchData(TopicZNode.path(topic), () => {
        if (this.activation === a) this.queue.put({ type: 'PartitionModifications', topics: new Set([topic]) });
      }),
    );
  }

  private unwatchTopic(a: Activation, topic: string): void {
    a.topicWatches.get(topic)?.();
    a.topicWatches.delete(topic);
  }

  /**
   * A topic's assignment (null when the topic is gone). A malformed one counts as no partitions, so that one
   * hand-edited znode does not stop the controller from managing the other topics; the topic stays watched, and
   * its partitions arrive as new ones once the znode is fixed (the logged error names the znode and the fix).
   */
  private async readTopicAssignment(topic: string): Promise<Pick<TopicAssignmentAndZkVersion, 'partitions'> | null> {
    try {
      return await this.zk.getTopicAssignment(topic);
    } catch (e) {
      if (!(e instanceof MalformedZNodeError)) throw e;
      this.log.error(
        { err: e, topic },
        'topic assignment znode cannot be read; its partitions are ignored until it is fixed',
      );
      return { partitions: new Map() };
    }
  }

  private decodeControllerId(data: Buffer): number {
    try {
      return ControllerZNode.decode(data);
    } catch (e) {
      this.log.error({ err: e }, 'cannot read /controller');
      return -1;
    }
  }
}

/** Events whose caller waits for an answer: rejected when the controller cannot handle them. */
function answersCaller(
  event: ControllerEvent,
): event is Extract<
  ControllerEvent,
  { type: 'ControlledShutdown' | 'ReplicaLeaderElection' | 'ApiPartitionReassignment' }
> {
  return (
    event.type === 'ControlledShutdown' ||
    event.type === 'ReplicaLeaderElection' ||
    event.type === 'ApiPartitionReassignment'
  );
}

function notController(controllerId: number): ApiError {
  return new ApiError(
    'NOT_CONTROLLER',
    `This broker is not the active controller` +
      `${controllerId >= 0 ? `; broker ${controllerId} is` : ''}. Send the request to the controller named in Metadata.`,
  );
}
