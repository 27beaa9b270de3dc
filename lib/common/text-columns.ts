/**
 * Rows of cells as aligned text lines, the way command-line tools print tables: every column padded to its widest
 * cell (the first row sets how many columns there are), `gap` between columns, the last column unpadded and
 * trailing spaces trimmed; with `rule`, a line of dashes as wide as each column follows the first row. Pure.
 */
export function alignColumns(rows: ReadonlyArray<readonly string[]>, gap: string, rule = false): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join(gap)
      .trimEnd();
  const lines = rows.map(line);
  if (rule && lines.length > 0) lines.splice(1, 0, line(widths.map((w) => '-'.repeat(w))));
  return lines;
}
