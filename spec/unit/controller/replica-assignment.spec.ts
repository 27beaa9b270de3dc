import { expect } from 'chai';
import fc from 'fast-check';
import { ApiError } from '../../../lib/common/errors.js';
import { assignReplicasForNewPartitions, assignReplicasToBrokers } from '../../../lib/controller/replica-assignment.js';

const asObject = (m: Map<number, number[]>): Record<number, number[]> => Object.fromEntries(m);

function expectApiError(fn: () => unknown, errorName: string): void {
  expect(fn).to.throw(ApiError).with.property('errorName', errorName);
}

describe('replica-assignment', () => {
  describe('#assignReplicasToBrokers', () => {
    it("matches Kafka's vector for 5 brokers, 10 partitions, RF 3, start index 0", () => {
      // AdminUtilsTest.testReplicaAssignment: the shift grows by one each time p wraps around the broker list.
      expect(asObject(assignReplicasToBrokers([0, 1, 2, 3, 4], 10, 3, { fixedStartIndex: 0 }))).to.deep.equal({
        0: [0, 1, 2],
        1: [1, 2, 3],
        2: [2, 3, 4],
        3: [3, 4, 0],
        4: [4, 0, 1],
        5: [0, 2, 3],
        6: [1, 3, 4],
        7: [2, 4, 0],
        8: [3, 0, 1],
        9: [4, 1, 2],
      });
    });

    it('sorts the brokers by id before assigning', () => {
      expect(asObject(assignReplicasToBrokers([12, 10, 11], 3, 2, { fixedStartIndex: 0 }))).to.deep.equal({
        0: [10, 11],
        1: [11, 12],
        2: [12, 10],
      });
    });

    it('starts at the fixed index and shift', () => {
      expect(asObject(assignReplicasToBrokers([0, 1, 2], 3, 2, { fixedStartIndex: 1 }))).to.deep.equal({
        0: [1, 0],
        1: [2, 1],
        2: [0, 2],
      });
    });

    it('takes random start index and shift from the random source', () => {
      // random() = 0.5 with 4 brokers gives startIndex 2 and shift 2.
      expect(asObject(assignReplicasToBrokers([0, 1, 2, 3], 2, 2, { random: () => 0.5 }))).to.deep.equal({
        0: [2, 1],
        1: [3, 2],
      });
    });

    it('assigns replication factor 1 on a single broker', () => {
      expect(asObject(assignReplicasToBrokers([7], 3, 1))).to.deep.equal({ 0: [7], 1: [7], 2: [7] });
    });

    it('rejects a replication factor above the broker count with INVALID_REPLICATION_FACTOR', () => {
      expectApiError(() => assignReplicasToBrokers([0, 1], 1, 3), 'INVALID_REPLICATION_FACTOR');
    });

    it('rejects a replication factor below 1 with INVALID_REPLICATION_FACTOR', () => {
      expectApiError(() => assignReplicasToBrokers([0, 1], 1, 0), 'INVALID_REPLICATION_FACTOR');
    });

    it('rejects fewer than one partition with INVALID_PARTITIONS', () => {
      expectApiError(() => assignReplicasToBrokers([0, 1], 0, 1), 'INVALID_PARTITIONS');
    });

    it('gives every partition RF distinct live replicas and spreads preferred leaders evenly', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 8 }),
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 8 }),
          fc.double({ min: 0, max: 0.999, noNaN: true }),
          (brokers, partitions, rf, r) => {
            fc.pre(rf <= brokers.length);
            const assignment = assignReplicasToBrokers(brokers, partitions, rf, { random: () => r });
            expect(assignment.size).to.equal(partitions);
            const leaders = new Map<number, number>();
            for (const replicas of assignment.values()) {
              expect(new Set(replicas).size).to.equal(rf);
              for (const b of replicas) expect(brokers).to.include(b);
              leaders.set(replicas[0]!, (leaders.get(replicas[0]!) ?? 0) + 1);
            }
            const counts = [...leaders.values()];
            expect(Math.max(...counts) - (leaders.size < brokers.length ? 0 : Math.min(...counts))).to.be.at.most(1);
          },
        ),
        { numRuns: 50 },
      );
    });
  });

  describe('#assignReplicasForNewPartitions', () => {
    it('continues the assignment from the old partition count with the RF of partition 0', () => {
      const existing = assignReplicasToBrokers([0, 1, 2, 3, 4], 3, 3, { fixedStartIndex: 0 });
      const added = assignReplicasForNewPartitions([0, 1, 2, 3, 4], existing, 10);
      // Partition 0 starts at broker 0, so the fixed start is index 0 and partitions 3-9 equal the full vector's.
      expect(asObject(added)).to.deep.equal({
        3: [3, 4, 0],
        4: [4, 0, 1],
        5: [0, 2, 3],
        6: [1, 3, 4],
        7: [2, 4, 0],
        8: [3, 0, 1],
        9: [4, 1, 2],
      });
    });

    it('starts at the first broker whose id is at least partition 0 first replica', () => {
      const existing = new Map([[0, [2, 3]]]);
      expect(asObject(assignReplicasForNewPartitions([1, 3, 5], existing, 2))).to.deep.equal({ 1: [5, 3] });
    });

    it('rejects a count that does not grow with INVALID_PARTITIONS', () => {
      const existing = new Map([
        [0, [1]],
        [1, [2]],
      ]);
      expectApiError(() => assignReplicasForNewPartitions([1, 2], existing, 2), 'INVALID_PARTITIONS');
      expectApiError(() => assignReplicasForNewPartitions([1, 2], existing, 1), 'INVALID_PARTITIONS');
    });

    it('rejects growth when fewer brokers are up than partition 0 has replicas', () => {
      const existing = new Map([[0, [1, 2, 3]]]);
      expectApiError(() => assignReplicasForNewPartitions([1, 2], existing, 2), 'INVALID_REPLICATION_FACTOR');
    });
  });
});
