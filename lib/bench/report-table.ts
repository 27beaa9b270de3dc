/**
 * Tables of benchmark results as text (columns padded, for a terminal) or Markdown (for docs/BENCHMARKS.md).
 * Pure: rows of cells in, lines out. A cell is already formatted; `|` in a Markdown cell is escaped.
 */
import { alignColumns } from '../common/text-columns.js';

export type TableFormat = 'text' | 'markdown';

export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  format: TableFormat,
): string[] {
  if (format === 'markdown') {
    const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
    return [line(headers), line(headers.map(() => '---')), ...rows.map(line)];
  }
  return alignColumns([headers, ...rows], '  ', true);
}
