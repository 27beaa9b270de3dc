/**
 * The broker's operational metrics, served in Prometheus' text format over HTTP when `metrics.port` is set (>= 0;
 * 0 picks a free port). Names follow what the Prometheus JMX exporter makes of Kafka's MBeans, so dashboards and
 * alerts written for Kafka apply: `kafka_server_replicamanager_underreplicatedpartitions`,
 * `kafka_controller_kafkacontroller_activecontrollercount`, `..._offlinepartitionscount`,
 * `kafka_server_replicamanager_isrshrinks_total` / `..._isrexpands_total` (rates come from `rate()`),
 * leader and partition counts, plus the Node.js process metrics (heap, event loop lag, GC) with the `mq_` prefix, and
 * the lag in time and delayed delivery metrics (beyond-kafka-metrics.ts).
 *
 * Values are read from the components at scrape time (no bookkeeping on hot paths). Owned by `Broker`: started
 * after the replica manager and controller exist, closed first on shutdown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Logger } from '../common/logger.js';
import type { KafkaController } from '../controller/controller.js';
import type { ReplicaManager } from '../replication/replica-manager.js';
import type { DelayedDeliveryManager } from '../coordinator/delayed/delayed-delivery-manager.js';
import type { GroupLag } from '../coordinator/group/group-lag.js';
import { registerBeyondKafkaMetrics } from './beyond-kafka-metrics.js';

export interface BrokerMetricsOptions {
  brokerId: number;
  host: string;
  port: number;
  replicaManager: ReplicaManager;
  controller: KafkaController;
  groupLag: GroupLag;
  delayedDelivery: DelayedDeliveryManager;
  logger: Logger;
}

export class BrokerMetrics {
  readonly registry = new Registry();
  private server: Server | undefined;

  constructor(private readonly opts: BrokerMetricsOptions) {
    const { replicaManager: rm, controller } = opts;
    const r = this.registry;
    r.setDefaultLabels({ broker: String(opts.brokerId) });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [r],
        collect() {
          this.set(read());
        },
      });
    /** A counter mirroring a component's running total. */
    const counter = (name: string, help: string, read: () => number) => {
      let seen = 0;
      return new Counter({
        name,
        help,
        registers: [r],
        collect() {
          const now = read();
          this.inc(now - seen);
          seen = now;
        },
      });
    };
    gauge(
      'kafka_server_replicamanager_underreplicatedpartitions',
      'Partitions led here whose ISR is smaller than their replica set.',
      () => rm.underReplicatedPartitions,
    );
    gauge('kafka_server_replicamanager_partitioncount', 'Partitions hosted on this broker.', () => rm.partitionCount);
    gauge('kafka_server_replicamanager_leadercount', 'Partitions led by this broker.', () => rm.leaderCount);
    counter(
      'kafka_server_replicamanager_isrshrinks_total',
      'ISR shrinks of partitions led here.',
      () => rm.isrShrinksTotal,
    );
    counter(
      'kafka_server_replicamanager_isrexpands_total',
      'ISR expansions of partitions led here.',
      () => rm.isrExpandsTotal,
    );
    gauge(
      'kafka_controller_kafkacontroller_activecontrollercount',
      '1 on the active controller, 0 elsewhere.',
      () => controller.activeControllerCount,
    );
    gauge(
      'kafka_controller_kafkacontroller_offlinepartitionscount',
      'Partitions without a live leader (reported by the active controller).',
      () => controller.offlinePartitionsCount,
    );
    gauge(
      'kafka_controller_kafkacontroller_globalpartitioncount',
      'Partitions in the cluster (reported by the active controller).',
      () => controller.globalPartitionCount,
    );
    registerBeyondKafkaMetrics(r, opts);
    collectDefaultMetrics({ register: r, prefix: 'mq_' });
  }

  /** The bound port once started, -1 before. */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? -1;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are served at /metrics\n');
        return;
      }
      this.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': this.registry.contentType }).end(text);
        },
        (err: unknown) => {
          this.opts.logger.error({ err }, 'collecting metrics failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.server = server;
    this.opts.logger.info({ port: this.port, host: this.opts.host, path: '/metrics' }, 'serving metrics');
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
