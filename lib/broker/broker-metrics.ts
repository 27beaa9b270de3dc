/**
 * The broker's operational endpoint, over HTTP when `metrics.port` is set (>= 0; 0 picks a free port):
 *
 * - `GET /metrics`: Prometheus' text format, under the names the Prometheus JMX exporter (with Strimzi's rules)
 *   gives Kafka's MBeans, so that dashboards and alerts written for Kafka apply: traffic
 *   (`kafka_server_brokertopicmetrics_{bytesin,bytesout,messagesin}_total`, per topic and in total), requests
 *   (`kafka_network_requestmetrics_requests_total{request}`, `kafka_network_requestmetrics_totaltimems{request,
 *   quantile}`, `kafka_network_requestchannel_requestqueuesize`, purgatory sizes), replication
 *   (`kafka_server_replicamanager_{underreplicatedpartitions,underminisrpartitioncount,...}`, ISR shrinks and
 *   expands), the controller (active controller, offline partitions, `kafka_controller_controllerstats_
 *   leaderelectionrateandtimems`, unclean elections), the log (`kafka_log_log_size{topic,partition}`, start and end
 *   offsets), consumer lag of the groups coordinated here (`kafka_consumergroup_lag` and `..._current_offset`,
 *   kafka-exporter's names, and the lag in time `kafka_consumergroup_lag_seconds`, the age of the oldest record a
 *   group has not consumed, as kafka-lag-exporter has it; all three from one GroupLag lookup per scrape), delayed
 *   delivery (beyond-kafka-metrics.ts), and Node's process metrics prefixed `mq_` (heap, GC, event-loop lag
 *   `mq_nodejs_eventloop_lag_seconds`).
 * - `GET /health`: 200 once the broker is ready (registered in ZooKeeper, logs loaded, serving), else 503 with the
 *   reason; for load balancers and orchestrators' readiness checks.
 * - `GET /health/live`: 200 while the process answers at all (liveness).
 *
 * Cost: nothing is computed on hot paths here; the components keep plain running totals (BrokerTopicStats,
 * RequestMetrics, ControllerStats) and every value is read from them when Prometheus scrapes. The consumer lag asks
 * the partitions' leaders once per scrape (GroupLag: one request per other leader); a partition whose leader could
 * not be asked is left out of that scrape rather than reported with a made-up lag.
 * Ownership: owned by `Broker`, started first (so that health answers while the broker starts) and closed first;
 * the components are attached once they exist; until then only process metrics are served.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Logger } from '../common/logger.js';
import type { LatencyReservoir } from '../common/latency-reservoir.js';
import type { KafkaController } from '../controller/controller.js';
import type { LogManager } from '../log/log-manager.js';
import type { MetadataCache } from '../replication/metadata-cache.js';
import type { ReplicaManager } from '../replication/replica-manager.js';
import { ErrorCode } from '../common/error-codes.js';
import type { DelayedDeliveryManager } from '../coordinator/delayed/delayed-delivery-manager.js';
import type { GroupLag, PartitionLag } from '../coordinator/group/group-lag.js';
import { registerBeyondKafkaMetrics } from './beyond-kafka-metrics.js';
import type { BrokerTopicStats } from './broker-topic-stats.js';
import type { RequestMetrics } from './request-metrics.js';

/** Kafka's Yammer percentiles (50th ... 999th). */
const QUANTILES = [0.5, 0.75, 0.95, 0.98, 0.99, 0.999] as const;

/** Whether the broker is ready for traffic, and if not why. */
export interface BrokerHealth {
  ready: boolean;
  status: string;
}

/** What the metrics are read from, once the broker has built it. */
export interface BrokerMetricsSources {
  replicaManager: ReplicaManager;
  controller: KafkaController;
  logManager: LogManager;
  metadataCache: MetadataCache;
  topicStats: BrokerTopicStats;
  requests: RequestMetrics;
  groupLag: GroupLag;
  delayedDelivery: DelayedDeliveryManager;
}

export interface BrokerMetricsOptions {
  brokerId: number;
  host: string;
  port: number;
  health: () => BrokerHealth;
  logger: Logger;
}

type Read = (s: BrokerMetricsSources) => number;

export class BrokerMetrics {
  readonly registry = new Registry();
  private server: Server | undefined;
  private sources: BrokerMetricsSources | undefined;
  /** The groups' lag for the scrape under way, asked once and read by each lag gauge. */
  private scrapeLags: Promise<{ groupId: string; partitions: PartitionLag[] }[]> | undefined;

  constructor(private readonly opts: BrokerMetricsOptions) {
    const r = this.registry;
    r.setDefaultLabels({ broker: String(opts.brokerId) });
    const sources = () => this.sources;
    const gauge = (name: string, help: string, read: Read) =>
      new Gauge({
        name,
        help,
        registers: [r],
        collect() {
          const s = sources();
          if (s !== undefined) this.set(read(s));
        },
      });
    /** A counter mirroring a component's running total. */
    const counter = (name: string, help: string, read: Read) =>
      new Counter({
        name,
        help,
        registers: [r],
        collect() {
          const s = sources();
          if (s === undefined) return;
          this.reset();
          this.inc(read(s));
        },
      });
    /** Per-topic counters, and the same without the topic label for the broker's total (as the exporter has it). */
    const topicCounter = (
      name: string,
      help: string,
      read: (t: { bytesIn: number; messagesIn: number; bytesOut: number }) => number,
    ) =>
      new Counter({
        name,
        help,
        labelNames: ['topic'],
        registers: [r],
        collect() {
          const s = sources();
          if (s === undefined) return;
          this.reset();
          let total = 0;
          for (const [topic, traffic] of s.topicStats.entries()) {
            if (!s.metadataCache.hasTopic(topic)) {
              s.topicStats.forget(topic);
              continue;
            }
            const value = read(traffic);
            total += value;
            this.inc({ topic }, value);
          }
          this.inc(total);
        },
      });

    topicCounter(
      'kafka_server_brokertopicmetrics_bytesin_total',
      'Bytes produced to partitions led here.',
      (t) => t.bytesIn,
    );
    topicCounter(
      'kafka_server_brokertopicmetrics_messagesin_total',
      'Records produced to partitions led here.',
      (t) => t.messagesIn,
    );
    topicCounter(
      'kafka_server_brokertopicmetrics_bytesout_total',
      'Bytes fetched by consumers from here.',
      (t) => t.bytesOut,
    );
    counter(
      'kafka_server_brokertopicmetrics_replicationbytesout_total',
      'Bytes fetched by followers from here.',
      (s) => {
        let total = 0;
        for (const [, t] of s.topicStats.entries()) total += t.replicationBytesOut;
        return total;
      },
    );

    new Counter({
      name: 'kafka_network_requestmetrics_requests_total',
      help: 'Requests answered, by request name (Fetch split into FetchConsumer and FetchFollower).',
      labelNames: ['request'],
      registers: [r],
      collect() {
        const s = sources();
        if (s === undefined) return;
        this.reset();
        for (const [request, kind] of s.requests.entries()) this.inc({ request }, kind.count);
      },
    });
    quantileGauge(
      r,
      'kafka_network_requestmetrics_totaltimems',
      "Time from a request's arrival to its answer, in ms, over the last 1028 requests of each kind.",
      ['request'],
      () => [...(sources()?.requests.entries() ?? [])].map(([request, kind]) => [{ request }, kind.totalTimeMs]),
    );
    gauge(
      'kafka_network_requestchannel_requestqueuesize',
      'Requests received and being handled now, not counting those parked in a purgatory.',
      (s) => {
        const parked = Object.values(s.replicaManager.purgatorySizes()).reduce((a, b) => a + b, 0);
        return Math.max(0, s.requests.inFlight - parked);
      },
    );
    new Gauge({
      name: 'kafka_server_delayedoperationpurgatory_purgatorysize',
      help: 'Requests waiting in a purgatory (acks=all produces, long-polling fetches, DeleteRecords).',
      labelNames: ['delayedOperation'],
      registers: [r],
      collect() {
        const s = sources();
        if (s === undefined) return;
        for (const [delayedOperation, n] of Object.entries(s.replicaManager.purgatorySizes()))
          this.set({ delayedOperation }, n);
      },
    });

    gauge(
      'kafka_server_replicamanager_underreplicatedpartitions',
      'Partitions led here whose ISR is smaller than their replica set.',
      (s) => s.replicaManager.underReplicatedPartitions,
    );
    gauge(
      'kafka_server_replicamanager_underminisrpartitioncount',
      'Partitions led here whose ISR is smaller than min.insync.replicas: acks=all produces to them fail.',
      (s) => s.replicaManager.underMinIsrPartitionCount,
    );
    gauge(
      'kafka_server_replicamanager_atminisrpartitioncount',
      'Partitions led here whose ISR is exactly min.insync.replicas.',
      (s) => s.replicaManager.atMinIsrPartitionCount,
    );
    gauge(
      'kafka_server_replicamanager_partitioncount',
      'Partitions hosted on this broker.',
      (s) => s.replicaManager.partitionCount,
    );
    gauge(
      'kafka_server_replicamanager_leadercount',
      'Partitions led by this broker.',
      (s) => s.replicaManager.leaderCount,
    );
    counter(
      'kafka_server_replicamanager_isrshrinks_total',
      'ISR shrinks of partitions led here.',
      (s) => s.replicaManager.isrShrinksTotal,
    );
    counter(
      'kafka_server_replicamanager_isrexpands_total',
      'ISR expansions of partitions led here.',
      (s) => s.replicaManager.isrExpandsTotal,
    );

    gauge(
      'kafka_controller_kafkacontroller_activecontrollercount',
      '1 on the active controller, 0 elsewhere.',
      (s) => s.controller.activeControllerCount,
    );
    gauge(
      'kafka_controller_kafkacontroller_offlinepartitionscount',
      'Partitions without a live leader (reported by the active controller).',
      (s) => s.controller.offlinePartitionsCount,
    );
    gauge(
      'kafka_controller_kafkacontroller_globalpartitioncount',
      'Partitions in the cluster (reported by the active controller).',
      (s) => s.controller.globalPartitionCount,
    );
    quantileGauge(
      r,
      'kafka_controller_controllerstats_leaderelectionrateandtimems',
      'Time to elect and write a batch of leaders on this controller, in ms, over the last 1028 batches.',
      [],
      () => {
        const s = sources();
        return s === undefined ? [] : [[{}, s.controller.stats.electionTimeMs]];
      },
    );
    counter(
      'kafka_controller_controllerstats_leaderelectionrateandtimems_count',
      'Batches of leader elections this broker wrote as the controller.',
      (s) => s.controller.stats.electionBatches,
    );
    counter(
      'kafka_controller_controllerstats_uncleanleaderelections_total',
      'Partitions given a leader from outside their ISR (records may be lost) by this broker as the controller.',
      (s) => s.controller.stats.uncleanLeaderElections,
    );

    const logGauge = (name: string, help: string, read: (log: LogManager['allLogs'][number]) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['topic', 'partition'],
        registers: [r],
        collect() {
          const s = sources();
          if (s === undefined) return;
          this.reset();
          for (const log of s.logManager.allLogs) {
            const { topic, partition } = log.topicPartition;
            this.set({ topic, partition: String(partition) }, read(log));
          }
        },
      });
    logGauge('kafka_log_log_size', 'Bytes of a partition replica on this broker.', (log) => log.size);
    logGauge(
      'kafka_log_log_logstartoffset',
      'First offset of a partition replica on this broker.',
      (log) => log.logStartOffset,
    );
    logGauge(
      'kafka_log_log_logendoffset',
      'Next offset to be written to a partition replica on this broker.',
      (log) => log.logEndOffset,
    );

    const scrapeLags = () => {
      const s = sources();
      if (s === undefined) return Promise.resolve([]);
      return (this.scrapeLags ??= s.groupLag.describeAll());
    };
    /** A gauge per group and partition whose leader answered, read from this scrape's GroupLag lookup. */
    const lagGauge = (name: string, help: string, read: (p: PartitionLag) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['consumergroup', 'topic', 'partition'],
        registers: [r],
        async collect() {
          const lags = await scrapeLags();
          this.reset();
          for (const { groupId, partitions } of lags) {
            for (const p of partitions) {
              if (p.errorCode !== ErrorCode.NONE) continue;
              this.set({ consumergroup: groupId, topic: p.topic, partition: String(p.partition) }, read(p));
            }
          }
        },
      });
    lagGauge(
      'kafka_consumergroup_current_offset',
      'Committed offset of a consumer group on a partition (groups coordinated by this broker).',
      (p) => p.committedOffset,
    );
    lagGauge(
      'kafka_consumergroup_lag',
      'High watermark minus committed offset of a consumer group on a partition (groups coordinated here).',
      (p) => p.lag,
    );
    lagGauge(
      'kafka_consumergroup_lag_seconds',
      'Age of the oldest record a consumer group has not consumed, per partition (groups coordinated here).',
      (p) => p.lagMs / 1000,
    );
    registerBeyondKafkaMetrics(r, () => sources()?.delayedDelivery);

    collectDefaultMetrics({ register: r, prefix: 'mq_' });
  }

  /** The components to read from, once the broker has built them. */
  attach(sources: BrokerMetricsSources): void {
    this.sources = sources;
  }

  /** The bound port once started, -1 before. */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? -1;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      switch (req.url) {
        case '/metrics':
          return this.serveMetrics(res);
        case '/health': {
          const health = this.opts.health();
          res
            .writeHead(health.ready ? 200 : 503, { 'content-type': 'text/plain' })
            .end(`${health.ready ? 'ready' : 'not ready'}: ${health.status}\n`);
          return;
        }
        case '/health/live':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('live\n');
          return;
        default:
          res
            .writeHead(404, { 'content-type': 'text/plain' })
            .end('Not found: this endpoint serves /metrics, /health and /health/live\n');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.server = server;
    this.opts.logger.info({ port: this.port, host: this.opts.host, paths: ['/metrics', '/health'] }, 'serving metrics');
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serveMetrics(res: ServerResponse): void {
    this.scrapeLags = undefined;
    const scrape = this.registry.metrics().finally(() => (this.scrapeLags = undefined));
    scrape.then(
      (text) => {
        res.writeHead(200, { 'content-type': this.registry.contentType }).end(text);
      },
      (err: unknown) => {
        this.opts.logger.error({ err }, 'collecting metrics failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
      },
    );
  }
}

/** A gauge with a `quantile` label per Kafka percentile, read from reservoirs at scrape time (0 while empty). */
function quantileGauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  reservoirs: () => Array<[Record<string, string>, LatencyReservoir]>,
): void {
  new Gauge({
    name,
    help,
    labelNames: [...labelNames, 'quantile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, reservoir] of reservoirs()) {
        // Nothing observed yet reads 0, as Kafka's empty Yammer histograms do, so that the series always exists.
        const percentiles = reservoir.percentiles(QUANTILES);
        for (const [q, value] of percentiles.length > 0 ? percentiles : QUANTILES.map((q) => [q, 0] as const))
          this.set({ ...labels, quantile: String(q) }, value);
      }
    },
  });
}
