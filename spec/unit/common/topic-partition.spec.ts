import { expect } from 'chai';
import { groupByTopic, parseTpKey, tpKey } from '../../../lib/common/topic-partition.js';

describe('topic-partition', () => {
  it('groups partitions under their topic, topics in first-seen order, partitions in their order', () => {
    const items = [
      { topic: 'b', partition: 1 },
      { topic: 'a', partition: 0 },
      { topic: 'b', partition: 0 },
    ];
    expect(groupByTopic(items, (i) => i.partition)).to.deep.equal([
      { name: 'b', items: [1, 0] },
      { name: 'a', items: [0] },
    ]);
    expect(groupByTopic([], (i: { topic: string }) => i)).to.deep.equal([]);
    const runs = ['x', 'x', 'y', 'y', 'x', 'z', 'y'].map((topic, partition) => ({ topic, partition }));
    expect(groupByTopic(runs, (i) => i.partition)).to.deep.equal([
      { name: 'x', items: [0, 1, 4] },
      { name: 'y', items: [2, 3, 6] },
      { name: 'z', items: [5] },
    ]);
    expect(groupByTopic(runs.slice(0, 2), (i) => i.partition)).to.deep.equal([{ name: 'x', items: [0, 1] }]);
  });

  it('names a partition topic-partition and parses a topic with dashes back', () => {
    expect(tpKey('my-topic', 3)).to.equal('my-topic-3');
    expect(parseTpKey('my-topic-3')).to.deep.equal({ topic: 'my-topic', partition: 3 });
    expect(parseTpKey('no-number-x')).to.equal(undefined);
  });
});
