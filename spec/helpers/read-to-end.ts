/**
 * Reads partitions from their start to the end a consumer with `isolation` can reach (the high watermark, or for
 * read_committed the last stable offset) and returns the values per partition. The end is looked up first; reading
 * stops once every position reached it — positions also move past transaction markers and aborted batches, which
 * hand out no record.
 */
import { Consumer, type Admin, type ConsumerRecord, type TopicPartitionRef } from '../../lib/client/index.js';
import { waitFor } from './wait-for.js';

export async function readToEnd(
  bootstrapServers: string,
  admin: Admin,
  partitions: readonly TopicPartitionRef[],
  isolation: 'read_committed' | 'read_uncommitted',
): Promise<string[][]> {
  const ends = await admin.listOffsets(
    partitions.map((tp) => ({ ...tp, spec: 'latest' as const })),
    { isolationLevel: isolation },
  );
  const consumer = new Consumer({
    'bootstrap.servers': bootstrapServers,
    'auto.offset.reset': 'earliest',
    'isolation.level': isolation,
  });
  await consumer.connect();
  consumer.assign(partitions);
  const values: string[][] = partitions.map(() => []);
  const index = new Map(partitions.map((tp, i) => [`${tp.topic}\0${tp.partition}`, i]));
  const reading = (async () => {
    for await (const r of consumer as AsyncIterable<ConsumerRecord>)
      values[index.get(`${r.topic}\0${r.partition}`)!]!.push(r.value!.toString());
  })();
  try {
    await waitFor(
      async () => {
        for (const [i, end] of ends.entries()) if ((await consumer.position(partitions[i]!)) < end.offset) return false;
        return true;
      },
      `reading ${partitions.map((tp) => `${tp.topic}-${tp.partition}`).join(', ')} (${isolation}) to the end`,
      { timeoutMs: 60_000 },
    );
  } finally {
    await consumer.close();
    await reading;
  }
  return values;
}
