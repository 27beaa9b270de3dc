/**
 * The command line every micro benchmark here takes: `--seconds` (the length of one timed run) and `--runs` (each
 * figure is the median of the runs, default 3), beside the benchmark's own `--name value` options. Every option is
 * optional with a default; values come back as given, `--seconds` and `--runs` as numbers.
 */
import { parseArgs } from 'node:util';

export function microBenchArgs<K extends string>(
  defaultSeconds: number,
  own: Record<K, string>,
): { seconds: number; runs: number } & Record<K, string> {
  const defaults: Record<string, string> = { seconds: String(defaultSeconds), runs: '3', ...own };
  const options: Record<string, { type: 'string'; default: string }> = {};
  for (const [name, value] of Object.entries(defaults)) options[name] = { type: 'string', default: value };
  const values = parseArgs({ options }).values as Record<string, string>;
  return { ...(values as Record<K, string>), seconds: Number(values.seconds), runs: Number(values.runs) };
}
