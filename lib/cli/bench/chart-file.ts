/**
 * Writes a chart (a Vega-Lite spec) to an SVG file for the mq-bench subcommands' `--chart <file.svg>`, creating
 * the file's folder when missing, and says where on stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../../bench/chart.js';

export async function writeChart(file: string, spec: TopLevelSpec): Promise<void> {
  const svg = await renderSvg(spec);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, svg);
  process.stderr.write(`Chart written to ${file}\n`);
}
