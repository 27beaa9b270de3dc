/**
 * Fenced, conditional, batched updates of partition state znodes (Kafka's `KafkaZkClient.updateLeaderAndIsr` plus
 * the retry loops of `PartitionStateMachine.electLeaderForPartitions` and `ReplicaStateMachine.removeReplicasFromIsr`).
 *
 * Each round decides the new leader and ISR of every remaining partition from its cached state znode, writes all
 * of them at once (pipelined multis, one round trip however many partitions) at the cached zkVersion with
 * leader_epoch + 1 and the controller's epoch, and re-reads the partitions whose znode had changed meanwhile
 * (BAD_VERSION: a leader changed the ISR) for the next round. A partition `decide` fails is read again too: the
 * cache learns of ISR expansions only through /isr_change_notification, which lags, so a preferred replica that
 * rejoined the ISR a moment ago would otherwise be refused; it is decided again if its znode has moved on.
 * ControllerMovedError propagates: the caller resigns.
 */
import type { KafkaZkClient, LeaderIsrAndZkVersion } from '../zk/kafka-zk-client.js';
import type { ControllerContext, ControllerPartition } from './controller-context.js';

/** What to do with one partition's state, decided from its current state znode. */
export type LeaderIsrDecision =
  | { readonly kind: 'update'; readonly leader: number; readonly isr: readonly number[] }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'failed'; readonly reason: string };

export type LeaderIsrZkClient = Pick<KafkaZkClient, 'updatePartitionState' | 'getPartitionState'>;

/**
 * Updates the state znodes of `partitions` as `decide` says, retrying on BAD_VERSION with fresh reads, and keeps
 * each partition's cached `leaderIsr` in step. Resolves with the partitions that could not be updated and why.
 */
export async function updateLeaderAndIsr(
  context: ControllerContext,
  zk: LeaderIsrZkClient,
  partitions: readonly ControllerPartition[],
  decide: (partitions: readonly ControllerPartition[]) => Promise<Map<ControllerPartition, LeaderIsrDecision>>,
): Promise<Map<ControllerPartition, string>> {
  const failed = new Map<ControllerPartition, string>();
  let remaining = partitions;
  while (remaining.length > 0) {
    const decidable: ControllerPartition[] = [];
    for (const p of remaining) {
      const problem = stateProblem(context, p);
      if (problem === undefined) decidable.push(p);
      else failed.set(p, problem);
    }
    const decisions = await decide(decidable);
    const writes: Promise<[ControllerPartition, LeaderIsrAndZkVersion | null]>[] = [];
    const refused: Array<[ControllerPartition, string]> = [];
    for (const p of decidable) {
      const decision = decisions.get(p);
      if (decision === undefined || decision.kind === 'unchanged') continue;
      if (decision.kind === 'failed') {
        refused.push([p, decision.reason]);
        continue;
      }
      const current = p.leaderIsr!;
      const next = {
        leader: decision.leader,
        leaderEpoch: current.leaderEpoch + 1,
        isr: decision.isr,
        controllerEpoch: context.epoch,
      };
      writes.push(
        zk
          .updatePartitionState(p, next, current.zkVersion, context.epochZkVersion)
          .then((zkVersion) => [p, zkVersion === null ? null : { ...next, zkVersion }]),
      );
    }
    const stale: ControllerPartition[] = [];
    for (const [p, written] of await Promise.all(writes)) {
      if (written === null) stale.push(p);
      else p.leaderIsr = written;
    }
    const fresh = await Promise.all(stale.map((p) => zk.getPartitionState(p)));
    stale.forEach((p, i) => (p.leaderIsr = fresh[i] ?? undefined));
    // A refused partition whose znode moved on is decided again from what was just read; the rest stay failed.
    const rechecked = await Promise.all(refused.map(([p]) => zk.getPartitionState(p)));
    const movedOn: ControllerPartition[] = [];
    refused.forEach(([p, reason], i) => {
      const state = rechecked[i];
      if (state === null || state === undefined || state.zkVersion === p.leaderIsr!.zkVersion) {
        failed.set(p, reason);
        return;
      }
      p.leaderIsr = state;
      movedOn.push(p);
    });
    remaining = [...stale, ...movedOn];
  }
  return failed;
}

function stateProblem(context: ControllerContext, p: ControllerPartition): string | undefined {
  if (p.leaderIsr === undefined) return `the state znode of ${p.topic}-${p.partition} does not exist`;
  if (p.leaderIsr.controllerEpoch > context.epoch) {
    return (
      `the state of ${p.topic}-${p.partition} was written by a newer controller (epoch ` +
      `${p.leaderIsr.controllerEpoch} > ${context.epoch}); this controller has probably been replaced`
    );
  }
  return undefined;
}
