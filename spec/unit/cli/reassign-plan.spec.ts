import { expect } from 'chai';
import {
  listReport,
  parseTopicsToMove,
  proposeAssignment,
  throttlePlan,
  verifyReport,
} from '../../../lib/cli/admin/reassign-plan.js';

describe('reassign-partitions --bootstrap-server (plan)', () => {
  it('reads a topics-to-move file and names its first problem', () => {
    expect(parseTopicsToMove('{"version":1,"topics":[{"topic":"a"},{"topic":"b"}]}')).to.deep.equal(['a', 'b']);
    expect(() => parseTopicsToMove('{"topics":[]}')).to.throw(/non-empty "topics"/);
    expect(() => parseTopicsToMove('{"topics":[{"name":"a"}]}')).to.throw(/topics\[0\]: "topic"/);
    expect(() => parseTopicsToMove('{"topics":[{"topic":"a"},{"topic":"a"}]}')).to.throw(/a is listed twice/);
  });

  it('--generate places every partition on the listed brokers, keeping the replication factor and racks apart', () => {
    const current = new Map([['t', [0, 1, 2, 3].map((partition) => ({ topic: 't', partition, replicas: [1, 2] }))]]);
    const brokers = [
      { id: 3, rack: 'a' },
      { id: 4, rack: 'a' },
      { id: 5, rack: 'b' },
      { id: 6, rack: 'b' },
    ];
    const proposed = proposeAssignment(current, brokers);
    expect(proposed.map((p) => p.partition)).to.deep.equal([0, 1, 2, 3]);
    for (const p of proposed) {
      expect(p.replicas).to.have.length(2);
      expect(p.replicas.every((id) => id >= 3 && id <= 6)).to.equal(true);
      const racks = p.replicas.map((id) => brokers.find((b) => b.id === id)!.rack);
      expect(new Set(racks).size, `${p.topic}-${p.partition} on distinct racks`).to.equal(2);
    }
    expect(() => proposeAssignment(current, [{ id: 3 }])).to.throw(/replication factor 2, more than the 1 broker/);
  });

  it("--throttle lists the current replicas as leader-throttled and the added ones as follower-throttled, as Kafka's tool", () => {
    const plan = throttlePlan(
      [
        { topic: 't', partition: 0, replicas: [2, 3] },
        { topic: 't', partition: 1, replicas: [1, 4] },
      ],
      new Map([
        ['t-0', [1, 2]],
        ['t-1', [1, 2]],
      ]),
      [{ topic: 'u', partition: 5, replicas: [6, 7], addingReplicas: [6], removingReplicas: [7] }],
    );
    expect(Object.fromEntries(plan.topics)).to.deep.equal({
      t: { leader: '0:1,0:2,1:1,1:2', follower: '0:3,1:4' },
      u: { leader: '5:7', follower: '5:6' },
    });
    expect(plan.brokers).to.deep.equal([1, 2, 3, 4, 6, 7]);
  });

  it('--verify says complete only when no move runs and the replicas are the target, in its order', () => {
    const targets = [
      { topic: 't', partition: 0, replicas: [2, 3] },
      { topic: 't', partition: 1, replicas: [3, 2] },
      { topic: 't', partition: 2, replicas: [1, 2] },
    ];
    const current = new Map([
      ['t-0', [2, 3]],
      ['t-1', [2, 3]],
      ['t-2', [1, 2, 4]],
    ]);
    const report = verifyReport(targets, current, new Set(['t-2']));
    expect(report.text).to.equal(
      'Status of partition reassignment:\n' +
        'Reassignment of partition t-0 is complete.\n' +
        'There is no active reassignment of partition t-1, but replica set is [2, 3] rather than [3, 2].\n' +
        'Reassignment of partition t-2 is still in progress.\n',
    );
    expect(report.complete).to.equal(false);
    expect(verifyReport(targets.slice(0, 1), current, new Set()).complete).to.equal(true);
  });

  it('--list prints each running move with what it adds and removes', () => {
    expect(listReport([])).to.equal('No partition reassignments found.\n');
    expect(
      listReport([{ topic: 't', partition: 0, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] }]),
    ).to.equal('Current partition reassignments:\nt-0: replicas: 2,3,1. adding: 3. removing: 1.\n');
  });
});
