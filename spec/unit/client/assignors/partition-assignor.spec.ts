import { expect } from 'chai';
import fc from 'fast-check';
import {
  rangeAssignor, roundRobinAssignor, type MemberSubscription, type PartitionAssignor,
} from '../../../../lib/client/consumer/assignors/partition-assignor.js';

type Result = Map<string, { topic: string; partition: number }[]>;

const show = (m: Result) =>
  Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, tps]) => [id, tps.map((tp) => `${tp.topic}p${tp.partition}`)]));

const member = (memberId: string, topics: string[], groupInstanceId: string | null = null): MemberSubscription =>
  ({ memberId, groupInstanceId, topics, ownedPartitions: [], userData: null });

/** A group: 1-6 members over topics t0..t3 (1-8 partitions each), each member subscribed to a non-empty subset. */
const groupArb = fc.record({
  counts: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }),
  subscriptions: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
}).map(({ counts, subscriptions }) => {
  const partitionsPerTopic = new Map(counts.map((n, i) => [`t${i}`, n]));
  const members = subscriptions.map((flags, i) => {
    const topics = counts.map((_, t) => `t${t}`).filter((_, t) => flags[t]);
    return member(`m${i}`, topics.length > 0 ? topics : ['t0']);
  });
  return { partitionsPerTopic, members };
});

function checkComplete(assignor: PartitionAssignor, partitionsPerTopic: Map<string, number>, members: MemberSubscription[]): Result {
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
  const wanted = [...partitionsPerTopic].filter(([t]) => members.some((m) => m.topics.includes(t)))
    .flatMap(([t, n]) => Array.from({ length: n }, (_, p) => `${t}-${p}`));
  expect([...owner.keys()].sort()).to.deep.equal(wanted.sort());
  return result;
}

for (const assignor of [rangeAssignor, roundRobinAssignor]) {
  describe(`${assignor.name} assignor`, () => {
    describe('#assign', () => {
      it('assigns every subscribed partition exactly once, only to members subscribed to its topic', () => {
        fc.assert(fc.property(groupArb, ({ partitionsPerTopic, members }) => {
          checkComplete(assignor, partitionsPerTopic, members);
        }), { numRuns: 300 });
      });

      it('gives the same result whatever order the members arrive in, so every leader agrees', () => {
        fc.assert(fc.property(groupArb, fc.nat(), ({ partitionsPerTopic, members }, seed) => {
          const k = seed % members.length;
          const shuffled = [...members.slice(k), ...members.slice(0, k)].reverse();
          expect(show(assignor.assign(partitionsPerTopic, shuffled))).to.deep.equal(show(assignor.assign(partitionsPerTopic, members)));
        }), { numRuns: 100 });
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
      const result = rangeAssignor.assign(new Map([['t0', 3], ['t1', 3]]), [member('C1', ['t0', 't1']), member('C0', ['t0', 't1'])]);
      expect(show(result)).to.deep.equal({ C0: ['t0p0', 't0p1', 't1p0', 't1p1'], C1: ['t0p2', 't1p2'] });
    });

    it('gives each subscriber of a topic floor(P/C) or one more of it, the larger shares first', () => {
      fc.assert(fc.property(groupArb, ({ partitionsPerTopic, members }) => {
        const result = rangeAssignor.assign(partitionsPerTopic, members);
        for (const [topic, count] of partitionsPerTopic) {
          const subscribers = members.filter((m) => m.topics.includes(topic)).map((m) => m.memberId).sort();
          const shares = subscribers.map((id) => result.get(id)!.filter((tp) => tp.topic === topic).length);
          for (let i = 0; i < shares.length; i++) {
            expect(shares[i]).to.equal(Math.floor(count / subscribers.length) + (i < count % subscribers.length ? 1 : 0));
          }
        }
      }), { numRuns: 200 });
    });

    it('orders static members by group.instance.id, not by their (new on every restart) member id', () => {
      const members = [member('z-new', ['t'], 'consumer-1'), member('a-new', ['t'], 'consumer-2')];
      expect(show(rangeAssignor.assign(new Map([['t', 3]]), members))).to.deep.equal({ 'a-new': ['tp2'], 'z-new': ['tp0', 'tp1'] });
    });
  });
});

describe('roundRobinAssignor', () => {
  describe('#assign', () => {
    it("matches Kafka's documented example: two members, two topics of three partitions", () => {
      const result = roundRobinAssignor.assign(new Map([['t0', 3], ['t1', 3]]), [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])]);
      expect(show(result)).to.deep.equal({ C0: ['t0p0', 't0p2', 't1p1'], C1: ['t0p1', 't1p0', 't1p2'] });
    });

    it("matches Kafka's documented example with unequal subscriptions", () => {
      const result = roundRobinAssignor.assign(new Map([['t0', 1], ['t1', 2], ['t2', 3]]),
        [member('C0', ['t0']), member('C1', ['t0', 't1']), member('C2', ['t0', 't1', 't2'])]);
      expect(show(result)).to.deep.equal({ C0: ['t0p0'], C1: ['t1p0'], C2: ['t1p1', 't2p0', 't2p1', 't2p2'] });
    });

    it('balances to within one partition when every member has the same subscription', () => {
      fc.assert(fc.property(groupArb, ({ partitionsPerTopic, members }) => {
        const topics = [...partitionsPerTopic.keys()];
        const same = members.map((m) => member(m.memberId, topics));
        const sizes = [...roundRobinAssignor.assign(partitionsPerTopic, same).values()].map((tps) => tps.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).to.be.at.most(1);
      }), { numRuns: 200 });
    });
  });
});
