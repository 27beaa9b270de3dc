import { expect } from 'chai';
import { silentLogger } from '../../../lib/common/logger.js';
import { ControllerContext } from '../../../lib/controller/controller-context.js';
import { PartitionReassigner, type ReassignmentZkClient } from '../../../lib/controller/partition-reassignment.js';
import type { TopicAssignmentAndZkVersion } from '../../../lib/zk/kafka-zk-client.js';
import { replicaAssignment, type PartitionReassignment, type TopicAssignment } from '../../../lib/zk/zk-paths.js';
import { FakeControllerZk } from './fake-controller-zk.js';

const EPOCH = 3;

/** FakeControllerZk plus the reassignment znode and topic assignment znodes. */
class FakeReassignmentZk extends FakeControllerZk implements ReassignmentZkClient {
  reassignment: PartitionReassignment[] | null = null;
  readonly assignments = new Map<string, TopicAssignmentAndZkVersion>();

  async getPartitionReassignment(): Promise<PartitionReassignment[] | null> {
    return this.reassignment;
  }

  async updatePartitionReassignment(reassignments: readonly PartitionReassignment[]): Promise<void> {
    this.reassignment = [...reassignments];
  }

  async deletePartitionReassignment(): Promise<void> {
    this.reassignment = null;
  }

  async getTopicAssignment(topic: string): Promise<TopicAssignmentAndZkVersion | null> {
    return this.assignments.get(topic) ?? null;
  }

  async setTopicAssignment(topic: string, assignment: TopicAssignment): Promise<number> {
    const zkVersion = (this.assignments.get(topic)?.zkVersion ?? -1) + 1;
    this.assignments.set(topic, { ...assignment, zkVersion });
    return zkVersion;
  }

  replicasOf(topic: string, partition: number): readonly number[] | undefined {
    return this.assignments.get(topic)?.partitions.get(partition)?.replicas;
  }
}

/** The leader (1, epoch 6) adds broker 4 to the ISR of t-0, as it does once the new replica caught up. */
function brokerFourJoinsTheIsr(zk: FakeReassignmentZk): void {
  const current = zk.get('t', 0)!;
  zk.put(
    { topic: 't', partition: 0 },
    { leader: 1, leaderEpoch: 6, isr: [1, 2, 3, 4], controllerEpoch: EPOCH },
    current.zkVersion + 1,
  );
}

/** Topic t with partition 0 on [1, 2, 3], leader 1, full ISR; brokers 1..4 live. */
function setup() {
  const context = new ControllerContext(EPOCH, 7);
  for (const id of [1, 2, 3, 4]) context.liveBrokerEpochs.set(id, 100 + id);
  const zk = new FakeReassignmentZk();
  const p = context.putPartition('t', 0, [1, 2, 3]);
  zk.put(p, { leader: 1, leaderEpoch: 5, isr: [1, 2, 3], controllerEpoch: EPOCH }, 0);
  p.leaderIsr = zk.get('t', 0);
  context.setPartitionState(p, 'OnlinePartition');
  zk.assignments.set('t', { topicId: null, partitions: new Map([[0, replicaAssignment([1, 2, 3])]]), zkVersion: 0 });
  return { context, zk, reassigner: new PartitionReassigner(context, zk, silentLogger) };
}

describe('PartitionReassigner', () => {
  describe('#advance', () => {
    it('adds the target replicas, waits for them in the ISR, then moves the leader and drops the old replicas', async () => {
      const s = setup();
      s.zk.reassignment = [{ topic: 't', partition: 0, replicas: [2, 3, 4] }];

      await s.reassigner.advance();
      expect(s.zk.replicasOf('t', 0)).to.deep.equal([2, 3, 4, 1]);
      // KIP-455's layout while the move runs: what is being added and removed, for the leader's ISR decisions.
      expect(s.zk.assignments.get('t')!.partitions.get(0)).to.deep.include({
        addingReplicas: [4],
        removingReplicas: [1],
      });
      expect(s.zk.get('t', 0)).to.include({ leader: 1, leaderEpoch: 6 });
      expect(s.zk.reassignment).to.have.length(1);

      await s.reassigner.advance();
      expect(s.zk.replicasOf('t', 0), 'waits while broker 4 is not in the ISR').to.deep.equal([2, 3, 4, 1]);
      expect(s.zk.reassignment).to.have.length(1);

      brokerFourJoinsTheIsr(s.zk);
      await s.reassigner.advance();
      expect(s.zk.get('t', 0)).to.include({ leader: 2, leaderEpoch: 7 });
      expect(s.zk.get('t', 0)!.isr).to.deep.equal([2, 3, 4]);
      expect(s.zk.replicasOf('t', 0)).to.deep.equal([2, 3, 4]);
      expect(s.zk.assignments.get('t')!.partitions.get(0)).to.deep.include({
        addingReplicas: [],
        removingReplicas: [],
      });
      expect(s.context.partition('t', 0)!.replicas).to.deep.equal([2, 3, 4]);
      expect(s.zk.reassignment, 'the znode is deleted when no partition is left').to.equal(null);
    });

    it('refuses requests for unknown partitions, brokers not registered or repeated replicas, and carries out the valid one', async () => {
      const s = setup();
      s.context.removeLiveBroker(4);
      s.zk.reassignment = [
        { topic: 'nope', partition: 0, replicas: [1, 2] },
        { topic: 't', partition: 0, replicas: [2, 3, 4] },
        { topic: 't', partition: 0, replicas: [2, 2] },
        { topic: 't', partition: 0, replicas: [3, 2, 1] },
      ];
      await s.reassigner.advance();
      expect(s.zk.replicasOf('t', 0), 'a reordering of the ISR completes at once').to.deep.equal([3, 2, 1]);
      expect(s.zk.get('t', 0)).to.include({ leader: 1, leaderEpoch: 5 });
      expect(s.zk.reassignment).to.equal(null);
    });

    it('waits for an accepted move whose new broker stops, and completes it once that broker is back in the ISR', async () => {
      const s = setup();
      s.zk.reassignment = [{ topic: 't', partition: 0, replicas: [2, 3, 4] }];
      await s.reassigner.advance();
      s.context.removeLiveBroker(4);

      await s.reassigner.advance();
      expect(s.zk.reassignment, 'still pending while broker 4 is down').to.have.length(1);
      expect(s.zk.assignments.get('t')!.partitions.get(0)).to.deep.equal(replicaAssignment([2, 3, 4, 1], [4], [1]));

      s.context.liveBrokerEpochs.set(4, 200);
      brokerFourJoinsTheIsr(s.zk);
      await s.reassigner.advance();
      expect(s.zk.assignments.get('t')!.partitions.get(0)).to.deep.equal(replicaAssignment([2, 3, 4]));
      expect(s.zk.get('t', 0)).to.include({ leader: 2 });
      expect(s.zk.reassignment).to.equal(null);
    });

    it('waits while every target replica is in the ISR but none of them can lead', async () => {
      const s = setup();
      s.zk.reassignment = [{ topic: 't', partition: 0, replicas: [2, 3, 4] }];
      await s.reassigner.advance();
      brokerFourJoinsTheIsr(s.zk);
      for (const id of [2, 3, 4]) s.context.shuttingDownBrokerIds.add(id);
      await s.reassigner.advance();
      expect(s.zk.get('t', 0)).to.include({ leader: 1, leaderEpoch: 6 });
      expect(s.zk.replicasOf('t', 0)).to.deep.equal([2, 3, 4, 1]);
      expect(s.zk.reassignment).to.have.length(1);
    });

    it('carries a move recorded only in the assignment on to its target, re-announcing it once', async () => {
      const s = setup();
      s.zk.assignments.set('t', {
        topicId: null,
        partitions: new Map([[0, replicaAssignment([2, 3, 4, 1], [4], [1])]]),
        zkVersion: 1,
      });
      s.context.putPartition('t', 0, [2, 3, 4, 1], [4], [1]);

      await s.reassigner.advance();
      expect(s.zk.get('t', 0), 'the leader epoch is bumped once so that broker 4 re-applies it').to.include({
        leaderEpoch: 6,
      });
      await s.reassigner.advance();
      expect(s.zk.get('t', 0)).to.include({ leaderEpoch: 6 });
      expect(s.zk.replicasOf('t', 0)).to.deep.equal([2, 3, 4, 1]);

      brokerFourJoinsTheIsr(s.zk);
      await s.reassigner.advance();
      expect(s.zk.assignments.get('t')!.partitions.get(0)).to.deep.equal(replicaAssignment([2, 3, 4]));
      expect(s.zk.get('t', 0)!.isr).to.deep.equal([2, 3, 4]);
      expect(s.context.partitionsBeingReassigned()).to.deep.equal([]);
      expect(s.zk.reassignment).to.equal(null);
    });

    it('refuses a request for a partition that is still moving to another target, and keeps that move', async () => {
      const s = setup();
      s.zk.reassignment = [{ topic: 't', partition: 0, replicas: [2, 3, 4] }];
      await s.reassigner.advance();
      s.zk.reassignment = [{ topic: 't', partition: 0, replicas: [1, 2, 4] }];
      await s.reassigner.advance();
      expect(s.zk.reassignment).to.equal(null);
      expect(s.zk.assignments.get('t')!.partitions.get(0)).to.deep.equal(replicaAssignment([2, 3, 4, 1], [4], [1]));
    });
  });

  describe('#alter (AlterPartitionReassignments)', () => {
    const names = (outcomes: ReadonlyArray<{ errorName: string } | undefined>) => outcomes.map((o) => o?.errorName);

    it('starts a move and answers once the new replicas are assigned, not when they caught up', async () => {
      const s = setup();
      expect(await s.reassigner.alter([{ topic: 't', partition: 0, replicas: [2, 3, 4] }])).to.deep.equal([undefined]);
      expect(s.zk.assignments.get('t')!.partitions.get(0)).to.deep.equal(replicaAssignment([2, 3, 4, 1], [4], [1]));
      expect(s.zk.get('t', 0)).to.include({ leader: 1, leaderEpoch: 6 });

      brokerFourJoinsTheIsr(s.zk);
      await s.reassigner.advance();
      expect(s.zk.assignments.get('t')!.partitions.get(0)).to.deep.equal(replicaAssignment([2, 3, 4]));
    });

    it('cancels a move: the original replicas are the assignment again and the added one leaves the ISR', async () => {
      const s = setup();
      await s.reassigner.alter([{ topic: 't', partition: 0, replicas: [2, 3, 4] }]);
      brokerFourJoinsTheIsr(s.zk);
      s.context.partition('t', 0)!.leaderIsr = s.zk.get('t', 0);

      expect(await s.reassigner.alter([{ topic: 't', partition: 0, replicas: null }])).to.deep.equal([undefined]);
      // Kafka's originReplicas (RS − AR): the old set, in the order the move's layout kept it.
      expect(s.zk.assignments.get('t')!.partitions.get(0)).to.deep.equal(replicaAssignment([2, 3, 1]));
      expect(s.zk.get('t', 0)).to.include({ leader: 1, leaderEpoch: 7 });
      expect(s.zk.get('t', 0)!.isr).to.deep.equal([1, 2, 3]);
      expect(s.context.partitionsBeingReassigned()).to.deep.equal([]);
    });

    it('replaces the target of a running move, dropping the replica the old target added', async () => {
      const s = setup();
      s.context.liveBrokerEpochs.set(5, 105);
      await s.reassigner.alter([{ topic: 't', partition: 0, replicas: [2, 3, 4] }]);
      expect(await s.reassigner.alter([{ topic: 't', partition: 0, replicas: [1, 2, 5] }])).to.deep.equal([undefined]);
      expect(s.zk.assignments.get('t')!.partitions.get(0)).to.deep.equal(replicaAssignment([1, 2, 5, 3], [5], [3]));
    });

    it("answers Kafka's errors per partition and takes the named partitions out of the znode", async () => {
      const s = setup();
      s.zk.reassignment = [{ topic: 't', partition: 0, replicas: [2, 3, 4] }];
      const outcomes = await s.reassigner.alter([
        { topic: 'nope', partition: 0, replicas: [1] },
        { topic: 't', partition: 0, replicas: [] },
        { topic: 't', partition: 0, replicas: [2, 2] },
        { topic: 't', partition: 0, replicas: [2, 9] },
        { topic: 't', partition: 0, replicas: null },
        { topic: 't', partition: 0, replicas: [3, 2, 1] },
      ]);
      expect(names(outcomes)).to.deep.equal([
        'UNKNOWN_TOPIC_OR_PARTITION',
        'INVALID_REPLICA_ASSIGNMENT',
        'INVALID_REPLICA_ASSIGNMENT',
        'INVALID_REPLICA_ASSIGNMENT',
        'NO_REASSIGNMENT_IN_PROGRESS',
        undefined,
      ]);
      expect(s.zk.replicasOf('t', 0), 'a reordering completes at once').to.deep.equal([3, 2, 1]);
      expect(s.zk.reassignment, 'the latest request wins over the znode').to.equal(null);
    });
  });
});
