/**
 * The faults the randomized chaos run (spec/faults/randomized-chaos.spec.ts) draws from, and the rules of the draw.
 * Every fault is one of the fault library's (lib/cli/faults/, through FaultCluster) or a process signal the cluster's
 * owner sends, with the heal that undoes it:
 *
 * | kind | inject | heal |
 * | --- | --- | --- |
 * | cut from peers / ZooKeeper / clients / everyone | packet filter in the broker's namespace | filter removed |
 * | SIGKILL | the broker killed (keeps its page cache) | started again |
 * | SIGSTOP | the broker frozen (its session expires) | SIGCONT |
 * | power loss | SIGKILL and every unflushed byte gone | started again |
 * | slow, lossy link | 2 Mbit/s cap and 5% loss each way on the broker's link | shaping removed |
 * | ZooKeeper member stopped | the member stopped (SIGTERM) | started again with its data |
 * | ZooKeeper member cut off | packet filter in the member's namespace | filter removed |
 *
 * The draw (`pickFault`): nothing while `maxActive` faults are in place; one fault per broker or member at a time;
 * one ZooKeeper fault at a time (the ensemble of three keeps its quorum); a power loss only with every replica in
 * sync and beside ZooKeeper faults, and only those beside it. A power loss beside another broker's fault, or while a
 * broker healed a moment ago is still catching up, can hit the last replica standing (the other broker, out of the
 * ISR, held what the lost one acknowledged), which loses what it had not flushed by design
 * (spec/faults/power-loss.spec.ts); the run looks for bugs, not for that limit. A kind is drawn uniformly among those
 * with a possible target, then a target uniformly among those. The target's roles at the time (controller, leader
 * of which partitions) go into its label, for the timeline.
 *
 * `pickFault` is pure (the randomness comes in as a function); `inject` acts on the cluster and returns the heal.
 */
import type { Fault } from '../../../lib/cli/faults/network-faults.js';
import type { FaultCluster } from '../fault-cluster.js';

/** What the draw needs to know of the cluster at the moment. */
export interface ClusterView {
  brokers: readonly number[];
  controller: number | null;
  /** Leader of each partition of the run's topic (-1: none). */
  leaders: readonly number[];
  zooKeeperMembers: readonly number[];
  /** Every replica of every partition is in its ISR. */
  allInSync: boolean;
}

export type Target = { broker: number } | { member: number };

export interface FaultKind {
  name: string;
  on: 'broker' | 'member';
  /** Only with every replica in sync, beside ZooKeeper faults, and only those beside it (see the header). */
  besideZooKeeperOnly?: boolean;
  /** Puts the fault in place; resolves to its heal. */
  inject(cluster: FaultCluster, target: Target): Promise<() => Promise<void>>;
}

/** A fault in place, as the draw sees it. */
export interface ActiveFault {
  kind: FaultKind;
  target: Target;
}

const brokerOf = (t: Target): number => {
  if (!('broker' in t)) throw new TypeError(`A broker fault needs a broker, not ${JSON.stringify(t)}`);
  return t.broker;
};
const memberOf = (t: Target): number => {
  if (!('member' in t)) throw new TypeError(`A ZooKeeper fault needs a member, not ${JSON.stringify(t)}`);
  return t.member;
};

/** A library fault registered on the cleanup stack (healed there too if the run fails first). */
const healing =
  (fault: Fault): (() => Promise<void>) =>
  () => {
    fault.heal();
    return Promise.resolve();
  };

const cut = (from: 'peers' | 'zookeeper' | 'clients' | 'all', name: string): FaultKind => ({
  name,
  on: 'broker',
  inject: (cluster, t) => Promise.resolve(healing(cluster.inject(cluster.faults.isolate(brokerOf(t), from)))),
});

const restarts = async (cluster: FaultCluster, id: number) => {
  await cluster.local.startBroker(id);
};

export const FAULT_KINDS: readonly FaultKind[] = [
  cut('peers', 'cut from peers'),
  cut('zookeeper', 'cut from ZooKeeper'),
  cut('clients', 'cut from clients'),
  cut('all', 'cut from everyone'),
  {
    name: 'SIGKILL',
    on: 'broker',
    inject: async (cluster, t) => {
      await cluster.local.killBroker(brokerOf(t));
      return () => restarts(cluster, brokerOf(t));
    },
  },
  {
    name: 'SIGSTOP',
    on: 'broker',
    inject: async (cluster, t) => {
      await cluster.local.signalBroker(brokerOf(t), 'SIGSTOP');
      return () => cluster.local.signalBroker(brokerOf(t), 'SIGCONT');
    },
  },
  {
    name: 'power loss',
    on: 'broker',
    besideZooKeeperOnly: true,
    inject: async (cluster, t) => {
      await cluster.faults.powerLoss(brokerOf(t));
      return () => restarts(cluster, brokerOf(t));
    },
  },
  {
    name: 'slow, lossy link',
    on: 'broker',
    inject: (cluster, t) =>
      Promise.resolve(
        healing(cluster.inject(cluster.faults.degradeLink(`b${brokerOf(t)}`, { rateKbit: 2000, lossPercent: 5 }))),
      ),
  },
  {
    name: 'ZooKeeper member stopped',
    on: 'member',
    inject: async (cluster, t) => {
      const zooKeeper = cluster.local.zooKeeper!;
      await zooKeeper.stopMember(memberOf(t));
      return () => zooKeeper.startMember(memberOf(t));
    },
  },
  {
    name: 'ZooKeeper member cut off',
    on: 'member',
    inject: (cluster, t) => Promise.resolve(healing(cluster.inject(cluster.faults.isolateZooKeeper(memberOf(t))))),
  },
];

const sameTarget = (a: Target, b: Target) =>
  'broker' in a ? 'broker' in b && a.broker === b.broker : 'member' in b && a.member === b.member;

/**
 * The next fault to inject under the rules of the header, or undefined when none may start now. Calls `random`
 * (uniform in [0, 1)) twice when it picks, never otherwise.
 */
export function pickFault(
  random: () => number,
  view: ClusterView,
  active: readonly ActiveFault[],
  maxActive: number,
  kinds: readonly FaultKind[] = FAULT_KINDS,
): ActiveFault | undefined {
  if (active.length >= maxActive) return undefined;
  const zooKeeperBusy = active.some((a) => a.kind.on === 'member');
  const brokerFaults = active.filter((a) => a.kind.on === 'broker');
  const powerLost = brokerFaults.some((a) => a.kind.besideZooKeeperOnly === true);
  const free = (t: Target) => !active.some((a) => sameTarget(a.target, t));
  const allowed = (k: FaultKind) =>
    k.on === 'member'
      ? !zooKeeperBusy
      : !powerLost && !(k.besideZooKeeperOnly === true && (brokerFaults.length > 0 || !view.allInSync));
  const choices = kinds
    .filter(allowed)
    .map((kind) => ({
      kind,
      targets: (kind.on === 'broker'
        ? view.brokers.map((broker): Target => ({ broker }))
        : view.zooKeeperMembers.map((member): Target => ({ member }))
      ).filter(free),
    }))
    .filter((c) => c.targets.length > 0);
  if (choices.length === 0) return undefined;
  const { kind, targets } = choices[Math.floor(random() * choices.length)]!;
  return { kind, target: targets[Math.floor(random() * targets.length)]! };
}

/** `broker 2 (controller, leads 0,2)` or `ZooKeeper member 1`: the target and its roles in `view`. */
export function targetLabel(target: Target, view: ClusterView): string {
  if ('member' in target) return `ZooKeeper member ${target.member}`;
  const led = view.leaders.flatMap((leader, p) => (leader === target.broker ? [p] : []));
  const roles = [
    ...(view.controller === target.broker ? ['controller'] : []),
    ...(led.length > 0 ? [`leads ${led.join(',')}`] : []),
  ];
  return `broker ${target.broker}${roles.length > 0 ? ` (${roles.join(', ')})` : ''}`;
}
