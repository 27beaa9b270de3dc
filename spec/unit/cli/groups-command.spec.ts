import { expect } from 'chai';
import type { ConsumerGroupDescription } from '../../../lib/client/index.js';
import {
  formatAssignment,
  formatLagTime,
  groupOffsetRows,
  offsetHistoryRows,
  offsetRows,
  parseDatetime,
  parseDuration,
  parseTopicScope,
} from '../../../lib/cli/admin/groups-command.js';

describe('mq-admin groups (pure parts)', () => {
  it('parses ISO-8601 durations, date-times and topic:partition scopes', () => {
    expect(parseDuration('PT15M')).to.equal(900_000);
    expect(parseDuration('P1DT2H0.5S')).to.equal(93_600_500);
    for (const bad of ['P', 'PT', '15M', 'P1H']) expect(() => parseDuration(bad), bad).to.throw(/ISO-8601/);
    expect(parseDatetime('2026-12-06T10:00:00.000Z')).to.equal(Date.UTC(2026, 11, 6, 10));
    expect(parseDatetime('2026-12-06T10:00:00')).to.equal(new Date(2026, 11, 6, 10).getTime());
    expect(() => parseDatetime('yesterday')).to.throw(/date-time/);
    expect(parseTopicScope('orders')).to.deep.equal({ topic: 'orders', partitions: null });
    expect(parseTopicScope('orders:0,2')).to.deep.equal({ topic: 'orders', partitions: [0, 2] });
    expect(() => parseTopicScope('orders:x')).to.throw(/topic:partition/);
  });

  it('writes assignments as Kafka does and builds the lag rows: owned, then committed without owner, then idle members', () => {
    expect(
      formatAssignment([
        { topic: 'b', partition: 4 },
        { topic: 'a', partition: 2 },
        { topic: 'a', partition: 0 },
      ]),
    ).to.equal('a(0,2), b(4)');
    const group: ConsumerGroupDescription = {
      groupId: 'g',
      state: 'Stable',
      protocolType: 'consumer',
      partitionAssignor: 'range',
      coordinator: 1,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: null,
          clientId: 'c1',
          clientHost: '/h1',
          assignment: [
            { topic: 't', partition: 1 },
            { topic: 't', partition: 0 },
          ],
        },
        { memberId: 'm2', groupInstanceId: null, clientId: 'c2', clientHost: '/h2', assignment: [] },
      ],
    };
    const committed = [
      { topic: 't', partition: 0, offset: 7, leaderEpoch: -1, metadata: '' },
      { topic: 't', partition: 2, offset: 3, leaderEpoch: -1, metadata: '' },
    ];
    const ends = new Map([
      ['t-0', 10],
      ['t-1', 4],
      ['t-2', 3],
    ]);
    const lagTimes = new Map([
      ['t-0', 12_345],
      ['t-2', 0],
    ]);
    expect(offsetRows(group, committed, ends, lagTimes)).to.deep.equal([
      ['g', 't', '0', '7', '10', '3', 'm1', '/h1', 'c1', '12.3s'],
      ['g', 't', '1', '-', '4', '-', 'm1', '/h1', 'c1', '-'],
      ['g', 't', '2', '3', '3', '0', '-', '-', '-', '0.0s'],
      ['g', '-', '-', '-', '-', '-', 'm2', '/h2', 'c2', '-'],
    ]);
    // --json: the same rows with null where the text shows '-'.
    expect(groupOffsetRows(group, committed, ends, lagTimes)[0]!.lagTimeMs).to.equal(12_345);
    expect(groupOffsetRows(group, committed, ends, lagTimes)[1]).to.deep.equal({
      topic: 't',
      partition: 1,
      currentOffset: null,
      logEndOffset: 4,
      lag: null,
      consumerId: 'm1',
      host: '/h1',
      clientId: 'c1',
      lagTimeMs: null,
    });
  });
});

describe('formatLagTime', () => {
  it('shows seconds under a minute, minutes and seconds under an hour, then hours and minutes', () => {
    expect([0, 999, 59_949, 61_000, 3_599_000, 3_660_000, 90_000_000].map(formatLagTime)).to.deep.equal([
      '0.0s',
      '1.0s',
      '59.9s',
      '1m01s',
      '59m59s',
      '1h01m',
      '25h00m',
    ]);
    expect(formatLagTime(-1)).to.equal('-');
  });
});

describe('offsetHistoryRows', () => {
  it('lists each partition’s commits oldest first with what each advanced and at what rate', () => {
    const base = Date.UTC(2026, 0, 1);
    const lag = (partition: number, history: { offset: number; commitTimestamp: number }[]) => ({
      topic: 't',
      partition,
      error: null,
      committedOffset: history[history.length - 1]!.offset,
      commitTimestamp: history[history.length - 1]!.commitTimestamp,
      highWatermark: 100,
      lag: 0,
      oldestUnconsumedTimestamp: -1,
      lagMs: 0,
      sinceCommitMs: 0,
      history,
    });
    expect(
      offsetHistoryRows('g', [
        lag(1, [{ offset: 5, commitTimestamp: base }]),
        lag(0, [
          { offset: 10, commitTimestamp: base },
          { offset: 30, commitTimestamp: base + 4000 },
        ]),
      ]),
    ).to.deep.equal([
      ['g', 't', '0', '10', '2026-01-01T00:00:00.000Z', '-', '-'],
      ['g', 't', '0', '30', '2026-01-01T00:00:04.000Z', '20', '5.0'],
      ['g', 't', '1', '5', '2026-01-01T00:00:00.000Z', '-', '-'],
    ]);
  });
});
