import { expect } from 'chai';
import fc from 'fast-check';
import { IllegalStateError, InvalidArgumentError } from '../../../lib/common/errors.js';
import { XERIAL_MAGIC } from '../../../lib/record/compression.js';
import {
  buildControlBatch,
  ControlRecordType,
  RecordBatchBuilder,
  type RecordHeader,
} from '../../../lib/record/record-batch-builder.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import {
  CompressionType,
  compressionOf,
  isControl,
  isTransactional,
  RECORDS_OFFSET,
  TimestampType,
  timestampTypeOf,
  validateBatch,
} from '../../../lib/record/record-batch.js';
import type { Record } from '../../../lib/record/record.js';
import { referenceCrc32c } from './reference-crc32c.js';

const T0 = 1_700_000_000_000; // 0x0000018bcfe56800

/** Joins hex fragments, ignoring the spaces and `|` used to lay them out. */
const hex = (...parts: string[]): Buffer => Buffer.from(parts.join('').replace(/[\s|]/g, ''), 'hex');

type Data = Buffer | string | null;
interface Input {
  timestampMs: number;
  key: Data;
  value: Data;
  headers: RecordHeader[];
}

const asBytes = (d: Data): Buffer | null => (d === null ? null : typeof d === 'string' ? Buffer.from(d, 'utf8') : d);

function expectRecords(actual: Record[], inputs: Input[], baseOffset: number): void {
  expect(actual).to.have.length(inputs.length);
  actual.forEach((r, i) => {
    const input = inputs[i]!;
    expect(r.offset).to.equal(baseOffset + i);
    expect(r.timestamp).to.equal(input.timestampMs);
    expect(r.key).to.deep.equal(asBytes(input.key));
    expect(r.value).to.deep.equal(asBytes(input.value));
    expect(r.headers.map((h) => ({ key: h.key, value: h.value }))).to.deep.equal(
      input.headers.map((h) => ({ key: h.key, value: asBytes(h.value) })),
    );
  });
}

const data = fc.oneof(
  fc.constant(null),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
);
const inputs = fc.array(
  fc.record({
    timestampMs: fc.maxSafeNat().map((n) => Math.floor(n / 2)), // deltas between any two stay within ±2^52
    key: data,
    value: data,
    headers: fc.array(fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 10 }), value: data }), {
      maxLength: 3,
    }),
  }),
  { minLength: 1, maxLength: 30 },
);

describe('RecordBatchBuilder', () => {
  describe('#buildSync', () => {
    it("writes Kafka's bytes for one transactional record with key 'k' and value 'v'", () => {
      const b = new RecordBatchBuilder({
        producerId: 0x1234n,
        producerEpoch: 3,
        baseSequence: 7,
        isTransactional: true,
      });
      b.append(T0, 'k', 'v');
      const expected = hex(
        '0000000000000000', // baseOffset 0: the leader assigns it
        '0000003a', //         batchLength 58 = 70 − 12
        'ffffffff', //         partitionLeaderEpoch −1
        '02', //               magic
        'd6056060', //         CRC-32C of bytes 21..69 (checked below against the reference implementation)
        '0010', //             attributes: no codec, CreateTime, transactional
        '00000000', //         lastOffsetDelta 0
        '0000018bcfe56800', // baseTimestamp T0
        '0000018bcfe56800', // maxTimestamp T0
        '0000000000001234', // producerId
        '0003', //             producerEpoch
        '00000007', //         baseSequence
        '00000001', //         recordCount
        '10 | 00 | 00 | 00 | 02 6b | 02 76 | 00', // length 8 | attrs | tsDelta 0 | offsetDelta 0 | key | value | 0 headers
      );
      expect(referenceCrc32c(expected.subarray(21))).to.equal(0xd6056060);
      expect(b.buildSync().toString('hex')).to.equal(expected.toString('hex'));
    });

    it('writes negative timestamp deltas, offset deltas, null keys and headers as Kafka does', () => {
      const b = new RecordBatchBuilder({ baseOffset: 100, partitionLeaderEpoch: 2 });
      b.append(T0 + 5, 'k', 'v');
      b.append(T0, null, 'v', [{ key: 'h', value: 'x' }]);
      const expected = hex(
        '0000000000000064 | 00000046 | 00000002 | 02 | 79ca53fe | 0000 | 00000001',
        '0000018bcfe56805 | 0000018bcfe56805', // baseTimestamp = first record's, maxTimestamp = the largest
        'ffffffffffffffff | ffff | ffffffff | 00000002', // no producer id, epoch, sequence; 2 records
        '10 00 00 00 026b 0276 00',
        // length 11 | attrs | tsDelta −5 | offsetDelta 1 | key null | value 'v' | 1 header | 'h' | 'x'
        '16 | 00 | 09 | 02 | 01 | 0276 | 02 | 0268 | 0278',
      );
      expect(referenceCrc32c(expected.subarray(21))).to.equal(0x79ca53fe);
      expect(b.buildSync().toString('hex')).to.equal(expected.toString('hex'));
    });

    it('round-trips random records, keys, values, headers and timestamps through the reader', () => {
      fc.assert(
        fc.property(inputs, fc.nat(), (records, baseOffset) => {
          const b = new RecordBatchBuilder({ baseOffset, initialCapacity: 64 });
          for (const r of records) b.append(r.timestampMs, r.key, r.value, r.headers);
          const batch = b.buildSync();
          expect(batch.length).to.equal(b.sizeInBytes);
          const info = validateBatch(batch);
          expect(info.recordCount).to.equal(records.length);
          expect(info.maxTimestamp).to.equal(Math.max(...records.map((r) => r.timestampMs)));
          const views = [...iterateBatches(batch)];
          expect(views).to.have.length(1);
          expectRecords([...views[0]!.records()], records, baseOffset);
        }),
        { numRuns: 200 },
      );
    });

    it('throws InvalidArgumentError for zstd, which has no synchronous codec', () => {
      const b = new RecordBatchBuilder({ compression: CompressionType.Zstd });
      b.append(T0, null, 'v');
      expect(() => b.buildSync()).to.throw(InvalidArgumentError, /asynchronous/);
    });
  });

  describe('#build', () => {
    for (const compression of [
      CompressionType.None,
      CompressionType.Gzip,
      CompressionType.Snappy,
      CompressionType.Lz4,
      CompressionType.Zstd,
    ]) {
      it(`compresses the records section with ${CompressionType[compression]} and reads back the same records`, async () => {
        const b = new RecordBatchBuilder({ compression, baseOffset: 7 });
        const records: Input[] = [];
        for (let i = 0; i < 500; i++) {
          records.push({ timestampMs: T0 + i, key: `key-${i % 10}`, value: `value ${i} `.repeat(5), headers: [] });
          b.append(T0 + i, records[i]!.key, records[i]!.value);
        }
        const uncompressedBytes = b.sizeInBytes;
        const batch = await b.build();
        expect(compressionOf(batch)).to.equal(compression);
        if (compression !== CompressionType.None) expect(batch.length).to.be.lessThan(uncompressedBytes / 2);
        expect(validateBatch(batch).recordCount).to.equal(500);
        const [view] = [...iterateBatches(batch)];
        expectRecords([...(await view!.recordsAsync())], records, 7);
      });
    }

    it('writes xerial-framed snappy like the Java client', async () => {
      const b = new RecordBatchBuilder({ compression: CompressionType.Snappy });
      b.append(T0, 'k', 'v');
      const batch = await b.build();
      expect(batch.subarray(RECORDS_OFFSET, RECORDS_OFFSET + 16).toString('hex')).to.equal(
        `${XERIAL_MAGIC.toString('hex')}0000000100000001`,
      );
    });

    it('refuses to build an empty batch or to build twice', async () => {
      const b = new RecordBatchBuilder();
      expect(() => b.buildSync()).to.throw(IllegalStateError, /empty/);
      b.append(T0, null, null);
      await b.build();
      expect(() => b.buildSync()).to.throw(IllegalStateError, /already built/);
      expect(() => b.append(T0, null, null)).to.throw(IllegalStateError, /reset/);
    });
  });

  describe('#append', () => {
    it('grows its buffer past the initial capacity and counts records and bytes', () => {
      const b = new RecordBatchBuilder({ initialCapacity: 16 });
      expect(b.sizeInBytes).to.equal(RECORDS_OFFSET);
      const value = Buffer.alloc(1000, 7);
      for (let i = 0; i < 100; i++) b.append(T0, null, value);
      expect(b.recordCount).to.equal(100);
      const batch = b.buildSync();
      expect(batch.length).to.equal(b.sizeInBytes);
      expect([...[...iterateBatches(batch)][0]!.records()].every((r) => r.value!.equals(value))).to.equal(true);
    });

    it('writes multi-byte UTF-8 strings by their byte length', () => {
      const b = new RecordBatchBuilder();
      b.append(T0, 'clé', '€ 🎉', [{ key: 'ключ', value: 'значение' }]);
      const [record] = [...[...iterateBatches(b.buildSync())][0]!.records()];
      expect(record!.key!.toString()).to.equal('clé');
      expect(record!.value!.toString()).to.equal('€ 🎉');
      expect(record!.headers[0]!.key).to.equal('ключ');
      expect(record!.headers[0]!.value!.toString()).to.equal('значение');
    });
  });

  describe('#reset', () => {
    it('starts a new batch in the same builder without touching the batch already returned', () => {
      const b = new RecordBatchBuilder({ baseOffset: 0 });
      b.append(T0, 'a', '1');
      const first = b.buildSync();
      const firstCopy = Buffer.from(first);
      b.reset();
      expect(b.recordCount).to.equal(0);
      b.append(T0 + 1, 'b', '2');
      b.append(T0 + 2, 'c', '3');
      const second = b.buildSync();
      expect(first).to.deep.equal(firstCopy);
      expect(validateBatch(second).recordCount).to.equal(2);
      expect([...[...iterateBatches(second)][0]!.records()].map((r) => r.key!.toString())).to.deep.equal(['b', 'c']);
    });

    it('hands out a nearly full buffer without copying, and never reuses memory a returned batch lives in', () => {
      const b = new RecordBatchBuilder({ baseOffset: 0, initialCapacity: 4096 });
      for (let i = 0; i < 30; i++) b.append(T0, `k${i}`, 'x'.repeat(100));
      const full = b.buildSync();
      expect(full.buffer.byteLength, 'the builder buffer itself').to.be.at.most(4096);
      const fullCopy = Buffer.from(full);
      b.reset();
      for (let i = 0; i < 30; i++) b.append(T0, `other${i}`, 'y'.repeat(100));
      const next = b.buildSync();
      expect(full).to.deep.equal(fullCopy);
      expect(validateBatch(full).recordCount).to.equal(30);
      expect(next.buffer).not.to.equal(full.buffer);
    });
  });

  describe('options', () => {
    it('sets the attribute bits for LogAppendTime, transactional and control', () => {
      const b = new RecordBatchBuilder({
        timestampType: TimestampType.LogAppendTime,
        isTransactional: true,
        isControl: true,
      });
      b.append(T0, null, null);
      const batch = b.buildSync();
      expect(timestampTypeOf(batch)).to.equal(TimestampType.LogAppendTime);
      expect(isTransactional(batch)).to.equal(true);
      expect(isControl(batch)).to.equal(true);
    });

    it('rejects an unknown codec', () => {
      expect(() => new RecordBatchBuilder({ compression: 6 as CompressionType })).to.throw(
        InvalidArgumentError,
        /codec 6/,
      );
    });
  });
});

describe('buildControlBatch', () => {
  it("writes a transaction marker with Kafka's control record key and value", () => {
    const batch = buildControlBatch({
      type: ControlRecordType.Commit,
      producerId: 5n,
      producerEpoch: 1,
      coordinatorEpoch: 7,
      timestampMs: T0,
    });
    const [view] = [...iterateBatches(batch)];
    view!.validate();
    expect([
      view!.isControl,
      view!.isTransactional,
      view!.producerId,
      view!.producerEpoch,
      view!.baseSequence,
    ]).to.deep.equal([true, true, 5n, 1, -1]);
    const [record] = [...view!.records()];
    expect(record!.key!.toString('hex')).to.equal('00000001'); // version 0, type COMMIT
    expect(record!.value!.toString('hex')).to.equal('000000000007'); // version 0, coordinator epoch 7
    expect(view!.controlRecord()).to.deep.equal({ type: ControlRecordType.Commit, coordinatorEpoch: 7 });
  });
});
