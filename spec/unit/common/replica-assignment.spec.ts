import { expect } from 'chai';
import fc from 'fast-check';
import { ApiError } from '../../../lib/common/errors.js';
import {
  assignReplicasForNewPartitions,
  assignReplicasToBrokers,
  rackAlternatedBrokerList,
  type PartitionAssignment,
} from '../../../lib/common/replica-assignment.js';

const asObject = (m: Map<number, number[]>): Record<number, number[]> => Object.fromEntries(m);

function expectApiError(fn: () => unknown, errorName: string): void {
  expect(fn).to.throw(ApiError).with.property('errorName', errorName);
}

const racked = (racks: Record<number, string>) => Object.entries(racks).map(([id, rack]) => ({ id: Number(id), rack }));

/** Leaders and replicas per broker, and the racks each partition spans (Kafka's ReplicaDistributions). */
function distribution(assignment: PartitionAssignment, racks: Record<number, string>) {
  const leaders = new Map<number, number>();
  const replicas = new Map<number, number>();
  const partitionRacks = new Map<number, Set<string>>();
  for (const [p, brokers] of assignment) {
    leaders.set(brokers[0]!, (leaders.get(brokers[0]!) ?? 0) + 1);
    for (const b of brokers) replicas.set(b, (replicas.get(b) ?? 0) + 1);
    partitionRacks.set(p, new Set(brokers.map((b) => racks[b]!)));
  }
  return { leaders, replicas, partitionRacks };
}

/**
 * Kafka's checkReplicaDistribution: distinct brokers per partition, every partition on min(RF, racks) racks, and
 * optionally the same leader and replica count on every broker.
 */
function checkReplicaDistribution(
  assignment: PartitionAssignment,
  racks: Record<number, string>,
  partitions: number,
  rf: number,
  even: { leaders: boolean; replicas: boolean },
): void {
  const brokers = Object.keys(racks).length;
  const numRacks = new Set(Object.values(racks)).size;
  expect(assignment.size).to.equal(partitions);
  const d = distribution(assignment, racks);
  for (const [p, replicas] of assignment) {
    expect(new Set(replicas).size, `partition ${p}: distinct brokers`).to.equal(rf);
    expect(d.partitionRacks.get(p)!.size, `partition ${p}: racks`).to.equal(Math.min(rf, numRacks));
  }
  if (even.leaders) {
    expect([...d.leaders.values()]).to.deep.equal(Array(brokers).fill(partitions / brokers));
  }
  if (even.replicas) {
    expect([...d.replicas.values()]).to.deep.equal(Array(brokers).fill((partitions * rf) / brokers));
  }
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

  describe('#assignReplicasToBrokers with broker.rack (rack-aware)', () => {
    it("alternates racks in the broker list and matches Kafka's vector for 6 brokers, 7 partitions, RF 3", () => {
      const racks = { 0: 'rack1', 1: 'rack3', 2: 'rack3', 3: 'rack2', 4: 'rack2', 5: 'rack1' };
      expect(rackAlternatedBrokerList(racked(racks))).to.deep.equal([0, 3, 1, 5, 4, 2]);
      const { 5: _, ...withoutFive } = racks;
      expect(rackAlternatedBrokerList(racked(withoutFive))).to.deep.equal([0, 3, 1, 4, 2]);
      expect(
        asObject(assignReplicasToBrokers(racked(racks), 7, 3, { fixedStartIndex: 0, startPartitionId: 0 })),
      ).to.deep.equal({
        0: [0, 3, 1],
        1: [3, 1, 5],
        2: [1, 5, 4],
        3: [5, 4, 2],
        4: [4, 2, 0],
        5: [2, 0, 3],
        6: [0, 4, 2],
      });
    });

    const sixOnThree = { 0: 'rack1', 1: 'rack2', 2: 'rack2', 3: 'rack3', 4: 'rack3', 5: 'rack1' };

    it('spreads leaders and replicas evenly when racks hold equal numbers of brokers (fixed and random start)', () => {
      for (const opts of [{ fixedStartIndex: 2 }, {}]) {
        checkReplicaDistribution(assignReplicasToBrokers(racked(sixOnThree), 6, 3, opts), sixOnThree, 6, 3, {
          leaders: true,
          replicas: true,
        });
      }
      checkReplicaDistribution(assignReplicasToBrokers(racked(sixOnThree), 12, 2), sixOnThree, 12, 2, {
        leaders: true,
        replicas: true,
      });
      const twelveOnFour = Object.fromEntries(Array.from({ length: 12 }, (_, id) => [id, `rack${id % 4}`]));
      checkReplicaDistribution(assignReplicasToBrokers(racked(twelveOnFour), 96, 3), twelveOnFour, 96, 3, {
        leaders: true,
        replicas: true,
      });
    });

    it('keeps every partition on distinct racks with uneven replicas or uneven racks', () => {
      checkReplicaDistribution(assignReplicasToBrokers(racked(sixOnThree), 13, 3), sixOnThree, 13, 3, {
        leaders: false,
        replicas: false,
      });
      const uneven = { 0: 'rack1', 1: 'rack1', 2: 'rack2', 3: 'rack3', 4: 'rack3', 5: 'rack1' };
      checkReplicaDistribution(assignReplicasToBrokers(racked(uneven), 12, 3), uneven, 12, 3, {
        leaders: true,
        replicas: false,
      });
    });

    it('covers every rack when RF exceeds the rack count, and uses one rack when there is one', () => {
      checkReplicaDistribution(assignReplicasToBrokers(racked(sixOnThree), 6, 5), sixOnThree, 6, 5, {
        leaders: true,
        replicas: false,
      });
      const single = Object.fromEntries(Array.from({ length: 6 }, (_, id) => [id, 'rack1']));
      checkReplicaDistribution(assignReplicasToBrokers(racked(single), 6, 3), single, 6, 3, {
        leaders: true,
        replicas: true,
      });
      const skip = { 0: 'a', 1: 'b', 2: 'c', 3: 'a', 4: 'a' };
      checkReplicaDistribution(assignReplicasToBrokers(racked(skip), 6, 4, { fixedStartIndex: 2 }), skip, 6, 4, {
        leaders: false,
        replicas: false,
      });
    });

    it('puts replicas on min(RF, racks) distinct racks for any rack layout (property)', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 10 }),
          fc.integer({ min: 1, max: 30 }),
          fc.integer({ min: 1, max: 10 }),
          fc.double({ min: 0, max: 0.999, noNaN: true }),
          (rackIndexes, partitions, rf, r) => {
            fc.pre(rf <= rackIndexes.length);
            const racks = Object.fromEntries(rackIndexes.map((rack, id) => [id, `r${rack}`]));
            const assignment = assignReplicasToBrokers(racked(racks), partitions, rf, { random: () => r });
            checkReplicaDistribution(assignment, racks, partitions, rf, { leaders: false, replicas: false });
          },
        ),
        { numRuns: 100 },
      );
    });

    it('continues rack-aware when partitions are added', () => {
      const existing = assignReplicasToBrokers(racked(sixOnThree), 6, 3, { fixedStartIndex: 0 });
      const added = assignReplicasForNewPartitions(racked(sixOnThree), existing, 12);
      expect([...added.keys()]).to.deep.equal([6, 7, 8, 9, 10, 11]);
      for (const replicas of added.values()) {
        expect(new Set(replicas.map((b) => sixOnThree[b as keyof typeof sixOnThree])).size).to.equal(3);
      }
    });

    it('refuses brokers of which only some have a rack, naming them', () => {
      expect(() => assignReplicasToBrokers([{ id: 1, rack: 'a' }, { id: 2, rack: null }, { id: 3 }], 1, 2))
        .to.throw(ApiError, /broker\(s\) 2,3 have no broker\.rack/)
        .with.property('errorName', 'INVALID_REPLICA_ASSIGNMENT');
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
