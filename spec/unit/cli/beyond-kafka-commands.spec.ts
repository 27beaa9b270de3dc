import { expect } from 'chai';
import { UsageError } from '../../../lib/cli/cli-errors.js';
import {
  deadLetterRows,
  isDeadLetterTopicName,
  parseWhere,
  redriveTarget,
  type DeadLetter,
} from '../../../lib/cli/admin/dlq-command.js';
import { formatDelayedTargets, formatDue } from '../../../lib/cli/admin/delayed-command.js';
import { backwardWindows, parseFindTime } from '../../../lib/cli/admin/find-command.js';
import type { DelayPartitionState } from '../../../lib/client/index.js';

const letter = (key: string, info: Partial<DeadLetter['info']> | null, group = 'billing'): DeadLetter => ({
  partition: 0,
  offset: 3,
  timestamp: Date.UTC(2026, 0, 1),
  record: { offset: 3, timestamp: 0, key: Buffer.from(key), value: null, headers: [] },
  info:
    info === null
      ? null
      : {
          attempt: 3,
          originalTopic: 'orders',
          originalPartition: 2,
          originalOffset: 41,
          lastError: 'boom',
          dueMs: -1,
          ...info,
        },
  group,
});

describe('mq-admin dlq', () => {
  it('recognises dead-letter topic names', () => {
    for (const t of ['orders.dlq', 'orders-DLT', 'orders_dlq', 'orders.dead-letters'])
      expect(isDeadLetterTopicName(t)).to.equal(true);
    for (const t of ['dlq', 'orders', 'orders.dlqs']) expect(isDeadLetterTopicName(t)).to.equal(false);
  });

  it('filters by key, original topic, group and error text', () => {
    const letters = [
      letter('a', {}),
      letter('b', { originalTopic: 'refunds', lastError: 'timeout talking to bank' }, 'other'),
    ];
    const keep = (...where: string[]) =>
      letters.filter((d) => parseWhere(where).every((c) => c(d))).map((d) => d.record.key!.toString());
    expect(keep('key=a')).to.deep.equal(['a']);
    expect(keep('topic=refunds')).to.deep.equal(['b']);
    expect(keep('group=billing')).to.deep.equal(['a']);
    expect(keep('error~=bank', 'key=b')).to.deep.equal(['b']);
    expect(() => parseWhere(['value=x'])).to.throw(UsageError);
  });

  it('redrives to the original partition, or to --to by key, and shows origins', () => {
    expect(redriveTarget(letter('a', {}), undefined)).to.deep.equal({ topic: 'orders', partition: 2 });
    expect(redriveTarget(letter('a', {}), 'orders-v2')).to.deep.equal({ topic: 'orders-v2' });
    expect(redriveTarget(letter('a', null), undefined)).to.equal(null);
    expect(deadLetterRows([letter('a', { lastError: 'two\nlines' })])).to.deep.equal([
      ['0', '3', 'a', 'orders-2@41', '3', 'billing', '2026-01-01T00:00:00.000Z', 'two lines'],
    ]);
  });
});

describe('mq-admin find', () => {
  it('reads a partition backwards in windows, newest first', () => {
    expect(backwardWindows(0, 25, 10)).to.deep.equal([
      { from: 15, to: 25 },
      { from: 5, to: 15 },
      { from: 0, to: 5 },
    ]);
    expect(backwardWindows(7, 7, 10)).to.deep.equal([]);
  });

  it('takes ISO-8601 times or ms', () => {
    expect(parseFindTime('2026-12-01T10:00:00Z')).to.equal(Date.UTC(2026, 11, 1, 10));
    expect(parseFindTime('1767225600000')).to.equal(1767225600000);
    for (const bad of ['yesterday', '12/01/2026']) expect(() => parseFindTime(bad)).to.throw(UsageError);
  });
});

describe('mq-admin delayed', () => {
  it('shows due times with how far off they are, and sums targets over delay partitions', () => {
    expect(formatDue(Date.UTC(2026, 0, 1, 0, 0, 12, 300), Date.UTC(2026, 0, 1))).to.equal(
      '2026-01-01T00:00:12.300Z (in 12.3s)',
    );
    expect(formatDue(1000, 2500)).to.equal('1970-01-01T00:00:01.000Z (1.5s ago)');
    expect(formatDue(-1, 0)).to.equal('-');
    const partition = (targets: DelayPartitionState['targets']): DelayPartitionState => ({
      partitionIndex: 0,
      leaderEpoch: 0,
      state: 'Running',
      pending: 0,
      delivered: 0,
      alreadyDelivered: 0,
      dropped: 0,
      lastDropReason: null,
      invalid: 0,
      logStartOffset: 0,
      indexedUpTo: 0,
      highWatermark: 0,
      deliveredBeforeMs: 0,
      indexBytes: 0,
      nextDue: [],
      targets,
    });
    const table = formatDelayedTargets(
      [
        partition([{ topic: 'orders', partition: 1, pending: 2, earliestDueMs: 5000 }]),
        partition([
          { topic: 'orders', partition: 1, pending: 3, earliestDueMs: 4000 },
          { topic: 'audit', partition: 0, pending: 1, earliestDueMs: 9000 },
        ]),
      ],
      'orders',
      4000,
    );
    expect(table).to.equal(
      'TOPIC  PARTITION PENDING EARLIEST-DUE\norders 1         5       1970-01-01T00:00:04.000Z (in 0.0s)\n',
    );
  });
});
