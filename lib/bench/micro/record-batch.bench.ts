/**
 * Micro benchmark of lib/record: builds batches of 100-byte records (16-byte key, 84-byte value, no headers)
 * the way a producer does (one reused RecordBatchBuilder, ~16 KiB batches = `batch.size`), then reads them back,
 * and prints records/s and MB/s per codec, median of `--runs` runs of `--seconds` each.
 *
 *   node dist/lib/bench/micro/record-batch.bench.js [--seconds 1] [--runs 3] [--codecs none,gzip,snappy,lz4,zstd]
 */
import { RecordBatchBuilder } from '../../record/record-batch-builder.js';
import { BatchView } from '../../record/record-batch-reader.js';
import { CompressionType } from '../../record/record-batch.js';
import { runStat } from '../stats.js';
import { microBenchArgs } from './micro-args.js';

const RECORD_VALUE_BYTES = 84;
const RECORD_KEY_BYTES = 16;
const RECORDS_PER_BATCH = ((16 * 1024) / (RECORD_KEY_BYTES + RECORD_VALUE_BYTES)) | 0;

interface Figure {
  recordsPerSec: number;
  mbPerSec: number;
}

async function measure(seconds: number, step: () => Promise<number>): Promise<Figure> {
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  let records = 0;
  while (performance.now() < deadline) records += await step();
  const elapsedSec = (performance.now() - start) / 1000;
  const recordsPerSec = records / elapsedSec;
  return { recordsPerSec, mbPerSec: (recordsPerSec * (RECORD_KEY_BYTES + RECORD_VALUE_BYTES)) / 1e6 };
}

async function main(): Promise<void> {
  const { seconds, runs, codecs } = microBenchArgs(1, { codecs: 'none,gzip,snappy,lz4,zstd' });
  const key = Buffer.alloc(RECORD_KEY_BYTES, 'k');
  const value = Buffer.from(Array.from({ length: RECORD_VALUE_BYTES }, (_, i) => 'abcdefghij'.charCodeAt(i % 10)));
  const timestampMs = Date.now();

  for (const name of codecs.split(',')) {
    const compression = CompressionType[(name[0]!.toUpperCase() + name.slice(1)) as keyof typeof CompressionType];
    const builder = new RecordBatchBuilder({ compression });
    const buildOne = async (): Promise<Buffer> => {
      builder.reset();
      for (let i = 0; i < RECORDS_PER_BATCH; i++) builder.append(timestampMs + i, key, value);
      return builder.build();
    };
    const sample = await buildOne();
    const build: Figure[] = [];
    const read: Figure[] = [];
    for (let r = 0; r < runs; r++) {
      build.push(await measure(seconds, async () => (await buildOne(), RECORDS_PER_BATCH)));
      read.push(
        await measure(seconds, async () => {
          let n = 0;
          for (const record of await new BatchView(sample, 0).recordsAsync()) n += record.value === null ? 0 : 1;
          return n;
        }),
      );
    }
    const line = (what: string, fs: Figure[]): string =>
      `${name.padEnd(6)} ${what}: ${(runStat(fs.map((f) => f.recordsPerSec)).median / 1e6).toFixed(2)} M records/s` +
      ` (${runStat(fs.map((f) => f.mbPerSec)).median.toFixed(0)} MB/s; runs ${fs.map((f) => (f.recordsPerSec / 1e6).toFixed(2)).join(', ')})`;
    console.log(`${line('build', build)}; batch ${sample.length} B for ${RECORDS_PER_BATCH} records`);
    console.log(line('read ', read));
  }
}

await main();
