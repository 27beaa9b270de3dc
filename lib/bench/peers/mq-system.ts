/**
 * This project's cluster as a system in `mq-bench compare`, driven by the same code as `mq-bench produce` and
 * `mq-bench consume` (runProducerPerf with `batch`-record sendBatch() calls, `inflight / batch` calls in flight;
 * runConsumerPerf with eachBatch). The cluster belongs to the caller (mq-bench starts one or is given
 * --bootstrap-server), so start and stop only remember and forget its address.
 *
 * Each run writes a fresh topic of one partition, RF 1, acks=1. Durability: 'page-cache' acknowledges once the
 * leader has appended the batch (written to the page cache); 'fsync' sets the topic's flush.messages=1, so the
 * leader acknowledges after an fdatasync that covers the batch (group commit: one fdatasync covers every append
 * that arrived while the previous one ran).
 */
import { runConsumerPerf } from '../consumer-perf.js';
import { runProducerPerf } from '../producer-perf.js';
import {
  produceFigures,
  throughput,
  type BenchSystem,
  type ConsumeFigures,
  type ProduceFigures,
  type SystemSetting,
  type Workload,
} from './bench-system.js';

export class MqSystem implements BenchSystem {
  readonly name = 'mq';

  constructor(private readonly bootstrapServers: string) {}

  setting(w: Workload): SystemSetting {
    const flush = w.durability === 'fsync' ? ', flush.messages=1 (fdatasync before the ack, group commit)' : '';
    return { text: `RF 1, acks=1${flush}; sendBatch() of ${w.batch}`, equivalent: true };
  }

  unavailable(): Promise<string | null> {
    return Promise.resolve(null);
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  async produce(stream: string, w: Workload): Promise<ProduceFigures> {
    const r = await runProducerPerf({
      bootstrapServers: this.bootstrapServers,
      topic: stream,
      numRecords: w.records,
      recordSize: w.recordSize,
      producerProps: { acks: 1 },
      createTopic: {
        partitions: 1,
        replicationFactor: 1,
        ...(w.durability === 'fsync' ? { configs: { 'flush.messages': '1' } } : {}),
      },
      sendBatchSize: w.batch,
      maxPendingChunks: Math.max(1, Math.floor(w.inflight / w.batch)),
      print: () => undefined,
    });
    return produceFigures(r.records, w.recordSize, r.elapsedMs, r);
  }

  async consume(stream: string, w: Workload): Promise<ConsumeFigures> {
    const r = await runConsumerPerf({
      bootstrapServers: this.bootstrapServers,
      topic: stream,
      messages: w.records,
      print: () => undefined,
    });
    return throughput(r.messages, w.recordSize, r.elapsedMs);
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
