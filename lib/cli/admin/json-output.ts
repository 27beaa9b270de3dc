/**
 * `--json` on the read-only mq-admin commands: instead of the text Kafka's tools print, one JSON document on stdout
 * (JSON Lines for dump-log, whose output can be larger than memory), for scripts and `jq`. The shape of each
 * command's document is documented in docs/ARCHITECTURE.md ("mq-admin --json") and kept stable: fields are added,
 * never renamed or removed. Warnings and errors still go to stderr; exit codes are the same as without --json.
 */
import type { Command } from 'commander';
import { UsageError } from '../cli-errors.js';

export interface JsonFlag {
  json?: boolean;
}

/** Adds `--json` to a command. */
export function withJsonOption(command: Command): Command {
  return command.option('--json', 'print the result as JSON for scripts (shapes: docs/ARCHITECTURE.md)');
}

/** Refuses --json with an action that changes something (its output is a confirmation, not data). */
export function jsonOnlyFor(flags: JsonFlag, action: string, readOnly: readonly string[]): void {
  if (flags.json === true && !readOnly.includes(action)) {
    throw new UsageError(`--json applies to ${readOnly.map((a) => `--${a}`).join(' and ')} only.`);
  }
}

/** Writes one JSON document and a newline. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
