import { expect } from 'chai';
import type { TopicDescription } from '../../../lib/client/index.js';
import { reassignmentsPage } from '../../../lib/console/reassignments.js';

const topic = (
  name: string,
  partitions: Array<[leader: number, replicas: number[], isr: number[]]>,
): TopicDescription => ({
  name,
  isInternal: false,
  partitions: partitions.map(([leader, replicas, isr], partition) => ({
    partition,
    leader,
    leaderEpoch: 0,
    replicas,
    isr,
    offlineReplicas: [],
  })),
});

describe('console reassignments page', () => {
  const topics = [
    topic('b', [
      [1, [1, 2], [1, 2]],
      [-1, [2, 3], []],
    ]),
    topic('a', [
      [3, [2, 3], [3, 2]],
      [1, [1, 2, 4], [1, 2]],
    ]),
  ];

  it('lists leaderless partitions and those not led by their preferred replica from metadata alone', () => {
    const page = reassignmentsPage(topics, null);
    expect(page.fromZooKeeper).to.equal(false);
    expect(page.leaderless).to.deep.equal([{ topic: 'b', partition: 1, replicas: [2, 3], isr: [] }]);
    expect(page.notPreferredLeader).to.deep.equal([{ topic: 'a', partition: 0, leader: 3, preferred: 2 }]);
    expect(page.inFlight).to.deep.equal([]);
    expect(page.requested).to.equal(null);
  });

  it("adds moves in flight with each partition's current ISR, and pending requests, from ZooKeeper", () => {
    const page = reassignmentsPage(topics, {
      inFlight: [{ topic: 'a', partition: 1, replicas: [1, 2, 4], adding: [4], removing: [] }],
      requested: [{ topic: 'b', partition: 0, replicas: [2, 3] }],
      electionRequested: null,
    });
    expect(page.fromZooKeeper).to.equal(true);
    expect(page.inFlight).to.deep.equal([
      { topic: 'a', partition: 1, replicas: [1, 2, 4], adding: [4], removing: [], isr: [1, 2] },
    ]);
    expect(page.requested).to.deep.equal([{ topic: 'b', partition: 0, replicas: [2, 3] }]);
    expect(page.electionRequested).to.equal(null);
  });
});
