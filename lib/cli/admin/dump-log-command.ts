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
 *   .txnindex   `version: 0 producerId: P firstOffset: F lastOffset: L lastStableOffset: S` per aborted transaction
 *   .snapshot   one line per producer of a producer state snapshot (id, epoch, coordinator epoch, open transaction,
 *               and its last batch's sequences, offset and timestamp); a corrupt snapshot is reported as such
 * A transaction marker's record line ends with `endTxnMarker: COMMIT|ABORT coordinatorEpoch: E` instead of its key
 * and payload, as Kafka prints it; a control batch the cleaner emptied has no record line.
 *
 * Read-only: files are read with plain reads (never mapped, resized or trimmed), so it is safe on a running
 * broker's directory. A batch whose length or magic cannot be right stops the walk of its file with the reason;
 * the command then exits 1.
 *
 * `--json`: JSON Lines, one object per line, each with its "file" and "kind": "segment" (with "startingOffset"),
 * "batch" (the batch line's fields, camelCase), "record" / "marker" (with --deep-iteration or --print-data-log; "key"
 * and "payload" only with --print-data-log), "invalid-bytes" (a partial batch at the end), "index-entry"
 * ("offset", "position"), "timeindex-entry" ("timestamp", "offset"), "txnindex-entry" ("version", "producerId",
 * "firstOffset", "lastOffset", "lastStableOffset") and "producer-snapshot-entry". Walked and written as it goes, so a large
 * segment never sits in memory.
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
  TXN_INDEX_FILE_SUFFIX,
} from '../../log/log-file-names.js';
import { decodeProducerSnapshot } from '../../log/producer-snapshot.js';
import { ABORTED_TXN_ENTRY_BYTES, decodeEntry } from '../../log/transaction-index.js';
import { OFFSET_INDEX_ENTRY_SIZE } from '../../log/offset-index.js';
import { TIME_INDEX_ENTRY_SIZE } from '../../log/time-index.js';
import { errorText, listArg } from '../args.js';
import { type ExitStatus } from './connection.js';
import { UsageError } from '../cli-errors.js';
import { withJsonOption, type JsonFlag } from './json-output.js';

interface DumpFlags extends JsonFlag {
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

/** Entries of a transaction index (whole 34-byte entries; a torn tail is ignored). */
export function txnIndexEntries(bytes: Buffer): DumpEntry[] {
  const out: DumpEntry[] = [];
  for (let at = 0; at + ABORTED_TXN_ENTRY_BYTES <= bytes.length; at += ABORTED_TXN_ENTRY_BYTES) {
    out.push({ kind: 'txnindex-entry', version: bytes.readInt16BE(at), ...decodeEntry(bytes, at) });
  }
  return out;
}

/** A transaction index in kafka-dump-log's words. */
export function dumpTxnIndex(bytes: Buffer): string {
  return txnIndexEntries(bytes).map(dumpLine).join('');
}

/** The segment's base offset, from its 20-digit file name. */
function baseOffsetOf(file: string): number {
  const m = /^(\d{20})\./.exec(basename(file));
  if (m === null)
    throw new UsageError(
      `${file} is not named like a segment file (20-digit base offset, e.g. 00000000000000000000.log).`,
    );
  return Number(m[1]);
}

/** What Kafka prints of every record of a v2 batch, a transaction marker's included. */
interface RecordFields {
  offset: number;
  timestampType: string;
  timestamp: number;
  keySize: number;
  valueSize: number;
  sequence: number;
  headerKeys: string[];
}

/** What dump-log reports, one item per printed line; `kind` tells which. */
export type DumpEntry =
  | { kind: 'segment'; startingOffset: number }
  | {
      kind: 'batch';
      baseOffset: number;
      lastOffset: number;
      count: number;
      baseSequence: number;
      lastSequence: number;
      producerId: number;
      producerEpoch: number;
      partitionLeaderEpoch: number;
      isTransactional: boolean;
      isControl: boolean;
      position: number;
      timestampType: string;
      maxTimestamp: number;
      size: number;
      magic: 2;
      compressCodec: string;
      crc: number;
      isValid: boolean;
    }
  | ({ kind: 'record'; key?: string | null; payload?: string | null } & RecordFields)
  | ({ kind: 'marker'; endTxnMarker: 'COMMIT' | 'ABORT'; coordinatorEpoch: number } & RecordFields)
  | { kind: 'invalid-bytes'; size: number }
  | { kind: 'index-entry'; offset: number; position: number }
  | { kind: 'timeindex-entry'; timestamp: number; offset: number }
  | {
      kind: 'txnindex-entry';
      version: number;
      producerId: number;
      firstOffset: number;
      lastOffset: number;
      lastStableOffset: number;
    }
  | {
      kind: 'producer-snapshot-entry';
      producerId: number;
      producerEpoch: number;
      coordinatorEpoch: number;
      /** null: no open transaction (Kafka prints `None`). */
      currentTxnFirstOffset: number | null;
      /** The last batch's fields, absent for a producer without one. */
      firstSequence?: number;
      lastSequence?: number;
      lastOffset?: number;
      offsetDelta?: number;
      timestamp?: number;
    };

/** A record's (or marker's) line up to its contents, as Kafka prints every record of a v2 batch. */
function recordPrefix(e: RecordFields): string {
  return (
    `| offset: ${e.offset} ${e.timestampType}: ${e.timestamp} keysize: ${e.keySize} valuesize: ${e.valueSize} ` +
    `sequence: ${e.sequence} headerKeys: [${e.headerKeys.join(',')}]`
  );
}

/** One entry in kafka-dump-log's words. */
export function dumpLine(e: DumpEntry): string {
  switch (e.kind) {
    case 'segment':
      return `Starting offset: ${e.startingOffset}\n`;
    case 'batch':
      return (
        `baseOffset: ${e.baseOffset} lastOffset: ${e.lastOffset} count: ${e.count} baseSequence: ${e.baseSequence} ` +
        `lastSequence: ${e.lastSequence} producerId: ${e.producerId} producerEpoch: ${e.producerEpoch} ` +
        `partitionLeaderEpoch: ${e.partitionLeaderEpoch} isTransactional: ${e.isTransactional} isControl: ${e.isControl} ` +
        `position: ${e.position} ${e.timestampType}: ${e.maxTimestamp} size: ${e.size} magic: 2 compresscodec: ${e.compressCodec} ` +
        `crc: ${e.crc} isvalid: ${e.isValid}\n`
      );
    case 'record': {
      let line = recordPrefix(e);
      if (e.payload !== undefined)
        line += `${e.key === null || e.key === undefined ? '' : ` key: ${e.key}`} payload: ${e.payload ?? 'null'}`;
      return `${line}\n`;
    }
    case 'marker':
      return `${recordPrefix(e)} endTxnMarker: ${e.endTxnMarker} coordinatorEpoch: ${e.coordinatorEpoch}\n`;
    case 'invalid-bytes':
      return `Found ${e.size} invalid bytes at the end of the segment (a partial batch)\n`;
    case 'index-entry':
      return `offset: ${e.offset} position: ${e.position}\n`;
    case 'timeindex-entry':
      return `timestamp: ${e.timestamp} offset: ${e.offset}\n`;
    case 'txnindex-entry':
      return (
        `version: ${e.version} producerId: ${e.producerId} firstOffset: ${e.firstOffset} ` +
        `lastOffset: ${e.lastOffset} lastStableOffset: ${e.lastStableOffset}\n`
      );
    case 'producer-snapshot-entry': {
      const txn = e.currentTxnFirstOffset === null ? 'None' : `Some(${e.currentTxnFirstOffset})`;
      let line =
        `producerId: ${e.producerId} producerEpoch: ${e.producerEpoch} coordinatorEpoch: ${e.coordinatorEpoch} ` +
        `currentTxnFirstOffset: ${txn} `;
      if (e.lastOffset !== undefined) {
        line +=
          `firstSequence: ${e.firstSequence} lastSequence: ${e.lastSequence} ` +
          `lastOffset: ${e.lastOffset} offsetDelta: ${e.offsetDelta} timestamp: ${e.timestamp}`;
      }
      return `${line}\n`;
    }
  }
}

/**
 * Entries of an offset index, stopping at the zero-filled tail of a preallocated file. (0, 0) never is a real entry:
 * a segment indexes a batch only after index.interval.bytes of earlier batches, so never the one at position 0.
 */
export function offsetIndexEntries(bytes: Buffer, baseOffset: number): DumpEntry[] {
  const out: DumpEntry[] = [];
  for (let at = 0; at + OFFSET_INDEX_ENTRY_SIZE <= bytes.length; at += OFFSET_INDEX_ENTRY_SIZE) {
    const relative = bytes.readInt32BE(at);
    const position = bytes.readInt32BE(at + 4);
    if (relative === 0 && position === 0) break;
    out.push({ kind: 'index-entry', offset: baseOffset + relative, position });
  }
  return out;
}

/**
 * The producers of a `.snapshot` file, one entry each (Kafka's DumpLogSegments prints an open transaction's first
 * offset as `Some(o)`, none as `None`). Throws CorruptSnapshotError naming `file` when the file is corrupt.
 */
export function producerSnapshotEntries(bytes: Buffer, file: string): DumpEntry[] {
  return decodeProducerSnapshot(bytes, file).map((e) => ({
    kind: 'producer-snapshot-entry',
    producerId: e.producerId,
    producerEpoch: e.producerEpoch,
    coordinatorEpoch: e.coordinatorEpoch,
    currentTxnFirstOffset: e.currentTxnFirstOffset >= 0 ? e.currentTxnFirstOffset : null,
    ...(e.lastOffset >= 0
      ? {
          firstSequence: decrementSequence(e.lastSequence, e.offsetDelta),
          lastSequence: e.lastSequence,
          lastOffset: e.lastOffset,
          offsetDelta: e.offsetDelta,
          timestamp: e.timestamp,
        }
      : {}),
  }));
}

/** A producer snapshot in kafka-dump-log's words. */
export function dumpProducerSnapshot(bytes: Buffer, file: string): string {
  return producerSnapshotEntries(bytes, file).map(dumpLine).join('');
}

/** Entries of a time index, stopping at the zero-filled tail of a preallocated file. */
export function timeIndexEntries(bytes: Buffer, baseOffset: number): DumpEntry[] {
  const out: DumpEntry[] = [];
  for (let at = 0; at + TIME_INDEX_ENTRY_SIZE <= bytes.length; at += TIME_INDEX_ENTRY_SIZE) {
    const timestamp = Number(bytes.readBigInt64BE(at));
    const relative = bytes.readInt32BE(at + 8);
    if (timestamp === 0 && relative === 0) break;
    out.push({ kind: 'timeindex-entry', timestamp, offset: baseOffset + relative });
  }
  return out;
}

/** An offset index in kafka-dump-log's words. */
export function dumpOffsetIndex(bytes: Buffer, baseOffset: number): string {
  return offsetIndexEntries(bytes, baseOffset).map(dumpLine).join('');
}

/** A time index in kafka-dump-log's words. */
export function dumpTimeIndex(bytes: Buffer, baseOffset: number): string {
  return timeIndexEntries(bytes, baseOffset).map(dumpLine).join('');
}

function batchEntry(b: BatchView): DumpEntry {
  let valid = true;
  try {
    b.validate();
  } catch {
    valid = false;
  }
  return {
    kind: 'batch',
    baseOffset: b.baseOffset,
    lastOffset: b.lastOffset,
    count: b.recordCount,
    baseSequence: b.baseSequence,
    lastSequence: lastSequenceOf(b.buffer, b.position),
    producerId: Number(b.producerId),
    producerEpoch: b.producerEpoch,
    partitionLeaderEpoch: b.partitionLeaderEpoch,
    isTransactional: b.isTransactional,
    isControl: b.isControl,
    position: b.position,
    timestampType: timestampTypeName(b.timestampType),
    maxTimestamp: b.maxTimestamp,
    size: b.size,
    magic: 2,
    compressCodec: CODECS[b.compression],
    crc: crcOf(b.buffer, b.position),
    isValid: valid,
  };
}

async function recordEntries(b: BatchView, printData: boolean): Promise<DumpEntry[]> {
  const timestampType = timestampTypeName(b.timestampType);
  const records = b.compression === CompressionType.Zstd ? await b.recordsAsync() : b.records();
  return [...records].map((r): DumpEntry => {
    const common: RecordFields = {
      offset: r.offset,
      timestampType,
      timestamp: r.timestamp,
      keySize: r.serializedKeySize,
      valueSize: r.serializedValueSize,
      sequence: b.baseSequence < 0 ? -1 : b.baseSequence + (r.offset - b.baseOffset),
      headerKeys: r.headers.map((h) => h.key),
    };
    if (b.isControl) {
      const c = b.controlRecord();
      return {
        kind: 'marker',
        ...common,
        endTxnMarker: c.type === ControlRecordType.Commit ? 'COMMIT' : 'ABORT',
        coordinatorEpoch: c.coordinatorEpoch,
      };
    }
    return {
      kind: 'record',
      ...common,
      ...(printData
        ? { key: r.key === null ? null : r.key.toString(), payload: r.value === null ? null : r.value.toString() }
        : {}),
    };
  });
}

/** Everything dump-log reports for one .log file, entry by entry; throws on a batch that cannot be walked past. */
export async function dumpLogSegment(
  bytes: Buffer,
  baseOffset: number,
  opts: { deep: boolean; printData: boolean },
  emit: (entry: DumpEntry) => void | Promise<void>,
): Promise<void> {
  await emit({ kind: 'segment', startingOffset: baseOffset });
  let end = 0;
  for (const b of iterateBatches(bytes)) {
    await emit(batchEntry(b));
    if (opts.deep || opts.printData) for (const e of await recordEntries(b, opts.printData)) await emit(e);
    end = b.position + b.size;
  }
  if (end < bytes.length) await emit({ kind: 'invalid-bytes', size: bytes.length - end });
}

/** Writes to stdout, waiting while its buffer is full (a segment's dump can be far larger than memory should hold). */
async function writeOut(s: string): Promise<void> {
  if (!process.stdout.write(s)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}

export function dumpLogCommand(status: ExitStatus): Command {
  return withJsonOption(new Command('dump-log'))
    .description(
      'Print the batches, records and index entries in segment files (kafka-dump-log); offline and read-only.',
    )
    .requiredOption(
      '--files <file>',
      'REQUIRED: a .log, .index, .timeindex, .txnindex or .snapshot file (repeatable, or comma-separated)',
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
        const emit = (entry: DumpEntry) =>
          writeOut(flags.json === true ? `${JSON.stringify({ file, ...entry })}\n` : dumpLine(entry));
        if (flags.json !== true) await writeOut(`Dumping ${file}\n`);
        if (file.endsWith(LOG_FILE_SUFFIX)) {
          try {
            await dumpLogSegment(
              bytes,
              baseOffset,
              { deep: flags.deepIteration === true, printData: flags.printDataLog === true },
              emit,
            );
          } catch (e) {
            process.stderr.write(`${file}: ${errorText(e)}\n`);
            status.code = 1;
          }
        } else if (file.endsWith(INDEX_FILE_SUFFIX)) {
          for (const e of offsetIndexEntries(bytes, baseOffset)) await emit(e);
        } else if (file.endsWith(TIME_INDEX_FILE_SUFFIX)) {
          for (const e of timeIndexEntries(bytes, baseOffset)) await emit(e);
        } else if (file.endsWith(TXN_INDEX_FILE_SUFFIX)) {
          for (const e of txnIndexEntries(bytes)) await emit(e);
        } else if (file.endsWith(PRODUCER_SNAPSHOT_FILE_SUFFIX)) {
          let entries: DumpEntry[];
          try {
            entries = producerSnapshotEntries(bytes, file);
          } catch (e) {
            process.stderr.write(`${errorText(e)}\n`);
            status.code = 1;
            continue;
          }
          for (const e of entries) await emit(e);
        } else {
          process.stderr.write(`${file}: not a .log, .index, .timeindex, .txnindex or .snapshot file; skipped.\n`);
          status.code = 1;
        }
      }
    });
}
