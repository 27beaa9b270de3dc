/**
 * `mq-admin transactions`: kafka-transactions (KIP-664), with its subcommands, flags and tables:
 *
 *   list                                         TransactionalId Coordinator ProducerId TransactionState
 *   describe --transactional-id ID               CoordinatorId TransactionalId ProducerId ProducerEpoch
 *                                                TransactionState TransactionTimeoutMs CurrentTransactionStartTimeMs
 *                                                TransactionDurationMs TopicPartitions
 *   describe-producers --topic T --partition P [--broker-id B]
 *                                                ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence
 *                                                LastTimestamp CurrentTransactionStartOffset
 *   find-hanging (--broker-id B | --topic T [--partition P]) [--max-transaction-timeout MIN]
 *                                                Topic Partition ProducerId ProducerEpoch CoordinatorEpoch StartOffset
 *                                                LastTimestamp Duration(min)
 *   abort --topic T --partition P (--start-offset O | --producer-id I --producer-epoch E --coordinator-epoch C)
 *
 * A hanging transaction is one a partition's leader holds open (it pins the last stable offset, so read_committed
 * consumers stall and compaction stops) for longer than the largest transaction timeout, which its coordinator does
 * not know as open in that partition: found with DescribeProducers, ListTransactions (by producer id) and
 * DescribeTransactions, and closed with `abort` (an ABORT marker, WriteTxnMarkers). Tables are Kafka's
 * ToolsUtils.prettyPrintTable: columns padded, each followed by a tab.
 * The row building and the hanging-transaction filter are pure functions (unit specs); actions do the network work.
 */
import { Command } from 'commander';
import type { Admin } from '../../client/admin/admin.js';
import type {
  AbortTransactionSpec,
  PartitionProducerState,
  ProducerState,
  TransactionDescription,
  TransactionListing,
} from '../../client/admin/transactions-admin.js';
import type { TopicPartitionRef } from '../../client/index.js';
import { intArg, signedIntArg } from '../args.js';
import { CommandError, UsageError } from '../cli-errors.js';
import { withAdmin, withConnectionOptions, type ConnectionFlags } from './connection.js';

/** Kafka's ToolsUtils.prettyPrintTable: every column padded to its widest cell and followed by a tab. */
export function prettyPrintTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => `${c.padEnd(widths[i]!)}\t`).join('');
  return [headers, ...rows].map((r) => `${line(r)}\n`).join('');
}

export const LIST_HEADERS = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'];

export function listRows(listings: readonly TransactionListing[]): string[][] {
  return listings.map((l) => [l.transactionalId, String(l.coordinatorId), String(l.producerId), l.state]);
}

export const DESCRIBE_HEADERS = [
  'CoordinatorId',
  'TransactionalId',
  'ProducerId',
  'ProducerEpoch',
  'TransactionState',
  'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs',
  'TransactionDurationMs',
  'TopicPartitions',
];

export function describeRow(d: TransactionDescription, nowMs: number): string[] {
  const start = d.transactionStartTimeMs;
  return [
    String(d.coordinatorId),
    d.transactionalId,
    String(d.producerId),
    String(d.producerEpoch),
    d.state,
    String(d.transactionTimeoutMs),
    start === null ? 'None' : String(start),
    start === null ? 'None' : String(nowMs - start),
    d.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`).join(','),
  ];
}

export const PRODUCERS_HEADERS = [
  'ProducerId',
  'ProducerEpoch',
  'LatestCoordinatorEpoch',
  'LastSequence',
  'LastTimestamp',
  'CurrentTransactionStartOffset',
];

export function producerRows(producers: readonly ProducerState[]): string[][] {
  return producers.map((p) => [
    String(p.producerId),
    String(p.producerEpoch),
    String(p.coordinatorEpoch ?? -1),
    String(p.lastSequence),
    String(p.lastTimestamp),
    p.currentTransactionStartOffset === null ? 'None' : String(p.currentTransactionStartOffset),
  ]);
}

/** A transaction a partition replica holds open. */
export interface OpenTransaction extends TopicPartitionRef {
  producer: ProducerState;
}

/** Open transactions whose producer last wrote more than `maxTransactionTimeoutMs` ago (Kafka's candidates). */
export function candidateOpenTransactions(
  states: readonly PartitionProducerState[],
  nowMs: number,
  maxTransactionTimeoutMs: number,
): OpenTransaction[] {
  return states.flatMap((s) =>
    s.activeProducers
      .filter((p) => p.currentTransactionStartOffset !== null && nowMs - p.lastTimestamp > maxTransactionTimeoutMs)
      .map((producer) => ({ topic: s.topic, partition: s.partition, producer })),
  );
}

/**
 * Of the candidates, the hanging ones (Kafka's filterHangingTransactions): no transactional id lists the producer, the
 * id is unknown to its coordinator, or the coordinator's transaction does not include the partition.
 */
export function hangingTransactions(
  candidates: readonly OpenTransaction[],
  transactionalIds: ReadonlyMap<number, string>,
  descriptions: ReadonlyMap<string, TransactionDescription | null>,
): OpenTransaction[] {
  return candidates.filter((c) => {
    const id = transactionalIds.get(c.producer.producerId);
    const d = id === undefined ? undefined : descriptions.get(id);
    if (d === undefined || d === null) return true;
    return !d.topicPartitions.some((tp) => tp.topic === c.topic && tp.partition === c.partition);
  });
}

export const HANGING_HEADERS = [
  'Topic',
  'Partition',
  'ProducerId',
  'ProducerEpoch',
  'CoordinatorEpoch',
  'StartOffset',
  'LastTimestamp',
  'Duration(min)',
];

export function hangingRows(hanging: readonly OpenTransaction[], nowMs: number): string[][] {
  return hanging.map((h) => [
    h.topic,
    String(h.partition),
    String(h.producer.producerId),
    String(h.producer.producerEpoch),
    String(h.producer.coordinatorEpoch ?? -1),
    String(h.producer.currentTransactionStartOffset ?? -1),
    String(h.producer.lastTimestamp),
    String(Math.floor((nowMs - h.producer.lastTimestamp) / 60_000)),
  ]);
}

interface AbortFlags {
  topic: string;
  partition: number;
  startOffset?: number;
  producerId?: number;
  producerEpoch?: number;
  coordinatorEpoch?: number;
}

/**
 * What `abort` writes: from --producer-id/--producer-epoch/--coordinator-epoch (a coordinator epoch below 0 becomes 0,
 * which any leader epoch reaches, as Kafka's tool does), or from the producer whose open transaction starts at
 * --start-offset in `state`.
 */
export function abortSpec(flags: AbortFlags, state: PartitionProducerState | undefined): AbortTransactionSpec {
  const tp = { topic: flags.topic, partition: flags.partition };
  if (flags.startOffset === undefined) {
    if (flags.producerId === undefined) {
      throw new UsageError(
        'The transaction to abort must be identified either with --start-offset or with --producer-id, ' +
          '--producer-epoch and --coordinator-epoch.',
      );
    }
    if (flags.producerEpoch === undefined) throw new UsageError('Missing required argument --producer-epoch.');
    if (flags.coordinatorEpoch === undefined) throw new UsageError('Missing required argument --coordinator-epoch.');
    return {
      ...tp,
      producerId: flags.producerId,
      producerEpoch: flags.producerEpoch,
      coordinatorEpoch: Math.max(0, flags.coordinatorEpoch),
    };
  }
  const producer = state?.activeProducers.find((p) => p.currentTransactionStartOffset === flags.startOffset);
  if (producer === undefined) {
    throw new CommandError(
      `Could not find any open transactions starting at offset ${flags.startOffset} on partition ` +
        `${flags.topic}-${flags.partition}.`,
    );
  }
  return {
    ...tp,
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    coordinatorEpoch: producer.coordinatorEpoch ?? 0,
  };
}

export function transactionsCommand(): Command {
  const command = withConnectionOptions(new Command('transactions')).description(
    'Analyze the transactional state of producers in the cluster, and abort hanging transactions ' +
      '(kafka-transactions).',
  );
  const globals = (c: Command) => c.optsWithGlobals<ConnectionFlags>();
  const write = (headers: readonly string[], rows: ReadonlyArray<readonly string[]>) =>
    process.stdout.write(prettyPrintTable(headers, rows));

  const sub = (name: string) => new Command(name).exitOverride();
  command.addCommand(
    sub('list')
      .description('list transactions')
      .action(async (_flags, cmd: Command) => {
        await withAdmin(globals(cmd), async (admin) => write(LIST_HEADERS, listRows(await admin.listTransactions())));
      }),
  );
  command.addCommand(
    sub('describe')
      .description('describe the state of an active transactional-id')
      .requiredOption('--transactional-id <id>', 'transactional id')
      .action(async (flags: { transactionalId: string }, cmd: Command) => {
        await withAdmin(globals(cmd), async (admin) => {
          const [d] = await failWith(
            `Failed to describe transaction state of transactional-id \`${flags.transactionalId}\``,
            () => admin.describeTransactions([flags.transactionalId]),
          );
          write(DESCRIBE_HEADERS, [describeRow(d!, Date.now())]);
        });
      }),
  );
  command.addCommand(
    sub('describe-producers')
      .description('describe the states of active producers for a topic partition')
      .option(
        '--broker-id <id>',
        'optional broker id to describe the producer state on a specific replica',
        intArg('--broker-id', 0),
      )
      .requiredOption('--topic <topic>', 'topic name')
      .requiredOption('--partition <n>', 'partition number', intArg('--partition', 0))
      .action(async (flags: { topic: string; partition: number; brokerId?: number }, cmd: Command) => {
        await withAdmin(globals(cmd), async (admin) => {
          const tp = { topic: flags.topic, partition: flags.partition };
          const [state] = await failWith(
            `Failed to describe producers for partition ${flags.topic}-${flags.partition} on ` +
              (flags.brokerId === undefined ? 'leader' : `broker ${flags.brokerId}`),
            () => admin.describeProducers([tp], { brokerId: flags.brokerId }),
          );
          write(PRODUCERS_HEADERS, producerRows(state!.activeProducers));
        });
      }),
  );
  command.addCommand(
    sub('find-hanging')
      .description('find hanging transactions')
      .option('--broker-id <id>', 'broker id to search for hanging transactions', intArg('--broker-id', 0))
      .option(
        '--max-transaction-timeout <minutes>',
        'maximum transaction timeout in minutes to limit the scope of the search',
        intArg('--max-transaction-timeout', 0),
        15,
      )
      .option('--topic <topic>', 'topic name to limit search to (required if --partition is specified)')
      .option('--partition <n>', 'partition number', intArg('--partition', 0))
      .action(
        async (
          flags: { brokerId?: number; maxTransactionTimeout: number; topic?: string; partition?: number },
          cmd: Command,
        ) => {
          if (flags.topic === undefined && flags.brokerId === undefined)
            throw new UsageError(
              'The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search.',
            );
          if (flags.partition !== undefined && flags.topic === undefined)
            throw new UsageError('The --partition argument requires --topic to be provided.');
          await withAdmin(globals(cmd), async (admin) => {
            const nowMs = Date.now();
            const states = await admin.describeProducers(await partitionsToSearch(admin, flags), {
              brokerId: flags.brokerId,
            });
            const candidates = candidateOpenTransactions(states, nowMs, flags.maxTransactionTimeout * 60_000);
            const producerIds = [...new Set(candidates.map((c) => c.producer.producerId))];
            const transactionalIds = new Map<number, string>();
            if (producerIds.length > 0) {
              for (const l of await admin.listTransactions({ producerIds }))
                transactionalIds.set(l.producerId, l.transactionalId);
            }
            const descriptions = new Map<string, TransactionDescription | null>();
            for (const id of new Set(transactionalIds.values())) {
              descriptions.set(id, (await admin.describeTransactions([id]).catch(() => [null]))[0] ?? null);
            }
            write(HANGING_HEADERS, hangingRows(hangingTransactions(candidates, transactionalIds, descriptions), nowMs));
          });
        },
      ),
  );
  command.addCommand(
    sub('abort')
      .description('abort a hanging transaction (requires administrative privileges)')
      .requiredOption('--topic <topic>', 'topic name')
      .requiredOption('--partition <n>', 'partition number', intArg('--partition', 0))
      .option('--start-offset <offset>', 'start offset of the transaction to abort', intArg('--start-offset', 0))
      .option('--producer-id <id>', 'producer id', intArg('--producer-id', 0))
      .option('--producer-epoch <epoch>', 'producer epoch', intArg('--producer-epoch', 0))
      .option('--coordinator-epoch <epoch>', 'coordinator epoch', signedIntArg('--coordinator-epoch'))
      .action(async (flags: AbortFlags, cmd: Command) => {
        await withAdmin(globals(cmd), async (admin) => {
          const tp = { topic: flags.topic, partition: flags.partition };
          const state =
            flags.startOffset === undefined
              ? undefined
              : (
                  await failWith(
                    `Failed to validate producer state for partition ${flags.topic}-${flags.partition}`,
                    () => admin.describeProducers([tp]),
                  )
                )[0];
          const spec = abortSpec(flags, state);
          await failWith(`Failed to abort transaction ${JSON.stringify(spec)}`, () => admin.abortTransaction(spec));
        });
      }),
  );
  return command;
}

/** The partitions find-hanging looks at: the one given, a topic's, or every partition with a replica on the broker. */
async function partitionsToSearch(
  admin: Admin,
  flags: { brokerId?: number; topic?: string; partition?: number },
): Promise<TopicPartitionRef[]> {
  if (flags.topic !== undefined && flags.partition !== undefined)
    return [{ topic: flags.topic, partition: flags.partition }];
  const topics = flags.topic !== undefined ? [flags.topic] : await admin.listTopics({ includeInternal: true });
  const described = await admin.describeTopics(topics);
  return described.flatMap((t) =>
    t.partitions
      .filter((p) => flags.brokerId === undefined || p.replicas.includes(flags.brokerId))
      .map((p) => ({ topic: t.name, partition: p.partition })),
  );
}

/** Runs `fn`; its failure becomes a CommandError prefixed with `what` (Kafka's printErrorAndExit). */
async function failWith<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new CommandError(`${what}: ${(e as Error).message}`, { cause: e });
  }
}
