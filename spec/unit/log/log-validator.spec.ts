import { expect } from 'chai';
import { ApiError, RecordValidationError } from '../../../lib/common/errors.js';
import { DEFAULT_LOG_CONFIG, logConfigWith } from '../../../lib/log/log-config.js';
import { checkClientBatches, checkCoordinatorBatches, validateRecords } from '../../../lib/log/log-validator.js';
import { CompressionType, validateBatch, writeBatchCrc } from '../../../lib/record/record-batch.js';
import { RecordBatchBuilder, buildControlBatch, ControlRecordType } from '../../../lib/record/record-batch-builder.js';
import { expectRejection } from '../../helpers/expect-rejection.js';
import { idempotentBatch, testBatch } from './test-batches.js';

const TP = { topic: 'orders', partition: 0 };
const COMPACTED = logConfigWith({ cleanupPolicy: ['compact'] });

function batch(keys: (string | null)[], compression = CompressionType.None): Promise<Buffer> {
  const b = new RecordBatchBuilder({ compression });
  for (const k of keys) b.append(0, k, 'v');
  return b.build();
}

function check(...batches: Buffer[]): void {
  const infos = [];
  for (const b of batches) infos.push(validateBatch(b));
  checkClientBatches(infos, TP);
}

const commitMarker = () =>
  buildControlBatch({
    type: ControlRecordType.Commit,
    producerId: 4n,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    timestampMs: 0,
  });

function expectInvalid(fn: () => void, message: RegExp): void {
  expect(fn).to.throw(ApiError, message).with.property('errorName', 'INVALID_RECORD');
}

describe('LogValidator', () => {
  describe('#checkClientBatches', () => {
    it('accepts ordinary batches, several per partition, and one idempotent batch alone', () => {
      check(testBatch({ recordCount: 3 }), testBatch());
      check(idempotentBatch({ producerId: 4, baseSequence: 0, recordCount: 2 }));
    });

    it('refuses control batches from clients', () => {
      expectInvalid(() => check(commitMarker()), /not allowed to write control records/);
    });

    it('accepts a transactional batch with a producer id and refuses one without', () => {
      const b = new RecordBatchBuilder({ isTransactional: true, producerId: 4n, producerEpoch: 0, baseSequence: 0 });
      b.append(0, 'k', 'v');
      check(b.buildSync());
      const anonymous = new RecordBatchBuilder({ isTransactional: true });
      anonymous.append(0, 'k', 'v');
      expectInvalid(() => check(anonymous.buildSync()), /transactional but has no producer id/);
    });

    it("takes a coordinator's records and markers, but no other control batch", () => {
      checkCoordinatorBatches([validateBatch(commitMarker()), validateBatch(testBatch())], TP);
      const bare = new RecordBatchBuilder({ isControl: true });
      bare.append(0, 'k', 'v');
      expect(() => checkCoordinatorBatches([validateBatch(bare.buildSync())], TP))
        .to.throw(ApiError)
        .with.property('errorName', 'INVALID_RECORD');
    });

    it('refuses an idempotent batch with a negative sequence, or sharing its request with another batch', () => {
      expectInvalid(() => check(idempotentBatch({ producerId: 4, baseSequence: -3 })), /Invalid sequence number -3/);
      expectInvalid(
        () => check(idempotentBatch({ producerId: 4, baseSequence: 0 }), testBatch()),
        /must be the only record batch/,
      );
    });

    it('refuses a batch whose record count disagrees with its offset range', () => {
      const b = testBatch({ recordCount: 3 });
      b.writeInt32BE(2, 57);
      writeBatchCrc(b);
      expectInvalid(() => check(b), /record count 2 and offset range \[0, 2\]/);
    });
  });

  describe('#validateRecords', () => {
    it('has nothing to check on a log that is not compacted', async () => {
      expect(validateRecords(await batch([null]), DEFAULT_LOG_CONFIG, TP)).to.equal(null);
    });

    it('passes when every record of a compacted log has a key, handing back the records as they came', async () => {
      const records = Buffer.concat([await batch(['a', 'b']), await batch(['c'])]);
      expect(await validateRecords(records, COMPACTED, TP)).to.equal(records);
    });

    it("rewrites batches in the topic's compression.type, and leaves batches already in it alone", async () => {
      const zstdTopic = logConfigWith({ compressionType: 'zstd' });
      const gzipped = await batch(['a', 'b'], CompressionType.Gzip);
      const rewritten = (await validateRecords(gzipped, zstdTopic, TP))!;
      expect(validateBatch(rewritten).compression).to.equal(CompressionType.Zstd);
      const zstd = await batch(['a'], CompressionType.Zstd);
      expect(await validateRecords(zstd, zstdTopic, TP)).to.equal(zstd);
      const plain = (await validateRecords(gzipped, logConfigWith({ compressionType: 'uncompressed' }), TP))!;
      expect(validateBatch(plain).compression).to.equal(CompressionType.None);
    });

    it('checks the keys of a compacted topic before recompressing it', async () => {
      const config = logConfigWith({ cleanupPolicy: ['compact'], compressionType: 'lz4' });
      await expectRejection(validateRecords(await batch(['a', null]), config, TP)!, RecordValidationError);
    });

    it('names the batch and the record index of the first keyless record', async () => {
      const records = Buffer.concat([await batch(['a']), await batch(['b', 'c', null, null])]);
      const e = (await expectRejection(
        validateRecords(records, COMPACTED, TP)!,
        RecordValidationError,
      )) as RecordValidationError;
      expect(e.errorName).to.equal('INVALID_RECORD');
      expect(e.message).to.include('without key in topic partition orders-0 (batch 1, record 2)');
      expect(e.recordErrors).to.deep.equal([{ batchIndex: 2, message: e.message }]);
    });

    it('looks inside compressed batches, zstd included', async () => {
      for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
        const e = await expectRejection(
          validateRecords(await batch(['a', null], codec), COMPACTED, TP)!,
          RecordValidationError,
        );
        expect((e as RecordValidationError).recordErrors[0]!.batchIndex, `codec ${codec}`).to.equal(1);
      }
    });
  });
});
