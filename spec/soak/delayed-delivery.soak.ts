/**
 * `npm run soak`: delayed delivery across many broker failures (the spec runs one of each): round after round,
 * 600 records are sent due 2-25 s later, then a random broker is SIGKILLed at a random moment and started again
 * (MQ_DELAYED_SOAK_ROUNDS rounds, 10 by default). Every record of every round must arrive, none before its due time,
 * in its key's partition, records of one key and due time in send order; records due more than a failover after the
 * kill must arrive within 1 s of their due time. Prints each round's figures.
 */
import { expect } from 'chai';
import { Admin, DELAYED_TOPIC, Producer } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import {
  expectDelivered,
  expectSendOrderPerKeyAndDue,
  sendDelayed,
  watchArrivals,
  type Sent,
} from '../helpers/delayed-arrivals.js';
import { waitFor } from '../helpers/wait-for.js';

const ROUNDS = Number(process.env['MQ_DELAYED_SOAK_ROUNDS'] ?? 10);
const PARTITIONS = 3;
const SESSION_TIMEOUT_MS = 6000;
const TOPIC = 'delayed-soak';

describe('Delayed delivery soak', function () {
  this.timeout(0);
  let cluster: TestCluster;
  let admin: Admin;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: { 'zookeeper.session.timeout.ms': SESSION_TIMEOUT_MS, 'replica.lag.time.max.ms': 3000 },
    });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers, 'request.timeout.ms': 5000 });
    await admin.connect();
    await admin.createTopics([{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }]);
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  it(`loses none and delivers none early across ${ROUNDS} SIGKILLs of a random broker`, async () => {
    const reader = watchArrivals(cluster.bootstrapServers, TOPIC, PARTITIONS);
    const producer = new Producer({
      'bootstrap.servers': cluster.bootstrapServers,
      'request.timeout.ms': 5000,
      'retry.backoff.ms': 100,
      'metadata.max.age.ms': 1000,
    });
    await producer.connect();
    const all: Sent[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        await waitFor(
          async () =>
            (await admin.describeTopics(round === 0 ? [TOPIC] : [TOPIC, DELAYED_TOPIC])).every((t) =>
              t.partitions.every((p) => p.leader >= 0 && p.isr.length === 3),
            ),
          'every replica back in sync',
          { timeoutMs: 60_000 },
        );
        const { sent } = await sendDelayed(producer, TOPIC, {
          count: 600,
          minDelayMs: 2000,
          maxDelayMs: 25_000,
          firstId: round * 600,
        });
        all.push(...sent);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 8000));
        const ids = cluster.local.brokerIds();
        const victim = ids[Math.floor(Math.random() * ids.length)]!;
        await cluster.local.killBroker(victim);
        const killedAtMs = Date.now();
        await cluster.local.startBroker(victim);
        await waitFor(
          () => sent.every((s) => reader.arrivals.has(s.id)),
          `round ${round}: every delayed record to arrive`,
          { timeoutMs: 90_000 },
        );
        const { late, maxLateMs } = expectDelivered(
          sent,
          reader.arrivals,
          PARTITIONS,
          killedAtMs + SESSION_TIMEOUT_MS + 5000,
        );
        expectSendOrderPerKeyAndDue(sent, reader.arrivals);
        const duplicates = sent.filter((s) => reader.arrivals.get(s.id)!.length > 1).length;
        console.log(
          `  round ${round}: broker ${victim} killed; 600 arrived, ${duplicates} twice, worst lateness after the ` +
            `takeover ${maxLateMs} ms, ${late} over 1 s`,
        );
        expect(late).to.equal(0);
      }
      expectDelivered(all, reader.arrivals, PARTITIONS, Infinity);
    } finally {
      await producer.close();
      await reader.stop();
    }
  });
});
