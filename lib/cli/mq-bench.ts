/**
 * `mq-bench`: benchmark harness. One commander program; each benchmark is a subcommand.
 *
 *   mq-bench log [--dir D] [--total-bytes N] [--repeat 3] [--inflight 32] [--partitions 0] [--json]
 *
 * Progress lines go to stdout while a benchmark runs, then a summary; with `--json` the last line is one JSON
 * object with the figures. Returns the exit code; only bin/mq-bench exits.
 */
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { runLogBench } from '../bench/log-bench.js';

function intArg(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new CommanderArgError(`${name} must be an integer >= ${min}.`);
    return n;
  };
}

/** Bytes with an optional k/m/g suffix (powers of 1024), e.g. 512m. */
function bytesArg(v: string): number {
  const m = /^(\d+)([kmg]?)i?b?$/i.exec(v.trim());
  if (!m) throw new CommanderArgError(`expected a byte count such as 1073741824, 512m or 1g; got '${v}'.`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Number(m[1]) * unit;
  if (n < 1024 * 1024) throw new CommanderArgError('--total-bytes must be at least 1m.');
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('mq-bench')
    .description('Benchmarks of mq: the storage engine now; produce, consume and end-to-end against a cluster later.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program.command('log')
    .description('Storage engine alone: append, read back, durable (group commit) appends, and the write path, each beside its reference.')
    .option('--dir <path>', 'directory for the temporary log files (default: the OS temp dir)')
    .option('--total-bytes <bytes>', 'bytes written per phase and run (k/m/g suffixes)', bytesArg, 1024 ** 3)
    .option('--repeat <n>', 'runs of every phase; the summary reports median and range', intArg('--repeat', 1), 3)
    .option('--inflight <n>', 'durable appends in flight, each awaiting its flush', intArg('--inflight', 1), 32)
    .option('--partitions <n>', 'also time a log manager starting with this many logs, clean and after a crash', intArg('--partitions', 0), 0)
    .option('--json', 'print the figures as one JSON object on the last line')
    .action(async (o: { dir?: string; totalBytes: number; repeat: number; inflight: number; partitions: number; json?: boolean }) => {
      const result = await runLogBench({ dir: o.dir, totalBytes: o.totalBytes, repeat: o.repeat, inflight: o.inflight,
        partitions: o.partitions });
      if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return 0;
    if (typeof err.exitCode === 'number' && err.code?.startsWith('commander.')) return err.exitCode || 1;
    process.stderr.write(`mq-bench: ${err.message ?? String(e)}\n`);
    return 1;
  }
  return 0;
}
