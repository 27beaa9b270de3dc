/**
 * Per-topic traffic counters (Kafka's `BrokerTopicStats`): bytes and messages produced to this broker as leader,
 * bytes fetched from it by consumers (follower fetches are replication, counted apart), for the metrics endpoint's
 * BytesInPerSec, MessagesInPerSec and BytesOutPerSec.
 *
 * Cost: plain number additions, once per partition of a request, never per record: a produce's message count comes
 * from its batch headers (record count field), which the broker has already validated. Rates come from Prometheus'
 * `rate()` over these running totals.
 * Invariants: totals only grow while a topic exists; `forget(topic)` drops a deleted topic's counters, as Kafka
 * removes its topic metrics.
 * Ownership: one per Broker, updated by the produce and fetch handlers, read at scrape time by BrokerMetrics.
 */
import { computeIfAbsent } from '../common/collections.js';
import { batchSizeAt, RECORD_BATCH_OVERHEAD, recordCountOf } from '../record/record-batch.js';

export interface TopicTraffic {
  bytesIn: number;
  messagesIn: number;
  bytesOut: number;
  replicationBytesOut: number;
}

/** Records in a buffer of whole v2 batches, from each batch's record count field. */
export function recordCountOfBatches(records: Buffer): number {
  let count = 0;
  for (let pos = 0; pos + RECORD_BATCH_OVERHEAD <= records.length; pos += batchSizeAt(records, pos))
    count += recordCountOf(records, pos);
  return count;
}

export class BrokerTopicStats {
  private readonly topics = new Map<string, TopicTraffic>();

  /** Batches a leader appended for a produce request. */
  recordProduced(topic: string, records: Buffer): void {
    const t = this.of(topic);
    t.bytesIn += records.length;
    t.messagesIn += recordCountOfBatches(records);
  }

  /** Bytes a fetch read; a follower's fetch is replication traffic, not BytesOut (as Kafka counts it). */
  recordFetched(topic: string, bytes: number, byFollower: boolean): void {
    const t = this.of(topic);
    if (byFollower) t.replicationBytesOut += bytes;
    else t.bytesOut += bytes;
  }

  /** Every topic's totals so far. */
  entries(): IterableIterator<[string, Readonly<TopicTraffic>]> {
    return this.topics.entries();
  }

  /** Drops a deleted topic's counters. */
  forget(topic: string): void {
    this.topics.delete(topic);
  }

  private of(topic: string): TopicTraffic {
    return computeIfAbsent(this.topics, topic, () => ({
      bytesIn: 0,
      messagesIn: 0,
      bytesOut: 0,
      replicationBytesOut: 0,
    }));
  }
}
