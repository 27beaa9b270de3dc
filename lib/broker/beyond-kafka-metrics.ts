/**
 * Metrics of delayed delivery, registered with the broker's Prometheus registry (BrokerMetrics) and read when
 * Prometheus scrapes, never on a hot path (cheap progress figures of each scheduler, no walk of the wheel):
 *
 * - `mq_delayed_records_pending{partition}`: delayed records waiting in each `__delayed_records` partition led here.
 * - `mq_delayed_records_delivery_lag_seconds{partition}`: how far behind the clock its delivery is (records due before
 *   now minus this have all been delivered); about one tick normally, growing while a leader loads or cannot keep up.
 *
 * (The lag in time of consumer groups, `kafka_consumergroup_lag_seconds`, sits with the other consumer lag gauges in
 * BrokerMetrics, which share one lookup per scrape.) Nothing is reported before the broker has attached its
 * components.
 */
import { Gauge, type Registry } from 'prom-client';
import type { DelayedDeliveryManager } from '../coordinator/delayed/delayed-delivery-manager.js';
import type { DelayProgress } from '../coordinator/delayed/delay-scheduler.js';

export function registerBeyondKafkaMetrics(
  registry: Registry,
  delayedDelivery: () => DelayedDeliveryManager | undefined,
): void {
  const perDelayPartition = (name: string, help: string, read: (p: DelayProgress, nowMs: number) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['partition'],
      registers: [registry],
      collect() {
        const manager = delayedDelivery();
        if (manager === undefined) return;
        const nowMs = Date.now();
        this.reset();
        for (const p of manager.progress()) this.set({ partition: String(p.partition) }, read(p, nowMs));
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
