import { expect } from 'chai';
import {
  classifyDelayRecord,
  delayedTargetTopics,
  encodeCursor,
  parseDeliverAt,
} from '../../../lib/record/delayed-record.js';
import { CompressionType } from '../../../lib/record/record-batch.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';

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

  describe('delayedTargetTopics (the produce access check)', () => {
    const route = (topic: string) => [
      h('mq-deliver-at', '42'),
      h('mq-target-topic', topic),
      h('mq-target-partition', '0'),
    ];
    async function batch(
      records: { key: string; headers: ReturnType<typeof h>[]; value?: Buffer }[],
      compression = CompressionType.None,
    ) {
      const builder = new RecordBatchBuilder({ compression });
      for (const r of records) builder.append(1, r.key, r.value ?? 'v', r.headers);
      return builder.build();
    }

    it('names every target of every batch, and none for records it would never deliver', async () => {
      const records = Buffer.concat([
        await batch([
          { key: 'a', headers: route('orders') },
          { key: 'b', headers: route('invoices') },
        ]),
        await batch([{ key: 'c', headers: route('orders') }], CompressionType.Lz4),
        await batch([{ key: 'd', headers: [h('mq-target-topic', 'audit')] }]),
      ]);
      expect(delayedTargetTopics(records)).to.deep.equal(new Set(['orders', 'invoices']));
    });

    it('vouches for nothing with a cursor record (a forgery from a client) or a zstd batch', async () => {
      const cursor = encodeCursor({ deliveredThroughMs: 1, indexedUpTo: 1, lowWatermark: 0 });
      const forged = await batch([
        { key: 'a', headers: route('orders') },
        { key: 'c', headers: [h('mq-delay-cursor', '1')], value: cursor },
      ]);
      expect(delayedTargetTopics(forged)).to.equal(null);
      expect(delayedTargetTopics(await batch([{ key: 'a', headers: route('orders') }], CompressionType.Zstd))).to.equal(
        null,
      );
    });
  });
});
