import { expect } from 'chai';
import fc from 'fast-check';
import { assignorsByName } from '../../../../lib/client/consumer/assignors/assignor-registry.js';
import {
  rebalanceProtocolOf,
  type MemberSubscription,
  type PartitionAssignor,
} from '../../../../lib/client/consumer/assignors/partition-assignor.js';
import { rangeAssignor } from '../../../../lib/client/consumer/assignors/range-assignor.js';
import { roundRobinAssignor } from '../../../../lib/client/consumer/assignors/round-robin-assignor.js';
import {
  cooperativeStickyAssignor,
  decodeCooperativeGeneration,
  decodeStickyUserData,
  encodeCooperativeUserData,
  encodeStickyUserData,
  stickyAssign,
  stickyAssignor,
  type MemberClaims,
} from '../../../../lib/client/consumer/assignors/sticky-assignor.js';

type Result = Map<string, { topic: string; partition: number }[]>;

const show = (m: Result) =>
  Object.fromEntries(
    [...m]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, tps]) => [id, tps.map((tp) => `${tp.topic}p${tp.partition}`)]),
  );

const member = (memberId: string, topics: string[], groupInstanceId: string | null = null): MemberSubscription => ({
  memberId,
  groupInstanceId,
  topics,
  ownedPartitions: [],
  userData: null,
});

/** A group: 1-6 members over topics t0..t3 (1-8 partitions each), each member subscribed to a non-empty subset. */
const groupArb = fc
  .record({
    counts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }),
    subscriptions: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
  })
  .map(({ counts, subscriptions }) => {
    const partitionsPerTopic = new Map(counts.map((n, i) => [`t${i}`, n]));
    const members = subscriptions.map((flags, i) => {
      const topics = counts.map((_, t) => `t${t}`).filter((_, t) => flags[t]);
      return member(`m${i}`, topics.length > 0 ? topics : ['t0']);
    });
    return { partitionsPerTopic, members };
  });

function checkComplete(
  assignor: PartitionAssignor,
  partitionsPerTopic: Map<string, number>,
  members: MemberSubscription[],
): Result {
  const result = assignor.assign(partitionsPerTopic, members);
  expect([...result.keys()].sort()).to.deep.equal(members.map((m) => m.memberId).sort());
  const owner = new Map<string, string>();
  for (const [memberId, tps] of result) {
    const subscribed = members.find((m) => m.memberId === memberId)!.topics;
    for (const tp of tps) {
      expect(subscribed, `${memberId} got ${tp.topic}-${tp.partition}`).to.include(tp.topic);
      const key = `${tp.topic}-${tp.partition}`;
      expect(owner.has(key), `${key} assigned twice`).to.equal(false);
      owner.set(key, memberId);
    }
  }
  const wanted = [...partitionsPerTopic]
    .filter(([t]) => members.some((m) => m.topics.includes(t)))
    .flatMap(([t, n]) => Array.from({ length: n }, (_, p) => `${t}-${p}`));
  expect([...owner.keys()].sort()).to.deep.equal(wanted.sort());
  return result;
}

for (const assignor of [rangeAssignor, roundRobinAssignor, stickyAssignor, cooperativeStickyAssignor]) {
  describe(`${assignor.name} assignor`, () => {
    describe('#assign', () => {
      it('assigns every subscribed partition exactly once, only to members subscribed to its topic', () => {
        fc.assert(
          fc.property(groupArb, ({ partitionsPerTopic, members }) => {
            checkComplete(assignor, partitionsPerTopic, members);
          }),
          { numRuns: 300 },
        );
      });

      it('gives the same result whatever order the members arrive in, so every leader agrees', () => {
        fc.assert(
          fc.property(groupArb, fc.nat(), ({ partitionsPerTopic, members }, seed) => {
            const k = seed % members.length;
            const shuffled = [...members.slice(k), ...members.slice(0, k)].reverse();
            expect(show(assignor.assign(partitionsPerTopic, shuffled))).to.deep.equal(
              show(assignor.assign(partitionsPerTopic, members)),
            );
          }),
          { numRuns: 100 },
        );
      });

      it('ignores subscribed topics that have no metadata yet', () => {
        const result = assignor.assign(new Map([['a', 1]]), [member('m1', ['a', 'missing'])]);
        expect(show(result)).to.deep.equal({ m1: ['ap0'] });
      });
    });
  });
}

describe('rangeAssignor', () => {
  describe('#assign', () => {
    it("matches Kafka's documented example: two members, two topics of three partitions", () => {
      const result = rangeAssignor.assign(
        new Map([
          ['t0', 3],
          ['t1', 3],
        ]),
        [member('C1', ['t0', 't1']), member('C0', ['t0', 't1'])],
      );
      expect(show(result)).to.deep.equal({ C0: ['t0p0', 't0p1', 't1p0', 't1p1'], C1: ['t0p2', 't1p2'] });
    });

    it('gives each subscriber of a topic floor(P/C) or one more of it, the larger shares first', () => {
      fc.assert(
        fc.property(groupArb, ({ partitionsPerTopic, members }) => {
          const result = rangeAssignor.assign(partitionsPerTopic, members);
          for (const [topic, count] of partitionsPerTopic) {
            const subscribers = members
              .filter((m) => m.topics.includes(topic))
              .map((m) => m.memberId)
              .sort();
            const shares = subscribers.map((id) => result.get(id)!.filter((tp) => tp.topic === topic).length);
            for (let i = 0; i < shares.length; i++) {
              expect(shares[i]).to.equal(
                Math.floor(count / subscribers.length) + (i < count % subscribers.length ? 1 : 0),
              );
            }
          }
        }),
        { numRuns: 200 },
      );
    });

    it('orders static members by group.instance.id, not by their (new on every restart) member id', () => {
      const members = [member('z-new', ['t'], 'consumer-1'), member('a-new', ['t'], 'consumer-2')];
      expect(show(rangeAssignor.assign(new Map([['t', 3]]), members))).to.deep.equal({
        'a-new': ['tp2'],
        'z-new': ['tp0', 'tp1'],
      });
    });
  });
});

describe('roundRobinAssignor', () => {
  describe('#assign', () => {
    it("matches Kafka's documented example: two members, two topics of three partitions", () => {
      const result = roundRobinAssignor.assign(
        new Map([
          ['t0', 3],
          ['t1', 3],
        ]),
        [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])],
      );
      expect(show(result)).to.deep.equal({ C0: ['t0p0', 't0p2', 't1p1'], C1: ['t0p1', 't1p0', 't1p2'] });
    });

    it("matches Kafka's documented example with unequal subscriptions", () => {
      const result = roundRobinAssignor.assign(
        new Map([
          ['t0', 1],
          ['t1', 2],
          ['t2', 3],
        ]),
        [member('C0', ['t0']), member('C1', ['t0', 't1']), member('C2', ['t0', 't1', 't2'])],
      );
      expect(show(result)).to.deep.equal({ C0: ['t0p0'], C1: ['t1p0'], C2: ['t1p1', 't2p0', 't2p1', 't2p2'] });
    });

    it('balances to within one partition when every member has the same subscription', () => {
      fc.assert(
        fc.property(groupArb, ({ partitionsPerTopic, members }) => {
          const topics = [...partitionsPerTopic.keys()];
          const same = members.map((m) => member(m.memberId, topics));
          const sizes = [...roundRobinAssignor.assign(partitionsPerTopic, same).values()].map((tps) => tps.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).to.be.at.most(1);
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe('stickyAssign', () => {
  const noClaims = (): MemberClaims => ({ partitions: [], generationId: -1 });
  const claimsFrom =
    (result: Result, generationId = 1) =>
    (m: MemberSubscription): MemberClaims => ({ partitions: result.get(m.memberId) ?? [], generationId });
  const keys = (tps: readonly { topic: string; partition: number }[] | undefined) =>
    (tps ?? []).map((tp) => `${tp.topic}-${tp.partition}`);

  /** No partition could move to another member subscribed to its topic that has two fewer. */
  function expectBalanced(result: Result, members: MemberSubscription[]): void {
    for (const [memberId, tps] of result) {
      for (const tp of tps) {
        for (const other of members) {
          if (other.memberId === memberId || !other.topics.includes(tp.topic)) continue;
          expect(
            result.get(other.memberId)!.length,
            `${tp.topic}-${tp.partition} of ${memberId} could go to ${other.memberId}`,
          ).to.be.greaterThan(tps.length - 2);
        }
      }
    }
  }

  /** Claims drawn at random from the group's partitions (some stale, some contested). */
  const claimedGroupArb = groupArb.chain(({ partitionsPerTopic, members }) => {
    const all = [...partitionsPerTopic].flatMap(([topic, n]) =>
      Array.from({ length: n + 1 }, (_, partition) => ({ topic, partition })),
    );
    return fc
      .array(fc.record({ claimed: fc.subarray(all), generationId: fc.integer({ min: -1, max: 3 }) }), {
        minLength: members.length,
        maxLength: members.length,
      })
      .map((claims) => ({
        partitionsPerTopic,
        members,
        claims: new Map(members.map((m, i) => [m.memberId, claims[i]!])),
      }));
  });

  it('assigns every partition once, to subscribers only, balanced, whatever the claims', () => {
    fc.assert(
      fc.property(claimedGroupArb, ({ partitionsPerTopic, members, claims }) => {
        const result = stickyAssign(partitionsPerTopic, members, (m) => ({
          partitions: claims.get(m.memberId)!.claimed,
          generationId: claims.get(m.memberId)!.generationId,
        }));
        const complete = checkComplete(
          { name: 'x', supportedProtocols: ['eager'], assign: () => result },
          partitionsPerTopic,
          members,
        );
        expectBalanced(complete, members);
      }),
      { numRuns: 300 },
    );
  });

  it('is stable: its own result fed back as the claims comes out unchanged', () => {
    fc.assert(
      fc.property(claimedGroupArb, ({ partitionsPerTopic, members, claims }) => {
        const first = stickyAssign(partitionsPerTopic, members, (m) => ({
          partitions: claims.get(m.memberId)!.claimed,
          generationId: claims.get(m.memberId)!.generationId,
        }));
        expect(show(stickyAssign(partitionsPerTopic, members, claimsFrom(first)))).to.deep.equal(show(first));
      }),
      { numRuns: 200 },
    );
  });

  it('lets a joining member take only what balance needs, from the others, who keep the rest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 8 }), (partitions, n) => {
        const counts = new Map([['t', partitions]]);
        const members = Array.from({ length: n }, (_, i) => member(`m${i}`, ['t']));
        const before = stickyAssign(counts, members, noClaims);
        const joined = [...members, member('new', ['t'])];
        const after = stickyAssign(counts, joined, claimsFrom(before));
        for (const m of members) expect(keys(before.get(m.memberId))).to.include.members(keys(after.get(m.memberId)));
        expect(after.get('new')!.length).to.equal(Math.floor(partitions / (n + 1)));
        expectBalanced(after, joined);
      }),
      { numRuns: 200 },
    );
  });

  it("gives a leaving member's partitions to the others without moving anything else (same subscriptions)", () => {
    fc.assert(
      fc.property(groupArb, fc.nat(), ({ partitionsPerTopic, members: drawn }, pick) => {
        if (drawn.length < 2) return;
        const members = drawn.map((m) => member(m.memberId, [...partitionsPerTopic.keys()]));
        const before = stickyAssign(partitionsPerTopic, members, noClaims);
        const gone = members[pick % members.length]!;
        const rest = members.filter((m) => m !== gone);
        const after = stickyAssign(partitionsPerTopic, rest, claimsFrom(before));
        for (const m of rest) expect(keys(after.get(m.memberId))).to.include.members(keys(before.get(m.memberId)));
      }),
      { numRuns: 200 },
    );
  });

  it('settles a partition claimed twice for the member with the newer generation', () => {
    const members = [member('a', ['t']), member('b', ['t'])];
    const claims = new Map([
      ['a', { partitions: [{ topic: 't', partition: 0 }], generationId: 4 }],
      [
        'b',
        {
          partitions: [
            { topic: 't', partition: 0 },
            { topic: 't', partition: 1 },
          ],
          generationId: 5,
        },
      ],
    ]);
    const result = stickyAssign(new Map([['t', 2]]), members, (m) => claims.get(m.memberId)!);
    // b keeps the contested tp0; balance then moves b's other partition to a.
    expect(show(result)).to.deep.equal({ a: ['tp1'], b: ['tp0'] });
  });

  it('rebalances 1,000 partitions over 100 members when one is replaced, moving only its share', () => {
    const counts = new Map(Array.from({ length: 10 }, (_, t) => [`t${t}`, 100]));
    const members = Array.from({ length: 100 }, (_, i) => member(`m${String(i).padStart(3, '0')}`, [...counts.keys()]));
    const first = stickyAssign(counts, members, noClaims);
    const second = stickyAssign(counts, [...members.slice(1), member('zz', [...counts.keys()])], claimsFrom(first));
    expect([...second.values()].every((tps) => tps.length === 10)).to.equal(true);
    expect(keys(second.get('zz')).sort()).to.deep.equal(keys(first.get('m000')).sort());
  });

  describe('user data', () => {
    it("encodes the sticky assignor's previous assignment in Kafka's StickyAssignor v1 layout", () => {
      const bytes = encodeStickyUserData({
        partitions: [
          { topic: 'ab', partition: 1 },
          { topic: 'ab', partition: 3 },
        ],
        generationId: 7,
      });
      // [1 topic] ["ab"] [2 partitions] 1 3 | generation 7
      expect(bytes.toString('hex')).to.equal(
        '00000001' + '0002' + '6162' + '00000002' + '00000001' + '00000003' + '00000007',
      );
      expect(decodeStickyUserData(bytes)).to.deep.equal({
        partitions: [
          { topic: 'ab', partition: 1 },
          { topic: 'ab', partition: 3 },
        ],
        generationId: 7,
      });
      expect(decodeStickyUserData(null)).to.deep.equal({ partitions: [], generationId: -1 });
    });

    it("encodes cooperative-sticky's generation as one int32, as Kafka does", () => {
      const bytes = encodeCooperativeUserData({ partitions: [{ topic: 'x', partition: 0 }], generationId: 12 });
      expect(bytes.toString('hex')).to.equal('0000000c');
      expect(decodeCooperativeGeneration(bytes)).to.equal(12);
      expect(decodeCooperativeGeneration(null)).to.equal(-1);
    });

    it('lets the sticky assignor keep assignments across an eager rebalance through user data', () => {
      const counts = new Map([['t', 6]]);
      const members = ['a', 'b', 'c'].map((id) => member(id, ['t']));
      const first = stickyAssignor.assign(counts, members);
      const rejoined = members.slice(0, 2).map((m) => ({
        ...m,
        userData: encodeStickyUserData({ partitions: first.get(m.memberId)!, generationId: 1 }),
      }));
      const second = stickyAssignor.assign(counts, rejoined);
      for (const m of rejoined) expect(keys(second.get(m.memberId))).to.include.members(keys(first.get(m.memberId)));
    });
  });

  it('is found by its short and Java class names, and only cooperative-sticky is cooperative', () => {
    expect(assignorsByName(['sticky', 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor'])).to.deep.equal([
      stickyAssignor,
      cooperativeStickyAssignor,
    ]);
    expect(rebalanceProtocolOf([cooperativeStickyAssignor])).to.equal('cooperative');
    expect(rebalanceProtocolOf([stickyAssignor])).to.equal('eager');
    // Kafka's upgrade path: a consumer listing an eager assignor too stays eager until it is removed.
    expect(rebalanceProtocolOf([rangeAssignor, cooperativeStickyAssignor])).to.equal('eager');
  });
});
