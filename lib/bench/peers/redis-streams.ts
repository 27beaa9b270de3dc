/**
 * Redis Streams as a peer in `mq-bench compare`: Debian's redis-server started on a free loopback port with its
 * data in its own dir (append-only file on, RDB snapshots off), driven by ioredis.
 *
 * Produce: `XADD <stream> * v <value>` in pipelines of `batch` commands (what redis-benchmark -P does), at most
 * `inflight / batch` pipelines awaiting their replies; a pipeline's round trip is every record's ack latency.
 * Consume: `XREAD COUNT 1000 STREAMS <stream> <last id>` in a loop from the start, values read as Buffers.
 * Durability: appendfsync everysec for 'page-cache' (a write is in the AOF buffer when acknowledged, fsynced within
 * a second), appendfsync always for 'fsync' (fsynced before the reply, one fsync per event-loop turn).
 */
import { join } from 'node:path';
import type { Redis } from 'ioredis';
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
import { commandPath, ServerProcess } from './server-process.js';

type XReadReply = [Buffer, [Buffer, Buffer[]][]][] | null;

export class RedisStreams implements BenchSystem {
  readonly name = 'Redis Streams';
  private server: ServerProcess | null = null;
  private port = 0;

  setting(w: Workload): SystemSetting {
    return {
      text: `appendonly yes, appendfsync ${w.durability === 'fsync' ? 'always' : 'everysec'}; XADD pipelined x${w.batch}`,
      equivalent: true,
    };
  }

  async unavailable(): Promise<string | null> {
    if (commandPath('redis-server') === null)
      return 'redis-server is not installed (bash scripts/setup.sh --bench installs it)';
    return missingPackage('ioredis');
  }

  async start(dir: string, w: Workload): Promise<void> {
    this.port = await freePort();
    this.server = await ServerProcess.start({
      name: 'redis-server',
      command: commandPath('redis-server')!,
      args: [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        w.durability === 'fsync' ? 'always' : 'everysec',
        '--save',
        '',
        '--daemonize',
        'no',
        '--protected-mode',
        'yes',
      ],
      logFile: join(dir, 'redis.log'),
      port: this.port,
    });
  }

  private async client(): Promise<Redis> {
    const { Redis } = await import('ioredis');
    const redis = new Redis({ host: '127.0.0.1', port: this.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    return redis;
  }

  async produce(stream: string, w: Workload): Promise<ProduceFigures> {
    const redis = await this.client();
    const value = randomPayload(w.recordSize);
    const latency = new LatencyHistogram();
    const window = Math.max(1, Math.floor(w.inflight / w.batch));
    const pending: Promise<void>[] = [];
    try {
      await redis.del(stream);
      const start = performance.now();
      for (let sent = 0; sent < w.records;) {
        const count = Math.min(w.batch, w.records - sent);
        const pipeline = redis.pipeline();
        for (let i = 0; i < count; i++) pipeline.xadd(stream, '*', 'v', value);
        const issuedMs = performance.now();
        pending.push(
          pipeline.exec().then((replies) => {
            const failed = replies?.find(([error]) => error !== null);
            if (failed !== undefined) throw new IllegalStateError(`XADD failed: ${String(failed[0])}`);
            latency.record(performance.now() - issuedMs, count);
          }),
        );
        sent += count;
        if (pending.length >= window) await pending.shift();
      }
      await Promise.all(pending);
      return produceFigures(w.records, w.recordSize, performance.now() - start, latency.summary());
    } finally {
      await Promise.allSettled(pending);
      redis.disconnect();
    }
  }

  async consume(stream: string, w: Workload): Promise<ConsumeFigures> {
    const redis = await this.client();
    try {
      let lastId = '0-0';
      let read = 0;
      const start = performance.now();
      while (read < w.records) {
        const reply = (await redis.callBuffer('XREAD', 'COUNT', 1000, 'STREAMS', stream, lastId)) as XReadReply;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0) throw new IllegalStateError(`${stream} ended after ${read} of ${w.records} entries.`);
        for (const [, fields] of entries) if (fields[1] !== undefined) read++;
        lastId = entries.at(-1)![0].toString();
      }
      return throughput(read, w.recordSize, performance.now() - start);
    } finally {
      redis.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }
}
