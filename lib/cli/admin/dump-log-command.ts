/**
 * `mq-admin dump-log`: kafka-dump-log (DumpLogSegments), offline. Prints what segment files hold, in Kafka's
 * wording so that output can be compared with a Kafka broker's:
 *
 *   .log        one line per batch (offsets, count, producer fields, leader epoch, position, timestamp, size,
 *               codec, CRC and whether it matches); with --deep-iteration or --print-data-log one `| offset: ...`
 *               line per record, with --print-data-log its key and payload too; bytes after the last whole batch
 *               are reported as invalid.
 *   .index      `offset: O position: P` per entry
 *   .timeindex  `timestamp: T offset: O` per entry
 *   .snapshot   one line per producer of a producer state snapshot (id, epoch, coordinator epoch, open transaction,
 *               and its last batch's sequences, offset and timestamp); a corrupt snapshot is reported as such
 *
 * Read-only: files are read with plain reads (never mapped, resized or trimmed), so it is safe on a running
 * broker's directory. A batch whose length or magic cannot be right stops the walk of its file with the reason;
 * the command then exits 1.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command } from 'commander';
import { BatchView, iterateBatches } from '../../record/record-batch-reader.js';
import { ControlRecordType } from '../../record/record-batch-builder.js';
import {
  CompressionType,
  crcOf,
  decrementSequence,
  lastSequenceOf,
  timestampTypeName,
} from '../../record/record-batch.js';
import {
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  PRODUCER_SNAPSHOT_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
} from '../../log/log-file-names.js';
import { decodeProducerSnapshot } from '../../log/producer-snapshot.js';
import { OFFSET_INDEX_ENTRY_SIZE } from '../../log/offset-index.js';
import { TIME_INDEX_ENTRY_SIZE } from '../../log/time-index.js';
import { errorText, listArg } from '../args.js';
import { type ExitStatus } from './connection.js';
import { UsageError } from '../cli-errors.js';

interface DumpFlags {
  files: string[];
  printDataLog?: boolean;
  deepIteration?: boolean;
}

const CODECS: Record<CompressionType, string> = {
  [CompressionType.None]: 'NONE',
  [CompressionType.Gzip]: 'GZIP',
  [CompressionType.Snappy]: 'SNAPPY',
  [CompressionType.Lz4]: 'LZ4',
  [CompressionType.Zstd]: 'ZSTD',
};

/** The segment's base offset, from its 20-digit file name. */
function baseOffsetOf(file: string): number {
  const m = /^(\d{20})\./.exec(basename(file));
  if (m === null)
    throw new UsageError(
      `${file} is not named like a segment file (20-digit base offset, e.g. 00000000000000000000.log).`,
    );
  return Number(m[1]);
}

/**
 * Entries of an offset index, stopping at the zero-filled tail of a preallocated file. (0, 0) never is a real entry:
 * a segment indexes a batch only after index.interval.bytes of earlier batches, so never the one at position 0.
 */
export function dumpOffsetIndex(bytes: Buffer, baseOffset: number): string {
  let out = '';
  for (let at = 0; at + OFFSET_INDEX_ENTRY_SIZE <= bytes.length; at += OFFSET_INDEX_ENTRY_SIZE) {
    const relative = bytes.readInt32BE(at);
    const position = bytes.readInt32BE(at + 4);
    if (relative === 0 && position === 0) break;
    out += `offset: ${baseOffset + relative} position: ${position}\n`;
  }
  return out;
}

/**
 * The producers of a `.snapshot` file, one line each, as Kafka's DumpLogSegments prints them (an open transaction's
 * first offset as `Some(o)`, none as `None`). Throws CorruptSnapshotError naming `file` when the file is corrupt.
 */
export function dumpProducerSnapshot(bytes: Buffer, file: string): string {
  let out = '';
  for (const e of decodeProducerSnapshot(bytes, file)) {
    const txn = e.currentTxnFirstOffset >= 0 ? `Some(${e.currentTxnFirstOffset})` : 'None';
    out +=
      `producerId: ${e.producerId} producerEpoch: ${e.producerEpoch} coordinatorEpoch: ${e.coordinatorEpoch} ` +
      `currentTxnFirstOffset: ${txn} `;
    if (e.lastOffset >= 0) {
      out +=
        `firstSequence: ${decrementSequence(e.lastSequence, e.offsetDelta)} lastSequence: ${e.lastSequence} ` +
        `lastOffset: ${e.lastOffset} offsetDelta: ${e.offsetDelta} timestamp: ${e.timestamp}`;
    }
    out += '\n';
  }
  return out;
}

/** Entries of a time index, stopping at the zero-filled tail of a preallocated file. */
export function dumpTimeIndex(bytes: Buffer, baseOffset: number): string {
  let out = '';
  for (let at = 0; at + TIME_INDEX_ENTRY_SIZE <= bytes.length; at += TIME_INDEX_ENTRY_SIZE) {
    const timestamp = Number(bytes.readBigInt64BE(at));
    const relative = bytes.readInt32BE(at + 8);
    if (timestamp === 0 && relative === 0) break;
    out += `timestamp: ${timestamp} offset: ${baseOffset + relative}\n`;
  }
  return out;
}

function batchLine(b: BatchView): string {
  let valid = true;
  try {
    b.validate();
  } catch {
    valid = false;
  }
  const lastSequence = lastSequenceOf(b.buffer, b.position);
  const time = timestampTypeName(b.timestampType);
  return (
    `baseOffset: ${b.baseOffset} lastOffset: ${b.lastOffset} count: ${b.recordCount} baseSequence: ${b.baseSequence} ` +
    `lastSequence: ${lastSequence} producerId: ${b.producerId} producerEpoch: ${b.producerEpoch} ` +
    `partitionLeaderEpoch: ${b.partitionLeaderEpoch} isTransactional: ${b.isTransactional} isControl: ${b.isControl} ` +
    `position: ${b.position} ${time}: ${b.maxTimestamp} size: ${b.size} magic: 2 compresscodec: ${CODECS[b.compression]} ` +
    `crc: ${crcOf(b.buffer, b.position)} isvalid: ${valid}\n`
  );
}

async function recordLines(b: BatchView, printData: boolean): Promise<string> {
  if (b.isControl) {
    const c = b.controlRecord();
    return (
      `| offset: ${b.baseOffset} ${timestampTypeName(b.timestampType)}: ` +
      `${b.maxTimestamp} endTxnMarker: ${c.type === ControlRecordType.Commit ? 'COMMIT' : 'ABORT'} coordinatorEpoch: ${c.coordinatorEpoch}\n`
    );
  }
  const time = timestampTypeName(b.timestampType);
  let out = '';
  const records = b.compression === CompressionType.Zstd ? await b.recordsAsync() : b.records();
  for (const r of records) {
    const sequence = b.baseSequence < 0 ? -1 : b.baseSequence + (r.offset - b.baseOffset);
    out +=
      `| offset: ${r.offset} ${time}: ${r.timestamp} keysize: ${r.key?.length ?? -1} valuesize: ${r.value?.length ?? -1} ` +
      `sequence: ${sequence} headerKeys: [${r.headers.map((h) => h.key).join(',')}]`;
    if (printData) {
      if (r.key !== null) out += ` key: ${r.key.toString()}`;
      out += ` payload: ${r.value === null ? 'null' : r.value.toString()}`;
    }
    out += '\n';
  }
  return out;
}

/** Everything dump-log prints for one .log file; throws on a batch that cannot be walked past. */
export async function dumpLogSegment(
  bytes: Buffer,
  baseOffset: number,
  opts: { deep: boolean; printData: boolean },
  write: (s: string) => void | Promise<void>,
): Promise<void> {
  await write(`Starting offset: ${baseOffset}\n`);
  let end = 0;
  for (const b of iterateBatches(bytes)) {
    await write(opts.deep || opts.printData ? batchLine(b) + (await recordLines(b, opts.printData)) : batchLine(b));
    end = b.position + b.size;
  }
  if (end < bytes.length)
    await write(`Found ${bytes.length - end} invalid bytes at the end of the segment (a partial batch)\n`);
}

/** Writes to stdout, waiting while its buffer is full (a segment's dump can be far larger than memory should hold). */
async function writeOut(s: string): Promise<void> {
  if (!process.stdout.write(s)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}

export function dumpLogCommand(status: ExitStatus): Command {
  return new Command('dump-log')
    .description(
      'Print the batches, records and index entries in segment files (kafka-dump-log); offline and read-only.',
    )
    .requiredOption(
      '--files <file>',
      'REQUIRED: a .log, .index, .timeindex or .snapshot file (repeatable, or comma-separated)',
      listArg,
    )
    .option('--deep-iteration', 'print every record of every batch, not only the batches')
    .option('--print-data-log', 'print records with their keys and payloads (implies --deep-iteration)')
    .action(async (flags: DumpFlags) => {
      for (const file of flags.files.flatMap((f) => f.split(',')).filter((f) => f !== '')) {
        const baseOffset = baseOffsetOf(file);
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch (e) {
          process.stderr.write(`Cannot read ${file}: ${(e as Error).message}\n`);
          status.code = 1;
          continue;
        }
        process.stdout.write(`Dumping ${file}\n`);
        if (file.endsWith(LOG_FILE_SUFFIX)) {
          try {
            await dumpLogSegment(
              bytes,
              baseOffset,
              { deep: flags.deepIteration === true, printData: flags.printDataLog === true },
              writeOut,
            );
          } catch (e) {
            process.stderr.write(`${file}: ${errorText(e)}\n`);
            status.code = 1;
          }
        } else if (file.endsWith(INDEX_FILE_SUFFIX)) process.stdout.write(dumpOffsetIndex(bytes, baseOffset));
        else if (file.endsWith(TIME_INDEX_FILE_SUFFIX)) process.stdout.write(dumpTimeIndex(bytes, baseOffset));
        else if (file.endsWith(PRODUCER_SNAPSHOT_FILE_SUFFIX)) {
          try {
            process.stdout.write(dumpProducerSnapshot(bytes, file));
          } catch (e) {
            process.stderr.write(`${errorText(e)}\n`);
            status.code = 1;
          }
        } else {
          process.stderr.write(`${file}: not a .log, .index, .timeindex or .snapshot file; skipped.\n`);
          status.code = 1;
        }
      }
    });
}
