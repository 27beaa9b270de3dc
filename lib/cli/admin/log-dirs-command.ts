/**
 * `mq-admin log-dirs`: kafka-log-dirs. `--describe` asks every broker (or `--broker-list`) for its log dirs and
 * prints Kafka's JSON: {"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":..,"error":null,"partitions":
 * [{"partition":"t-0","size":N,"offsetLag":N,"isFuture":false}]}]}]}, after the two progress lines Kafka's tool
 * writes. A replica moving into a dir (reassign-partitions with "log_dirs") is listed there with isFuture true and,
 * as offsetLag, how far it trails the replica it will replace. `--topic-list` limits the partitions to those topics. `--json` prints only that JSON document (no
 * progress lines).
 */
import { Command } from 'commander';
import type { BrokerLogDirs } from '../../client/admin/admin.js';
import { intListArg } from '../args.js';
import { withAdmin, withConnectionOptions, type ConnectionFlags } from './connection.js';
import { UsageError } from '../cli-errors.js';
import { withJsonOption, type JsonFlag } from './json-output.js';

interface LogDirsFlags extends ConnectionFlags, JsonFlag {
  describe?: boolean;
  brokerList?: number[];
  topicList?: string[];
}

/** Kafka's JSON for the answers, the topics limited to `topics` when given. */
export function logDirsJson(brokers: readonly BrokerLogDirs[], topics: ReadonlySet<string> | null): string {
  return JSON.stringify({
    version: 1,
    brokers: brokers.map((b) => ({
      broker: b.nodeId,
      logDirs: b.logDirs.map((d) => ({
        logDir: d.logDir,
        error: d.error === null ? null : d.error.errorName,
        partitions: d.partitions
          .filter((p) => topics === null || topics.has(p.topic))
          .sort((x, y) => (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : x.partition - y.partition))
          .map((p) => ({
            partition: `${p.topic}-${p.partition}`,
            size: p.size,
            offsetLag: p.offsetLag,
            isFuture: p.isFuture,
          })),
      })),
    })),
  });
}

export function logDirsCommand(): Command {
  return withJsonOption(withConnectionOptions(new Command('log-dirs')))
    .description(
      'Print the log directories of brokers with the size and lag of every replica in them (kafka-log-dirs).',
    )
    .option('--describe', 'describe the log directories (the only action)')
    .option(
      '--broker-list <ids>',
      'the brokers to ask, comma-separated (default: all)',
      intListArg('--broker-list', 'broker ids'),
    )
    .option('--topic-list <topics>', 'only partitions of these topics, comma-separated (default: all)', (v: string) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .action(async (flags: LogDirsFlags) => {
      if (flags.describe !== true) throw new UsageError('log-dirs needs --describe.');
      await withAdmin(flags, async (admin) => {
        const progress = (line: string) => {
          if (flags.json !== true) process.stdout.write(line);
        };
        progress('Querying brokers for log directories information\n');
        const brokers = await admin.describeLogDirs(flags.brokerList);
        progress(`Received log directory information from brokers ${brokers.map((b) => b.nodeId).join(',')}\n`);
        process.stdout.write(
          `${logDirsJson(brokers, flags.topicList === undefined ? null : new Set(flags.topicList))}\n`,
        );
      });
    });
}
