/**
 * The brokers' operational endpoint (`metrics.port`), scraped over HTTP from three broker processes: traffic and
 * request counters moving with produce and consume (messages in counted exactly, from the batch headers), request
 * time percentiles, log sizes, consumer lag per partition equal to what `mq-admin groups --describe` reports, one
 * active controller, under-replicated partitions while a follower is frozen and back to zero after, and the health
 * endpoints (ready once registered, live at once, not ready while the broker cannot reach ZooKeeper).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Admin, Consumer, Producer } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer, deferFn } from '../helpers/cleanup.js';
import { mqAdmin } from '../helpers/mq-admin-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { scrapeSeries, valueOf } from '../helpers/broker-metrics.js';

describe('Broker metrics and health (3 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let admin: Admin;
  const scrape = (id: number) => scrapeSeries(cluster.local.broker(id).metricsPort);
  async function sum(name: string, labels: Record<string, string> = {}): Promise<number> {
    let total = 0;
    for (const id of cluster.local.brokerIds()) total += valueOf(await scrape(id), name, labels) ?? 0;
    return total;
  }

  before(async () => {
    cluster = await TestCluster.start({
      brokers: 3,
      brokerProps: {
        'metrics.port': 0,
        'replica.lag.time.max.ms': 2000,
        'offsets.topic.num.partitions': 3,
        'group.initial.rebalance.delay.ms': 0,
      },
    });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
    await cluster?.stop();
  });

  it('counts produced and consumed traffic, requests and their times, and log sizes', async () => {
    await admin.createTopics([{ name: 'counted', numPartitions: 3, replicationFactor: 3 }]);
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all' }), (p) =>
      p.close(),
    );
    await producer.connect();
    const before = await sum('kafka_server_brokertopicmetrics_messagesin_total');
    for (let i = 0; i < 10; i++) {
      await producer.sendBatch(Array.from({ length: 100 }, (_, j) => ({ topic: 'counted', value: `v${i}-${j}` })));
    }
    // Leaders count each record once, from the batch headers.
    expect(await sum('kafka_server_brokertopicmetrics_messagesin_total', { topic: 'counted' })).to.equal(1000);
    expect((await sum('kafka_server_brokertopicmetrics_messagesin_total')) - before).to.equal(1000);
    const bytesIn = await sum('kafka_server_brokertopicmetrics_bytesin_total', { topic: 'counted' });
    expect(bytesIn).to.be.greaterThan(1000 * 5);
    expect(await sum('kafka_network_requestmetrics_requests_total', { request: 'Produce' })).to.be.at.least(10);

    const consumer = defer(
      new Consumer({ 'bootstrap.servers': cluster.bootstrapServers, 'auto.offset.reset': 'earliest' }),
      (c) => c.close(),
    );
    await consumer.connect();
    consumer.assign([0, 1, 2].map((partition) => ({ topic: 'counted', partition })));
    let read = 0;
    for await (const _record of consumer) if (++read === 1000) break;
    // Consumers fetched every byte once; followers' fetches are replication, not BytesOut.
    const bytesOut = await sum('kafka_server_brokertopicmetrics_bytesout_total', { topic: 'counted' });
    expect(bytesOut).to.equal(bytesIn);
    expect(await sum('kafka_server_brokertopicmetrics_replicationbytesout_total')).to.be.at.least(bytesIn * 2);
    expect(await sum('kafka_network_requestmetrics_requests_total', { request: 'FetchConsumer' })).to.be.greaterThan(0);

    // Every broker leads a partition of 'counted', so every broker has answered its followers' fetches.
    const series = await scrape(1);
    const quantiles = series.filter(
      (s) => s.name === 'kafka_network_requestmetrics_totaltimems' && s.labels.request === 'FetchFollower',
    );
    expect(quantiles.map((s) => s.labels.quantile)).to.deep.equal(['0.5', '0.75', '0.95', '0.98', '0.99', '0.999']);
    for (let i = 1; i < quantiles.length; i++) expect(quantiles[i]!.value).to.be.at.least(quantiles[i - 1]!.value);
    expect(valueOf(series, 'kafka_network_requestchannel_requestqueuesize')).to.be.a('number');
    expect(valueOf(series, 'mq_nodejs_eventloop_lag_seconds')).to.be.a('number');
    // Every replica's size, on every broker: RF 3 over 3 brokers.
    let logBytes = 0;
    for (const id of cluster.local.brokerIds()) {
      const s = await scrape(id);
      for (const p of [0, 1, 2])
        logBytes += valueOf(s, 'kafka_log_log_size', { topic: 'counted', partition: String(p) })!;
    }
    expect(logBytes).to.be.at.least(bytesIn * 3);
  });

  it('reports consumer lag per partition as mq-admin groups --describe does', async () => {
    await admin.createTopics([{ name: 'lagging', numPartitions: 3, replicationFactor: 2 }]);
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers }), (p) => p.close());
    await producer.connect();
    await producer.sendBatch(
      Array.from({ length: 90 }, (_, i) => ({ topic: 'lagging', partition: i % 3, value: `v${i}` })),
    );
    await admin.alterConsumerGroupOffsets('laggards', [
      { topic: 'lagging', partition: 0, offset: 5 },
      { topic: 'lagging', partition: 1, offset: 30 },
      { topic: 'lagging', partition: 2, offset: 12 },
    ]);
    const described = await mqAdmin([
      'groups',
      '--bootstrap-server',
      cluster.bootstrapServers,
      '--describe',
      '--group',
      'laggards',
      '--json',
    ]);
    const [group] = JSON.parse(described.stdout) as Array<{ offsets: Array<{ partition: number; lag: number }> }>;
    const expected = Object.fromEntries(group!.offsets.map((o) => [String(o.partition), o.lag]));
    expect(expected).to.deep.equal({ 0: 25, 1: 0, 2: 18 });
    const lagFromMetrics = async () => {
      const lags: Record<string, number> = {};
      for (const id of cluster.local.brokerIds()) {
        for (const s of await scrape(id)) {
          if (s.name === 'kafka_consumergroup_lag' && s.labels.consumergroup === 'laggards')
            lags[s.labels.partition!] = s.value;
        }
      }
      return lags;
    };
    expect(await lagFromMetrics()).to.deep.equal(expected);
  });

  it('reports one active controller, and under-replicated partitions with ISR shrinks and expands around a frozen follower', async () => {
    expect(await sum('kafka_controller_kafkacontroller_activecontrollercount')).to.equal(1);
    await admin.createTopics([{ name: 'watched', numPartitions: 3, replicationFactor: 3 }]);
    const controllerId = (await admin.describeCluster()).controllerId;
    await waitFor(async () => {
      const [t] = await admin.describeTopics(['watched']);
      return t!.partitions.every((p) => p.isr.length === 3);
    }, 'full ISRs');
    expect(await sum('kafka_server_replicamanager_underreplicatedpartitions')).to.equal(0);
    const frozen = cluster.local.brokerIds().find((id) => id !== controllerId)!;
    // A caught-up follower stays in the ISR however long it is silent (Kafka's rule): records must arrive for the
    // frozen one to fall behind.
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 1 }), (p) => p.close());
    await producer.connect();
    const [watched] = await admin.describeTopics(['watched']);
    const ledElsewhere = watched!.partitions.filter((p) => p.leader !== frozen).map((p) => p.partition);
    const tick = () =>
      producer.sendBatch(ledElsewhere.map((partition) => ({ topic: 'watched', partition, value: 'tick' })));
    // The producer learns the topic's leaders now: asked while frozen, its Metadata request could go to the frozen
    // broker and wait out request.timeout.ms, its ZooKeeper session would expire first, and the controller (not a
    // leader, so no shrink is counted) would take it out of the ISRs.
    await tick();
    await cluster.local.signalBroker(frozen, 'SIGSTOP');
    try {
      await waitFor(
        async () => {
          await tick();
          let urp = 0;
          for (const id of cluster.local.brokerIds().filter((i) => i !== frozen))
            urp += valueOf(await scrape(id), 'kafka_server_replicamanager_underreplicatedpartitions')!;
          return urp > 0;
        },
        'the other brokers to report under-replicated partitions',
        { timeoutMs: 30_000 },
      );
    } finally {
      await cluster.local.signalBroker(frozen, 'SIGCONT');
    }
    await waitFor(
      async () => (await sum('kafka_server_replicamanager_underreplicatedpartitions')) === 0,
      'no under-replicated partition once the follower is back',
      { timeoutMs: 30_000 },
    );
    expect(await sum('kafka_server_replicamanager_isrshrinks_total')).to.be.greaterThan(0);
    expect(await sum('kafka_server_replicamanager_isrexpands_total')).to.be.greaterThan(0);
    expect(valueOf(await scrape(controllerId), 'kafka_controller_kafkacontroller_offlinepartitionscount')).to.equal(0);
    expect(valueOf(await scrape(controllerId), 'mq_nodejs_heap_size_used_bytes')).to.be.greaterThan(0);
  });

  it('answers /health ready once registered and /health/live at once; not ready while ZooKeeper is unreachable', async () => {
    for (const id of cluster.local.brokerIds()) {
      const health = await fetch(`http://127.0.0.1:${cluster.local.broker(id).metricsPort}/health`);
      expect(health.status).to.equal(200);
      expect(await health.text()).to.match(/^ready: broker \d registered in ZooKeeper/);
    }
    // A broker whose ZooKeeper does not answer is live but never ready.
    const dir = mkdtempSync(join(tmpdir(), 'mq-health-'));
    deferFn(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'server.properties'),
      `broker.id=9\nlisteners=PLAINTEXT://127.0.0.1:0\nlog.dirs=${join(dir, 'logs')}\nzookeeper.connect=127.0.0.1:1\n` +
        'zookeeper.connection.timeout.ms=60000\nmetrics.port=0\n',
    );
    const bin = fileURLToPath(new URL('../../../bin/mq-broker', import.meta.url));
    const child = spawn(process.execPath, [bin, '--config', join(dir, 'server.properties')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    deferFn(() => {
      child.kill('SIGKILL');
    });
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.includes('"serving metrics"')) resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => reject(new Error(`the broker exited with ${code}`)));
    });
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).to.equal(503);
    expect(await health.text()).to.equal('not ready: starting\n');
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).to.equal(200);
  });
});
