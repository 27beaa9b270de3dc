/**
 * Leader elections asked for by an admin (Kafka's `KafkaController.processReplicaLeaderElection` for the ElectLeaders
 * API, KIP-460): preferred (the first replica of the assignment, when it is alive and in the ISR) or unclean (a
 * partition without a live leader gets its first live in-sync replica, else its first live replica, whatever the
 * topic's unclean.leader.election.enable says).
 *
 * Per partition, as Kafka answers: UNKNOWN_TOPIC_OR_PARTITION for one the controller does not know,
 * INVALID_TOPIC_EXCEPTION for a topic being deleted, ELECTION_NOT_NEEDED when the preferred replica leads already
 * (preferred) or the leader is alive (unclean), PREFERRED_LEADER_NOT_AVAILABLE / ELIGIBLE_LEADERS_NOT_AVAILABLE when
 * the election found no candidate (with the reason), else the new leader's id. The elections of one call go through
 * the partition state machine together (one batch of fenced, pipelined ZooKeeper writes).
 *
 * Called only from the controller's event handler (one event at a time), with the active controller's context.
 */
import { ApiError } from '../common/errors.js';
import type { TopicPartition } from '../common/topic-partition.js';
import { NO_LEADER, type ControllerContext, type ControllerPartition } from './controller-context.js';
import type { ElectionStrategy } from './election.js';
import type { PartitionStateMachine } from './partition-state-machine.js';

export type ElectionTypeName = 'PREFERRED' | 'UNCLEAN';

/** One partition's outcome: its new leader, or why none was elected. */
export type ElectionOutcome = TopicPartition & ({ leader: number; error?: undefined } | { error: ApiError });

export async function electReplicaLeaders(
  context: ControllerContext,
  partitionStateMachine: PartitionStateMachine,
  requested: readonly TopicPartition[],
  electionType: ElectionTypeName,
  reason: string,
): Promise<ElectionOutcome[]> {
  const outcomes = new Map<string, ElectionOutcome>();
  const electable: ControllerPartition[] = [];
  const fail = (tp: TopicPartition, error: ApiError) =>
    outcomes.set(key(tp), { topic: tp.topic, partition: tp.partition, error });
  for (const tp of requested) {
    const p = context.partition(tp.topic, tp.partition);
    if (p === undefined) {
      fail(tp, new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `The partition ${key(tp)} does not exist.`));
    } else if (context.isTopicQueuedUpForDeletion(tp.topic)) {
      fail(tp, new ApiError('INVALID_TOPIC_EXCEPTION', `The topic ${tp.topic} is being deleted.`));
    } else if (!electionNeeded(context, p, electionType)) {
      fail(
        tp,
        new ApiError(
          'ELECTION_NOT_NEEDED',
          electionType === 'PREFERRED'
            ? `The preferred replica ${p.replicas[0]} already leads ${key(tp)}.`
            : `The leader ${p.leaderIsr?.leader} of ${key(tp)} is alive.`,
        ),
      );
    } else {
      electable.push(p);
    }
  }
  const strategy: ElectionStrategy =
    electionType === 'PREFERRED' ? { kind: 'PreferredReplica' } : { kind: 'OfflinePartition', allowUnclean: true };
  const failures = await partitionStateMachine.handleStateChanges(electable, 'OnlinePartition', reason, strategy);
  for (const p of electable) {
    const why = failures.get(p);
    if (why === undefined) {
      outcomes.set(key(p), { topic: p.topic, partition: p.partition, leader: p.leaderIsr!.leader });
    } else {
      fail(
        p,
        new ApiError(
          electionType === 'PREFERRED' ? 'PREFERRED_LEADER_NOT_AVAILABLE' : 'ELIGIBLE_LEADERS_NOT_AVAILABLE',
          why,
        ),
      );
    }
  }
  return requested.map((tp) => outcomes.get(key(tp))!);
}

/** Preferred: the preferred replica does not lead. Unclean: there is no leader, or it is not alive. */
function electionNeeded(context: ControllerContext, p: ControllerPartition, electionType: ElectionTypeName): boolean {
  const leader = p.leaderIsr?.leader ?? NO_LEADER;
  if (electionType === 'PREFERRED') return leader !== p.replicas[0];
  return leader === NO_LEADER || !context.isBrokerOnline(leader);
}

function key(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}
