/**
 * Kafka's partition state machine (`PartitionStateMachine.scala`), whose only output here is ZooKeeper writes:
 * brokers read the state znodes themselves.
 *
 * States and what enters them (valid previous states in PARTITION_STATE_TRANSITIONS):
 * - NonExistentPartition: never created, or deleted. ← Offline.
 * - NewPartition: has an assignment but no state znode yet. ← NonExistent.
 * - OnlinePartition: has a live leader. ← New (creates the state znode: leader = first live replica, ISR = all live
 *   replicas, leader_epoch 0), ← Online/Offline (runs an election strategy and writes leader_epoch + 1 at the
 *   cached zkVersion).
 * - OfflinePartition: its leader died (or it has none). ← New/Online/Offline; no ZooKeeper write.
 *
 * Invariants: every state change passes `assertValidTransition` and is logged at info with from, to and reason;
 * invalid requested transitions are logged at error and skipped (as Kafka does), never half-applied. Writes for
 * all partitions of one call are batched (see update-leader-and-isr.ts): a thousand partitions cost a few
 * pipelined round trips, not a thousand sequential ones.
 *
 * Concurrency: called only from controller event handlers (one at a time). Between awaits the context may only be
 * changed by this call. Ownership: one per activation, created with its ControllerContext.
 * Crash: nothing local persists; a new controller re-reads every state znode.
 */
import { computeIfAbsent } from '../common/collections.js';
import type { Logger } from '../common/logger.js';
import { ConfigType, type LeaderIsrAndControllerEpoch } from '../zk/zk-paths.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';
import type { ControllerContext, ControllerPartition } from './controller-context.js';
import type { ControllerStats } from './controller-stats.js';
import { electLeader, type ElectionStrategy } from './election.js';
import { PARTITION_STATE_TRANSITIONS, type PartitionState } from './controller-states.js';
import { updateLeaderAndIsr, type LeaderIsrDecision } from './update-leader-and-isr.js';

export type PartitionStateZkClient = Pick<
  KafkaZkClient,
  'createPartitionStates' | 'updatePartitionState' | 'getPartitionState' | 'getEntityConfig'
>;

export interface PartitionStateMachineOptions {
  context: ControllerContext;
  zkClient: PartitionStateZkClient;
  /** Broker default of unclean.leader.election.enable; a topic's own config overrides it. */
  uncleanLeaderElectionEnable: boolean;
  /** Where elections are counted and timed (LeaderElectionRateAndTimeMs). */
  stats?: ControllerStats;
  logger: Logger;
}

const UNCLEAN_KEY = 'unclean.leader.election.enable';

export class PartitionStateMachine {
  private readonly context: ControllerContext;
  private readonly zk: PartitionStateZkClient;
  private uncleanDefault: boolean;
  private readonly log: Logger;
  private readonly stats: ControllerStats | undefined;

  constructor(opts: PartitionStateMachineOptions) {
    this.context = opts.context;
    this.zk = opts.zkClient;
    this.uncleanDefault = opts.uncleanLeaderElectionEnable;
    this.stats = opts.stats;
    this.log = opts.logger.child({ component: 'PartitionStateMachine' });
  }

  /** The broker default of unclean.leader.election.enable changed (a dynamic broker config). */
  set uncleanLeaderElectionEnable(enable: boolean) {
    this.uncleanDefault = enable;
  }

  /**
   * Failover: every partition's initial state from the state znodes just loaded: Online when its leader is an
   * online broker, Offline when it has a state znode, New otherwise.
   */
  initializeStates(): void {
    for (const p of this.context.allPartitions()) {
      const state: PartitionState =
        p.leaderIsr === undefined
          ? 'NewPartition'
          : this.context.isReplicaOnline(p.leaderIsr.leader, p)
            ? 'OnlinePartition'
            : 'OfflinePartition';
      this.context.setPartitionState(p, state);
    }
  }

  /** Elects leaders for every New or Offline partition outside topics being deleted (Kafka's triggerOnlinePartitionStateChange). */
  triggerOnlinePartitionStateChange(): Promise<Map<ControllerPartition, string>> {
    const partitions: ControllerPartition[] = [];
    for (const p of this.context.allPartitions()) {
      if (
        (p.state === 'NewPartition' || p.state === 'OfflinePartition') &&
        !this.context.isTopicQueuedUpForDeletion(p.topic)
      ) {
        partitions.push(p);
      }
    }
    return this.handleStateChanges(partitions, 'OnlinePartition', 'leader election for offline and new partitions');
  }

  /**
   * Moves `partitions` to `target`; for OnlinePartition, partitions that have a state znode elect their leader
   * with `strategy`. Resolves with the partitions that did not reach `target` and why (no live replica, no
   * eligible leader, invalid transition, ...); they keep their previous state.
   */
  async handleStateChanges(
    partitions: readonly ControllerPartition[],
    target: PartitionState,
    reason: string,
    strategy: ElectionStrategy = { kind: 'OfflinePartition' },
  ): Promise<Map<ControllerPartition, string>> {
    const failed = new Map<ControllerPartition, string>();
    const valid: ControllerPartition[] = [];
    for (const p of partitions) {
      if (PARTITION_STATE_TRANSITIONS.isValid(p.state, target)) {
        valid.push(p);
      } else {
        const message = `Invalid transition of ${p.topic}-${p.partition} from ${p.state} to ${target}`;
        this.log.error({ topicPartition: `${p.topic}-${p.partition}`, from: p.state, to: target, reason }, message);
        failed.set(p, message);
      }
    }
    if (target !== 'OnlinePartition') {
      for (const p of valid) this.transition(p, target, reason);
      return failed;
    }
    const created = valid.filter((p) => p.state !== 'NewPartition');
    const { alreadyCreated, failures } = await this.initializeLeaderAndIsr(
      valid.filter((p) => p.state === 'NewPartition'),
    );
    for (const [p, why] of failures) failed.set(p, why);
    const toElect = [...alreadyCreated, ...created];
    if (toElect.length > 0) {
      const started = performance.now();
      const unclean = new Set<ControllerPartition>();
      const electionFailures = await this.electLeaders(toElect, strategy, unclean);
      this.stats?.recordElections(
        toElect.length - electionFailures.size,
        [...unclean].filter((p) => !electionFailures.has(p)).length,
        performance.now() - started,
      );
      for (const p of toElect) {
        const why = electionFailures.get(p);
        if (why === undefined) this.transition(p, 'OnlinePartition', reason);
        else failed.set(p, why);
      }
    }
    for (const [p, why] of failed) {
      this.log.warn(
        { topicPartition: `${p.topic}-${p.partition}`, state: p.state, to: target, reason: why },
        'partition state change failed',
      );
    }
    return failed;
  }

  /**
   * New → Online: creates the state znodes (leader = first live replica, ISR = live replicas, leader_epoch 0).
   * Partitions without a live replica stay New; partitions whose znode already exists are read and returned for
   * a regular election.
   */
  private async initializeLeaderAndIsr(
    partitions: readonly ControllerPartition[],
  ): Promise<{ alreadyCreated: ControllerPartition[]; failures: Map<ControllerPartition, string> }> {
    const failures = new Map<ControllerPartition, string>();
    const alreadyCreated: ControllerPartition[] = [];
    const byTopic = new Map<string, Map<number, LeaderIsrAndControllerEpoch>>();
    for (const p of partitions) {
      const live = p.replicas.filter((id) => this.context.isReplicaOnline(id, p));
      if (live.length === 0) {
        failures.set(
          p,
          `No live replica of ${p.topic}-${p.partition} among [${p.replicas.join(',')}]; ` +
            `it stays New until one of them starts.`,
        );
        continue;
      }
      const states = computeIfAbsent(byTopic, p.topic, () => new Map());
      states.set(p.partition, { leader: live[0]!, leaderEpoch: 0, isr: live, controllerEpoch: this.context.epoch });
    }
    await Promise.all(
      [...byTopic].map(async ([topic, states]) => {
        const created = await this.zk.createPartitionStates(topic, states, this.context.epochZkVersion);
        for (const [partition, wasCreated] of created) {
          const p = this.context.partition(topic, partition)!;
          if (wasCreated) {
            p.leaderIsr = { ...states.get(partition)!, zkVersion: 0 };
            this.transition(p, 'OnlinePartition', 'new partition');
          } else {
            alreadyCreated.push(p);
          }
        }
      }),
    );
    const existing = await Promise.all(alreadyCreated.map((p) => this.zk.getPartitionState(p)));
    alreadyCreated.forEach((p, i) => (p.leaderIsr = existing[i] ?? undefined));
    return { alreadyCreated, failures };
  }

  /** Elects and writes leaders; partitions given one from outside the ISR are added to `uncleanElected`. */
  private electLeaders(
    partitions: readonly ControllerPartition[],
    strategy: ElectionStrategy,
    uncleanElected: Set<ControllerPartition>,
  ): Promise<Map<ControllerPartition, string>> {
    const ctx = this.context;
    const isLiveIn =
      (p: ControllerPartition) =>
      (id: number): boolean =>
        (strategy.kind === 'ControlledShutdown' ? ctx.isBrokerLiveOrShuttingDown(id) : ctx.isBrokerOnline(id)) &&
        !ctx.isReplicaOnOfflineDir(id, p);
    const isShuttingDown = (id: number): boolean => ctx.shuttingDownBrokerIds.has(id);
    return updateLeaderAndIsr(ctx, this.zk, partitions, async (candidates) => {
      const decisions = new Map<ControllerPartition, LeaderIsrDecision>();
      const uncleanCandidates: ControllerPartition[] = [];
      const elect = (p: ControllerPartition, unclean: boolean): boolean => {
        const result = electLeader(strategy, {
          assignment: p.replicas,
          isr: p.leaderIsr!.isr,
          isLive: isLiveIn(p),
          isShuttingDown,
          uncleanLeaderElectionEnabled: unclean,
        });
        if (result === undefined) return false;
        if (result.unclean) {
          this.log.warn(
            { topicPartition: `${p.topic}-${p.partition}`, leader: result.leader, isr: p.leaderIsr!.isr },
            'unclean leader election: the new leader was not in the ISR; records may be lost',
          );
          uncleanElected.add(p);
        }
        decisions.set(p, { kind: 'update', leader: result.leader, isr: result.isr });
        return true;
      };
      for (const p of candidates) {
        if (!elect(p, false)) {
          if (strategy.kind === 'OfflinePartition') uncleanCandidates.push(p);
          else decisions.set(p, this.noLeader(p, strategy, isLiveIn(p)));
        }
      }
      const forced = strategy.kind === 'OfflinePartition' && strategy.allowUnclean === true;
      const uncleanByTopic = forced
        ? new Map<string, boolean>()
        : await this.uncleanElectionEnabled(new Set(uncleanCandidates.map((p) => p.topic)));
      for (const p of uncleanCandidates) {
        if (!((forced || uncleanByTopic.get(p.topic)) && elect(p, true)))
          decisions.set(p, this.noLeader(p, strategy, isLiveIn(p)));
      }
      return decisions;
    });
  }

  private noLeader(
    p: ControllerPartition,
    strategy: ElectionStrategy,
    isLive: (id: number) => boolean,
  ): LeaderIsrDecision {
    return {
      kind: 'failed',
      reason:
        `No eligible leader for ${p.topic}-${p.partition} under ${strategy.kind} election: ` +
        `replicas [${p.replicas.join(',')}], ISR [${p.leaderIsr!.isr.join(',')}], live replicas ` +
        `[${p.replicas.filter(isLive).join(',')}].`,
    };
  }

  /** unclean.leader.election.enable per topic: the topic's override in /config/topics/<t>, else the broker default. */
  private async uncleanElectionEnabled(topics: ReadonlySet<string>): Promise<Map<string, boolean>> {
    const entries = await Promise.all(
      [...topics].map(async (topic) => {
        const value = (await this.zk.getEntityConfig(ConfigType.Topic, topic))[UNCLEAN_KEY];
        return [topic, value === undefined ? this.uncleanDefault : value.trim() === 'true'] as const;
      }),
    );
    return new Map(entries);
  }

  private transition(p: ControllerPartition, to: PartitionState, reason: string): void {
    PARTITION_STATE_TRANSITIONS.assertValidTransition(`${p.topic}-${p.partition}`, p.state, to);
    this.log.info(
      {
        topicPartition: `${p.topic}-${p.partition}`,
        from: p.state,
        to,
        reason,
        leader: p.leaderIsr?.leader,
        leaderEpoch: p.leaderIsr?.leaderEpoch,
        isr: p.leaderIsr?.isr,
      },
      'partition state change',
    );
    this.context.setPartitionState(p, to);
  }
}
