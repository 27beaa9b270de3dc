/**
 * A transactional copier as a process of its own (the exactly-once consume-transform-produce loop of the README), so
 * that specs can SIGKILL it mid-transaction. spec/helpers/copier-process.ts starts and reads it; configuration: the
 * JSON of `CopierConfig` in argv[2].
 *
 * A member of `groupId` reading `input` with read_committed; per record batch (at most max.poll.records records) one
 * transaction: the records, transformed, to the same partition of `output`, then the offsets with
 * sendOffsetsToTransaction(…, consumer.groupMetadata()), then commit. On an abortable error: abort, and go back to
 * the group's committed offset; when fenced (ProducerFencedError): a new producer with the same transactional.id.
 * Done (exit 0) once the group's committed offsets reach `inputEnds` on every partition.
 * stdout, one line per event:
 *   S                                started (transactions initialized)
 *   T <partition> <first> <last>     a transaction holds these input offsets' copies, not committed yet
 *   C <partition> <first> <last>     that transaction committed
 *   A <partition> <message>          a transaction aborted
 *   D                                done
 */
import {
  Admin,
  Consumer,
  Producer,
  ProducerFencedError,
  type ConsumerGroupMetadata,
  type FetchedRecord,
} from '../../lib/client/index.js';
import { transformed, type CopierConfig } from './copier-config.js';

const config = JSON.parse(process.argv[2]!) as CopierConfig;
const out = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function newProducer(): Promise<Producer> {
  const p = new Producer({
    'bootstrap.servers': config.bootstrapServers,
    'transactional.id': config.transactionalId,
    'transaction.timeout.ms': config.transactionTimeoutMs,
    'linger.ms': 5,
  });
  await p.connect();
  await p.initTransactions();
  return p;
}

const admin = new Admin({ 'bootstrap.servers': config.bootstrapServers });
await admin.connect();
let producer = await newProducer();
out('S');
const consumer = new Consumer({
  'bootstrap.servers': config.bootstrapServers,
  'group.id': config.groupId,
  'isolation.level': 'read_committed',
  'enable.auto.commit': false,
  'auto.offset.reset': 'earliest',
  'session.timeout.ms': 6000,
  'heartbeat.interval.ms': 1000,
  'max.poll.records': config.recordsPerTransaction,
});
await consumer.connect();
consumer.subscribe([config.input]);

const doneCheck = setInterval(() => {
  void admin.listConsumerGroupOffsets(config.groupId).then(
    (offsets) => {
      const committed = new Map(offsets.map((o) => [o.partition, o.offset]));
      if (config.inputEnds.every((end, p) => (committed.get(p) ?? -1) >= end)) consumer.stop();
    },
    () => undefined,
  );
}, 300);

/** One transaction for `records` of `partition`; resolves true when it committed. */
async function copy(
  partition: number,
  records: readonly FetchedRecord[],
  group: ConsumerGroupMetadata,
): Promise<boolean> {
  const first = records[0]!.offset;
  const last = records[records.length - 1]!.offset;
  producer.beginTransaction();
  const sends = records.map((r) =>
    producer.send({ topic: config.output, partition, key: r.key, value: transformed(r.value!.toString()) }),
  );
  for (const s of sends) s.catch(() => undefined);
  await producer.flush();
  out(`T ${partition} ${first} ${last}`);
  await sleep(config.pauseBeforeCommitMs);
  await producer.sendOffsetsToTransaction([{ topic: config.input, partition, offset: last + 1 }], group);
  await producer.commitTransaction();
  out(`C ${partition} ${first} ${last}`);
  return true;
}

/** After a failed transaction: abort it (or replace a fenced producer), and go back to the committed offset. */
async function recover(partition: number, error: Error): Promise<void> {
  out(`A ${partition} ${error.name}: ${error.message.replace(/\n/g, ' ')}`);
  if (error instanceof ProducerFencedError) {
    await producer.close({ timeoutMs: 1000 }).catch(() => undefined);
    producer = await newProducer();
  } else {
    for (;;) {
      try {
        await producer.abortTransaction();
        break;
      } catch (e) {
        if (e instanceof ProducerFencedError) {
          await producer.close({ timeoutMs: 1000 }).catch(() => undefined);
          producer = await newProducer();
          break;
        }
        await sleep(200);
      }
    }
  }
  const [committed] = await consumer.committed([{ topic: config.input, partition }]);
  if (consumer.assignment().some((tp) => tp.partition === partition))
    consumer.seek({ topic: config.input, partition, offset: committed?.offset ?? 0 });
}

try {
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const records = [...batch];
      if (records.length === 0) return;
      const group = consumer.groupMetadata();
      try {
        await copy(batch.partition, records, group);
      } catch (e) {
        await recover(batch.partition, e as Error);
      }
    },
  });
  clearInterval(doneCheck);
  await producer.close();
  await consumer.close();
  await admin.close();
  out('D');
} catch (err) {
  process.stderr.write(`copier failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
