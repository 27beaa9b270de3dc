/**
 * Partition reassignment, run by the active controller: through /admin/reassign_partitions (ZooKeeper-era Kafka's
 * flow, as kafka-reassign-partitions.sh --zookeeper drives it) and through AlterPartitionReassignments (KIP-455, as
 * the tool drives it with --bootstrap-server; `alter()`):
 *
 *   0. Acceptance: a request is checked once, when the controller first meets it: the partition must exist and not
 *      be queued for deletion, the replica list must be non-empty without repeats, the partition must not be moving
 *      to another target already, and every target broker must be registered in /brokers/ids. A refused request
 *      leaves the znode with a warning that names the reason; the rest of the znode is carried out.
 *   1. Start: RS = TRS ∪ ORS (target replicas first) with KIP-455's adding (TRS − ORS) and removing (ORS − TRS)
 *      replicas, then the state znode is rewritten with leader_epoch + 1 so that every replica re-applies it; brokers
 *      follow ZooKeeper, so the new replicas create their logs and fetch from the leader (ARCHITECTURE.md "Brokers
 *      follow ZooKeeper"). From here on the assignment itself records the move: a partition whose assignment lists
 *      adding or removing replicas has a pending reassignment, whatever /admin/reassign_partitions says.
 *   2. Wait until every target replica is in the ISR (the leader adds caught-up followers and announces it under
 *      /isr_change_notification, which re-runs this). A target broker that stops meanwhile is waited for: the move
 *      completes once it is back and caught up. Liveness is never re-checked after acceptance.
 *   3. Complete: if the leader is not a live target replica, elect the first live target replica in the ISR (or wait
 *      while none can lead); the ISR keeps only target replicas; leader_epoch + 1. Then the assignment becomes TRS:
 *      the old replicas see they are no longer assigned and delete their logs.
 *   4. The partition leaves /admin/reassign_partitions; the znode is deleted when none is left.
 *
 * Through the API (Kafka 2.8's processApiPartitionReassignment): the checks of step 0 answer per partition with
 * Kafka's errors instead of a log line; a partition that is moving may get a new target, or null to cancel, which
 * is a move back to its original replicas (ORS = RS − AR): the replicas the pending move had added leave the
 * assignment and the ISR and delete their logs. The latest request wins: a partition named by the API leaves the
 * znode. A ZooKeeper request for a partition that is moving elsewhere is still refused, as step 0 says.
 *
 * Pending moves are the accepted entries of the znode plus every partition whose assignment records a move, so a
 * partition is never left in the intermediate layout: a new controller (or this one, if the znode was deleted by
 * hand) carries such a move on to its target, and re-bumps its leader epoch once so that the new replicas re-apply
 * it (Kafka resends LeaderAndIsr to a resumed reassignment). Every write is fenced by the controller epoch.
 *
 * Concurrency: called from the controller's event thread only; one instance per activation.
 */
import { ApiError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { tpKey, type TopicPartition } from '../common/topic-partition.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';
import { replicaAssignment, type PartitionReassignment } from '../zk/zk-paths.js';
import {
  isBeingReassigned,
  targetReplicas,
  type ControllerContext,
  type ControllerPartition,
} from './controller-context.js';
import { updateLeaderAndIsr, type LeaderIsrZkClient } from './update-leader-and-isr.js';

/** The ZooKeeper operations a reassignment uses (KafkaZkClient's; a fake in unit specs). */
export type ReassignmentZkClient = LeaderIsrZkClient &
  Pick<
    KafkaZkClient,
    | 'getPartitionReassignment'
    | 'updatePartitionReassignment'
    | 'deletePartitionReassignment'
    | 'getTopicAssignment'
    | 'setTopicAssignment'
  >;

type Step = 'done' | 'in progress';

export class PartitionReassigner {
  /** Pending moves this activation has advanced before; a move met the first time is re-announced (header). */
  private readonly advanced = new Set<ControllerPartition>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly zk: ReassignmentZkClient,
    private readonly log: Logger,
  ) {}

  /** Advances every pending reassignment as far as it can go now, and rewrites or deletes the znode. */
  async advance(): Promise<void> {
    const requested = await this.zk.getPartitionReassignment();
    const pending: PartitionReassignment[] = [];
    const requestedPartitions = new Set<ControllerPartition>();
    for (const r of requested ?? []) {
      const p = this.ctx.partition(r.topic, r.partition);
      const refusal = this.refusal(r, p, requestedPartitions);
      if (refusal !== undefined || p === undefined) {
        this.log.warn(
          { partition: `${r.topic}-${r.partition}`, replicas: r.replicas, reason: refusal },
          'refusing a partition reassignment',
        );
        continue;
      }
      requestedPartitions.add(p);
      if ((await this.advanceOne(p, r.replicas)) === 'in progress') pending.push(r);
      else this.advanced.delete(p);
    }
    for (const p of this.ctx.partitionsBeingReassigned()) {
      if (requestedPartitions.has(p) || this.ctx.isTopicQueuedUpForDeletion(p.topic)) continue;
      if ((await this.advanceOne(p, targetReplicas(p))) === 'done') this.advanced.delete(p);
    }
    if (requested === null || pending.length === requested.length) return;
    if (pending.length === 0) await this.zk.deletePartitionReassignment(this.ctx.epochZkVersion);
    else await this.zk.updatePartitionReassignment(pending, this.ctx.epochZkVersion);
  }

  /** Why a request from the znode may not go ahead, or undefined (acceptance, step 0 of the header). */
  private refusal(
    r: PartitionReassignment,
    p: ControllerPartition | undefined,
    seen: ReadonlySet<ControllerPartition>,
  ): string | undefined {
    const target = r.replicas;
    if (p === undefined) return 'the partition does not exist';
    if (this.ctx.isTopicQueuedUpForDeletion(r.topic)) return 'the topic is being deleted';
    if (seen.has(p)) return 'the partition is listed more than once';
    if (target.length === 0 || new Set(target).size !== target.length)
      return 'the replica list is empty or repeats a broker';
    if (isBeingReassigned(p)) {
      const current = targetReplicas(p);
      return sameReplicas(current, target)
        ? undefined
        : `the partition is still moving to [${current.join(',')}]; submit another move once that one completes`;
    }
    if (sameReplicas(p.replicas, target)) return undefined;
    const down = target.filter((id) => !this.ctx.isBrokerLiveOrShuttingDown(id));
    if (down.length === 0) return undefined;
    const live = [...this.ctx.liveBrokerEpochs.keys()].sort((a, b) => a - b).join(',');
    return `${down.length === 1 ? 'broker' : 'brokers'} ${down.join(',')} ${down.length === 1 ? 'is' : 'are'} not registered in ZooKeeper (live brokers: ${live})`;
  }

  /**
   * Starts, replaces or cancels moves asked for through AlterPartitionReassignments (Kafka's
   * processApiPartitionReassignment): `replicas` null cancels (the partition moves back to its original replicas).
   * Resolves with each partition's refusal, or undefined once its move is started (or completed). The latest request
   * wins: a partition it names leaves /admin/reassign_partitions.
   */
  async alter(
    requests: ReadonlyArray<TopicPartition & { replicas: readonly number[] | null }>,
  ): Promise<Array<ApiError | undefined>> {
    const outcomes: Array<ApiError | undefined> = [];
    const accepted = new Set<string>();
    for (const r of requests) {
      const p = this.ctx.partition(r.topic, r.partition);
      const refusal = this.apiRefusal(r, p);
      if (refusal !== undefined || p === undefined) {
        outcomes.push(refusal);
        continue;
      }
      accepted.add(tpKey(r.topic, r.partition));
      const target = r.replicas ?? originReplicas(p);
      const step = await this.advanceOne(p, target);
      if (step === 'done') this.advanced.delete(p);
      outcomes.push(
        sameReplicas(targetReplicas(p), target)
          ? undefined
          : new ApiError(
              'LEADER_NOT_AVAILABLE',
              `The move of ${tpKey(r.topic, r.partition)} to [${target.join(',')}] could not start: no replica of the ` +
                'new set is in the ISR with a live leader, or the state znode changed meanwhile. Retry.',
            ),
      );
    }
    const requested = await this.zk.getPartitionReassignment();
    if (requested === null || accepted.size === 0) return outcomes;
    const rest = requested.filter((r) => !accepted.has(tpKey(r.topic, r.partition)));
    if (rest.length === requested.length) return outcomes;
    if (rest.length === 0) await this.zk.deletePartitionReassignment(this.ctx.epochZkVersion);
    else await this.zk.updatePartitionReassignment(rest, this.ctx.epochZkVersion);
    return outcomes;
  }

  /** Kafka's validateReplicas and the checks around it, for one partition of an AlterPartitionReassignments. */
  private apiRefusal(
    r: TopicPartition & { replicas: readonly number[] | null },
    p: ControllerPartition | undefined,
  ): ApiError | undefined {
    const name = tpKey(r.topic, r.partition);
    if (p === undefined || this.ctx.isTopicQueuedUpForDeletion(r.topic))
      return new ApiError(
        'UNKNOWN_TOPIC_OR_PARTITION',
        `Partition ${name} does not exist or its topic is being deleted.`,
      );
    const target = r.replicas;
    if (target === null) {
      return isBeingReassigned(p)
        ? undefined
        : new ApiError('NO_REASSIGNMENT_IN_PROGRESS', `Partition ${name} is not being reassigned: nothing to cancel.`);
    }
    if (target.length === 0)
      return new ApiError('INVALID_REPLICA_ASSIGNMENT', `Empty replica list specified in the reassignment of ${name}.`);
    if (new Set(target).size !== target.length)
      return new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `Duplicate replica ids in the reassignment of ${name}: [${target.join(',')}].`,
      );
    if (target.some((id) => id < 0))
      return new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `Invalid broker id in the reassignment of ${name}: [${target.join(',')}].`,
      );
    const origin = originReplicas(p);
    const adding = target.filter((id) => !origin.includes(id));
    const down = adding.filter((id) => !this.ctx.isBrokerLiveOrShuttingDown(id));
    if (down.length === 0) return undefined;
    const live = [...this.ctx.liveBrokerEpochs.keys()].sort((a, b) => a - b).join(',');
    return new ApiError(
      'INVALID_REPLICA_ASSIGNMENT',
      `The reassignment of ${name} names brokers that are not alive: ${down.join(',')} (live brokers: ${live}). ` +
        'Start them, or move the partition to live brokers.',
    );
  }

  private async advanceOne(p: ControllerPartition, target: readonly number[]): Promise<Step> {
    const state = await this.zk.getPartitionState(p);
    if (state === null) return 'in progress';
    p.leaderIsr = state;
    const firstTime = !this.advanced.has(p);
    this.advanced.add(p);
    if (!sameReplicas(targetReplicas(p), target)) {
      if (!(await this.moveTo(p, target))) return 'in progress';
    } else if (isBeingReassigned(p) && firstTime && !target.every((id) => state.isr.includes(id))) {
      if (!(await this.bumpEpoch(p, state.leader, state.isr))) return 'in progress';
      this.log.info(
        { partition: `${p.topic}-${p.partition}`, to: target, replicas: p.replicas },
        'resuming a reassignment recorded in the assignment; waiting for the new replicas to join the ISR',
      );
    }
    if (!isBeingReassigned(p)) return 'done';
    return this.maybeComplete(p, target);
  }

  /**
   * Step 1 of the header, from the partition's original replicas (ORS: its replicas less those a pending move adds):
   * RS = TRS + (ORS − TRS) with AR = TRS − ORS and RR = ORS − TRS (Kafka's ReplicaAssignment.reassignTo). A pending
   * move's new replicas that the new target leaves out are dropped from the assignment and the ISR (they delete their
   * logs); a target that is the original set (a cancel) or a reordering of it is written as the assignment at once.
   * False (logged) when no replica of the new set can lead or the state could not be written.
   */
  private async moveTo(p: ControllerPartition, target: readonly number[]): Promise<boolean> {
    const name = `${p.topic}-${p.partition}`;
    const state = p.leaderIsr!;
    const from = p.replicas;
    const origin = originReplicas(p);
    const removing = origin.filter((id) => !target.includes(id));
    const adding = target.filter((id) => !origin.includes(id));
    const full = [...target, ...removing];
    const dropped = from.filter((id) => !full.includes(id));
    if (adding.length === 0 && removing.length === 0 && dropped.length === 0) {
      // The same brokers in another order: only the preferred leader changes, no data moves.
      await this.writeAssignment(p, target);
      this.log.info({ partition: name, from, to: target }, 'reassignment completed (replicas reordered)');
      return true;
    }
    const isr = state.isr.filter((id) => full.includes(id));
    const leader = full.includes(state.leader)
      ? state.leader
      : full.find((id) => isr.includes(id) && this.ctx.isBrokerOnline(id));
    if (leader === undefined || isr.length === 0) {
      this.log.warn(
        { partition: name, to: target, isr: state.isr },
        'reassignment cannot start: no replica of the new set can lead',
      );
      return false;
    }
    // Kafka's KIP-455 layout: RS = TRS + ORS, with AR and RR, so that the leader does not take a replica being
    // removed back into the ISR once the final leader and ISR are written.
    await this.writeAssignment(p, full, adding, removing);
    if (!(await this.bumpEpoch(p, leader, isr))) return false;
    this.log.info(
      { partition: name, from, to: target, replicas: p.replicas, dropped },
      adding.length > 0
        ? 'reassignment started: new replicas added; waiting for them to join the ISR'
        : 'reassignment cancelled or narrowed: the replicas it had added are dropped',
    );
    return true;
  }

  /** Step 3 of the header, once every target replica is in the ISR and one of them can lead. */
  private async maybeComplete(p: ControllerPartition, target: readonly number[]): Promise<Step> {
    const state = p.leaderIsr;
    if (state === undefined || !target.every((id) => state.isr.includes(id))) return 'in progress';
    const leader =
      target.includes(state.leader) && this.ctx.isReplicaOnline(state.leader, p)
        ? state.leader
        : target.find((id) => state.isr.includes(id) && this.ctx.isReplicaOnline(id, p));
    if (leader === undefined) return 'in progress';
    const isr = state.isr.filter((id) => target.includes(id));
    if ((leader !== state.leader || isr.length !== state.isr.length) && !(await this.bumpEpoch(p, leader, isr)))
      return 'in progress';
    await this.writeAssignment(p, target);
    this.log.info({ partition: `${p.topic}-${p.partition}`, replicas: target, leader }, 'reassignment completed');
    return 'done';
  }

  private async writeAssignment(
    p: ControllerPartition,
    replicas: readonly number[],
    adding: readonly number[] = [],
    removing: readonly number[] = [],
  ): Promise<void> {
    const current = await this.zk.getTopicAssignment(p.topic);
    if (current === null) return;
    const partitions = new Map(current.partitions);
    partitions.set(p.partition, replicaAssignment(replicas, adding, removing));
    await this.zk.setTopicAssignment(
      p.topic,
      { topicId: current.topicId, partitions },
      { controllerEpochZkVersion: this.ctx.epochZkVersion },
    );
    this.ctx.putPartition(p.topic, p.partition, replicas, adding, removing);
    for (const id of replicas) if (!p.replicaStates.has(id)) p.replicaStates.set(id, 'OnlineReplica');
    for (const id of [...p.replicaStates.keys()]) if (!replicas.includes(id)) p.replicaStates.delete(id);
  }

  /**
   * Rewrites the state znode with leader_epoch + 1, so that every replica re-applies it with the new assignment.
   * False (logged) when the state could not be written; the move is retried on the next advance.
   */
  private async bumpEpoch(p: ControllerPartition, leader: number, isr: readonly number[]): Promise<boolean> {
    const failed = await updateLeaderAndIsr(
      this.ctx,
      this.zk,
      [p],
      async () => new Map([[p, { kind: 'update' as const, leader, isr }]]),
    );
    for (const [, reason] of failed)
      this.log.warn({ partition: `${p.topic}-${p.partition}`, reason }, 'reassignment could not update the state');
    return failed.size === 0;
  }
}

/** A partition's replicas before its pending move (all of them when none is): Kafka's originReplicas. */
function originReplicas(p: ControllerPartition): readonly number[] {
  return p.replicas.filter((id) => !p.addingReplicas.includes(id));
}

function sameReplicas(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
