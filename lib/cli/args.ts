/**
 * Argument parsers and the run loop shared by the command-line tools (mq-admin, mq-bench, mq-cluster).
 *
 * Parsers throw commander's InvalidArgumentError, which commander prints as `error: option '--x <n>' argument 'v'
 * is invalid. <reason>` with exit code 1. `runProgram` turns a commander program into an exit code: 0 for
 * --help/--version, commander's code for usage errors, 1 with `<tool>: <message>` on stderr for anything thrown.
 * Only the bin/ scripts call process.exit; these functions return codes so specs can run the tools in-process.
 */
import { UsageError } from './cli-errors.js';
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { parse as parseProperties } from 'dot-properties';

/** An integer option >= `min`. */
export function intArg(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isSafeInteger(n) || n < min)
      throw new CommanderArgError(`${name} must be an integer >= ${min}.`);
    return n;
  };
}

/** An integer option that may be negative. */
export function signedIntArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isSafeInteger(n)) throw new CommanderArgError(`${name} must be an integer.`);
    return n;
  };
}

/** A comma-separated list of non-negative integers (`--partitions 0,1,2`, `--broker-list 1,2,3`). */
export function intListArg(name: string, what: string) {
  return (v: string): number[] => {
    const items = v.split(',').map((s) => s.trim());
    if (items.some((i) => !/^\d+$/.test(i)))
      throw new CommanderArgError(`${name} must be ${what} separated by commas, e.g. 0,1,2.`);
    return items.map(Number);
  };
}

/** Collects repeated `key=value` arguments into one object (Kafka's `--producer-property k=v` shape). */
export function propArg(v: string, prev: Record<string, string>): Record<string, string> {
  const i = v.indexOf('=');
  if (i <= 0) throw new CommanderArgError(`expected key=value, got '${v}'.`);
  return { ...prev, [v.slice(0, i)]: v.slice(i + 1) };
}

/** Collects a repeatable option into a list. */
export function listArg(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

/**
 * Reads a Java properties file (`--command-config`, `--producer.config`), as Kafka's tools do: `key=value` or
 * `key: value` lines, `#` and `!` comments, backslash continuations.
 */
export function readPropertiesFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the properties file ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseProperties(text) as Record<string, string>;
}

/**
 * Runs a commander program that was built with `.exitOverride()` and returns its exit code; `code()` gives the
 * code the actions chose (0 unless one set it).
 */
export async function runProgram(
  tool: string,
  program: Command,
  argv: string[],
  code: () => number = () => 0,
): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version')
      return 0;
    if (typeof err.exitCode === 'number' && err.code?.startsWith('commander.')) return err.exitCode || 1;
    process.stderr.write(`${tool}: ${errorText(e)}\n`);
    return 1;
  }
  return code();
}

/** One line naming an error for a tool's stderr: a wire error with its Kafka name, anything else by message. */
export function errorText(e: unknown): string {
  const name = (e as { errorName?: unknown }).errorName;
  const message = e instanceof Error ? e.message : String(e);
  return typeof name === 'string' && !message.includes(name) ? `${message} (${name})` : message;
}
