/**
 * The chaos run's draw of faults keeps to its rules: at most `maxActive` at a time, one per broker or ZooKeeper
 * member, one ZooKeeper fault at a time (the quorum is kept), a power loss only with every replica in sync and
 * beside ZooKeeper faults; and it names its targets' roles.
 */
import { expect } from 'chai';
import {
  FAULT_KINDS,
  pickFault,
  targetLabel,
  type ActiveFault,
  type ClusterView,
  type FaultKind,
} from '../../helpers/faults/random-faults.js';
import { prng } from '../../helpers/prng.js';

const view: ClusterView = {
  brokers: [1, 2, 3],
  controller: 2,
  leaders: [1, 2, 2],
  zooKeeperMembers: [1, 2, 3],
  allInSync: true,
};
const kind = (name: string): FaultKind => FAULT_KINDS.find((k) => k.name === name)!;

/** Every fault the draw can make from `active`, by trying many random numbers. */
function possible(active: readonly ActiveFault[], maxActive = 2, cluster = view): Set<string> {
  const random = prng(7);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const pick = pickFault(random, cluster, active, maxActive);
    if (pick !== undefined) seen.add(`${pick.kind.name} ${JSON.stringify(pick.target)}`);
  }
  return seen;
}

describe('randomized chaos: the draw of faults', () => {
  it('draws every kind on every target when nothing is in place', () => {
    const seen = possible([]);
    const brokerKinds = FAULT_KINDS.filter((k) => k.on === 'broker').length;
    const memberKinds = FAULT_KINDS.filter((k) => k.on === 'member').length;
    expect(seen.size).to.equal(brokerKinds * 3 + memberKinds * 3);
  });

  it('draws nothing, and takes no random number, with maxActive faults in place', () => {
    let calls = 0;
    const random = () => {
      calls++;
      return 0.5;
    };
    const active: ActiveFault[] = [
      { kind: kind('SIGKILL'), target: { broker: 1 } },
      { kind: kind('cut from peers'), target: { broker: 2 } },
    ];
    expect(pickFault(random, view, active, 2)).to.equal(undefined);
    expect(calls).to.equal(0);
    expect(pickFault(random, view, active.slice(1), 2)).to.not.equal(undefined);
    expect(calls).to.equal(2);
  });

  it('never hits a broker or member already at fault, nor a second ZooKeeper member', () => {
    const seen = [...possible([{ kind: kind('ZooKeeper member stopped'), target: { member: 2 } }])];
    expect(seen.filter((s) => s.includes('member'))).to.deep.equal([]);
    const onBroker = [...possible([{ kind: kind('SIGSTOP'), target: { broker: 3 } }])];
    expect(onBroker.filter((s) => s.includes('"broker":3'))).to.deep.equal([]);
    expect(onBroker.some((s) => s.includes('member'))).to.equal(true);
  });

  it('draws a power loss only with every replica in sync, beside ZooKeeper faults, and only those beside it', () => {
    const lagging = [...possible([], 2, { ...view, allInSync: false })];
    expect(lagging.filter((s) => s.startsWith('power loss'))).to.deep.equal([]);
    expect(lagging.some((s) => s.startsWith('SIGKILL'))).to.equal(true);
    const besideBroker = [...possible([{ kind: kind('cut from clients'), target: { broker: 1 } }])];
    expect(besideBroker.filter((s) => s.startsWith('power loss'))).to.deep.equal([]);
    const besideMember = [...possible([{ kind: kind('ZooKeeper member stopped'), target: { member: 1 } }])];
    expect(besideMember.filter((s) => s.startsWith('power loss'))).to.have.length(3);
    const besidePowerLoss = [...possible([{ kind: kind('power loss'), target: { broker: 1 } }])];
    expect(besidePowerLoss.length).to.be.greaterThan(0);
    expect(besidePowerLoss.filter((s) => !s.startsWith('ZooKeeper'))).to.deep.equal([]);
  });

  it('labels a target with its roles', () => {
    expect(targetLabel({ broker: 2 }, view)).to.equal('broker 2 (controller, leads 1,2)');
    expect(targetLabel({ broker: 3 }, view)).to.equal('broker 3');
    expect(targetLabel({ member: 1 }, view)).to.equal('ZooKeeper member 1');
  });
});
