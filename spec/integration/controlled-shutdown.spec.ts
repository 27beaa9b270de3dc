/**
 * Controlled shutdown across three broker processes: a rolling restart with SIGTERM while a producer sends with
 * acks=all (RF 3, min.insync.replicas 2). Each broker hands its leadership to another in-sync replica before it
 * stops, so the producer sees only retriable errors (which it retries) and every acknowledged record survives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { ContinuousProducer, expectNoAckedLoss } from '../helpers/acked-records.js';
import { defer } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/wait-for.js';

const TOPIC = 'rolling';
const PARTITIONS = 3;

describe('Controlled shutdown (3 brokers)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: { 'auto.create.topics.enable': false, 'replica.lag.time.max.ms': 5000 },
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('restarts every broker in turn with no failed send and no acknowledged record lost', async () => {
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([
      { name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    const fullIsr = async () => {
      const [t] = await admin.describeTopics([TOPIC]);
      return t!.partitions.every((p) => p.isr.length === 3 && p.leader >= 0);
    };
    await waitFor(fullIsr, 'every partition to have three in-sync replicas');
    const producer = defer(
      new Producer({
        'bootstrap.servers': cluster.bootstrapServers,
        acks: 'all',
        'linger.ms': 1,
        'retry.backoff.ms': 50,
        'delivery.timeout.ms': 60_000,
        'metadata.max.age.ms': 1000,
      }),
      (p) => p.close(),
    );
    await producer.connect();
    const load = new ContinuousProducer(producer, TOPIC, PARTITIONS).start();
    try {
      await load.ackedMore(200, 'before the first restart');
      for (const id of cluster.local.brokerIds()) {
        const logFile = join(cluster.local.broker(id).dir, 'broker.log');
        expect(await cluster.local.stopBroker(id, 15_000), `broker ${id} to exit on its own, cleanly`).to.equal(true);
        await cluster.local.startBroker(id);
        const lines = readFileSync(logFile, 'utf8').split('\n');
        expect(
          lines.filter((l) => l.includes('controlled shutdown succeeded')).length,
          lines
            .filter((l) => /ontrolled|shutting|signal|fatal|error/i.test(l))
            .map((l) => l.slice(0, 400))
            .join('\n'),
        ).to.equal(1);
        await waitFor(fullIsr, `broker ${id} to rejoin every ISR`, { timeoutMs: 60_000 });
        await load.ackedMore(200, `after restarting broker ${id}`);
      }
    } finally {
      await load.stop();
    }
    expect(load.failures.map((e) => e.message)).to.deep.equal([]);
    expect(load.acked.size).to.equal(load.sent);
    await expectNoAckedLoss(cluster, TOPIC, PARTITIONS, cluster.local.brokerIds(), load.acked);
  });
});
