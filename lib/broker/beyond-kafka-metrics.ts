/**
 * Metrics of what mq adds to Kafka, registered with the broker's Prometheus registry (BrokerMetrics) and read when
 * Prometheus scrapes, never on a hot path:
 *
 * - `kafka_consumergroup_lag_seconds{consumergroup,topic,partition}`: for the groups coordinated here, the age of the
 *   oldest record each has not consumed (GroupLag; 0 when caught up), the lag in time kafka-lag-exporter reports under
 *   a similar name. A partition whose leader could not be asked is left out of that scrape.
 * - `mq_delayed_records_pending{partition}`: delayed records waiting in each `__delayed_records` partition led here.
 * - `mq_delayed_records_delivery_lag_seconds{partition}`: how far behind the clock its delivery is (records due before
 *   now minus this have all been delivered); about one tick normally, growing while a leader loads or cannot keep up.
 */
import { Gauge, type Registry } from 'prom-client';
import type { DelayedDeliveryManager } from '../coordinator/delayed/delayed-delivery-manager.js';
import type { DelayProgress } from '../coordinator/delayed/delay-scheduler.js';
import type { GroupLag } from '../coordinator/group/group-lag.js';

export function registerBeyondKafkaMetrics(
  registry: Registry,
  sources: { groupLag: GroupLag; delayedDelivery: DelayedDeliveryManager },
): void {
  new Gauge({
    name: 'kafka_consumergroup_lag_seconds',
    help: 'Age of the oldest record a consumer group has not consumed, per partition (groups coordinated here).',
    labelNames: ['consumergroup', 'topic', 'partition'],
    registers: [registry],
    async collect() {
      const groups = await sources.groupLag.describeAll();
      this.reset();
      for (const { groupId, partitions } of groups) {
        for (const p of partitions) {
          if (p.lagMs < 0) continue;
          this.set({ consumergroup: groupId, topic: p.topic, partition: String(p.partition) }, p.lagMs / 1000);
        }
      }
    },
  });
  const perDelayPartition = (name: string, help: string, read: (p: DelayProgress, nowMs: number) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['partition'],
      registers: [registry],
      collect() {
        const nowMs = Date.now();
        this.reset();
        for (const p of sources.delayedDelivery.progress())
          this.set({ partition: String(p.partition) }, read(p, nowMs));
      },
    });
  perDelayPartition(
    'mq_delayed_records_pending',
    'Delayed records waiting in each __delayed_records partition led here.',
    (p) => p.pending,
  );
  perDelayPartition(
    'mq_delayed_records_delivery_lag_seconds',
    'How far behind the clock delayed delivery is, per __delayed_records partition led here.',
    (p, nowMs) => Math.max(0, nowMs - p.deliveredBeforeMs) / 1000,
  );
}
