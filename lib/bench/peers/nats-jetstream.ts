/**
 * NATS JetStream as a peer in `mq-bench compare`: Debian's nats-server started on a free loopback port with a
 * JetStream file store in its own dir (no HTTP monitor, no cluster), driven by the `nats` client for Node.
 *
 * Produce: each record is published to the stream's subject with a reply subject `<inbox>.<n>` under one wildcard
 * inbox subscription, which receives the PubAcks (what the Go client's PublishAsync does; nats.js's
 * `jetstream().publish()` creates a request per message and is client-bound at a tenth of the rate), with at most
 * `inflight` unacknowledged. NATS has no batch publish; `batch` does not apply. A PubAck carrying an error fails
 * the run. Consume: a durable pull consumer with AckPolicy none, pulling 1000 messages at a time from the start.
 * Durability: the file store writes each message before its PubAck; it fsyncs every 2 minutes by default.
 * nats-server 2.10 and later can fsync every write (`sync_interval: always`), which 'fsync' uses; older servers
 * (Debian 12 has 2.9) cannot, and the row says so.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NatsConnection } from 'nats';
import { IllegalStateError } from '../../common/errors.js';
import { freePort } from '../../network/free-port.js';
import { randomPayload } from '../bench-topic.js';
import { LatencyHistogram } from '../latency-histogram.js';
import {
  missingPackage,
  produceFigures,
  throughput,
  type BenchSystem,
  type ConsumeFigures,
  type ProduceFigures,
  type SystemSetting,
  type Workload,
} from './bench-system.js';
import { AckWindow } from './ack-window.js';
import { commandPath, ServerProcess } from './server-process.js';

const STREAM = 'BENCH';

export class NatsJetStream implements BenchSystem {
  readonly name = 'NATS JetStream';
  private server: ServerProcess | null = null;
  private port = 0;
  /** Whether this nats-server knows `sync_interval: always` (2.10+). */
  private syncAlways = false;

  setting(w: Workload): SystemSetting {
    if (w.durability === 'page-cache')
      return { text: 'file store, default sync (every 2 min); async publish, PubAcks on one inbox', equivalent: true };
    return this.syncAlways
      ? { text: 'file store, sync_interval: always; async publish', equivalent: true }
      : { text: 'file store, default sync: this nats-server (< 2.10) cannot fsync each write', equivalent: false };
  }

  async unavailable(): Promise<string | null> {
    const binary = commandPath('nats-server');
    if (binary === null) return 'nats-server is not installed (bash scripts/setup.sh --bench installs it)';
    const { stdout } = await promisify(execFile)(binary, ['--version']);
    const [major = 0, minor = 0] = (/v?(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number);
    this.syncAlways = major > 2 || (major === 2 && minor >= 10);
    return missingPackage('nats');
  }

  async start(dir: string, w: Workload): Promise<void> {
    this.port = await freePort();
    const config = join(dir, 'nats.conf');
    const sync = w.durability === 'fsync' && this.syncAlways ? '\n  sync_interval: always' : '';
    writeFileSync(
      config,
      `listen: 127.0.0.1:${this.port}\nmax_payload: 8MB\njetstream {\n  store_dir: "${join(dir, 'store')}"${sync}\n}\n`,
    );
    this.server = await ServerProcess.start({
      name: 'nats-server',
      command: commandPath('nats-server')!,
      args: ['-c', config],
      logFile: join(dir, 'nats.log'),
      port: this.port,
    });
  }

  private async client(): Promise<{ nats: typeof import('nats'); nc: NatsConnection }> {
    const nats = await import('nats');
    return { nats, nc: await nats.connect({ servers: `127.0.0.1:${this.port}` }) };
  }

  async produce(stream: string, w: Workload): Promise<ProduceFigures> {
    const { nats, nc } = await this.client();
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(STREAM).catch(() => false);
      await jsm.streams.add({ name: STREAM, subjects: [stream], storage: nats.StorageType.File, num_replicas: 1 });
      const value = randomPayload(w.recordSize);
      const latency = new LatencyHistogram();
      const sentAt = new Float64Array(w.records);
      const inbox = nats.createInbox();
      const window = new AckWindow();
      const subscription = nc.subscribe(`${inbox}.*`, {
        callback: (error, msg) => {
          const ack = Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
          const n = Number(msg.subject.slice(inbox.length + 1));
          latency.record(performance.now() - sentAt[n]!);
          window.ack(
            error !== null || ack.includes('"error"')
              ? new IllegalStateError(`JetStream refused a publish: ${error?.message ?? msg.string()}`)
              : null,
          );
        },
      });
      try {
        const ms = await window.publishAll(w.records, w.inflight, (n) => {
          sentAt[n] = performance.now();
          nc.publish(stream, value, { reply: `${inbox}.${n}` });
        });
        return produceFigures(w.records, w.recordSize, ms, latency.summary());
      } finally {
        subscription.unsubscribe();
      }
    } finally {
      await nc.close();
    }
  }

  async consume(_stream: string, w: Workload): Promise<ConsumeFigures> {
    const { nats, nc } = await this.client();
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.consumers.add(STREAM, { durable_name: 'bench', ack_policy: nats.AckPolicy.None });
      const consumer = await nc.jetstream().consumers.get(STREAM, 'bench');
      const start = performance.now();
      let read = 0;
      const messages = await consumer.consume({ max_messages: 1000 });
      for await (const m of messages) {
        if (m.data.length === w.recordSize) read++;
        if (read >= w.records) break;
      }
      messages.stop();
      return throughput(read, w.recordSize, performance.now() - start);
    } finally {
      await nc.close();
    }
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }
}
