import { expect } from 'chai';
import { ApiError } from '../../../lib/common/errors.js';
import { CompletedFetch } from '../../../lib/client/consumer/completed-fetch.js';
import { ConsumerBatch } from '../../../lib/client/consumer/consumer-batch.js';
import { TopicPartitionState } from '../../../lib/client/consumer/subscription-state.js';
import type { LazyRecord } from '../../../lib/record/lazy-record.js';
import {
  buildControlBatch,
  ControlRecordType,
  RecordBatchBuilder,
  type RecordBatchBuilderOptions,
  type RecordHeader,
} from '../../../lib/record/record-batch-builder.js';
import { BatchView, iterateBatches } from '../../../lib/record/record-batch-reader.js';
import { CompressionType, stampBatch, TimestampType } from '../../../lib/record/record-batch.js';

const T0 = 1_700_000_000_000;

interface Row {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: RecordHeader[];
}

function builderOf(rows: Row[], opts: RecordBatchBuilderOptions): RecordBatchBuilder {
  const b = new RecordBatchBuilder(opts);
  rows.forEach((r, i) => b.append(T0 + i, r.key, r.value, r.headers));
  return b;
}

function batchOf(rows: Row[], opts: RecordBatchBuilderOptions = {}): Buffer {
  return builderOf(rows, opts).buildSync();
}

async function recordsOf(batch: Buffer): Promise<LazyRecord[]> {
  return [...(await new BatchView(batch, 0).recordsAsync())];
}

/** What the record looks like once every field is made. */
function plain(r: LazyRecord): unknown {
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key?.toString() ?? null,
    value: r.value?.toString() ?? null,
    headers: r.headers.map((h) => [h.key, h.value?.toString() ?? null]),
    sizes: [r.serializedKeySize, r.serializedValueSize],
  };
}

const ROWS: Row[] = [
  { key: 'k0', value: 'value-0' },
  { key: null, value: 'v1' },
  { key: 'k2', value: null },
  { key: null, value: null },
  { key: '', value: '' },
  {
    key: 'k5',
    value: 'v5',
    headers: [
      { key: 'trace-ü', value: 'x1' },
      { key: 'empty', value: null },
    ],
  },
];

const EXPECTED = [
  { offset: 0, timestamp: T0, key: 'k0', value: 'value-0', headers: [], sizes: [2, 7] },
  { offset: 1, timestamp: T0 + 1, key: null, value: 'v1', headers: [], sizes: [-1, 2] },
  { offset: 2, timestamp: T0 + 2, key: 'k2', value: null, headers: [], sizes: [2, -1] },
  { offset: 3, timestamp: T0 + 3, key: null, value: null, headers: [], sizes: [-1, -1] },
  { offset: 4, timestamp: T0 + 4, key: '', value: '', headers: [], sizes: [0, 0] },
  {
    offset: 5,
    timestamp: T0 + 5,
    key: 'k5',
    value: 'v5',
    headers: [
      ['trace-ü', 'x1'],
      ['empty', null],
    ],
    sizes: [2, 2],
  },
];

describe('LazyRecord', () => {
  it('reads offsets, timestamps and sizes (−1 for null) without making any key, value or header', async () => {
    const records = await recordsOf(batchOf(ROWS));
    expect(records.map((r) => [r.offset, r.timestamp, r.serializedKeySize, r.serializedValueSize])).to.deep.equal(
      EXPECTED.map((e) => [e.offset, e.timestamp, ...e.sizes]),
    );
    // Nothing was made: the caches are still empty (the sizes alone were enough).
    for (const r of records) {
      const fields = r as unknown as { keyView: unknown; valueView: unknown; headerViews: unknown };
      expect([fields.keyView, fields.valueView, fields.headerViews]).to.deep.equal([undefined, undefined, undefined]);
    }
  });

  it('makes key, value and headers on first access, once, as views into the batch (no copy)', async () => {
    const batch = batchOf(ROWS);
    const records = [...new BatchView(batch, 0).records()];
    expect(records.map(plain)).to.deep.equal(EXPECTED);
    const first = records[0]!;
    expect(first.value).to.equal(first.value);
    expect(first.key).to.equal(first.key);
    expect(records[5]!.headers).to.equal(records[5]!.headers);
    expect(first.value!.buffer).to.equal(batch.buffer);
    batch[first.value!.byteOffset - batch.byteOffset] = 'V'.charCodeAt(0);
    expect(first.value!.toString()).to.equal('Value-0');
  });

  for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    it(`reads a ${CompressionType[compression]} batch the same way`, async () => {
      const records = await recordsOf(await builderOf(ROWS, { compression }).build());
      expect(records.map(plain)).to.deep.equal(EXPECTED);
    });
  }

  it('carries the batch max timestamp on every record of a LogAppendTime batch', async () => {
    const records = await recordsOf(batchOf(ROWS.slice(0, 3), { timestampType: TimestampType.LogAppendTime }));
    expect(records.map((r) => r.timestamp)).to.deep.equal([T0 + 2, T0 + 2, T0 + 2]);
  });

  it('serializes to the plain record it stands for', async () => {
    const [record] = await recordsOf(batchOf([ROWS[5]!]));
    expect(JSON.parse(JSON.stringify(record))).to.deep.equal({
      offset: 0,
      timestamp: T0,
      key: { type: 'Buffer', data: [...Buffer.from('k5')] },
      value: { type: 'Buffer', data: [...Buffer.from('v5')] },
      headers: [
        { key: 'trace-ü', value: { type: 'Buffer', data: [...Buffer.from('x1')] } },
        { key: 'empty', value: null },
      ],
    });
  });

  it('rejects a header with a null key when the record is decoded, not when headers are first read', () => {
    const batch = batchOf([{ key: 'k', value: 'v', headers: [{ key: 'h', value: 'x' }] }]);
    // The header key's length varint (zig-zag 1 → 2) follows the header count (zig-zag 1 → 2); make it −1 (1).
    const at = batch.indexOf(Buffer.from([2, 2, 'h'.charCodeAt(0)]));
    expect(at).to.be.greaterThan(0);
    batch[at + 1] = 1;
    expect(() => [...new BatchView(batch, 0).records()])
      .to.throw(ApiError, /header with a null key/)
      .with.property('errorName', 'CORRUPT_MESSAGE');
  });

  it('rejects a header value running past its record when the record is decoded', () => {
    const batch = batchOf([{ key: 'k', value: 'v', headers: [{ key: 'h', value: 'x' }] }]);
    const at = batch.indexOf(Buffer.from([2, 2, 'h'.charCodeAt(0), 2, 'x'.charCodeAt(0)]));
    batch[at + 3] = 40; // header value of 20 bytes, one is there
    expect(() => [...new BatchView(batch, 0).records()])
      .to.throw(ApiError, /header value of 20 bytes/)
      .with.property('errorName', 'CORRUPT_MESSAGE');
  });

  it('reads a transaction marker through the same records (controlRecord)', () => {
    const marker = buildControlBatch({
      type: ControlRecordType.Abort,
      producerId: 9n,
      producerEpoch: 0,
      coordinatorEpoch: 4,
      timestampMs: T0,
    });
    const [view] = [...iterateBatches(marker)];
    expect(view!.controlRecord()).to.deep.equal({ type: ControlRecordType.Abort, coordinatorEpoch: 4 });
  });

  it("hands a read_committed consumer's batches out as lazy records, aborted transactions and markers skipped", () => {
    const txn = (values: string[], producerId: bigint): Buffer =>
      batchOf(
        values.map((value) => ({ key: null, value })),
        { producerId, producerEpoch: 0, baseSequence: 0, isTransactional: true },
      );
    const marker = (type: ControlRecordType, producerId: bigint): Buffer =>
      buildControlBatch({ type, producerId, producerEpoch: 0, coordinatorEpoch: 0, timestampMs: T0 });
    // offsets: a0 a1 (pid 7, aborted) | b0 b1 (pid 8) | ABORT 7 | COMMIT 8 | c0 (plain)
    const parts = [
      txn(['a0', 'a1'], 7n),
      txn(['b0', 'b1'], 8n),
      marker(ControlRecordType.Abort, 7n),
      marker(ControlRecordType.Commit, 8n),
      batchOf([{ key: 'kc', value: 'c0' }]),
    ];
    let offset = 0;
    for (const p of parts) {
      stampBatch(p, 0, offset, 0);
      offset += p.readInt32BE(23) + 1;
    }
    const state = new TopicPartitionState('t', 0);
    state.seek(0);
    const fetch = new CompletedFetch(
      state,
      state.epoch,
      Buffer.concat(parts),
      [{ producerId: 7, firstOffset: 0 }],
      true,
      true,
      7,
    );
    const seen: [number, number, number][] = [];
    for (let view = fetch.nextBatch(); view !== null; view = fetch.nextBatch()) {
      const batch = new ConsumerBatch(
        state,
        state.epoch,
        view.records(),
        view.baseOffset,
        view.lastOffset,
        7,
        'CreateTime',
        500,
      );
      for (const r of batch) seen.push([r.offset, r.serializedKeySize, r.serializedValueSize]);
      batch.finish();
    }
    expect(seen).to.deep.equal([
      [2, -1, 2],
      [3, -1, 2],
      [6, 2, 2],
    ]);
    expect(state.position).to.equal(7);
  });
});
