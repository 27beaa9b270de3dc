import { expect } from 'chai';
import { expiredOffsets } from '../../../lib/coordinator/group/group-metadata-manager.js';

const DAY = 24 * 3600_000;
const offsets = (...entries: [string, number, number][]) =>
  new Map(
    entries.map(([topic, partition, commitTimestamp]) => [
      `${topic}-${partition}`,
      { topic, partition, commitTimestamp },
    ]),
  );

describe('expiredOffsets', () => {
  const committed = new Map([
    ['active', offsets(['t', 0, 0])],
    ['simple', offsets(['t', 0, 1 * DAY], ['t', 1, 9 * DAY])],
    ['emptied', offsets(['t', 0, 1 * DAY])],
  ]);
  const emptySince = (id: string) =>
    (({ active: null, simple: 0, emptied: 8 * DAY }) as Record<string, number | null>)[id]!;

  it('expires offsets one retention period after the later of their commit and the group becoming Empty (KIP-211)', () => {
    expect(expiredOffsets(committed, 10 * DAY, 7 * DAY, emptySince)).to.deep.equal([
      { groupId: 'simple', topic: 't', partition: 0 },
    ]);
    expect(expiredOffsets(committed, 15 * DAY, 7 * DAY, emptySince)).to.deep.equal([
      { groupId: 'simple', topic: 't', partition: 0 },
      { groupId: 'emptied', topic: 't', partition: 0 },
    ]);
  });

  it('never expires the offsets of a group with members', () => {
    expect(expiredOffsets(committed, 1000 * DAY, 7 * DAY, emptySince).map((e) => e.groupId)).not.to.include('active');
  });
});
