/**
 * Kafka's replica state machine (`ReplicaStateMachine.scala`). Without controller→broker RPCs its only ZooKeeper
 * effect is the ISR shrink when a replica goes offline; the other transitions are bookkeeping that topic deletion
 * and broker startup/failure rely on.
 *
 * States and what enters them (valid previous states in REPLICA_STATE_TRANSITIONS):
 * - NewReplica: just assigned (new partition). ← NonExistent. Refused for a replica that is the partition's leader.
 * - OnlineReplica: its broker is up and hosts it. ← New/Online/Offline/DeletionIneligible.
 * - OfflineReplica: its broker died or shuts down. ← New/Online/Offline/DeletionIneligible. In ZooKeeper the replica
 *   leaves the ISR unless it is the last member (the last ISR member stays so that it remains the only clean
 *   leader candidate), leader := -1 if it led, leader_epoch + 1; skipped for topics queued for deletion, whose
 *   state znodes are about to go.
 * - ReplicaDeletionStarted ← Offline; ReplicaDeletionSuccessful ← Started; ReplicaDeletionIneligible ←
 *   Offline/Started (a replica on a dead broker at failover); NonExistentReplica ← Successful (drops the replica
 *   from the partition's assignment in memory).
 *
 * Invariants: every change passes `assertValidTransition` and is logged with from, to and reason (at debug: there
 * are replication-factor times more of them than partition changes, and Kafka logs them at trace; the ISR writes
 * they cause show in the partition's state); invalid requests are logged at error and skipped. ISR writes for one
 * broker's replicas are one batch (pipelined).
 * Concurrency: called only from controller event handlers (one at a time); brokers are processed one after the
 * other so that two shrinks of one partition never race each other.
 * Ownership: one per activation, created with its ControllerContext. Crash: rebuilt from ZooKeeper at failover.
 */
import { computeIfAbsent } from '../common/collections.js';
import type { Logger } from '../common/logger.js';
import {
  NO_LEADER,
  type ControllerContext,
  type ControllerPartition,
  type ControllerReplica,
} from './controller-context.js';
import { REPLICA_STATE_TRANSITIONS, type ReplicaState } from './controller-states.js';
import { updateLeaderAndIsr, type LeaderIsrDecision, type LeaderIsrZkClient } from './update-leader-and-isr.js';

export interface ReplicaStateMachineOptions {
  context: ControllerContext;
  zkClient: LeaderIsrZkClient;
  logger: Logger;
}

export class ReplicaStateMachine {
  private readonly context: ControllerContext;
  private readonly zk: LeaderIsrZkClient;
  private readonly log: Logger;

  constructor(opts: ReplicaStateMachineOptions) {
    this.context = opts.context;
    this.zk = opts.zkClient;
    this.log = opts.logger.child({ component: 'ReplicaStateMachine' });
  }

  /**
   * Failover, first half: replicas on online brokers start Online, the others DeletionIneligible. Returns the latter:
   * the controller takes them Offline (out of the ISRs) only after the partition state machine has elected new
   * leaders for the partitions they led, the order of Kafka's broker-failure path. Taking them Offline first (what
   * Kafka 2.8's ReplicaStateMachine.startup does) would write leader -1 with leader_epoch + 1 for every partition
   * the dead broker led, and the election right after another leader_epoch + 1: a moment without a leader in
   * ZooKeeper and two epochs for one change of leader.
   */
  async startup(): Promise<ControllerReplica[]> {
    const online: ControllerReplica[] = [];
    const offline: ControllerReplica[] = [];
    for (const replica of this.context.replicasOf(this.context.allPartitions())) {
      const isOnline = this.context.isReplicaOnline(replica.brokerId, replica.partition);
      replica.partition.replicaStates.set(replica.brokerId, isOnline ? 'OnlineReplica' : 'ReplicaDeletionIneligible');
      (isOnline ? online : offline).push(replica);
    }
    await this.handleStateChanges(online, 'OnlineReplica', 'controller failover');
    return offline;
  }

  /**
   * Moves `replicas` to `target`. Resolves with the replicas that did not get there and why; they keep their
   * previous state. ControllerMovedError from a ZooKeeper write propagates.
   */
  async handleStateChanges(
    replicas: readonly ControllerReplica[],
    target: ReplicaState,
    reason: string,
  ): Promise<Map<ControllerReplica, string>> {
    const failed = new Map<ControllerReplica, string>();
    const valid: ControllerReplica[] = [];
    for (const r of replicas) {
      const from = this.context.replicaState(r);
      if (REPLICA_STATE_TRANSITIONS.isValid(from, target)) {
        valid.push(r);
      } else {
        const message = `Invalid transition of replica ${r.brokerId} of ${name(r.partition)} from ${from} to ${target}`;
        this.log.error({ topicPartition: name(r.partition), replica: r.brokerId, from, to: target, reason }, message);
        failed.set(r, message);
      }
    }
    switch (target) {
      case 'NewReplica':
        for (const r of valid) {
          if (r.partition.leaderIsr?.leader === r.brokerId) {
            failed.set(r, `Replica ${r.brokerId} of ${name(r.partition)} cannot become NewReplica: it is the leader.`);
          } else {
            this.transition(r, target, reason);
          }
        }
        break;
      case 'OnlineReplica':
        for (const r of valid) {
          if (!r.partition.replicas.includes(r.brokerId)) r.partition.replicas = [...r.partition.replicas, r.brokerId];
          this.transition(r, target, reason);
        }
        break;
      case 'OfflineReplica':
        for (const [r, why] of await this.removeReplicasFromIsr(valid)) failed.set(r, why);
        for (const r of valid) if (!failed.has(r)) this.transition(r, target, reason);
        break;
      case 'NonExistentReplica':
        for (const r of valid) {
          this.transition(r, target, reason);
          r.partition.replicas = r.partition.replicas.filter((id) => id !== r.brokerId);
          r.partition.replicaStates.delete(r.brokerId);
        }
        break;
      case 'ReplicaDeletionStarted':
      case 'ReplicaDeletionSuccessful':
      case 'ReplicaDeletionIneligible':
        for (const r of valid) this.transition(r, target, reason);
        break;
    }
    return failed;
  }

  /**
   * For each broker in turn, one batch over its replicas' partitions: drop it from the ISR unless it is the last
   * member, leader := -1 if it led, leader_epoch + 1. Partitions of topics being deleted, partitions without a
   * state znode and partitions whose ISR does not hold the replica are left alone. The state znodes are read afresh
   * first (one pipelined round trip, as Kafka's removeReplicasFromIsr does): the cached ISR learns of expansions only
   * from /isr_change_notification, so a replica that joined the ISR a moment ago would look absent, no write would
   * be made, and a stopped broker would stay in the ISR until its leader shrank it (replica.lag.time.max.ms).
   */
  private async removeReplicasFromIsr(replicas: readonly ControllerReplica[]): Promise<Map<ControllerReplica, string>> {
    const failed = new Map<ControllerReplica, string>();
    const byBroker = new Map<number, ControllerReplica[]>();
    for (const r of replicas) {
      if (r.partition.leaderIsr === undefined || this.context.isTopicQueuedUpForDeletion(r.partition.topic)) continue;
      const list = computeIfAbsent(byBroker, r.brokerId, () => []);
      list.push(r);
    }
    for (const [brokerId, brokerReplicas] of [...byBroker].sort(([a], [b]) => a - b)) {
      const partitions = brokerReplicas.map((r) => r.partition);
      const fresh = await Promise.all(partitions.map((p) => this.zk.getPartitionState(p)));
      partitions.forEach((p, i) => (p.leaderIsr = fresh[i] ?? undefined));
      const failures = await updateLeaderAndIsr(
        this.context,
        this.zk,
        partitions,
        async (decidable) => new Map(decidable.map((p) => [p, shrinkIsr(p, brokerId)])),
      );
      for (const r of brokerReplicas) {
        const why = failures.get(r.partition);
        if (why !== undefined) failed.set(r, why);
      }
    }
    return failed;
  }

  private transition(r: ControllerReplica, to: ReplicaState, reason: string): void {
    const from = this.context.replicaState(r);
    REPLICA_STATE_TRANSITIONS.assertValidTransition(`replica ${r.brokerId} of ${name(r.partition)}`, from, to);
    if (this.log.isLevelEnabled('debug')) {
      this.log.debug(
        { topicPartition: name(r.partition), replica: r.brokerId, from, to, reason },
        'replica state change',
      );
    }
    r.partition.replicaStates.set(r.brokerId, to);
  }
}

function shrinkIsr(p: ControllerPartition, brokerId: number): LeaderIsrDecision {
  const { leader, isr } = p.leaderIsr!;
  if (!isr.includes(brokerId)) return { kind: 'unchanged' };
  return {
    kind: 'update',
    leader: leader === brokerId ? NO_LEADER : leader,
    isr: isr.length === 1 ? isr : isr.filter((id) => id !== brokerId),
  };
}

function name(p: ControllerPartition): string {
  return `${p.topic}-${p.partition}`;
}
