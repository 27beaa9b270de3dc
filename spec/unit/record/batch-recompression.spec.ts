import { expect } from 'chai';
import { ApiError } from '../../../lib/common/errors.js';
import { recompressBatches, targetCompression } from '../../../lib/record/batch-recompression.js';
import { buildControlBatch, ControlRecordType, RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import { CompressionType, CRC_OFFSET, validateBatch } from '../../../lib/record/record-batch.js';

const T0 = 1_700_000_000_000;
const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];

async function batchOf(compression: CompressionType, first: number, count: number, idempotent = false) {
  const b = new RecordBatchBuilder({
    compression,
    ...(idempotent ? { producerId: 4242n, producerEpoch: 3, baseSequence: 17, isTransactional: true } : {}),
  });
  for (let i = first; i < first + count; i++) {
    b.append(T0 + i, `key-${i}`, `value-${i}-${'x'.repeat(i % 50)}`, [{ key: 'h', value: `${i}` }]);
  }
  return b.build();
}

/** Every record of `records` as [key, value, timestamp, header value], and each batch's header fields. */
async function contents(records: Buffer) {
  const batches = [];
  const rows = [];
  for (const view of iterateBatches(records)) {
    const info = validateBatch(records, view.position);
    batches.push({
      codec: info.compression,
      producerId: info.producerId,
      producerEpoch: info.producerEpoch,
      baseSequence: info.baseSequence,
      recordCount: info.recordCount,
      isTransactional: info.isTransactional,
      isControl: info.isControl,
    });
    if (view.isControl) continue;
    for (const r of await view.recordsAsync()) {
      rows.push([r.key?.toString(), r.value?.toString(), r.timestamp, r.headers[0]?.value?.toString()]);
    }
  }
  return { batches, rows };
}

describe('recompressBatches', () => {
  for (const from of CODECS) {
    for (const to of CODECS) {
      if (from === to) continue;
      it(`rewrites a ${CompressionType[from]} batch as ${CompressionType[to]}, keeping every record and the producer's identity`, async () => {
        const input = Buffer.concat([await batchOf(from, 0, 30), await batchOf(from, 30, 5, true)]);
        const output = await recompressBatches(input, to);
        expect(output).to.not.equal(null);
        const before = await contents(input);
        const after = await contents(output!);
        expect(after.rows).to.deep.equal(before.rows);
        expect(after.batches.map((b) => b.codec)).to.deep.equal([to, to]);
        expect(after.batches.map((b) => ({ ...b, codec: 0 }))).to.deep.equal(
          before.batches.map((b) => ({ ...b, codec: 0 })),
        );
      });
    }
  }

  it('returns null when every batch is already in the target codec, so nothing is copied', async () => {
    const input = Buffer.concat([await batchOf(CompressionType.Lz4, 0, 3), await batchOf(CompressionType.Lz4, 3, 3)]);
    expect(await recompressBatches(input, CompressionType.Lz4)).to.equal(null);
  });

  it('rewrites only the batches in another codec and leaves control batches as they are', async () => {
    const kept = await batchOf(CompressionType.Gzip, 0, 4);
    const marker = buildControlBatch({
      producerId: 7n,
      producerEpoch: 1,
      type: ControlRecordType.Commit,
      coordinatorEpoch: 0,
      timestampMs: T0,
    });
    const input = Buffer.concat([kept, await batchOf(CompressionType.None, 4, 4), marker]);
    const output = (await recompressBatches(input, CompressionType.Gzip))!;
    expect(output.subarray(0, kept.length).equals(kept)).to.equal(true);
    expect(output.subarray(output.length - marker.length).equals(marker)).to.equal(true);
    expect((await contents(output)).batches.map((b) => [b.codec, b.isControl])).to.deep.equal([
      [CompressionType.Gzip, false],
      [CompressionType.Gzip, false],
      [CompressionType.None, true],
    ]);
  });

  it('refuses a batch whose CRC does not match instead of giving it a fresh one', async () => {
    const input = await batchOf(CompressionType.None, 0, 3);
    input.writeUInt32BE((input.readUInt32BE(CRC_OFFSET) ^ 1) >>> 0, CRC_OFFSET);
    const failure = await recompressBatches(input, CompressionType.Zstd).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).to.be.instanceOf(ApiError).with.property('errorName', 'CORRUPT_MESSAGE');
  });
});

describe('targetCompression', () => {
  it("maps Kafka's compression.type values to codecs, and producer to none at all", () => {
    expect(['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'].map(targetCompression)).to.deep.equal([
      null,
      CompressionType.None,
      CompressionType.Gzip,
      CompressionType.Snappy,
      CompressionType.Lz4,
      CompressionType.Zstd,
    ]);
  });
});
