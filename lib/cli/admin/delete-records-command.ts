/**
 * `mq-admin delete-records`: kafka-delete-records. Reads `--offset-json-file`
 * ({"partitions":[{"topic":"t","partition":0,"offset":42}],"version":1}; offset -1 = the high watermark), asks each
 * partition's leader to delete the records before that offset (the Admin client's deleteRecords) and prints Kafka's
 * lines:
 *
 *   Executing records delete operation
 *   Records delete operation completed:
 *   partition: t-0	low_watermark: 42
 *   partition: t-1	error: The requested offset is not within the range of offsets maintained by the server.
 *
 * Partitions are printed in the file's order. Exit code 1 when any partition failed (Kafka's tool exits 0 then; the
 * lines are the same), so that scripts notice.
 */
import { Command } from 'commander';
import type { DeletedRecords, RecordsToDelete } from '../../client/admin/admin.js';
import { errorText } from '../args.js';
import { withAdmin, withConnectionOptions, type ConnectionFlags, type ExitStatus } from './connection.js';
import { UsageError } from '../cli-errors.js';
import { parsePartitionsFile, readTextFile } from './partitions-file.js';

interface DeleteRecordsFlags extends ConnectionFlags {
  offsetJsonFile: string;
}

const EXAMPLE = '{"partitions":[{"topic":"t","partition":0,"offset":42}],"version":1}';

/** Parses Kafka's offset JSON file; throws naming the first problem. */
export function parseOffsetJson(text: string): RecordsToDelete[] {
  let version: unknown;
  try {
    version = (JSON.parse(text) as { version?: unknown }).version ?? 1;
  } catch {
    version = 1; // parsePartitionsFile names the JSON error
  }
  if (version !== 1) throw new UsageError(`Not supported version field value ${String(version)} (only 1 exists).`);
  return parsePartitionsFile(text, 'offset json file', EXAMPLE, (raw, tp, where) => {
    if (!Number.isSafeInteger(raw.offset) || (raw.offset as number) < -1) {
      throw new UsageError(`${where}: "offset" must be an integer >= -1 (-1: the high watermark).`);
    }
    return { ...tp, offset: raw.offset as number };
  });
}

/** Kafka's result line of one partition. */
export function deleteRecordsLine(r: DeletedRecords): string {
  const what = r.error === null ? `low_watermark: ${r.lowWatermark}` : `error: ${errorText(r.error)}`;
  return `partition: ${r.topic}-${r.partition}\t${what}\n`;
}

export function deleteRecordsCommand(status: ExitStatus): Command {
  return withConnectionOptions(new Command('delete-records'))
    .description(
      'Delete the records of partitions before the offsets given, moving their log start offsets forward ' +
        '(kafka-delete-records).',
    )
    .requiredOption('--offset-json-file <file>', `REQUIRED: the partitions and offsets, e.g. ${EXAMPLE}`)
    .addHelpText(
      'after',
      `
An offset of -1 deletes every record below the partition's high watermark. Consumers whose position falls below
the new log start offset reset by their auto.offset.reset policy.

Example:
  mq-admin delete-records --bootstrap-server localhost:9092 --offset-json-file delete.json`,
    )
    .action(async (flags: DeleteRecordsFlags) => {
      const entries = parseOffsetJson(readTextFile(flags.offsetJsonFile));
      await withAdmin(flags, async (admin) => {
        process.stdout.write('Executing records delete operation\n');
        const results = await admin.deleteRecords(entries);
        process.stdout.write('Records delete operation completed:\n' + results.map(deleteRecordsLine).join(''));
        if (results.some((r) => r.error !== null)) status.code = 1;
      });
    });
}
