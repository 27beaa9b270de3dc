/**
 * Checking delayed delivery from outside, for the delayed-delivery spec part and soak: send records with delivery times
 * (value = the record's id), watch a target topic for when each arrives, and check that none was lost or arrived
 * early, where each landed, which arrived late, and that records of one key and due time kept their send order.
 */
import { expect } from 'chai';
import { Consumer, partitionForKey, type Producer, type RecordMetadata } from '../../lib/client/index.js';

export interface Sent {
  id: number;
  key: string;
  dueMs: number;
}

export interface Arrival {
  id: number;
  partition: number;
  offset: number;
  atMs: number;
  timestamp: number;
  headers: string[];
}

/** Reads every partition of `topic` from the beginning, noting when each record arrives (id → its arrivals). */
export function watchArrivals(
  bootstrap: string,
  topic: string,
  partitions: number,
): { arrivals: Map<number, Arrival[]>; stop: () => Promise<void> } {
  const consumer = new Consumer({
    'bootstrap.servers': bootstrap,
    'auto.offset.reset': 'earliest',
    'fetch.max.wait.ms': 100,
    'metadata.max.age.ms': 1000,
    'request.timeout.ms': 5000,
  });
  const arrivals = new Map<number, Arrival[]>();
  const done = (async () => {
    await consumer.connect();
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        const id = Number(message.value!.toString());
        const list = arrivals.get(id) ?? [];
        list.push({
          id,
          partition,
          offset: message.offset,
          atMs: Date.now(),
          timestamp: message.timestamp,
          headers: message.headers.map((h) => h.key),
        });
        arrivals.set(id, list);
      },
    });
  })();
  return {
    arrivals,
    stop: async () => {
      consumer.stop();
      await done.catch(() => undefined);
      await consumer.close();
    },
  };
}

/**
 * Sends `count` records (ids from `firstId`) in groups of `sameDue` with one key and one due time, due between
 * `minDelayMs` and `maxDelayMs` from now, each with the header h=v; resolves once all are stored.
 */
export async function sendDelayed(
  producer: Producer,
  topic: string,
  opts: { count: number; minDelayMs: number; maxDelayMs: number; sameDue?: number; firstId?: number },
): Promise<{ sent: Sent[]; stored: RecordMetadata[] }> {
  const sameDue = opts.sameDue ?? 4;
  const sent: Sent[] = [];
  const pending: Promise<RecordMetadata>[] = [];
  const base = Date.now();
  for (let i = 0; i < opts.count; i += sameDue) {
    const key = `key-${(i / sameDue) % 20}`;
    const dueMs = base + opts.minDelayMs + Math.floor(Math.random() * (opts.maxDelayMs - opts.minDelayMs));
    for (let j = i; j < Math.min(opts.count, i + sameDue); j++) {
      const id = (opts.firstId ?? 0) + j;
      sent.push({ id, key, dueMs });
      pending.push(
        producer.send({ topic, key, value: String(id), deliverAt: dueMs, headers: [{ key: 'h', value: 'v' }] }),
      );
    }
  }
  return { sent, stored: await Promise.all(pending) };
}

/**
 * Every sent record arrived, none before its due time, in its key's partition, with the due time as timestamp and only
 * its own header; returns how many records were due at or after `punctualAfterMs` and how many of those arrived more
 * than 1 s late.
 */
export function expectDelivered(
  sent: readonly Sent[],
  arrivals: ReadonlyMap<number, Arrival[]>,
  partitions: number,
  punctualAfterMs: number,
): { late: number; maxLateMs: number; punctualChecked: number } {
  let maxLateMs = 0;
  let late = 0;
  let punctualChecked = 0;
  for (const s of sent) {
    const got = arrivals.get(s.id);
    expect(got, `record ${s.id} (due ${new Date(s.dueMs).toISOString()}) arrived`).to.not.equal(undefined);
    for (const a of got!) {
      expect(a.atMs, `record ${s.id} arrived before its due time`).to.be.at.least(s.dueMs);
      expect(a.partition).to.equal(partitionForKey(s.key, partitions));
      expect(a.timestamp).to.equal(s.dueMs);
      expect(a.headers).to.deep.equal(['h']);
    }
    const lateMs = got![0]!.atMs - s.dueMs;
    if (s.dueMs >= punctualAfterMs) {
      punctualChecked++;
      maxLateMs = Math.max(maxLateMs, lateMs);
      if (lateMs > 1000) late++;
    }
  }
  return { late, maxLateMs, punctualChecked };
}

/** Records of one key and one due time landed in the order they were sent (their first copies' offsets). */
export function expectSendOrderPerKeyAndDue(sent: readonly Sent[], arrivals: ReadonlyMap<number, Arrival[]>): void {
  const groups = new Map<string, Sent[]>();
  for (const s of sent) groups.set(`${s.key}@${s.dueMs}`, [...(groups.get(`${s.key}@${s.dueMs}`) ?? []), s]);
  for (const group of groups.values()) {
    const offsets = group.map((s) => arrivals.get(s.id)![0]!.offset);
    for (let i = 1; i < offsets.length; i++) {
      expect(offsets[i], `records ${group.map((s) => s.id).join(',')} in send order`).to.be.greaterThan(
        offsets[i - 1]!,
      );
    }
  }
}
