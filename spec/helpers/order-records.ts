/**
 * The topic `mq-admin find` is tried on, by the spec (small) and the soak (a million records): record i has key
 * order-i, a value of about 100 bytes and timestamp base + i ms; half-way through, order-42 is written a second time,
 * so that the latest record of that key sits in the middle of its partition and order-7 only at its very start.
 */
import { Producer, type Admin, type ProducerRecord } from '../../lib/client/index.js';

export interface OrderRecords {
  /** Timestamp of record 0 (record i: baseMs + i). */
  baseMs: number;
  /** Where the second record keyed order-42 landed. */
  latest42: { partition: number; offset: number };
}

const CHUNK = 20_000;

/** Creates `topic` (RF 3) and writes `records` records to it, order-42 again after the first half. */
export async function writeOrderRecords(
  admin: Admin,
  bootstrapServers: string,
  topic: string,
  partitions: number,
  records: number,
): Promise<OrderRecords> {
  await admin.createTopics([{ name: topic, numPartitions: partitions, replicationFactor: 3 }]);
  const producer = new Producer({ 'bootstrap.servers': bootstrapServers, 'linger.ms': 5, 'batch.size': 262144 });
  await producer.connect();
  try {
    const baseMs = Date.now() - records;
    const padding = 'x'.repeat(80);
    let latest42: OrderRecords['latest42'] | undefined;
    for (let from = 0; from < records; from += CHUNK) {
      if (from === Math.floor(records / 2 / CHUNK) * CHUNK) {
        const again = await producer.send({
          topic,
          key: 'order-42',
          value: `latest-42-${padding}`,
          timestamp: baseMs + from,
        });
        latest42 = { partition: again.partition, offset: again.offset };
      }
      const chunk: ProducerRecord[] = [];
      for (let i = from; i < Math.min(records, from + CHUNK); i++) {
        chunk.push({ topic, key: `order-${i}`, value: `value-${i}-${padding}`, timestamp: baseMs + i });
      }
      await producer.sendBatch(chunk);
    }
    return { baseMs, latest42: latest42! };
  } finally {
    await producer.close();
  }
}
