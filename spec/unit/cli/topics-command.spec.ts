import { expect } from 'chai';
import type { PartitionDescription } from '../../../lib/client/index.js';
import {
  describeLines,
  keepsPartition,
  parseReplicaAssignment,
  topicJson,
  topicMatcher,
} from '../../../lib/cli/admin/topics-command.js';
import { formatTable } from '../../../lib/cli/admin/table.js';
import { oneAction } from '../../../lib/cli/admin/connection.js';

const partition = (p: Partial<PartitionDescription>): PartitionDescription => ({
  partition: 0,
  leader: 1,
  leaderEpoch: 0,
  replicas: [1, 2, 3],
  isr: [1, 2, 3],
  offlineReplicas: [],
  ...p,
});

describe('mq-admin topics (pure parts)', () => {
  it('parses --replica-assignment as kafka-topics does and rejects uneven or malformed lists', () => {
    expect(parseReplicaAssignment('1:2:3,2:3:1')).to.deep.equal([
      [1, 2, 3],
      [2, 3, 1],
    ]);
    expect(parseReplicaAssignment('4')).to.deep.equal([[4]]);
    expect(() => parseReplicaAssignment('1:2,3')).to.throw(/same number of replicas/);
    expect(() => parseReplicaAssignment('1:x')).to.throw(/partition 0 is '1:x'/);
    expect(() => parseReplicaAssignment('1:1')).to.throw(/twice/);
  });

  it('matches --topic as a regular expression over whole names', () => {
    const m = topicMatcher('orders.*');
    expect(['orders', 'orders-eu', 'old-orders'].filter(m)).to.deep.equal(['orders', 'orders-eu']);
    expect(['a', 'ab'].filter(topicMatcher('a'))).to.deep.equal(['a']);
    expect(topicMatcher(undefined)('anything')).to.equal(true);
    expect(() => topicMatcher('(')).to.throw(/not a valid regular expression/);
  });

  it('keeps the partitions each describe filter asks for, counting a leaderless partition as under min ISR', () => {
    const live = new Set([1, 2, 3]);
    const full = partition({});
    const shrunk = partition({ isr: [1, 2] });
    const leaderless = partition({ leader: -1, isr: [] });
    const deadLeader = partition({ leader: 4 });
    const keep = (f: Parameters<typeof keepsPartition>[0], ps: PartitionDescription[], minIsr = 2) =>
      ps.map((p) => keepsPartition(f, p, minIsr, live));
    expect(keep('under-replicated', [full, shrunk, leaderless])).to.deep.equal([false, true, true]);
    expect(keep('unavailable', [full, leaderless, deadLeader])).to.deep.equal([false, true, true]);
    expect(keep('under-min-isr', [full, shrunk, leaderless], 3)).to.deep.equal([false, true, true]);
    expect(keep('at-min-isr', [full, shrunk], 2)).to.deep.equal([false, true]);
  });

  it("prints describe lines in kafka-topics' tab-separated shape", () => {
    const t = {
      name: 'o',
      isInternal: false,
      partitions: [partition({}), partition({ partition: 1, leader: -1, isr: [], offlineReplicas: [2] })],
    };
    expect(describeLines(t, [['min.insync.replicas', '2']], t.partitions, true)).to.equal(
      'Topic: o\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: min.insync.replicas=2\n' +
        '\tTopic: o\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\n' +
        '\tTopic: o\tPartition: 1\tLeader: none\tReplicas: 1,2,3\tIsr: \tOffline: 2\n',
    );
    expect(topicJson(t, [['min.insync.replicas', '2']], t.partitions)).to.deep.equal({
      name: 'o',
      internal: false,
      partitionCount: 2,
      replicationFactor: 3,
      configs: { 'min.insync.replicas': '2' },
      partitions: [
        { partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3], offlineReplicas: [] },
        { partition: 1, leader: null, replicas: [1, 2, 3], isr: [], offlineReplicas: [2] },
      ],
    });
  });

  it('pads table columns to their widest cell, one space apart, the last unpadded', () => {
    expect(
      formatTable(
        ['GROUP', 'LAG'],
        [
          ['g', '10'],
          ['a-long-group', '-'],
        ],
      ),
    ).to.equal('GROUP        LAG\ng            10\na-long-group -\n');
  });

  it('demands exactly one action flag, naming them all', () => {
    expect(oneAction({ describe: true }, ['list', 'describe'] as const)).to.equal('describe');
    expect(() => oneAction({}, ['list', 'resetOffsets'] as const)).to.throw(
      'exactly one action: --list or --reset-offsets',
    );
    expect(() => oneAction({ list: true, describe: true }, ['list', 'describe'] as const)).to.throw(/exactly one/);
  });
});
