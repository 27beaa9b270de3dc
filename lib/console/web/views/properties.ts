import { InvalidArgumentError } from '../../../common/errors.js';

/** `key=value` lines (blank lines and # comments skipped) as typed into the config and header fields. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`Line ${i + 1} ('${line}') is not key=value.`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

export function formatProperties(entries: Record<string, string>): string {
  return Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}
