/**
 * A TCP proxy in front of one broker, for delivery specs: it forwards every frame both ways unchanged and, when
 * told to (`cutEvery`), loses the answer to a Produce request after the broker wrote it — the answer is dropped and
 * the client's connection cut (with it the answers of every other request in flight on it), the way a leader dying
 * or a network failing right after the append would look to the producer. Only answers without any partition error
 * are cut, so the records they answer are in the log.
 *
 * Brokers advertise the proxy's port (advertised.listeners) while listening on their own, so clients and followers
 * alike reach them through proxies; follower fetches pass untouched. Test code only: nothing in lib/ can lose an
 * answer on purpose.
 */
import net from 'node:net';
import { ApiKey } from '../../lib/protocol/api-keys.js';
import { FrameDecoder } from '../../lib/protocol/frame-decoder.js';
import { decodeFrameValue } from '../../lib/protocol/msgpack.js';

interface ProduceAnswer {
  responses: { partitionResponses: { errorCode: number }[] }[];
}

function framed(frame: Buffer): Buffer {
  const length = Buffer.allocUnsafe(4);
  length.writeInt32BE(frame.length);
  return Buffer.concat([length, frame]);
}

export class ResponseCuttingProxy {
  /** Cut after every Nth successful Produce answer; 0 never cuts. */
  cutEvery = 0;
  /** The most answers this proxy cuts. */
  maxCuts = Number.POSITIVE_INFINITY;
  /** Answers cut so far. */
  cuts = 0;
  private successes = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on a free loopback port, forwarding to `127.0.0.1:targetPort`. */
  static async start(targetPort: number): Promise<ResponseCuttingProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new ResponseCuttingProxy(server, targetPort);
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    const apiKeys = new Map<number, number>();
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    const requests = new FrameDecoder((frame) => {
      const { apiKey, correlationId } = decodeFrameValue(frame) as { apiKey: number; correlationId: number };
      apiKeys.set(correlationId, apiKey);
      upstream.write(framed(frame));
    });
    const answers = new FrameDecoder((frame) => {
      const { correlationId, body } = decodeFrameValue(frame) as { correlationId: number; body: unknown };
      const apiKey = apiKeys.get(correlationId);
      apiKeys.delete(correlationId);
      if (apiKey === ApiKey.Produce && this.shouldCut(body as ProduceAnswer)) {
        this.cuts++;
        cut();
        return;
      }
      client.write(framed(frame));
    });
    client.on('data', (chunk: Buffer) => requests.push(chunk));
    upstream.on('data', (chunk: Buffer) => answers.push(chunk));
    for (const socket of [client, upstream]) {
      socket.on('error', cut);
      socket.on('close', () => {
        this.sockets.delete(socket);
        cut();
      });
    }
  }

  private shouldCut(answer: ProduceAnswer): boolean {
    if (!answer.responses.every((t) => t.partitionResponses.every((p) => p.errorCode === 0))) return false;
    this.successes++;
    return this.cutEvery > 0 && this.successes % this.cutEvery === 0 && this.cuts < this.maxCuts;
  }
}
