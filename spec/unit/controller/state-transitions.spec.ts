import { expect } from 'chai';
import { PARTITION_STATE_TRANSITIONS, REPLICA_STATE_TRANSITIONS } from '../../../lib/controller/controller-states.js';
import { specEdges } from '../../helpers/transition-edges.js';

// One spec per allowed and per forbidden edge, generated from the tables the state machines use.
specEdges(PARTITION_STATE_TRANSITIONS);
specEdges(REPLICA_STATE_TRANSITIONS);

describe('PartitionStateMachine', () => {
  describe('PARTITION_STATE_TRANSITIONS', () => {
    it("holds Kafka's valid previous states", () => {
      const allowed = PARTITION_STATE_TRANSITIONS.edges()
        .allowed.map(([f, t]) => `${f}>${t}`)
        .sort();
      expect(allowed).to.deep.equal([
        'NewPartition>OfflinePartition',
        'NewPartition>OnlinePartition',
        'NonExistentPartition>NewPartition',
        'OfflinePartition>NonExistentPartition',
        'OfflinePartition>OfflinePartition',
        'OfflinePartition>OnlinePartition',
        'OnlinePartition>OfflinePartition',
        'OnlinePartition>OnlinePartition',
      ]);
    });
  });
});

describe('ReplicaStateMachine', () => {
  describe('REPLICA_STATE_TRANSITIONS', () => {
    it("holds Kafka's valid previous states", () => {
      const allowed = REPLICA_STATE_TRANSITIONS.edges().allowed;
      expect(allowed).to.have.length(4 + 4 + 1 + 1 + 2 + 1 + 1);
      expect(REPLICA_STATE_TRANSITIONS.isValid('ReplicaDeletionIneligible', 'OnlineReplica')).to.equal(true);
      expect(REPLICA_STATE_TRANSITIONS.isValid('ReplicaDeletionStarted', 'ReplicaDeletionIneligible')).to.equal(true);
      expect(REPLICA_STATE_TRANSITIONS.isValid('OnlineReplica', 'ReplicaDeletionStarted')).to.equal(false);
    });
  });
});
