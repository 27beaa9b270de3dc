import { expect } from 'chai';
import { findKeylessRecord } from '../../../lib/log/compacted-key-check.js';
import { CompressionType } from '../../../lib/record/record-batch.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';

function batch(keys: (string | null)[], compression = CompressionType.None): Promise<Buffer> {
  const b = new RecordBatchBuilder({ compression });
  for (const k of keys) b.append(0, k, 'v');
  return b.build();
}

describe('findKeylessRecord', () => {
  it('is null when every record has a key', async () => {
    expect(await findKeylessRecord(Buffer.concat([await batch(['a', 'b']), await batch(['c'])]))).to.equal(null);
  });

  it('names the batch and the record index of the first keyless record', async () => {
    expect(
      await findKeylessRecord(Buffer.concat([await batch(['a']), await batch(['b', 'c', null, null])])),
    ).to.deep.equal({ batchNumber: 1, batchIndex: 2 });
  });

  it('looks inside compressed batches, zstd included', async () => {
    for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      expect(await findKeylessRecord(await batch(['a', null], codec)), `codec ${codec}`).to.deep.equal({
        batchNumber: 0,
        batchIndex: 1,
      });
    }
  });
});
