/**
 * Failover through the Kafka-protocol listener: a KafkaJS producer sends continuously with acks=-1 to a topic with
 * RF 3 and min.insync.replicas 2 while its partitions' leaders are SIGKILLed one after the other (and brought back).
 * KafkaJS learns the new leaders from Metadata on the Kafka listeners and retries; afterwards every acknowledged
 * record sits at its acknowledged offset on every replica, and the replicas' logs are identical batch for batch.
 */
import { expect } from 'chai';
import { Admin } from '../../lib/client/index.js';
import { expectNoAckedLoss, type Acked } from '../helpers/acked-records.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { kafkaJs } from '../helpers/kafka-tools.js';
import { waitFor } from '../helpers/wait-for.js';

const TOPIC = 'kafkajs-failover';
const PARTITIONS = 3;

describe('KafkaJS producer (acks=-1) through a leader SIGKILL', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  let admin: Admin;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: { 'zookeeper.session.timeout.ms': 2000, 'replica.lag.time.max.ms': 3000 },
    });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  const partitions = async () => (await admin.describeTopics([TOPIC]))[0]!.partitions;
  const fullIsr = async () => (await partitions()).every((p) => p.leader >= 0 && p.isr.length === 3);

  it('loses no acknowledged record when the leader of each partition in turn is killed', async () => {
    await admin.createTopics([
      { name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    await waitFor(fullIsr, 'three in-sync replicas everywhere');
    const kafka = kafkaJs(cluster, { retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 60 } });
    const producer = defer(kafka.producer({ allowAutoTopicCreation: false }), (p) => p.disconnect());
    await producer.connect();

    const acked = new Map<string, Acked>();
    const failures: string[] = [];
    let next = 0;
    let stopped = false;
    const load = (async () => {
      while (!stopped) {
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            const n = next++;
            const value = `v${n}`;
            try {
              const [m] = await producer.send({
                topic: TOPIC,
                acks: -1,
                messages: [{ value, partition: n % PARTITIONS }],
              });
              acked.set(value, { partition: m!.partition, offset: Number(m!.baseOffset) });
            } catch (e) {
              failures.push(`${value}: ${(e as Error).message}`);
            }
          }),
        );
      }
    })();
    const ackedMore = async (n: number, what: string) => {
      const target = acked.size + n;
      await waitFor(() => acked.size >= target, `${n} more acknowledged records (${what})`, { timeoutMs: 60_000 });
    };

    try {
      await ackedMore(100, 'before any failure');
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const leader = (await partitions())[partition]!.leader;
        await cluster.local.killBroker(leader);
        await ackedMore(150, `with broker ${leader}, leader of ${TOPIC}-${partition}, killed`);
        await cluster.local.startBroker(leader);
        await waitFor(fullIsr, `broker ${leader} back in every ISR`, { timeoutMs: 60_000 });
      }
    } finally {
      stopped = true;
      await load;
    }
    expect(failures.slice(0, 5), 'sends that failed').to.deep.equal([]);
    expect(acked.size).to.equal(next);
    await expectNoAckedLoss(cluster, TOPIC, PARTITIONS, cluster.local.brokerIds(), acked);
  });
});
