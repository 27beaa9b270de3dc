/**
 * Column output as Kafka's tools print it: every column left-aligned and padded to its widest cell, one space
 * between columns, the last column unpadded. Pure; used by the mq-admin commands.
 */
import { alignColumns } from '../../common/text-columns.js';

export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return alignColumns([header, ...rows], ' ')
    .map((l) => `${l}\n`)
    .join('');
}
