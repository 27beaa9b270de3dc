/**
 * RabbitMQ streams as a peer in `mq-bench compare`: Debian's rabbitmq-server started from its own scripts (not
 * the service) with every port and directory its own — an epmd of its own on a free loopback port (started first,
 * stopped last, so no other node's epmd is touched), the AMQP listener and Erlang distribution on free loopback
 * ports, mnesia, logs, cookie and an empty plugin list in its data dir — driven by amqplib over AMQP 0-9-1.
 *
 * Produce: a durable stream queue (`x-queue-type: stream`), persistent messages on a confirm channel, at most
 * `inflight` unconfirmed; one message per call (AMQP has no batch publish; `batch` does not apply). Consume: from
 * the stream's first offset with prefetch 1000, acknowledging every 100 messages (`multiple`). Durability: a
 * stream confirms a message once its replicas (here one) have written it; RabbitMQ has no switch to fsync each
 * stream write, so 'fsync' runs the same way and the row says so.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
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

export class RabbitMqStreams implements BenchSystem {
  readonly name = 'RabbitMQ streams';
  private epmd: ServerProcess | null = null;
  private server: ServerProcess | null = null;
  private port = 0;

  setting(w: Workload): SystemSetting {
    const text = 'stream queue, persistent messages, publisher confirms';
    return w.durability === 'fsync'
      ? { text: `${text}; confirm after the write, no per-message fsync setting for streams`, equivalent: false }
      : { text, equivalent: true };
  }

  async unavailable(): Promise<string | null> {
    if (commandPath('rabbitmq-server') === null || commandPath('epmd') === null)
      return 'rabbitmq-server is not installed (bash scripts/setup.sh --bench installs it)';
    return missingPackage('amqplib');
  }

  async start(dir: string): Promise<void> {
    const epmdPort = await freePort();
    this.epmd = await ServerProcess.start({
      name: 'epmd',
      command: commandPath('epmd')!,
      args: ['-port', String(epmdPort), '-address', '127.0.0.1'],
      env: { ...process.env, ERL_EPMD_ADDRESS: '127.0.0.1' },
      logFile: join(dir, 'epmd.log'),
      port: epmdPort,
    });
    this.port = await freePort();
    const distPort = await freePort();
    mkdirSync(join(dir, 'home'), { recursive: true });
    writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
    writeFileSync(join(dir, 'rabbitmq.conf'), 'loopback_users.guest = true\n');
    this.server = await ServerProcess.start({
      name: 'rabbitmq-server',
      // The script in RabbitMQ's own folder runs the node as the calling user; /usr/sbin's wrapper switches users.
      command: commandPath('rabbitmq-server')!.replace(/^\/usr\/sbin\//, '/usr/lib/rabbitmq/bin/'),
      args: [],
      env: {
        ...process.env,
        HOME: join(dir, 'home'),
        RABBITMQ_NODENAME: `mqbench${this.port}@localhost`,
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(this.port),
        RABBITMQ_DIST_PORT: String(distPort),
        ERL_EPMD_PORT: String(epmdPort),
        ERL_EPMD_ADDRESS: '127.0.0.1',
        RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(dir, 'log'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
        RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
        RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      },
      logFile: join(dir, 'rabbitmq.log'),
      port: this.port,
      readyTimeoutMs: 120000,
    });
  }

  private async client(): Promise<ChannelModel> {
    const amqp = await import('amqplib');
    return amqp.connect(`amqp://guest:guest@127.0.0.1:${this.port}`);
  }

  async produce(stream: string, w: Workload): Promise<ProduceFigures> {
    const connection = await this.client();
    try {
      const channel: ConfirmChannel = await connection.createConfirmChannel();
      await channel.deleteQueue(stream);
      await channel.assertQueue(stream, { durable: true, arguments: { 'x-queue-type': 'stream' } });
      const value = randomPayload(w.recordSize);
      const latency = new LatencyHistogram();
      const window = new AckWindow();
      const ms = await window.publishAll(w.records, w.inflight, async () => {
        const sentMs = performance.now();
        const writable = channel.sendToQueue(stream, value, { persistent: true }, (error: unknown) => {
          latency.record(performance.now() - sentMs);
          window.ack(
            error === null || error === undefined
              ? null
              : new IllegalStateError('RabbitMQ nacked a message.', { cause: error }),
          );
        });
        if (!writable) await new Promise((resolve) => channel.once('drain', resolve));
      });
      return produceFigures(w.records, w.recordSize, ms, latency.summary());
    } finally {
      await connection.close();
    }
  }

  async consume(stream: string, w: Workload): Promise<ConsumeFigures> {
    const connection = await this.client();
    try {
      const channel = await connection.createChannel();
      await channel.prefetch(1000);
      let read = 0;
      let done: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const start = performance.now();
      await channel.consume(
        stream,
        (msg) => {
          if (msg === null) return;
          read++;
          if (read % 100 === 0 || read >= w.records) channel.ack(msg, true);
          if (read === w.records) done();
        },
        { noAck: false, arguments: { 'x-stream-offset': 'first' } },
      );
      await finished;
      return throughput(read, w.recordSize, performance.now() - start);
    } finally {
      await connection.close();
    }
  }

  async stop(): Promise<void> {
    await this.server?.stop(30000);
    this.server = null;
    await this.epmd?.stop();
    this.epmd = null;
  }
}
