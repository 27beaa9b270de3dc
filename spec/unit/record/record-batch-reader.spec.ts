import { expect } from 'chai';
import { ApiError, InvalidArgumentError } from '../../../lib/common/errors.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { BatchView, iterateBatches } from '../../../lib/record/record-batch-reader.js';
import {
  CompressionType,
  MAGIC_OFFSET,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
  stampBatch,
  TimestampType,
} from '../../../lib/record/record-batch.js';

const T0 = 1_700_000_000_000;

function batchOf(
  baseOffset: number,
  count: number,
  opts: { compression?: CompressionType; timestampType?: TimestampType } = {},
): Buffer {
  const b = new RecordBatchBuilder({ baseOffset, ...opts });
  for (let i = 0; i < count; i++) b.append(T0 + i, `k${baseOffset + i}`, `v${baseOffset + i}`);
  return b.buildSync();
}

function expectCorrupt(fn: () => unknown, message: RegExp): void {
  expect(fn).to.throw(ApiError, message).with.property('errorName', 'CORRUPT_MESSAGE');
}

describe('iterateBatches', () => {
  it('walks batches laid end to end and stops quietly at a trailing partial batch', () => {
    const batches = [batchOf(0, 2), batchOf(2, 3), batchOf(5, 1)];
    const partial = batchOf(6, 4);
    for (const cut of [1, 11, 12, 40, partial.length - 1]) {
      const buf = Buffer.concat([...batches, partial.subarray(0, cut)]);
      const views = [...iterateBatches(buf)];
      expect(views.map((v) => [v.baseOffset, v.lastOffset, v.size])).to.deep.equal([
        [0, 1, batches[0]!.length],
        [2, 4, batches[1]!.length],
        [5, 5, batches[2]!.length],
      ]);
    }
  });

  it('walks a range of a buffer given start and end', () => {
    const prefix = Buffer.alloc(3, 0xaa);
    const buf = Buffer.concat([prefix, batchOf(10, 2), batchOf(12, 2), Buffer.alloc(5, 0xbb)]);
    const views = [...iterateBatches(buf, prefix.length, buf.length - 5)];
    expect(views.map((v) => v.baseOffset)).to.deep.equal([10, 12]);
    expect(views[0]!.position).to.equal(3);
  });

  it('rejects a batch whose length is smaller than a header with CORRUPT_MESSAGE', () => {
    const buf = batchOf(0, 1);
    buf.writeInt32BE(20, 8);
    expectCorrupt(() => [...iterateBatches(buf)], /less than the 61-byte header/);
  });

  it('rejects a batch of another magic with CORRUPT_MESSAGE', () => {
    const buf = batchOf(0, 1);
    buf.writeInt8(1, MAGIC_OFFSET);
    expectCorrupt(() => [...iterateBatches(buf)], /magic 1/);
  });
});

describe('BatchView', () => {
  describe('header accessors', () => {
    it('reads every header field in place', () => {
      const b = new RecordBatchBuilder({
        baseOffset: 40,
        partitionLeaderEpoch: 3,
        producerId: 99n,
        producerEpoch: 2,
        baseSequence: 11,
        isTransactional: true,
        compression: CompressionType.Lz4,
      });
      b.append(T0 + 5, null, 'a');
      b.append(T0 + 9, null, 'b');
      const batch = b.buildSync();
      const view = new BatchView(batch, 0);
      expect({
        baseOffset: view.baseOffset,
        lastOffsetDelta: view.lastOffsetDelta,
        lastOffset: view.lastOffset,
        nextOffset: view.nextOffset,
        partitionLeaderEpoch: view.partitionLeaderEpoch,
        compression: view.compression,
        timestampType: view.timestampType,
        isTransactional: view.isTransactional,
        isControl: view.isControl,
        baseTimestamp: view.baseTimestamp,
        maxTimestamp: view.maxTimestamp,
        producerId: view.producerId,
        producerEpoch: view.producerEpoch,
        baseSequence: view.baseSequence,
        recordCount: view.recordCount,
        size: view.size,
      }).to.deep.equal({
        baseOffset: 40,
        lastOffsetDelta: 1,
        lastOffset: 41,
        nextOffset: 42,
        partitionLeaderEpoch: 3,
        compression: CompressionType.Lz4,
        timestampType: TimestampType.CreateTime,
        isTransactional: true,
        isControl: false,
        baseTimestamp: T0 + 5,
        maxTimestamp: T0 + 9,
        producerId: 99n,
        producerEpoch: 2,
        baseSequence: 11,
        recordCount: 2,
        size: batch.length,
      });
      expect(view.bytes.equals(batch)).to.equal(true);
    });
  });

  describe('#records', () => {
    it('decodes lazily, one record per step, with key and value sharing the batch memory', () => {
      const batch = batchOf(0, 3);
      const it = new BatchView(batch, 0).records();
      const first = it.next();
      expect(first.done).to.equal(false);
      const record = first.value!;
      expect([record.offset, record.timestamp, record.key!.toString(), record.value!.toString()]).to.deep.equal([
        0,
        T0,
        'k0',
        'v0',
      ]);
      expect(record.key!.buffer).to.equal(batch.buffer);
      record.key![0] = 'K'.charCodeAt(0);
      expect(batch.includes('K0')).to.equal(true);
    });

    it('follows a stamped base offset', () => {
      const batch = batchOf(0, 2);
      stampBatch(batch, 0, 500, 1);
      expect([...new BatchView(batch, 0).records()].map((r) => r.offset)).to.deep.equal([500, 501]);
    });

    it("gives every record the batch's max timestamp under LogAppendTime", () => {
      const batch = batchOf(0, 3, { timestampType: TimestampType.LogAppendTime });
      expect([...new BatchView(batch, 0).records()].map((r) => r.timestamp)).to.deep.equal([T0 + 2, T0 + 2, T0 + 2]);
    });

    it('decompresses with the synchronous codec but points zstd to recordsAsync', async () => {
      const gzip = new BatchView(batchOf(0, 3, { compression: CompressionType.Gzip }), 0);
      expect([...gzip.records()].map((r) => r.value!.toString())).to.deep.equal(['v0', 'v1', 'v2']);
      const b = new RecordBatchBuilder({ compression: CompressionType.Zstd });
      b.append(T0, null, 'z');
      const zstd = new BatchView(await b.build(), 0);
      expect(() => zstd.records()).to.throw(InvalidArgumentError, /asynchronous/);
      expect([...(await zstd.recordsAsync())].map((r) => r.value!.toString())).to.deep.equal(['z']);
    });

    it('rejects a record whose declared length disagrees with its fields with CORRUPT_MESSAGE', () => {
      const batch = batchOf(0, 2);
      batch[RECORDS_OFFSET]! += 2; // first record's length varint (small, one byte), now 1 too large
      expectCorrupt(() => [...new BatchView(batch, 0).records()], /record 0 declares/);
    });

    it('rejects a record count above the records present with CORRUPT_MESSAGE', () => {
      const batch = batchOf(0, 2);
      batch.writeInt32BE(3, RECORD_COUNT_OFFSET);
      expectCorrupt(() => [...new BatchView(batch, 0).records()], /declares 3 records but its data ends after 2/);
    });

    it('rejects bytes after the last declared record with CORRUPT_MESSAGE', () => {
      const batch = batchOf(0, 2);
      batch.writeInt32BE(1, RECORD_COUNT_OFFSET);
      expectCorrupt(() => [...new BatchView(batch, 0).records()], /bytes follow the last of the 1 records/);
    });

    it('rejects a key length below -1 with CORRUPT_MESSAGE', () => {
      const batch = batchOf(0, 1);
      // record: length | attrs | tsDelta | offsetDelta | keyLength ...; zig-zag 3 = -2
      batch[RECORDS_OFFSET + 4] = 3;
      expectCorrupt(() => [...new BatchView(batch, 0).records()], /key of -2 bytes/);
    });
  });

  describe('#controlRecord', () => {
    it('rejects a batch that is not a control batch', () => {
      expectCorrupt(() => new BatchView(batchOf(0, 1), 0).controlRecord(), /not a well-formed control batch/);
    });
  });

  describe('#validate', () => {
    it('checks the CRC of the viewed batch', () => {
      const batch = batchOf(0, 2);
      expect(new BatchView(batch, 0).validate().recordCount).to.equal(2);
      batch[batch.length - 1]! ^= 0xff;
      expectCorrupt(() => new BatchView(batch, 0).validate(), /CRC/);
    });
  });
});
