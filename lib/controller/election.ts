/**
 * Kafka's partition leader election strategies (`Election.scala`, `PartitionLeaderElectionAlgorithms`). Every
 * strategy scans the replicas in assignment order, so the preferred leader (replica 0) wins whenever it qualifies.
 * Pure: the caller supplies the assignment, the current ISR and which brokers are live; the result is the new
 * leader and ISR (the caller bumps the leader epoch and writes the state znode), or undefined when no replica
 * qualifies.
 */

/** How a leader is chosen; Kafka's `PartitionLeaderElectionStrategy`. */
export type ElectionStrategy =
  /**
   * The leader died or there is none: first live replica in the ISR; unclean fallback to any live replica when the
   * topic's unclean.leader.election.enable says so, or always with `allowUnclean` (an admin's unclean election).
   */
  | { readonly kind: 'OfflinePartition'; readonly allowUnclean?: boolean }
  /** Leadership moves back to the preferred replica (admin request or auto rebalance). */
  | { readonly kind: 'PreferredReplica' }
  /** The leader is shutting down cleanly: first live ISR member that is not shutting down. */
  | { readonly kind: 'ControlledShutdown' }
  /** Leadership must move into the reassignment's target replicas. */
  | { readonly kind: 'ReassignPartition' };

export interface LeaderElectionResult {
  readonly leader: number;
  readonly isr: readonly number[];
  /** True when the leader was not in the ISR (data may be lost). */
  readonly unclean: boolean;
}

/**
 * First replica that is live and in the ISR; new ISR = the live members of the old ISR. If none and unclean
 * election is enabled: first live replica, ISR = [leader].
 */
export function offlinePartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  isLive: (brokerId: number) => boolean,
  uncleanLeaderElectionEnabled: boolean,
): LeaderElectionResult | undefined {
  const clean = assignment.find((id) => isLive(id) && isr.includes(id));
  if (clean !== undefined) return { leader: clean, isr: isr.filter(isLive), unclean: false };
  if (!uncleanLeaderElectionEnabled) return undefined;
  const unclean = assignment.find(isLive);
  return unclean === undefined ? undefined : { leader: unclean, isr: [unclean], unclean: true };
}

/** First target replica that is live and in the ISR; ISR unchanged. */
export function reassignPartitionLeaderElection(
  targetReplicas: readonly number[],
  isr: readonly number[],
  isLive: (brokerId: number) => boolean,
): LeaderElectionResult | undefined {
  const leader = targetReplicas.find((id) => isLive(id) && isr.includes(id));
  return leader === undefined ? undefined : { leader, isr, unclean: false };
}

/** The preferred replica (assignment[0]) if it is live and in the ISR; ISR unchanged. */
export function preferredReplicaLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  isLive: (brokerId: number) => boolean,
): LeaderElectionResult | undefined {
  const preferred = assignment[0];
  return preferred !== undefined && isLive(preferred) && isr.includes(preferred)
    ? { leader: preferred, isr, unclean: false }
    : undefined;
}

/**
 * First replica that is live, in the ISR and not shutting down; new ISR = old ISR without the brokers shutting
 * down. `isLive` counts brokers that are shutting down as live (they still are until they deregister).
 */
export function controlledShutdownLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  isLive: (brokerId: number) => boolean,
  isShuttingDown: (brokerId: number) => boolean,
): LeaderElectionResult | undefined {
  const leader = assignment.find((id) => isLive(id) && isr.includes(id) && !isShuttingDown(id));
  return leader === undefined ? undefined : { leader, isr: isr.filter((id) => !isShuttingDown(id)), unclean: false };
}

/** What an election needs to know about one partition and the cluster. */
export interface ElectionInput {
  /** Replica assignment, preferred leader first. */
  readonly assignment: readonly number[];
  /** Target replicas of a running reassignment; the assignment when none runs. */
  readonly targetReplicas?: readonly number[];
  readonly isr: readonly number[];
  readonly isLive: (brokerId: number) => boolean;
  readonly isShuttingDown: (brokerId: number) => boolean;
  /** Topic-level unclean.leader.election.enable (the broker default unless the topic overrides it). */
  readonly uncleanLeaderElectionEnabled: boolean;
}

/** Runs `strategy` for one partition. */
export function electLeader(strategy: ElectionStrategy, input: ElectionInput): LeaderElectionResult | undefined {
  switch (strategy.kind) {
    case 'OfflinePartition':
      return offlinePartitionLeaderElection(
        input.assignment,
        input.isr,
        input.isLive,
        input.uncleanLeaderElectionEnabled,
      );
    case 'PreferredReplica':
      return preferredReplicaLeaderElection(input.assignment, input.isr, input.isLive);
    case 'ControlledShutdown':
      return controlledShutdownLeaderElection(input.assignment, input.isr, input.isLive, input.isShuttingDown);
    case 'ReassignPartition':
      return reassignPartitionLeaderElection(input.targetReplicas ?? input.assignment, input.isr, input.isLive);
  }
}
