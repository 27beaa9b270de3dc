/**
 * What `mq-bench compare` runs on every system, and the shape each system's driver has.
 *
 * A workload is the same for all: `records` values of `recordSize` bytes, produced by one client in calls of
 * `batch` records (a Produce of many records for mq, a pipeline for Redis; NATS and RabbitMQ publish one message
 * per call) with at most `inflight` records unacknowledged, then read back from the start by one consumer. The
 * durability is the same in each system's own terms: 'page-cache' acknowledges once the server has the record in
 * memory / the OS page cache (mq acks=1, Redis appendfsync everysec, NATS file store, RabbitMQ stream), 'fsync'
 * once it is on disk (mq flush.messages=1 with group commit, Redis appendfsync always, NATS sync_interval always).
 * A system that cannot express the durability asked says so in `setting().equivalent`, and the report marks it.
 *
 * Ownership: a driver owns the server process it starts (start → stop, stop also on failure paths) and the client
 * connections it opens within one call. MB here is 10^6 bytes of record values.
 */

export type Durability = 'page-cache' | 'fsync';

export interface Workload {
  recordSize: number;
  records: number;
  /** Records per client call where the system has a batch call. */
  batch: number;
  /** Records sent and not yet acknowledged, at most. */
  inflight: number;
  durability: Durability;
}

export interface ProduceFigures {
  recordsPerSec: number;
  mbPerSec: number;
  /** Send → acknowledgement of each call (per record), ms. */
  ackP50Ms: number;
  ackP99Ms: number;
}

export interface ConsumeFigures {
  recordsPerSec: number;
  mbPerSec: number;
}

export interface SystemSetting {
  /** The system's configuration for the workload's durability, in its own terms. */
  text: string;
  /** False when the system cannot be set to the durability asked (the row is then marked). */
  equivalent: boolean;
}

export interface BenchSystem {
  /** The name in tables and charts, e.g. 'Redis Streams'. */
  readonly name: string;
  setting(workload: Workload): SystemSetting;
  /** Null when the system can run here; otherwise why not (server or client package missing). */
  unavailable(): Promise<string | null>;
  /** Starts the server (if the driver owns one) with its data under `dir`. */
  start(dir: string, workload: Workload): Promise<void>;
  /** Produces the workload into a fresh stream/topic named `stream`. */
  produce(stream: string, workload: Workload): Promise<ProduceFigures>;
  /** Reads `stream` (filled by `produce`) from its start. */
  consume(stream: string, workload: Workload): Promise<ConsumeFigures>;
  /** Stops what `start` started; safe to call when `start` failed half-way. */
  stop(): Promise<void>;
}

/** Records/s and MB/s (10^6 bytes of values) for `records` records of `recordSize` bytes in `ms`. */
export function throughput(
  records: number,
  recordSize: number,
  ms: number,
): { recordsPerSec: number; mbPerSec: number } {
  const seconds = Math.max(ms, 1e-3) / 1000;
  return { recordsPerSec: records / seconds, mbPerSec: (records * recordSize) / 1e6 / seconds };
}

/** A produce run's figures: `records` records of `recordSize` bytes acknowledged in `ms`, with its ack latency. */
export function produceFigures(
  records: number,
  recordSize: number,
  ms: number,
  latency: { p50Ms: number; p99Ms: number },
): ProduceFigures {
  return { ...throughput(records, recordSize, ms), ackP50Ms: latency.p50Ms, ackP99Ms: latency.p99Ms };
}

/** Null when npm package `name` can be loaded; otherwise the note that says how to get it. */
export async function missingPackage(name: string): Promise<string | null> {
  try {
    await import(name);
    return null;
  } catch {
    return `the npm package ${name} is not installed (it is a dev dependency: npm install --include=dev)`;
  }
}
