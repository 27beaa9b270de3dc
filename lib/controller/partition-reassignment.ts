/**
 * Partition reassignment through /admin/reassign_partitions (ZooKeeper-era Kafka's flow, as
 * kafka-reassign-partitions.sh --zookeeper drives it), run by the active controller:
 *
 *   1. RS = TRS ∪ ORS (target replicas first): the assignment znode lists RS, and the state znode is rewritten
 *      with leader_epoch + 1 so that every replica re-applies it; brokers follow ZooKeeper, so the new replicas
 *      create their logs and fetch from the leader (ARCHITECTURE.md "Brokers follow ZooKeeper").
 *   2. Wait until every target replica is in the ISR (the leader adds caught-up followers and announces it under
 *      /isr_change_notification, which re-runs this).
 *   3. If the leader is not a live target replica, elect the first live target replica in the ISR; the ISR keeps
 *      only target replicas; leader_epoch + 1. Then the assignment becomes TRS: the old replicas see they are no
 *      longer assigned and delete their logs.
 *   4. The partition leaves /admin/reassign_partitions; the znode is deleted when none is left.
 *
 * Requests for unknown partitions, topics being deleted, empty or duplicated replica lists, or brokers that are
 * not live are logged and dropped (Kafka's tool validates these before writing). Every write is fenced by the
 * controller epoch; a new controller resumes from the znode, since each step is decided from ZooKeeper's state.
 * Called from the controller's event thread only.
 */
import type { Logger } from '../common/logger.js';
import type { KafkaZkClient } from '../zk/kafka-zk-client.js';
import { replicaAssignment, type PartitionReassignment } from '../zk/zk-paths.js';
import type { ControllerContext, ControllerPartition } from './controller-context.js';
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

type Step = 'done' | 'in progress' | 'dropped';

export class PartitionReassigner {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly zk: ReassignmentZkClient,
    private readonly log: Logger,
  ) {}

  /** Advances every pending reassignment as far as it can go now, and rewrites or deletes the znode. */
  async advance(): Promise<void> {
    const requested = await this.zk.getPartitionReassignment();
    if (requested === null) return;
    const pending: PartitionReassignment[] = [];
    for (const r of requested) {
      const step = await this.advanceOne(r);
      if (step === 'in progress') pending.push(r);
    }
    if (pending.length === requested.length) return;
    if (pending.length === 0) await this.zk.deletePartitionReassignment(this.ctx.epochZkVersion);
    else await this.zk.updatePartitionReassignment(pending, this.ctx.epochZkVersion);
  }

  private async advanceOne(r: PartitionReassignment): Promise<Step> {
    const name = `${r.topic}-${r.partition}`;
    const p = this.ctx.partition(r.topic, r.partition);
    const target = r.replicas;
    const invalid =
      p === undefined
        ? 'the partition does not exist'
        : this.ctx.isTopicQueuedUpForDeletion(r.topic)
          ? 'the topic is being deleted'
          : target.length === 0 || new Set(target).size !== target.length
            ? 'the replica list is empty or repeats a broker'
            : target
                .filter((id) => !this.ctx.isBrokerOnline(id))
                .map((id) => `broker ${id} is not live`)
                .join(', ') || undefined;
    if (invalid !== undefined || p === undefined) {
      this.log.warn({ partition: name, replicas: target, reason: invalid }, 'dropping a partition reassignment');
      return 'dropped';
    }
    const state = await this.zk.getPartitionState(p);
    if (state === null) return 'in progress';
    p.leaderIsr = state;
    const current = p.replicas;
    const union = [...target, ...current.filter((id) => !target.includes(id))];
    if (union.length !== current.length || union.some((id) => !current.includes(id))) {
      // Kafka's KIP-455 layout: RS = TRS + ORS, with AR and RR, so that the leader does not take a replica being
      // removed back into the ISR once the final leader and ISR are written.
      await this.writeAssignment(
        p,
        union,
        target.filter((id) => !current.includes(id)),
        current.filter((id) => !target.includes(id)),
      );
      await this.bumpEpoch(p, state.leader, state.isr);
      this.log.info(
        { partition: name, from: current, to: target, replicas: union },
        'reassignment: new replicas added; waiting for them to join the ISR',
      );
      return 'in progress';
    }
    if (!target.every((id) => state.isr.includes(id))) return 'in progress';
    if (current.length !== target.length || current.some((id, i) => id !== target[i])) {
      const leader =
        target.includes(state.leader) && this.ctx.isBrokerOnline(state.leader)
          ? state.leader
          : target.find((id) => state.isr.includes(id) && this.ctx.isBrokerOnline(id))!;
      await this.bumpEpoch(
        p,
        leader,
        state.isr.filter((id) => target.includes(id)),
      );
      await this.writeAssignment(p, target);
    }
    this.log.info({ partition: name, replicas: target, leader: p.leaderIsr?.leader }, 'reassignment completed');
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
    this.ctx.putPartition(p.topic, p.partition, replicas);
    for (const id of replicas) if (!p.replicaStates.has(id)) p.replicaStates.set(id, 'OnlineReplica');
    for (const id of [...p.replicaStates.keys()]) if (!replicas.includes(id)) p.replicaStates.delete(id);
  }

  /** Rewrites the state znode with leader_epoch + 1, so that every replica re-applies it with the new assignment. */
  private async bumpEpoch(p: ControllerPartition, leader: number, isr: readonly number[]): Promise<void> {
    const failed = await updateLeaderAndIsr(
      this.ctx,
      this.zk,
      [p],
      async () => new Map([[p, { kind: 'update' as const, leader, isr }]]),
    );
    for (const [, reason] of failed)
      this.log.warn({ partition: `${p.topic}-${p.partition}`, reason }, 'reassignment could not update the state');
  }
}
