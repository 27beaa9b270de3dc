/**
 * `mq-bench log`: the storage engine alone (no network), each figure side by side with its reference in one run,
 * repeated `repeat` times, reported as median [min..max]:
 *  - write path: first writes of 1 MiB chunks into fresh files (a) copied into a fresh shared mapping,
 *    (b) fs.writeSync through the descriptor (the path LogSegment uses), (c) copied into a mapping of a file whose
 *    pages were written beforehand (what pre-touching the next segment would buy);
 *  - append of 100-byte records in ~16 KiB batches (one batch built once, re-appended; records/s);
 *  - append of ~1 MiB batches (MB/s), and the reference: fs.writeSync of 1 MiB chunks into a fresh file of the same
 *    total size, and their ratio;
 *  - read back from the page cache through UnifiedLog.read (zero-copy views of the mapping), each view copied out
 *    once, as a socket write would copy it;
 *  - durable append with flush.messages=1: `inflight` producers each append a 16 KiB batch and await its flush;
 *    fdatasyncs coalesce (group commit). Records/s and ack latency p50/p99;
 *  - with `partitions` > 0, startup of a LogManager holding that many one-segment logs: after a clean shutdown, and
 *    after a crash (no clean-shutdown marker: every log recovered).
 * Each phase's files are fsynced (untimed) and deleted before the next phase starts, so that no phase competes with
 * the writeback of another's dirty pages.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapFile } from '../log/file-mapping.js';
import { logConfigWith, type LogConfig } from '../log/log-config.js';
import { LogManager } from '../log/log-manager.js';
import { UnifiedLog } from '../log/unified-log.js';
import { RecordBatchBuilder } from '../record/record-batch-builder.js';
import { batchSizeAt, lastOffsetOf, recordCountOf } from '../record/record-batch.js';
import { pageCacheWriteMbPerSec } from './machine-reference.js';
import { formatNumber as fmt, formatStat, runStat } from './stats.js';

const MiB = 1024 * 1024;
const RECORD_BYTES = 100;
const SMALL_BATCH_BYTES = 16 * 1024;

export interface LogBenchOptions {
  /** Directory for the bench's files (a fresh subdirectory is made and removed). @default os.tmpdir() */
  dir?: string;
  /** Bytes written per phase and run. @default 1 GiB */
  totalBytes?: number;
  /** Runs of every phase. @default 3 */
  repeat?: number;
  /** Durable producers in flight. @default 32 */
  inflight?: number;
  /** Logs for the startup phase; 0 skips it. @default 0 */
  partitions?: number;
  /** Receives progress and summary lines. */
  print?: (line: string) => void;
}

/** Medians over the runs, with every run's values in `runs`. */
export interface LogBenchResult {
  append_records_per_s: number;
  append_small_mb_per_s: number;
  append_mb_per_s: number;
  reference_write_mb_per_s: number;
  append_to_reference_ratio: number;
  read_mb_per_s: number;
  durable_append_records_per_s: number;
  durable_ack_p50_ms: number;
  durable_ack_p99_ms: number;
  write_path_mmap_fresh_mb_per_s: number;
  write_path_fd_fresh_mb_per_s: number;
  write_path_mmap_pretouched_mb_per_s: number;
  /** Only with `partitions` > 0. */
  clean_load_ms?: number;
  recovery_load_ms?: number;
  runs: Record<string, number[]>;
}

type Figures = Omit<LogBenchResult, 'runs'>;

const TP = { topic: 'bench', partition: 0 };

export async function runLogBench(opts: LogBenchOptions = {}): Promise<LogBenchResult> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const totalBytes = opts.totalBytes ?? 1024 * MiB;
  const repeat = opts.repeat ?? 3;
  const inflight = opts.inflight ?? 32;
  const parent = opts.dir ?? tmpdir();
  fs.mkdirSync(parent, { recursive: true });
  const root = fs.mkdtempSync(join(parent, 'mq-bench-log-'));
  print(
    `mq-bench log: ${fmt(totalBytes / MiB)} MiB per phase, ${repeat} runs, ${inflight} durable appends in flight, dir ${root}`,
  );
  const runs: Record<string, number[]> = {};
  const record = (figures: Partial<Figures>) => {
    for (const [k, v] of Object.entries(figures)) (runs[k] ??= []).push(v);
  };
  const smallBatch = buildBatch(SMALL_BATCH_BYTES);
  const largeBatch = buildBatch(MiB);
  try {
    for (let run = 1; run <= repeat; run++) {
      const tag = `[run ${run}/${repeat}]`;
      const wp = writePath(root, totalBytes);
      record(wp);
      print(
        `${tag} write path, fresh files, 1 MiB chunks: copy into mapping ${fmt(wp.write_path_mmap_fresh_mb_per_s)} MB/s, ` +
          `writeSync ${fmt(wp.write_path_fd_fresh_mb_per_s)} MB/s, copy into pre-touched mapping ${fmt(wp.write_path_mmap_pretouched_mb_per_s)} MB/s`,
      );

      const small = await appendPhase(root, smallBatch, totalBytes);
      record({ append_records_per_s: small.recordsPerS, append_small_mb_per_s: small.mbPerS });
      print(
        `${tag} append ${RECORD_BYTES} B records in ${fmt(smallBatch.length / 1024)} KiB batches: ` +
          `${fmt(small.recordsPerS)} records/s (${fmt(small.mbPerS)} MB/s)`,
      );

      // Alternate which of the two goes first, so that neither always inherits the other's writeback.
      const referenceFirst = run % 2 === 0;
      const referenceBefore = referenceFirst ? pageCacheWriteMbPerSec(root, totalBytes) : 0;
      const large = await appendPhase(root, largeBatch, totalBytes, true);
      const reference = referenceFirst ? referenceBefore : pageCacheWriteMbPerSec(root, totalBytes);
      const ratio = large.mbPerS / reference;
      record({
        append_mb_per_s: large.mbPerS,
        reference_write_mb_per_s: reference,
        append_to_reference_ratio: ratio,
        read_mb_per_s: large.readMbPerS,
      });
      print(
        `${tag} append 1 MiB batches: ${fmt(large.mbPerS)} MB/s; reference writeSync 1 MiB chunks: ${fmt(reference)} MB/s ` +
          `(ratio ${ratio.toFixed(2)})`,
      );
      print(
        `${tag} read back from the page cache (1 MiB reads, each view copied out once): ${fmt(large.readMbPerS)} MB/s`,
      );

      const durable = await durablePhase(root, smallBatch, Math.min(totalBytes, 256 * MiB), inflight);
      record({
        durable_append_records_per_s: durable.recordsPerS,
        durable_ack_p50_ms: durable.p50Ms,
        durable_ack_p99_ms: durable.p99Ms,
      });
      print(
        `${tag} durable append (flush.messages=1, group commit): ${fmt(durable.recordsPerS)} records/s, ` +
          `ack p50 ${durable.p50Ms.toFixed(2)} ms, p99 ${durable.p99Ms.toFixed(2)} ms`,
      );

      if ((opts.partitions ?? 0) > 0) {
        const load = await loadPhase(root, opts.partitions!, smallBatch);
        record({ clean_load_ms: load.cleanLoadMs, recovery_load_ms: load.recoveryLoadMs });
        print(
          `${tag} LogManager startup with ${fmt(opts.partitions!)} logs: after a clean shutdown ${fmt(load.cleanLoadMs)} ms, ` +
            `after a crash (all recovered) ${fmt(load.recoveryLoadMs)} ms`,
        );
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const figures = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, runStat(v).median])) as Figures;
  print(`Summary, median [min..max] of ${repeat} runs:`);
  for (const [k, v] of Object.entries(runs)) print(`  ${k.padEnd(38)} ${formatStat(runStat(v))}`);
  return { ...figures, runs };
}

/** One batch of 100-byte records (null keys), about `targetBytes` big. */
function buildBatch(targetBytes: number): Buffer {
  const builder = new RecordBatchBuilder({ initialCapacity: targetBytes + 1024 });
  const value = Buffer.alloc(RECORD_BYTES, 0x61);
  const now = Date.now();
  while (builder.sizeInBytes + RECORD_BYTES + 8 <= targetBytes) builder.append(now, null, value);
  return builder.buildSync();
}

function benchConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return logConfigWith({ maxMessageBytes: 2 * MiB, ...overrides });
}

function openLog(root: string, name: string, config: LogConfig): UnifiedLog {
  return UnifiedLog.open({ dir: join(root, name), topicPartition: TP, config });
}

/**
 * Closes (untimed, so that its writeback does not slow the next phase) and deletes the log. Closing, not just
 * dropping the handles, waits for the producer snapshots and the leader-epoch checkpoint still being written: a
 * file they created while the tree was being removed failed the removal with ENOTEMPTY.
 */
async function removeLog(log: UnifiedLog): Promise<void> {
  await log.close();
  fs.rmSync(log.dir, { recursive: true, force: true });
}

/** Appends `batch` until `totalBytes` are written; with `readBack`, then reads the whole log back. */
async function appendPhase(
  root: string,
  batch: Buffer,
  totalBytes: number,
  readBack = false,
): Promise<{ recordsPerS: number; mbPerS: number; readMbPerS: number }> {
  const log = openLog(root, 'append-0', benchConfig());
  const appends = Math.max(1, Math.floor(totalBytes / batch.length));
  const recordsPerBatch = recordCountOf(batch);
  try {
    const start = performance.now();
    for (let i = 0; i < appends; i++) log.append(batch, { assignOffsets: true, leaderEpoch: 0 });
    const seconds = (performance.now() - start) / 1000;
    const readMbPerS = readBack ? readAll(log) : 0;
    return {
      recordsPerS: (appends * recordsPerBatch) / seconds,
      mbPerS: (appends * batch.length) / seconds / 1e6,
      readMbPerS,
    };
  } finally {
    await removeLog(log);
  }
}

/**
 * Reads the log from offset 0 to its end in 1 MiB reads and copies each returned view out once into a reused
 * buffer — the work a socket write of the view costs (the kernel copies it) — so that every byte is read; MB/s.
 */
function readAll(log: UnifiedLog): number {
  let bytes = 0;
  const sink = Buffer.allocUnsafe(2 * MiB);
  const start = performance.now();
  for (let offset = 0; offset < log.logEndOffset;) {
    const { records } = log.read(offset, MiB, { minOneBatch: true });
    records.copy(sink);
    let last = 0;
    for (let pos = 0; pos < records.length; pos += batchSizeAt(records, pos)) last = pos;
    offset = lastOffsetOf(records, last) + 1;
    bytes += records.length;
  }
  return bytes / ((performance.now() - start) / 1000) / 1e6;
}

/** The three ways to fill a fresh file, 1 MiB at a time. */
function writePath(
  root: string,
  totalBytes: number,
): Pick<
  Figures,
  'write_path_mmap_fresh_mb_per_s' | 'write_path_fd_fresh_mb_per_s' | 'write_path_mmap_pretouched_mb_per_s'
> {
  const chunk = Buffer.alloc(MiB, 0x63);
  const length = Math.floor(totalBytes / MiB) * MiB;
  const timed = (prepare: (fd: number) => void, fill: (fd: number) => void): number => {
    const file = join(root, 'write-path.bin');
    const fd = fs.openSync(file, 'w+');
    try {
      prepare(fd);
      const start = performance.now();
      fill(fd);
      return length / ((performance.now() - start) / 1000) / 1e6;
    } finally {
      fs.fdatasyncSync(fd);
      fs.closeSync(fd);
      fs.rmSync(file);
    }
  };
  const copyIntoMapping = (fd: number) => {
    const mapping = mapFile(fd, length, true, 'write-path.bin', 'normal');
    for (let p = 0; p < length; p += MiB) chunk.copy(mapping, p);
  };
  return {
    write_path_mmap_fresh_mb_per_s: timed((fd) => fs.ftruncateSync(fd, length), copyIntoMapping),
    write_path_fd_fresh_mb_per_s: timed(
      () => undefined,
      (fd) => {
        for (let p = 0; p < length; p += MiB) fs.writeSync(fd, chunk, 0, MiB, p);
      },
    ),
    write_path_mmap_pretouched_mb_per_s: timed((fd) => {
      const zeros = Buffer.alloc(MiB);
      for (let p = 0; p < length; p += MiB) fs.writeSync(fd, zeros, 0, MiB, p);
    }, copyIntoMapping),
  };
}

/** `inflight` producers, each appending `batch` and awaiting its flush, until `totalBytes` are acknowledged. */
async function durablePhase(
  root: string,
  batch: Buffer,
  totalBytes: number,
  inflight: number,
): Promise<{ recordsPerS: number; p50Ms: number; p99Ms: number }> {
  const log = openLog(root, 'durable-0', benchConfig({ flushMessages: 1 }));
  const appends = Math.max(inflight, Math.floor(totalBytes / batch.length));
  const recordsPerBatch = recordCountOf(batch);
  const latenciesMs: number[] = [];
  let started = 0;
  try {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        // Each producer owns a copy: the leader stamps offsets into the buffer it appends.
        const own = Buffer.from(batch);
        while (started < appends) {
          started++;
          const t = performance.now();
          const info = log.append(own, { assignOffsets: true, leaderEpoch: 0 });
          await log.awaitFlushed(info.lastOffset);
          latenciesMs.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    latenciesMs.sort((a, b) => a - b);
    return {
      recordsPerS: (appends * recordsPerBatch) / seconds,
      p50Ms: percentile(latenciesMs, 0.5),
      p99Ms: percentile(latenciesMs, 0.99),
    };
  } finally {
    await removeLog(log);
  }
}

/** Creates `partitions` logs of one batch each, then times two startups: clean, and after a simulated crash. */
async function loadPhase(
  root: string,
  partitions: number,
  batch: Buffer,
): Promise<{ cleanLoadMs: number; recoveryLoadMs: number }> {
  const logDirs = [join(root, 'load')];
  const defaultConfig = benchConfig();
  const first = new LogManager({ logDirs, defaultConfig });
  for (let p = 0; p < partitions; p++) {
    first
      .getOrCreateLog({ topic: 'load', partition: p })
      .append(Buffer.from(batch), { assignOffsets: true, leaderEpoch: 0 });
  }
  await first.shutdown();
  try {
    let start = performance.now();
    const clean = new LogManager({ logDirs, defaultConfig });
    const cleanLoadMs = performance.now() - start;
    // A crash: handles dropped, no clean shutdown marker, so the next start recovers every log.
    for (const log of clean.allLogs) log.closeHandles();
    start = performance.now();
    const recovered = new LogManager({ logDirs, defaultConfig });
    const recoveryLoadMs = performance.now() - start;
    await recovered.shutdown();
    return { cleanLoadMs, recoveryLoadMs };
  } finally {
    fs.rmSync(logDirs[0]!, { recursive: true, force: true });
  }
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
