/**
 * The fault scenarios' checker finds each of Jepsen's anomalies in a history crafted to hold it, and none in a clean
 * one (so that a scenario passing means something).
 */
import { expect } from 'chai';
import {
  anomalyCount,
  checkHistories,
  type ConsumerEvent,
  type Histories,
  type Send,
} from '../../helpers/checker/anomalies.js';

/** Values 0..n-1 sent in order to partition 0 and acknowledged at offsets 0..n-1. */
function sends(n: number): Send[] {
  return Array.from({ length: n }, (_, i) => ({ value: String(i), seq: i, ack: { partition: 0, offset: i } }));
}

function log(values: string[]): Map<number, { offset: number; value: string }[]> {
  return new Map([[0, values.map((value, offset) => ({ offset, value }))]]);
}

const read = (offset: number, value = String(offset)): ConsumerEvent => ({ kind: 'read', partition: 0, offset, value });

/** A clean history: 5 values, acknowledged, in the log, read once each in order, commits increasing. */
function clean(): Histories {
  return {
    sends: sends(5),
    finalLog: log(['0', '1', '2', '3', '4']),
    consumers: [
      {
        name: 'c1',
        events: [
          { kind: 'assigned', partitions: [0] },
          read(0),
          read(1),
          { kind: 'committed', partition: 0, offset: 2, atMs: 10 },
          read(2),
          read(3),
          read(4),
          { kind: 'committed', partition: 0, offset: 5, atMs: 20 },
        ],
      },
    ],
  };
}

function found(h: Histories): Record<string, number> {
  const report = checkHistories(h);
  return Object.fromEntries(Object.entries(report.counts).filter(([, n]) => n > 0));
}

describe('fault checker', () => {
  it('finds nothing in a clean history', () => {
    const report = checkHistories(clean());
    expect(anomalyCount(report)).to.equal(0);
  });

  it('finds a lost acknowledged write (and the offset now holding another value)', () => {
    const h = clean();
    h.finalLog = log(['0', '1', '3', '4']);
    h.consumers = [];
    expect(found(h)).to.deep.equal({ 'lost-write': 1, 'inconsistent-offsets': 2 });
  });

  it('counts an acknowledgement without an offset (DUPLICATE_SEQUENCE_NUMBER) as written, and only that', () => {
    const h = clean();
    h.consumers = [];
    h.sends[1]!.ack = { partition: 0, offset: -1 };
    h.sends[3]!.ack = { partition: 0, offset: -1 };
    expect(found(h)).to.deep.equal({});
    h.finalLog = new Map([[0, [0, 2, 3, 4].map((offset) => ({ offset, value: String(offset) }))]]);
    expect(found(h)).to.deep.equal({ 'lost-write': 1 });
  });

  it('finds a value at two offsets, and an offset holding two values', () => {
    const h = clean();
    h.finalLog = log(['0', '1', '2', '3', '4', '2']);
    h.consumers[0]!.events = [{ kind: 'assigned', partitions: [0] }, read(0), read(1, '9')];
    expect(found(h)).to.deep.equal({ duplicate: 1, 'inconsistent-offsets': 1, unexpected: 1 });
  });

  it('finds a send acknowledged below an earlier one', () => {
    const h = clean();
    h.sends = [
      { value: '0', seq: 0, ack: { partition: 0, offset: 1 } },
      { value: '1', seq: 1, ack: { partition: 0, offset: 0 } },
    ];
    h.finalLog = log(['1', '0']);
    h.consumers = [];
    expect(found(h)).to.deep.equal({ 'nonmonotonic-send': 1 });
  });

  it('finds a consumer going backwards or skipping within an assignment, but not across a new one', () => {
    const h = clean();
    h.consumers[0]!.events = [
      { kind: 'assigned', partitions: [0] },
      read(0),
      read(2),
      read(1),
      { kind: 'revoked', partitions: [0] },
      { kind: 'assigned', partitions: [0] },
      read(0),
    ];
    expect(found(h)).to.deep.equal({ 'poll-skip': 1, 'nonmonotonic-poll': 1 });
  });

  it('finds a commit that moved a partition backwards, across consumers', () => {
    const h = clean();
    h.consumers = [...h.consumers, { name: 'c2', events: [{ kind: 'committed', partition: 0, offset: 3, atMs: 30 }] }];
    expect(found(h)).to.deep.equal({ 'nonmonotonic-commit': 1 });
  });

  it('finds a read_committed consumer reading an aborted value, and lets it skip those', () => {
    const h = clean();
    h.aborted = new Set(['1', '2']);
    h.consumers = [
      {
        name: 'rc',
        readCommitted: true,
        events: [{ kind: 'assigned', partitions: [0] }, read(0), read(3), read(4)],
      },
    ];
    expect(found(h), 'skipping aborted records is no skip').to.deep.equal({});
    h.consumers[0]!.events = [{ kind: 'assigned', partitions: [0] }, read(0), read(1), read(3), read(4)];
    expect(found(h)).to.deep.equal({ 'aborted-read': 1 });
  });
});
