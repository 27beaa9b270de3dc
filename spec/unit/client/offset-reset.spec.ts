import { expect } from 'chai';
import {
  byTopicPartition,
  committedPartitions,
  planReset,
  type PartitionOffsets,
} from '../../../lib/client/admin/offset-reset.js';

const p = (
  partition: number,
  committed: number | null,
  earliest: number,
  latest: number,
  atTimestamp?: number,
): PartitionOffsets => ({ topic: 't', partition, committed, earliest, latest, atTimestamp });

describe('offset reset plans', () => {
  it('plans resets as Kafka does: clamped into the log, to the end past the last timestamp, current or end', () => {
    const parts = [p(0, 50, 10, 100, 60), p(1, null, 0, 30, -1)];
    const offsets = (spec: Parameters<typeof planReset>[0], ps = parts) => planReset(spec, ps).map((x) => x.offset);
    expect(offsets({ kind: 'earliest' })).to.deep.equal([10, 0]);
    expect(offsets({ kind: 'latest' })).to.deep.equal([100, 30]);
    expect(offsets({ kind: 'current' })).to.deep.equal([50, 30]);
    expect(offsets({ kind: 'offset', offset: 5 })).to.deep.equal([10, 5]);
    expect(offsets({ kind: 'offset', offset: 500 })).to.deep.equal([100, 30]);
    expect(offsets({ kind: 'timestamp', timestampMs: 1 })).to.deep.equal([60, 30]);
    expect(offsets({ kind: 'shift', by: -45 }, [parts[0]!])).to.deep.equal([10]);
    expect(offsets({ kind: 'shift', by: 20 }, [parts[0]!])).to.deep.equal([70]);
    expect(() => planReset({ kind: 'shift', by: 1 }, parts)).to.throw(/t-1.*no committed offset/);
  });

  it('covers the partitions a group has commits for, in topic then partition order', () => {
    const committed = [
      { topic: 'b', partition: 0, offset: 3, leaderEpoch: -1, metadata: '' },
      { topic: 'a', partition: 2, offset: 0, leaderEpoch: -1, metadata: '' },
      { topic: 'a', partition: 1, offset: -1, leaderEpoch: -1, metadata: '' },
      { topic: 'a', partition: 0, offset: 7, leaderEpoch: -1, metadata: '' },
    ];
    expect(committedPartitions(committed)).to.deep.equal([
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 2 },
      { topic: 'b', partition: 0 },
    ]);
    expect(byTopicPartition({ topic: 'a', partition: 9 }, { topic: 'b', partition: 0 })).to.be.below(0);
  });
});
