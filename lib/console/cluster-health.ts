/**
 * Pure rules that turn what the Admin client read in one refresh into the cluster's health: each broker's status
 * and counts, each partition's problems, each topic's summary. No I/O; `ClusterMonitor` gathers the inputs.
 *
 * A broker is `online` when it is registered (DescribeCluster lists it) and answered its ApiVersions probe,
 * `unreachable` when it is registered but did not answer (a SIGKILLed broker stays registered until its ZooKeeper
 * session expires, so this is what an operator sees first), `offline` when it is known (seen in an earlier
 * refresh, or named in a replica list) but no longer registered.
 */
import type { TopicDescription } from '../client/admin/admin.js';
import type { ApiVersionRange, BrokerStatus, BrokerView, PartitionView, TopicSummary } from './api-types.js';

export interface BrokerAddress {
  host: string;
  port: number;
  rack: string | null;
}

/** What the probe of one registered broker found: its APIs, or why it did not answer. */
export type ProbeResult = { apis: ApiVersionRange[] } | { error: string };

export interface BrokerInputs {
  /** Registered brokers (DescribeCluster). */
  registered: ReadonlyMap<number, BrokerAddress>;
  /** Brokers seen before, with their last known address. */
  known: ReadonlyMap<number, BrokerAddress>;
  probes: ReadonlyMap<number, ProbeResult>;
  controllerId: number | null;
  topics: readonly TopicDescription[];
  /** Bytes in each answering broker's log dirs. */
  sizes: ReadonlyMap<number, number>;
}

export function brokerStatus(
  id: number,
  registered: ReadonlySet<number>,
  probes: ReadonlyMap<number, ProbeResult>,
): BrokerStatus {
  if (!registered.has(id)) return 'offline';
  const probe = probes.get(id);
  return probe !== undefined && 'apis' in probe ? 'online' : 'unreachable';
}

/** Every registered or known broker, and every broker a replica list names, by id. */
export function brokerViews(input: BrokerInputs): BrokerView[] {
  const ids = new Set<number>([...input.registered.keys(), ...input.known.keys()]);
  for (const t of input.topics) for (const p of t.partitions) for (const r of p.replicas) ids.add(r);
  const registered = new Set(input.registered.keys());
  return [...ids]
    .sort((a, b) => a - b)
    .map((id) => {
      const address = input.registered.get(id) ?? input.known.get(id) ?? null;
      const status = brokerStatus(id, registered, input.probes);
      const probe = input.probes.get(id);
      let leaderOf = 0;
      let followerOf = 0;
      let underReplicated = 0;
      for (const t of input.topics) {
        for (const p of t.partitions) {
          if (p.leader === id) {
            leaderOf++;
            if (p.isr.length < p.replicas.length) underReplicated++;
          } else if (p.replicas.includes(id)) followerOf++;
        }
      }
      return {
        id,
        host: address?.host ?? null,
        port: address?.port ?? null,
        rack: address?.rack ?? null,
        status,
        isController: input.controllerId === id,
        leaderOf,
        followerOf,
        underReplicated,
        sizeBytes: status === 'online' ? (input.sizes.get(id) ?? null) : null,
        apis: probe !== undefined && 'apis' in probe ? probe.apis : null,
        problem: problemOf(status, probe),
      };
    });
}

function problemOf(status: BrokerStatus, probe: ProbeResult | undefined): string | null {
  switch (status) {
    case 'online':
      return null;
    case 'unreachable':
      return `Registered, but does not answer: ${probe !== undefined && 'error' in probe ? probe.error : 'no answer'}`;
    case 'offline':
      return 'Not registered in ZooKeeper (stopped, or its session expired)';
  }
}

export function partitionView(
  p: TopicDescription['partitions'][number],
  status: (id: number) => BrokerStatus,
): PartitionView {
  return {
    partition: p.partition,
    leader: p.leader,
    leaderEpoch: p.leaderEpoch,
    replicas: [...p.replicas],
    isr: [...p.isr],
    offlineReplicas: [...p.offlineReplicas],
    underReplicated: p.isr.length < p.replicas.length,
    isrNotOnline: p.isr.filter((id) => status(id) !== 'online'),
    leaderDown: p.leader < 0 || status(p.leader) !== 'online',
  };
}

/**
 * One topic's summary. `leaderSizes` maps partition → bytes of its leader replica (absent when the leader did not
 * answer); `messagesPerSec` comes from the rate history.
 */
export function topicSummary(
  t: TopicDescription,
  status: (id: number) => BrokerStatus,
  leaderSizes: ReadonlyMap<number, number>,
  messagesPerSec: number | null,
): TopicSummary {
  const views = t.partitions.map((p) => partitionView(p, status));
  let sizeBytes: number | null = 0;
  for (const p of t.partitions) {
    const size = leaderSizes.get(p.partition);
    sizeBytes = size === undefined || sizeBytes === null ? null : sizeBytes + size;
  }
  return {
    name: t.name,
    internal: t.isInternal,
    partitions: t.partitions.length,
    replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
    underReplicated: views.filter((v) => v.underReplicated).length,
    offline: views.filter((v) => v.leader < 0).length,
    atRisk: views.filter((v) => v.leaderDown || v.isrNotOnline.length > 0).length,
    sizeBytes,
    messagesPerSec,
  };
}
