/**
 * Reads brokers' Prometheus endpoints (`metrics.port`, 0 in specs so each broker picks a port) over HTTP:
 * one broker's samples by metric name (labels dropped; the last sample of a name wins), or a sum over the cluster;
 * or every sample with its labels (`scrapeSeries`) and the value of the one with given labels (`valueOf`).
 */
import { expect } from 'chai';
import type { TestCluster } from './cluster-harness.js';

export async function scrapeMetrics(cluster: TestCluster, brokerId: number): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${cluster.local.broker(brokerId).metricsPort}/metrics`);
  expect(res.status).to.equal(200);
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-z_]+)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return values;
}

/** The metric summed over every broker of the cluster (NaN when a broker does not report it). */
export async function sumMetric(cluster: TestCluster, name: string): Promise<number> {
  let total = 0;
  for (const id of cluster.local.brokerIds()) total += (await scrapeMetrics(cluster, id)).get(name) ?? NaN;
  return total;
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function scrapeSeries(port: number): Promise<Series[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).to.equal(200);
  const out: Series[] = [];
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m === null) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of a series whose labels include `labels` exactly on the keys given (and no `topic` unless given). */
export function valueOf(
  series: readonly Series[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return series.find(
    (s) =>
      s.name === name &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
      (labels.topic !== undefined || s.labels.topic === undefined),
  )?.value;
}
