/**
 * `mq-admin verifiable-producer`: Kafka's kafka-verifiable-producer (`VerifiableProducer`), the tool system tests
 * drive a cluster with. It sends increasing integers (`0`, `1`, ... or `<prefix>.0`, ...) to `--topic`, at most
 * `--max-messages` of them (-1: until stopped), about `--throughput` per second (-1: as fast as it can), and prints
 * one JSON object per line on stdout for every event, so that a checker can tell which values were acknowledged and
 * where:
 *
 *   {"timestamp":T,"name":"startup_complete"}
 *   {"timestamp":T,"name":"producer_send_success","key":K,"value":V,"topic":T,"partition":P,"offset":O}
 *   {"timestamp":T,"name":"producer_send_error","key":K,"value":V,"topic":T,"exception":E,"message":M}
 *   {"timestamp":T,"name":"shutdown_complete"}
 *   {"timestamp":T,"name":"tool_data","sent":N,"acked":N,"target_throughput":N,"avg_throughput":X}
 *
 * As Kafka's tool, it sets `acks` from `--acks` (default -1) and `retries=0`, then applies `--producer.config`,
 * whose keys win: with `retries=0` idempotence turns itself off unless the file enables it (and then must set
 * `retries` too). It stops after the last send or on SIGINT/SIGTERM, waits for every send to be answered
 * (`shutdown_complete`) and prints its summary. `exception` is `class <Kafka error name>` for a wire error (e.g.
 * `class NOT_ENOUGH_REPLICAS`), else `class <error class>`.
 *
 * The event lines and the arithmetic (values, keys, pacing) are pure functions below, covered by unit specs; the
 * action only sends and prints.
 */
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { Producer } from '../../client/producer/producer.js';
import { intArg, signedIntArg } from '../args.js';
import { clientProperties, withToolLogger, withConnectionOptions, type ConnectionFlags } from './connection.js';

interface VerifiableProducerFlags extends ConnectionFlags {
  topic: string;
  maxMessages: number;
  throughput: number;
  acks: number;
  'producer.config'?: string;
  messageCreateTime: number;
  valuePrefix?: number;
  repeatingKeys?: number;
}

/** The value of message `i`: `i`, or `prefix.i` with --value-prefix. */
export function valueFor(i: number, valuePrefix: number | undefined): string {
  return valuePrefix === undefined ? String(i) : `${valuePrefix}.${i}`;
}

/** The key of message `i`: null, or with --repeating-keys n the counter 0..n-1, round and round. */
export function keyFor(i: number, repeatingKeys: number | undefined): string | null {
  return repeatingKeys === undefined ? null : String(i % repeatingKeys);
}

/**
 * How long to pause after `sent` messages in `elapsedMs` to stay at `throughput` per second (Kafka's
 * ThroughputThrottler): 0 when unthrottled (throughput < 0) or behind schedule.
 */
export function throttleDelayMs(sent: number, elapsedMs: number, throughput: number): number {
  if (throughput < 0) return 0;
  if (throughput === 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, (sent * 1000) / throughput - elapsedMs);
}

/** The producer's configs: acks and retries=0 as Kafka's tool sets them, then the --producer.config file's. */
export function verifiableProducerConfig(
  acks: number,
  fileProps: Readonly<Record<string, string>>,
): Record<string, string> {
  return { acks: String(acks), retries: '0', ...fileProps };
}

/** One event line, keys in Kafka's order: timestamp, name, then the event's fields. */
export function eventLine(timestampMs: number, name: string, fields: Readonly<Record<string, unknown>> = {}): string {
  return JSON.stringify({ timestamp: timestampMs, name, ...fields });
}

/** The `exception` field of producer_send_error (see the header). */
export function exceptionName(e: unknown): string {
  const name = (e as { errorName?: unknown }).errorName;
  if (typeof name === 'string') return `class ${name}`;
  return `class ${e instanceof Error ? e.constructor.name : typeof e}`;
}

/** The tool_data summary: average acknowledged messages per second over the run. */
export function toolData(
  sent: number,
  acked: number,
  targetThroughput: number,
  elapsedMs: number,
): Record<string, number> {
  return {
    sent,
    acked,
    target_throughput: targetThroughput,
    avg_throughput: elapsedMs > 0 ? (1000 * acked) / elapsedMs : 0,
  };
}

/** Shorter pauses are not worth a timer (Kafka's throttler sleeps 2 ms at least). */
const MIN_SLEEP_MS = 2;
/** Sends left unanswered before the loop waits for answers. */
const MAX_UNANSWERED = 10_000;

export function verifiableProducerCommand(): Command {
  return withConnectionOptions(new Command('verifiable-producer'), '--producer.config')
    .description(
      'Produce increasing integers to a topic and print a JSON line for each send and acknowledgement, making ' +
        'visible which messages were acknowledged (kafka-verifiable-producer).',
    )
    .requiredOption('--topic <topic>', 'REQUIRED: produce messages to this topic')
    .option(
      '--max-messages <n>',
      'produce this many messages; -1 produces until the process is stopped',
      signedIntArg('--max-messages'),
      -1,
    )
    .option(
      '--throughput <n>',
      'if >= 0, throttle to about this many messages per second',
      signedIntArg('--throughput'),
      -1,
    )
    .option(
      '--acks <acks>',
      'acks required on each produced message: -1 (all), 0 or 1',
      (v: string) => {
        if (!['-1', '0', '1'].includes(v)) throw new CommanderArgError('--acks must be -1, 0 or 1.');
        return Number(v);
      },
      -1,
    )
    .option(
      '--message-create-time <ms>',
      'send messages with creation times starting at this value, in ms since the epoch (-1: now)',
      signedIntArg('--message-create-time'),
      -1,
    )
    .option('--value-prefix <n>', 'prefix each value with this number and a dot', intArg('--value-prefix', 0))
    .option(
      '--repeating-keys <n>',
      'give each message a key counting from 0 to n - 1, then starting again at 0',
      intArg('--repeating-keys', 1),
    )
    .addHelpText(
      'after',
      `
Example (idempotent, as Kafka's system tests run it):
  printf 'enable.idempotence=true\\nretries=2147483647\\n' > idem.properties
  mq-admin verifiable-producer --bootstrap-server localhost:9092 --topic orders --max-messages 10000 \\
    --throughput 1000 --producer.config idem.properties`,
    )
    .action(async (flags: VerifiableProducerFlags) => {
      const fileProps = clientProperties(flags, flags['producer.config']);
      const producer = new Producer(withToolLogger(verifiableProducerConfig(flags.acks, fileProps)));
      const print = (name: string, fields?: Record<string, unknown>) =>
        process.stdout.write(eventLine(Date.now(), name, fields) + '\n');
      let stopping = false;
      const stop = () => {
        stopping = true;
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const startMs = Date.now();
      let sent = 0;
      let acked = 0;
      let answered = 0;
      // Sends are not awaited one by one; the loop waits when too many are unanswered (back-pressure).
      let wake: { below: number; resolve: () => void } | null = null;
      const answeredOne = () => {
        answered++;
        if (wake !== null && sent - answered <= wake.below) {
          wake.resolve();
          wake = null;
        }
      };
      const unansweredAtMost = (below: number) =>
        sent - answered <= below ? Promise.resolve() : new Promise<void>((resolve) => (wake = { below, resolve }));
      try {
        await producer.connect();
        print('startup_complete');
        const max = flags.maxMessages < 0 ? Number.POSITIVE_INFINITY : flags.maxMessages;
        for (let i = 0; i < max && !stopping; i++) {
          const key = keyFor(i, flags.repeatingKeys);
          const value = valueFor(i, flags.valuePrefix);
          const timestamp = flags.messageCreateTime < 0 ? undefined : flags.messageCreateTime + Date.now() - startMs;
          sent++;
          producer.send({ topic: flags.topic, key, value, timestamp }).then(
            (m) => {
              acked++;
              print('producer_send_success', { key, value, topic: m.topic, partition: m.partition, offset: m.offset });
              answeredOne();
            },
            (e: unknown) => {
              print('producer_send_error', {
                key,
                value,
                topic: flags.topic,
                exception: exceptionName(e),
                message: e instanceof Error ? e.message : String(e),
              });
              answeredOne();
            },
          );
          const delayMs = throttleDelayMs(sent, Date.now() - startMs, flags.throughput);
          if (delayMs >= MIN_SLEEP_MS) await sleepUnlessStopped(Math.min(delayMs, 1000), () => stopping);
          else if (sent - answered > MAX_UNANSWERED) await unansweredAtMost(MAX_UNANSWERED / 2);
        }
        await unansweredAtMost(0);
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
        await producer.close();
        print('shutdown_complete');
        print('tool_data', toolData(sent, acked, flags.throughput, Date.now() - startMs));
      }
    });
}

/** Waits `ms`, waking early (every 50 ms) once `stopped()` says so. */
async function sleepUnlessStopped(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(50, until - Date.now())));
  }
}
