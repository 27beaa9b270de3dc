/**
 * Rewrites record batches into another codec, the one piece of a topic's `compression.type` (other than
 * `producer`) that touches bytes: Kafka's LogValidator recompresses a batch whose codec is not the topic's.
 *
 * The work is per batch, never per record: the records section (bytes 61..end of a batch) is decompressed whole
 * with the batch's codec and compressed whole with the target; the header is copied and only the codec bits of the
 * attributes, the batch length and the CRC change. Base offset, leader epoch, timestamps, producer id, epoch, base
 * sequence and record count stay, so an idempotent or transactional batch keeps its identity. Control batches are
 * never compressed (Kafka writes markers uncompressed) and are copied as they are.
 *
 * Every batch is checked (`validateBatch`: size, magic, CRC, codec) before it is rewritten, so a corrupt batch is
 * refused with CORRUPT_MESSAGE instead of being given a fresh CRC. Pure and stateless; the codecs run off the event
 * loop. Callers: the log validator, for a leader's client appends.
 */
import { InvalidArgumentError } from '../common/errors.js';
import { compress, decompress } from './compression.js';
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_CODEC_MASK,
  CompressionType,
  LOG_OVERHEAD,
  RECORDS_OFFSET,
  validateBatch,
  writeBatchCrc,
} from './record-batch.js';

/** The codec a topic's `compression.type` asks for, or null for `producer` (keep what the producer sent). */
export function targetCompression(compressionType: string): CompressionType | null {
  switch (compressionType) {
    case 'producer':
      return null;
    case 'uncompressed':
      return CompressionType.None;
    case 'gzip':
      return CompressionType.Gzip;
    case 'snappy':
      return CompressionType.Snappy;
    case 'lz4':
      return CompressionType.Lz4;
    case 'zstd':
      return CompressionType.Zstd;
    default:
      throw new InvalidArgumentError(
        `compression.type '${compressionType}' is not one of producer, uncompressed, gzip, snappy, lz4, zstd.`,
      );
  }
}

/**
 * `records` with every non-control batch in codec `target`, as a new buffer; null when every batch is already in it
 * (then `records` is appended as it is, without a copy). Rejects with CORRUPT_MESSAGE for a batch that fails its
 * checks or does not decompress.
 */
export async function recompressBatches(records: Buffer, target: CompressionType): Promise<Buffer | null> {
  const batches = [];
  for (let pos = 0; pos < records.length;) {
    const info = validateBatch(records, pos);
    batches.push(info);
    pos += info.size;
  }
  if (batches.every((b) => b.isControl || b.compression === target)) return null;
  const rewritten = await Promise.all(
    batches.map(async (b) => {
      const batch = records.subarray(b.position, b.position + b.size);
      if (b.isControl || b.compression === target) return batch;
      const raw = await decompress(b.compression, batch.subarray(RECORDS_OFFSET));
      const payload = await compress(target, raw);
      const out = Buffer.allocUnsafe(RECORDS_OFFSET + payload.length);
      batch.copy(out, 0, 0, RECORDS_OFFSET);
      payload.copy(out, RECORDS_OFFSET);
      out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
      const attributes = out.readInt16BE(ATTRIBUTES_OFFSET);
      out.writeInt16BE((attributes & ~COMPRESSION_CODEC_MASK) | target, ATTRIBUTES_OFFSET);
      writeBatchCrc(out, 0);
      return out;
    }),
  );
  return Buffer.concat(rewritten);
}
