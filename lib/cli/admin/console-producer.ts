/**
 * `mq-admin produce`: kafka-console-producer. Reads standard input line by line and sends each line as one record
 * to `--topic`, until end of input (or Ctrl-C), then flushes and exits: 0 when every record was acknowledged, 1
 * otherwise (each failure is reported on stderr as it happens).
 *
 * Line parsing follows Kafka's LineMessageReader properties (`--property k=v`): `parse.key` with `key.separator`
 * (TAB), `parse.headers` with `headers.delimiter` (TAB), `headers.separator` (`,`) and `headers.key.separator`
 * (`:`), giving `h1:v1,h2:v2<TAB>key<TAB>value`; `null.marker` makes a field equal to it null; `ignore.error`
 * sends a line without a key separator as a value with a null key instead of failing.
 *
 * Records are handed to the producer in runs of the lines read so far (sendBatch: no promise per record);
 * `--sync` waits for each record's acknowledgement before reading the next line.
 */
import { UsageError } from '../cli-errors.js';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { Producer } from '../../client/producer/producer.js';
import type { ProducerRecord } from '../../client/producer/producer-record.js';
import type { RecordHeader } from '../../record/record-batch-builder.js';
import { errorText, propArg } from '../args.js';
import {
  clientProperties,
  withToolLogger,
  withConnectionOptions,
  type ConnectionFlags,
  type ExitStatus,
} from './connection.js';

interface ProduceFlags extends ConnectionFlags {
  topic: string;
  producerProperty: Record<string, string>;
  'producer.config'?: string;
  property: Record<string, string>;
  requestRequiredAcks?: string;
  compressionCodec?: string;
  sync?: boolean;
}

/** The line reader's settings, from `--property`, with Kafka's defaults. */
export interface LineFormat {
  parseKey: boolean;
  keySeparator: string;
  parseHeaders: boolean;
  headersDelimiter: string;
  headersSeparator: string;
  headersKeySeparator: string;
  nullMarker: string | null;
  ignoreError: boolean;
}

const LINE_PROPERTIES = new Set([
  'parse.key',
  'key.separator',
  'parse.headers',
  'headers.delimiter',
  'headers.separator',
  'headers.key.separator',
  'null.marker',
  'ignore.error',
]);

export function lineFormatOf(props: Readonly<Record<string, string>>): LineFormat {
  const unknown = Object.keys(props).filter((k) => !LINE_PROPERTIES.has(k));
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown --property ${unknown.join(', ')}; the line reader takes ${[...LINE_PROPERTIES].join(', ')}.`,
    );
  }
  return {
    parseKey: props['parse.key']?.toLowerCase() === 'true',
    keySeparator: props['key.separator'] ?? '\t',
    parseHeaders: props['parse.headers']?.toLowerCase() === 'true',
    headersDelimiter: props['headers.delimiter'] ?? '\t',
    headersSeparator: props['headers.separator'] ?? ',',
    headersKeySeparator: props['headers.key.separator'] ?? ':',
    nullMarker: props['null.marker'] ?? null,
    ignoreError: props['ignore.error']?.toLowerCase() === 'true',
  };
}

/** One input line as a record; throws with the line number when the line lacks a separator it must have. */
export function parseLine(line: string, lineNumber: number, f: LineFormat, topic: string): ProducerRecord {
  const nullable = (s: string) => (f.nullMarker !== null && s === f.nullMarker ? null : s);
  let rest = line;
  let headers: RecordHeader[] | undefined;
  if (f.parseHeaders) {
    const at = rest.indexOf(f.headersDelimiter);
    if (at < 0) {
      if (!f.ignoreError) throw new UsageError(`No headers delimiter found on line number ${lineNumber}: '${line}'`);
    } else {
      const text = rest.slice(0, at);
      rest = rest.slice(at + f.headersDelimiter.length);
      headers =
        text === ''
          ? []
          : text.split(f.headersSeparator).map((h) => {
              const k = h.indexOf(f.headersKeySeparator);
              return k < 0
                ? { key: h, value: null }
                : { key: h.slice(0, k), value: nullable(h.slice(k + f.headersKeySeparator.length)) };
            });
    }
  }
  let key: string | null = null;
  if (f.parseKey) {
    const at = rest.indexOf(f.keySeparator);
    if (at < 0) {
      if (!f.ignoreError) throw new UsageError(`No key separator found on line number ${lineNumber}: '${line}'`);
    } else {
      key = nullable(rest.slice(0, at));
      rest = rest.slice(at + f.keySeparator.length);
    }
  }
  return { topic, key, value: nullable(rest), ...(headers === undefined ? {} : { headers }) };
}

export function produceCommand(status: ExitStatus): Command {
  return withConnectionOptions(new Command('produce'), '--producer.config')
    .description('Read lines from standard input and send each as a record (kafka-console-producer).')
    .requiredOption('--topic <topic>', 'REQUIRED: the topic to produce to')
    .option('--producer-property <name=value>', "a producer config under Kafka's name (repeatable)", propArg, {})
    .option(
      '--property <name=value>',
      'a line reader setting: parse.key, key.separator, parse.headers, headers.delimiter, ' +
        'headers.separator, headers.key.separator, null.marker, ignore.error (repeatable)',
      propArg,
      {},
    )
    .option('--request-required-acks <acks>', 'acks: 0, 1 or all (-1)')
    .option('--compression-codec <codec>', 'none, gzip, snappy, lz4 or zstd')
    .option('--sync', 'send each record and wait for its acknowledgement before reading the next line')
    .addHelpText(
      'after',
      `
Example:
  printf 'k1\\tv1\\nk2\\tv2\\n' | mq-admin produce --bootstrap-server localhost:9092 --topic orders --property parse.key=true`,
    )
    .action(async (flags: ProduceFlags) => {
      const format = lineFormatOf(flags.property);
      // Kafka's console producer names itself so in broker logs and quotas.
      const props: Record<string, string> = { 'client.id': 'console-producer', ...flags.producerProperty };
      if (flags.requestRequiredAcks !== undefined) props.acks = flags.requestRequiredAcks;
      if (flags.compressionCodec !== undefined) props['compression.type'] = flags.compressionCodec;
      const producer = new Producer(withToolLogger(clientProperties(flags, flags['producer.config'], props)));
      await producer.connect();
      let failures = 0;
      const report = (e: unknown) => {
        failures++;
        process.stderr.write(`Error when sending records to topic ${flags.topic}: ${errorText(e)}\n`);
      };
      const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
      const interrupted = () => input.close();
      process.once('SIGINT', interrupted);
      const inFlight = new Set<Promise<unknown>>();
      let pending: ProducerRecord[] = [];
      let scheduled = false;
      const dispatch = () => {
        scheduled = false;
        if (pending.length === 0) return;
        const sent = producer.sendBatch(pending).catch(report);
        pending = [];
        inFlight.add(sent);
        void sent.finally(() => inFlight.delete(sent));
      };
      try {
        let lineNumber = 0;
        for await (const line of input) {
          lineNumber++;
          let record: ProducerRecord;
          try {
            record = parseLine(line, lineNumber, format, flags.topic);
          } catch (e) {
            report(e);
            break;
          }
          if (flags.sync === true) {
            await producer.send(record).catch(report);
            continue;
          }
          pending.push(record);
          if (pending.length >= 1000) dispatch();
          else if (!scheduled) {
            scheduled = true;
            setImmediate(dispatch);
          }
        }
        dispatch();
        await Promise.all(inFlight);
      } finally {
        process.removeListener('SIGINT', interrupted);
        await producer.close();
      }
      if (failures > 0) status.code = 1;
    });
}
