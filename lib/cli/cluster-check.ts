/**
 * The round trip `mq-cluster up` makes once its brokers are registered, so that whoever starts a cluster sees it
 * work end to end rather than only processes running: it creates the topic `mq-cluster-check` (one partition,
 * replication factor min(3, brokers), min.insync.replicas min(2, that)) unless it exists, sends one record with
 * acks=all, and reads that record back from its offset with a consumer outside any group, all with
 * `clientProperties` (the super user's on a secured cluster). Rejects with the cause when a step fails or the whole
 * check takes longer than `timeoutMs`.
 */
import { CommandError } from './cli-errors.js';
import { randomUUID } from 'node:crypto';
import { Admin } from '../client/admin/admin.js';
import { Consumer } from '../client/consumer/consumer.js';
import { Producer } from '../client/producer/producer.js';

export const CHECK_TOPIC = 'mq-cluster-check';

export interface ClusterCheck {
  offset: number;
  leader: number;
  replicas: readonly number[];
  isr: readonly number[];
  elapsedMs: number;
}

export async function checkCluster(
  bootstrapServers: string,
  brokers: number,
  timeoutMs = 30_000,
  clientProperties: Readonly<Record<string, string>> = {},
): Promise<ClusterCheck> {
  const started = Date.now();
  const common = {
    ...clientProperties,
    'bootstrap.servers': bootstrapServers,
    'client.id': 'mq-cluster-check',
    'default.api.timeout.ms': timeoutMs,
  };
  const admin = new Admin(common);
  const producer = new Producer({
    ...clientProperties,
    'bootstrap.servers': bootstrapServers,
    'client.id': 'mq-cluster-check',
    acks: 'all',
    'delivery.timeout.ms': timeoutMs,
    'request.timeout.ms': Math.min(timeoutMs, 30_000),
    'max.block.ms': timeoutMs,
  });
  const consumer = new Consumer(common);
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(CHECK_TOPIC)) {
      const rf = Math.min(3, brokers);
      await admin
        .createTopics([
          {
            name: CHECK_TOPIC,
            numPartitions: 1,
            replicationFactor: rf,
            configs: { 'min.insync.replicas': String(Math.min(2, rf)) },
          },
        ])
        .catch((e: { errorName?: string }) => {
          if (e.errorName !== 'TOPIC_ALREADY_EXISTS') throw e;
        });
    }
    await producer.connect();
    const value = `mq-cluster check ${randomUUID()}`;
    const { offset } = await producer.send({ topic: CHECK_TOPIC, partition: 0, value });
    await consumer.connect();
    consumer.assign([{ topic: CHECK_TOPIC, partition: 0 }]);
    consumer.seek({ topic: CHECK_TOPIC, partition: 0, offset });
    const deadline = setTimeout(() => consumer.stop(), Math.max(1, timeoutMs - (Date.now() - started)));
    let readBack = false;
    try {
      for await (const record of consumer) {
        readBack = record.offset === offset && record.value?.toString() === value;
        break;
      }
    } finally {
      clearTimeout(deadline);
    }
    if (!readBack)
      throw new CommandError(
        `the record written at ${CHECK_TOPIC}-0 offset ${offset} could not be read back within ${timeoutMs} ms`,
      );
    const [topic] = await admin.describeTopics([CHECK_TOPIC]);
    const p = topic!.partitions[0]!;
    return { offset, leader: p.leader, replicas: p.replicas, isr: p.isr, elapsedMs: Date.now() - started };
  } finally {
    await Promise.allSettled([consumer.close(), producer.close(), admin.close()]);
  }
}
