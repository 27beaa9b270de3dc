import { expect } from 'chai';
import { partitionLags, totalLag } from '../../../lib/console/group-lag.js';

const commit = (topic: string, partition: number, offset: number) => ({
  topic,
  partition,
  offset,
  leaderEpoch: -1,
  metadata: '',
});

describe('console group lag', () => {
  it('computes lag as kafka-consumer-groups does (end - committed, never below 0), and in time from the first unread record', () => {
    const group = {
      members: [
        {
          memberId: 'm-1',
          assignment: [
            { topic: 'b', partition: 0 },
            { topic: 'a', partition: 1 },
          ],
        },
      ],
    } as Parameters<typeof partitionLags>[0];
    const rows = partitionLags(
      group,
      [commit('a', 0, 40), commit('a', 1, 50), commit('a', 2, -1), commit('c', 0, 9)],
      new Map([
        ['a-0', 100],
        ['a-1', 50],
        ['a-2', 7],
        ['b-0', 3],
        ['c-0', 5],
      ]),
      new Map([['a-0', 9_000]]),
      10_000,
    );
    expect(
      rows.map((r) => [`${r.topic}-${r.partition}`, r.committed, r.endOffset, r.lag, r.timeLagMs, r.owner]),
    ).to.deep.equal([
      ['a-0', 40, 100, 60, 1000, null],
      ['a-1', 50, 50, 0, 0, 'm-1'],
      // Owned, never committed: no lag known.
      ['b-0', null, 3, null, null, 'm-1'],
      // A commit past the end (records deleted and re-created) counts as no lag.
      ['c-0', 9, 5, 0, 0, null],
    ]);
    expect(totalLag(rows)).to.equal(60);
    expect(totalLag([])).to.equal(0);
    expect(totalLag([rows[2]!])).to.equal(null);
  });

  it('leaves the lag in time unknown when the first unread record could not be read', () => {
    const [row] = partitionLags({ members: [] }, [commit('a', 0, 1)], new Map([['a-0', 5]]));
    expect(row).to.include({ lag: 4, timeLagMs: null });
  });
});
