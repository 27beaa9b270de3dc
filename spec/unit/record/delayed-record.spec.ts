import { expect } from 'chai';
import { classifyDelayRecord, encodeCursor, parseDeliverAt } from '../../../lib/record/delayed-record.js';

const h = (key: string, value: string | null) => ({ key, value: value === null ? null : Buffer.from(value) });

describe('delayed record format', () => {
  it('parses due times as decimal ms only', () => {
    expect(parseDeliverAt('1767225600000')).to.equal(1767225600000);
    expect(parseDeliverAt(Buffer.from('0'))).to.equal(0);
    for (const bad of ['-1', '1.5', '', 'soon', '99999999999999999', null]) expect(parseDeliverAt(bad)).to.equal(null);
  });

  it('classifies delayed records, cursors and records it cannot deliver', () => {
    expect(
      classifyDelayRecord(
        [h('x', '1'), h('mq-deliver-at', '42'), h('mq-target-topic', 'orders'), h('mq-target-partition', '3')],
        null,
      ),
    ).to.deep.equal({ kind: 'delayed', deliverAtMs: 42, topic: 'orders', partition: 3 });
    const cursor = { deliveredThroughMs: 10, indexedUpTo: 20, lowWatermark: 5 };
    expect(classifyDelayRecord([h('mq-delay-cursor', '1')], encodeCursor(cursor))).to.deep.equal({
      kind: 'cursor',
      cursor,
    });
    expect(classifyDelayRecord([h('mq-target-topic', 'o'), h('mq-target-partition', '0')], null).kind).to.equal(
      'invalid',
    );
    expect(classifyDelayRecord([h('mq-deliver-at', '1'), h('mq-target-partition', '0')], null).kind).to.equal(
      'invalid',
    );
    expect(classifyDelayRecord([h('mq-deliver-at', '1'), h('mq-target-topic', 'o')], null).kind).to.equal('invalid');
    expect(classifyDelayRecord([h('mq-delay-cursor', '1')], Buffer.from('{"indexedUpTo":1}')).kind).to.equal('invalid');
  });
});
