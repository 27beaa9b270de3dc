/**
 * The brokers' Prometheus endpoint (`metrics.port`), scraped over HTTP from three broker processes: one active
 * controller, under-replicated partitions while a follower is frozen (and ISR shrinks counted), back to zero
 * after it returns (and ISR expansions counted).
 */
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/wait-for.js';
import { scrapeMetrics as scrape, sumMetric as sum } from '../helpers/broker-metrics.js';

describe('Broker metrics (3 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: { 'metrics.port': 0, 'replica.lag.time.max.ms': 2000 },
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('reports one active controller, and under-replicated partitions with ISR shrinks and expands around a frozen follower', async () => {
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    expect(await sum(cluster, 'kafka_controller_kafkacontroller_activecontrollercount')).to.equal(1);
    await admin.createTopics([{ name: 'watched', numPartitions: 3, replicationFactor: 3 }]);
    await waitFor(
      async () => (await sum(cluster, 'kafka_server_replicamanager_leadercount')) === 3,
      'three partitions led',
    );
    expect(await sum(cluster, 'kafka_server_replicamanager_partitioncount')).to.equal(9);
    expect(await sum(cluster, 'kafka_server_replicamanager_underreplicatedpartitions')).to.equal(0);
    const controllerId = (await admin.describeCluster()).controllerId;
    const frozen = cluster.local.brokerIds().find((id) => id !== controllerId)!;
    // A caught-up follower stays in the ISR however long it is silent (Kafka's rule): records must arrive for the
    // frozen one to fall behind.
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 1 }), (p) => p.close());
    await producer.connect();
    const [watched] = await admin.describeTopics(['watched']);
    const ledElsewhere = watched!.partitions.filter((p) => p.leader !== frozen).map((p) => p.partition);
    await cluster.local.signalBroker(frozen, 'SIGSTOP');
    try {
      await waitFor(
        async () => {
          await producer.sendBatch(ledElsewhere.map((partition) => ({ topic: 'watched', partition, value: 'tick' })));
          const others = cluster.local.brokerIds().filter((id) => id !== frozen);
          let urp = 0;
          for (const id of others)
            urp += (await scrape(cluster, id)).get('kafka_server_replicamanager_underreplicatedpartitions')!;
          return urp > 0;
        },
        'the other brokers to report under-replicated partitions',
        { timeoutMs: 30_000 },
      );
    } finally {
      await cluster.local.signalBroker(frozen, 'SIGCONT');
    }
    await waitFor(
      async () => (await sum(cluster, 'kafka_server_replicamanager_underreplicatedpartitions')) === 0,
      'no under-replicated partition once the follower is back',
      { timeoutMs: 30_000 },
    );
    expect(await sum(cluster, 'kafka_server_replicamanager_isrshrinks_total')).to.be.greaterThan(0);
    expect(await sum(cluster, 'kafka_server_replicamanager_isrexpands_total')).to.be.greaterThan(0);
    expect(
      (await scrape(cluster, controllerId)).get('kafka_controller_kafkacontroller_offlinepartitionscount'),
    ).to.equal(0);
    expect((await scrape(cluster, controllerId)).get('mq_nodejs_heap_size_used_bytes')).to.be.greaterThan(0);
  });
});
