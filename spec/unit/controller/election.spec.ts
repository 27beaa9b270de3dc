import { expect } from 'chai';
import {
  controlledShutdownLeaderElection,
  electLeader,
  offlinePartitionLeaderElection,
  preferredReplicaLeaderElection,
  reassignPartitionLeaderElection,
} from '../../../lib/controller/election.js';

const liveSet =
  (...ids: number[]) =>
  (id: number): boolean =>
    ids.includes(id);

describe('election', () => {
  describe('#offlinePartitionLeaderElection', () => {
    it('picks the first live ISR member in assignment order and keeps the live ISR', () => {
      expect(offlinePartitionLeaderElection([1, 2, 3], [3, 2, 1], liveSet(2, 3), false)).to.deep.equal({
        leader: 2,
        isr: [3, 2],
        unclean: false,
      });
    });

    it('skips live replicas outside the ISR', () => {
      expect(offlinePartitionLeaderElection([1, 2, 3], [1, 3], liveSet(2, 3), false)).to.deep.equal({
        leader: 3,
        isr: [3],
        unclean: false,
      });
    });

    it('finds no leader when no ISR member is live and unclean election is disabled', () => {
      expect(offlinePartitionLeaderElection([1, 2, 3], [1], liveSet(2, 3), false)).to.equal(undefined);
    });

    it('falls back to the first live replica with ISR [leader] when unclean election is enabled', () => {
      expect(offlinePartitionLeaderElection([1, 2, 3], [1], liveSet(2, 3), true)).to.deep.equal({
        leader: 2,
        isr: [2],
        unclean: true,
      });
    });

    it('prefers a clean leader even when unclean election is enabled', () => {
      expect(offlinePartitionLeaderElection([1, 2, 3], [3], liveSet(2, 3), true)).to.deep.equal({
        leader: 3,
        isr: [3],
        unclean: false,
      });
    });

    it('finds no leader when no replica is live', () => {
      expect(offlinePartitionLeaderElection([1, 2], [1, 2], liveSet(), true)).to.equal(undefined);
    });
  });

  describe('#preferredReplicaLeaderElection', () => {
    it('elects the preferred replica when it is live and in the ISR, keeping the ISR', () => {
      expect(preferredReplicaLeaderElection([1, 2, 3], [2, 3, 1], liveSet(1, 2, 3))).to.deep.equal({
        leader: 1,
        isr: [2, 3, 1],
        unclean: false,
      });
    });

    it('elects nobody when the preferred replica is not in the ISR', () => {
      expect(preferredReplicaLeaderElection([1, 2, 3], [2, 3], liveSet(1, 2, 3))).to.equal(undefined);
    });

    it('elects nobody when the preferred replica is down', () => {
      expect(preferredReplicaLeaderElection([1, 2, 3], [1, 2, 3], liveSet(2, 3))).to.equal(undefined);
    });
  });

  describe('#controlledShutdownLeaderElection', () => {
    it('moves leadership off the brokers shutting down and drops them from the ISR', () => {
      const shuttingDown = liveSet(1);
      expect(controlledShutdownLeaderElection([1, 2, 3], [1, 2, 3], liveSet(1, 2, 3), shuttingDown)).to.deep.equal({
        leader: 2,
        isr: [2, 3],
        unclean: false,
      });
    });

    it('elects nobody when every live ISR member is shutting down', () => {
      expect(controlledShutdownLeaderElection([1, 2], [1], liveSet(1, 2), liveSet(1))).to.equal(undefined);
    });
  });

  describe('#reassignPartitionLeaderElection', () => {
    it('picks the first live ISR member among the target replicas, keeping the ISR', () => {
      expect(reassignPartitionLeaderElection([4, 5], [1, 5, 4], liveSet(1, 5))).to.deep.equal({
        leader: 5,
        isr: [1, 5, 4],
        unclean: false,
      });
    });
  });

  describe('#electLeader', () => {
    const input = {
      assignment: [1, 2, 3],
      isr: [2, 3],
      isLive: liveSet(1, 2, 3),
      isShuttingDown: liveSet(2),
      uncleanLeaderElectionEnabled: false,
    };

    it('dispatches on the strategy', () => {
      expect(electLeader({ kind: 'OfflinePartition' }, input)?.leader).to.equal(2);
      expect(electLeader({ kind: 'PreferredReplica' }, input)).to.equal(undefined);
      expect(electLeader({ kind: 'ControlledShutdown' }, input)?.leader).to.equal(3);
      expect(electLeader({ kind: 'ReassignPartition' }, { ...input, targetReplicas: [3] })?.leader).to.equal(3);
    });
  });
});
