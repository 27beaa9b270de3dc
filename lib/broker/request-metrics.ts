/**
 * Per-API request accounting for the metrics endpoint (Kafka's `RequestMetrics`): how many requests of each kind
 * were answered (RequestsPerSec), how long each took from its arrival to its answer (TotalTimeMs, whose percentiles
 * come from a LatencyReservoir per kind), and how many are being handled now. Request names are Kafka's, Fetch
 * split into FetchConsumer and FetchFollower.
 *
 * Cost: per request, two clock reads, a map lookup, a counter and a reservoir store; nothing per record.
 * Ownership: one per Broker; the API dispatcher reports every request it dispatches; BrokerMetrics reads it at
 * scrape time.
 */
import { ApiKey, apiKeyName } from '../protocol/api-keys.js';
import { LatencyReservoir } from '../common/latency-reservoir.js';

/** Kafka's request name for metrics: the API's name, Fetch split by who fetches. */
export function requestMetricName(apiKey: number, body: unknown): string {
  if (apiKey !== ApiKey.Fetch) return apiKeyName(apiKey);
  return ((body as { replicaId?: number } | null)?.replicaId ?? -1) >= 0 ? 'FetchFollower' : 'FetchConsumer';
}

export interface RequestKindStats {
  /** Requests answered so far. */
  count: number;
  /** Their total times (ms), the most recent ones. */
  readonly totalTimeMs: LatencyReservoir;
}

export class RequestMetrics {
  private inFlightValue = 0;
  private readonly kinds = new Map<string, RequestKindStats>();

  /** Requests dispatched and not answered yet (long polls and acks=all produces waiting included). */
  get inFlight(): number {
    return this.inFlightValue;
  }

  /** Each request kind's stats, by request name. */
  entries(): IterableIterator<[string, Readonly<RequestKindStats>]> {
    return this.kinds.entries();
  }

  started(): void {
    this.inFlightValue++;
  }

  finished(name: string, totalTimeMs: number): void {
    this.inFlightValue--;
    // A get first, not computeIfAbsent: no closure allocated per request.
    let kind = this.kinds.get(name);
    if (kind === undefined) {
      kind = { count: 0, totalTimeMs: new LatencyReservoir() };
      this.kinds.set(name, kind);
    }
    kind.count++;
    kind.totalTimeMs.observe(totalTimeMs);
  }
}
