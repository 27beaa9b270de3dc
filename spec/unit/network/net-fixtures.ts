/** Loopback fixtures for the network specs: servers and clients released after each test, raw frame I/O. */
import { connect, createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../../lib/common/logger.js';
import { NetworkClient, type NetworkClientOptions } from '../../../lib/network/network-client.js';
import type { RequestHandler } from '../../../lib/network/server-connection.js';
import { SocketServer, type SocketServerOptions } from '../../../lib/network/socket-server.js';
import { FrameDecoder } from '../../../lib/protocol/frame-decoder.js';
import { FrameEncoder } from '../../../lib/protocol/frame-encoder.js';
import { decodeFrameValue } from '../../../lib/protocol/msgpack.js';
import { defer } from '../../helpers/cleanup.js';

export async function startServer(
  handler: RequestHandler,
  options: Partial<SocketServerOptions> = {},
): Promise<SocketServer> {
  const server = defer(
    new SocketServer({ host: '127.0.0.1', port: 0, handler, shutdownTimeoutMs: 1000, ...options }),
    (s) => s.close(),
  );
  await server.start();
  return server;
}

export async function connectClient(port: number, options: Partial<NetworkClientOptions> = {}): Promise<NetworkClient> {
  return defer(await NetworkClient.connect({ host: '127.0.0.1', port, ...options }), (c) => c.close());
}

/** A connected socket pair over loopback: `server` is the accepted side. */
export async function socketPair(): Promise<{ client: Socket; server: Socket }> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
  const client = await rawSocket(port);
  const server = defer(await accepted, (s) => s.destroy());
  listener.close(); // stops accepting; the handle goes once the pair is closed
  return { client, server };
}

export async function rawSocket(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return defer(socket, (s) => s.destroy());
}

const encoder = new FrameEncoder();

/** One encoded frame holding `value`. */
export function frameOf(value: unknown): Buffer {
  return Buffer.concat(encoder.encode(value));
}

export function closed(socket: Socket): Promise<void> {
  return socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

/** Decodes the frames a raw socket receives; `take(n)` resolves once n more have arrived. */
export class FrameReader {
  readonly values: unknown[] = [];
  private taken = 0;
  private waiter: { count: number; resolve: (v: unknown[]) => void; reject: (e: Error) => void } | null = null;

  constructor(socket: Socket) {
    const decoder = new FrameDecoder((frame) => {
      this.values.push(decodeFrameValue(frame));
      this.settle();
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('close', () => this.waiter?.reject(new Error(`socket closed after ${this.values.length} frames`)));
  }

  take(count: number): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.waiter = { count, resolve, reject };
      this.settle();
    });
  }

  private settle(): void {
    if (this.waiter !== null && this.values.length - this.taken >= this.waiter.count) {
      const out = this.values.slice(this.taken, this.taken + this.waiter.count);
      this.taken += this.waiter.count;
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(out);
    }
  }
}

/** A promise with its settle functions exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A pino logger whose lines are kept, parsed, for assertions. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}
