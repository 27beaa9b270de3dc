import { expect } from 'chai';
import { ApiError, InvalidArgumentError } from '../../../lib/common/errors.js';
import {
  compress,
  compressSync,
  decompress,
  decompressSync,
  XERIAL_BLOCK_BYTES,
  XERIAL_MAGIC,
} from '../../../lib/record/compression.js';
import { CompressionType } from '../../../lib/record/record-batch.js';
import { expectRejection } from '../../helpers/expect-rejection.js';

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
];
const SYNC_CODECS = CODECS.filter((c) => c !== CompressionType.Zstd);

/** Compressible but not trivial: 100 KiB of repeated text with a counter, spanning several xerial blocks. */
const INPUT = Buffer.from(Array.from({ length: 4000 }, (_, i) => `record ${i} payload;`).join(''));

/** The stream's first bytes that identify each codec's format. */
const MAGIC: Partial<Record<CompressionType, string>> = {
  [CompressionType.Gzip]: '1f8b08',
  [CompressionType.Snappy]: `${XERIAL_MAGIC.toString('hex')}0000000100000001`,
  [CompressionType.Lz4]: '04224d1860', // frame magic, FLG: version 1, independent blocks, no checksums, as Kafka's
  [CompressionType.Zstd]: '28b52ffd',
};

/** A raw snappy block holding `text` as one literal: uncompressed length varint, tag (len − 1) << 2, bytes. */
function rawSnappyLiteral(text: string): Buffer {
  return Buffer.concat([Buffer.from([text.length, (text.length - 1) << 2]), Buffer.from(text)]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

describe('compression', () => {
  describe('#compress / #decompress', () => {
    for (const codec of CODECS) {
      it(`round-trips ${CompressionType[codec]} asynchronously`, async () => {
        const compressed = await compress(codec, INPUT);
        if (codec !== CompressionType.None) {
          expect(compressed.length).to.be.lessThan(INPUT.length / 2);
          expect(compressed.subarray(0, MAGIC[codec]!.length / 2).toString('hex')).to.equal(MAGIC[codec]);
        }
        expect((await decompress(codec, compressed)).equals(INPUT)).to.equal(true);
      });
    }

    it("writes an LZ4 frame of 64 KiB blocks for a batch up to 64 KiB, as Kafka's KafkaLZ4BlockOutputStream", async () => {
      const compressed = await compress(CompressionType.Lz4, INPUT.subarray(0, 64 * 1024));
      expect(compressed.subarray(0, 6).toString('hex')).to.equal('04224d186040');
    });

    it('writes one xerial block per 32 KiB of input', async () => {
      const compressed = await compress(CompressionType.Snappy, INPUT);
      let blocks = 0;
      for (let pos = 16; pos < compressed.length; pos += 4 + compressed.readInt32BE(pos)) blocks++;
      expect(blocks).to.equal(Math.ceil(INPUT.length / XERIAL_BLOCK_BYTES));
    });

    it('decodes a hand-built two-block xerial snappy stream and a bare raw snappy block', async () => {
      const first = rawSnappyLiteral('hello ');
      const second = rawSnappyLiteral('kafka');
      const framed = Buffer.concat([
        XERIAL_MAGIC,
        int32(1),
        int32(1),
        int32(first.length),
        first,
        int32(second.length),
        second,
      ]);
      expect((await decompress(CompressionType.Snappy, framed)).toString()).to.equal('hello kafka');
      expect(decompressSync(CompressionType.Snappy, framed).toString()).to.equal('hello kafka');
      expect((await decompress(CompressionType.Snappy, rawSnappyLiteral('raw'))).toString()).to.equal('raw');
    });

    it('rejects an unknown codec with UNSUPPORTED_COMPRESSION_TYPE', async () => {
      await expectRejection(compress(7 as CompressionType, INPUT), ApiError, 'UNSUPPORTED_COMPRESSION_TYPE');
      await expectRejection(decompress(7 as CompressionType, INPUT), ApiError, 'UNSUPPORTED_COMPRESSION_TYPE');
      expect(() => compressSync(7 as CompressionType, INPUT)).to.throw(ApiError, /codec 7/);
    });

    for (const codec of CODECS.filter((c) => c !== CompressionType.None)) {
      it(`rejects data that is not ${CompressionType[codec]} with CORRUPT_MESSAGE`, async () => {
        const garbage = Buffer.from('this is not compressed data at all, just text that goes on');
        const e = await expectRejection(decompress(codec, garbage), ApiError, 'CORRUPT_MESSAGE');
        expect(e.message).to.match(new RegExp(`decompress ${CompressionType[codec]}`));
      });
    }

    it('rejects a xerial stream whose block runs past the end with CORRUPT_MESSAGE', async () => {
      const block = rawSnappyLiteral('hello');
      const framed = Buffer.concat([XERIAL_MAGIC, int32(1), int32(1), int32(block.length + 10), block]);
      await expectRejection(decompress(CompressionType.Snappy, framed), ApiError, 'CORRUPT_MESSAGE');
    });
  });

  describe('#compressSync / #decompressSync', () => {
    for (const codec of SYNC_CODECS) {
      it(`round-trips ${CompressionType[codec]} and interoperates with the asynchronous codec`, async () => {
        const compressed = compressSync(codec, INPUT);
        expect(decompressSync(codec, compressed).equals(INPUT)).to.equal(true);
        expect((await decompress(codec, compressed)).equals(INPUT)).to.equal(true);
        expect(decompressSync(codec, await compress(codec, INPUT)).equals(INPUT)).to.equal(true);
      });
    }

    it('throws InvalidArgumentError for zstd', () => {
      expect(() => compressSync(CompressionType.Zstd, INPUT)).to.throw(InvalidArgumentError, /asynchronous/);
      expect(() => decompressSync(CompressionType.Zstd, INPUT)).to.throw(InvalidArgumentError, /asynchronous/);
    });
  });
});
