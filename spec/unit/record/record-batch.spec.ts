import { crc32c } from '@node-rs/crc32';
import { expect } from 'chai';
import { ApiError } from '../../../lib/common/errors.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import {
  ATTRIBUTES_OFFSET,
  baseOffsetOf,
  BATCH_LENGTH_OFFSET,
  computeBatchCrc,
  CompressionType,
  crcOf,
  LAST_OFFSET_DELTA_OFFSET,
  MAGIC_OFFSET,
  maxTimestampOf,
  partitionLeaderEpochOf,
  RECORD_BATCH_OVERHEAD,
  RECORD_COUNT_OFFSET,
  stampBatch,
  stampLogAppendTime,
  TimestampType,
  timestampTypeOf,
  validateBatch,
  writeBatchCrc,
} from '../../../lib/record/record-batch.js';
import { referenceCrc32c } from './reference-crc32c.js';

const T0 = 1_700_000_000_000;

function threeRecordBatch(): Buffer {
  const b = new RecordBatchBuilder();
  for (let i = 0; i < 3; i++) b.append(T0 + i, `k${i}`, `value-${i}`);
  return b.buildSync();
}

function expectApiError(fn: () => unknown, name: string, message: RegExp): void {
  expect(fn).to.throw(ApiError, message).with.property('errorName', name);
}

describe('record batch header', () => {
  describe('CRC-32C', () => {
    const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const VECTORS: Array<[string, Buffer, number]> = [
      ["'123456789'", Buffer.from('123456789'), 0xe3069283],
      ['32 zero bytes', Buffer.alloc(32, 0), 0x8a9136aa],
      ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
      ['32 ascending bytes 0..31', ascending, 0x46dd794e],
    ];
    for (const [name, data, expected] of VECTORS) {
      it(`gives ${expected.toString(16)} for ${name}, natively, by definition and over a batch's covered bytes`, () => {
        expect(crc32c(data)).to.equal(expected);
        expect(referenceCrc32c(data)).to.equal(expected);
        const batch = Buffer.concat([Buffer.alloc(ATTRIBUTES_OFFSET), data]);
        expect(computeBatchCrc(batch, 0, batch.length)).to.equal(expected);
      });
    }
  });

  describe('#validateBatch', () => {
    it('accepts a built batch and summarises it', () => {
      const batch = threeRecordBatch();
      expect(validateBatch(batch)).to.deep.equal({
        position: 0,
        size: batch.length,
        baseOffset: 0,
        lastOffsetDelta: 2,
        recordCount: 3,
        maxTimestamp: T0 + 2,
        compression: CompressionType.None,
        producerId: -1,
        producerEpoch: -1,
        baseSequence: -1,
        isTransactional: false,
        isControl: false,
      });
    });

    it('validates a batch at a position inside a larger buffer', () => {
      const batch = threeRecordBatch();
      const buf = Buffer.concat([Buffer.alloc(5, 0xaa), batch, Buffer.alloc(3)]);
      expect(validateBatch(buf, 5, 5 + batch.length).position).to.equal(5);
    });

    it('rejects a wrong CRC with CORRUPT_MESSAGE', () => {
      const batch = threeRecordBatch();
      batch[batch.length - 1]! ^= 0x01;
      expectApiError(() => validateBatch(batch), 'CORRUPT_MESSAGE', /failed its CRC check/);
    });

    it('rejects a magic other than 2 with CORRUPT_MESSAGE', () => {
      const batch = threeRecordBatch();
      batch.writeInt8(1, MAGIC_OFFSET);
      expectApiError(() => validateBatch(batch), 'CORRUPT_MESSAGE', /magic 1/);
    });

    it('rejects a length past the end of the buffer with CORRUPT_MESSAGE', () => {
      const batch = threeRecordBatch();
      expectApiError(
        () => validateBatch(batch.subarray(0, batch.length - 1)),
        'CORRUPT_MESSAGE',
        /only \d+ are present/,
      );
      expectApiError(() => validateBatch(batch.subarray(0, RECORD_BATCH_OVERHEAD - 1)), 'CORRUPT_MESSAGE', /truncated/);
    });

    it('rejects a length shorter than the header with CORRUPT_MESSAGE', () => {
      const batch = threeRecordBatch();
      batch.writeInt32BE(10, BATCH_LENGTH_OFFSET);
      expectApiError(() => validateBatch(batch), 'CORRUPT_MESSAGE', /smaller than the header/);
    });

    it('rejects a record count that disagrees with the last offset delta with INVALID_RECORD', () => {
      for (const [count, lastDelta] of [
        [4, 2],
        [-1, 2],
        [3, -1],
      ] as const) {
        const batch = threeRecordBatch();
        batch.writeInt32BE(count, RECORD_COUNT_OFFSET);
        batch.writeInt32BE(lastDelta, LAST_OFFSET_DELTA_OFFSET);
        writeBatchCrc(batch);
        expectApiError(() => validateBatch(batch), 'INVALID_RECORD', /disagree/);
      }
    });

    it('rejects an unknown codec with UNSUPPORTED_COMPRESSION_TYPE', () => {
      const batch = threeRecordBatch();
      batch.writeInt16BE(5, ATTRIBUTES_OFFSET);
      writeBatchCrc(batch);
      expectApiError(() => validateBatch(batch), 'UNSUPPORTED_COMPRESSION_TYPE', /codec 5/);
    });
  });

  describe('#stampBatch', () => {
    it('writes base offset and leader epoch in place without invalidating the CRC', () => {
      const batch = threeRecordBatch();
      const crc = crcOf(batch);
      stampBatch(batch, 0, 1_234_567_890_123, 17);
      expect(baseOffsetOf(batch)).to.equal(1_234_567_890_123);
      expect(partitionLeaderEpochOf(batch)).to.equal(17);
      expect(crcOf(batch)).to.equal(crc);
      expect(validateBatch(batch).baseOffset).to.equal(1_234_567_890_123);
    });
  });

  describe('#stampLogAppendTime', () => {
    it('sets the timestamp type and max timestamp and rewrites the CRC', () => {
      const batch = threeRecordBatch();
      stampLogAppendTime(batch, 0, T0 + 99);
      expect(timestampTypeOf(batch)).to.equal(TimestampType.LogAppendTime);
      expect(maxTimestampOf(batch)).to.equal(T0 + 99);
      expect(validateBatch(batch).maxTimestamp).to.equal(T0 + 99);
    });
  });
});
