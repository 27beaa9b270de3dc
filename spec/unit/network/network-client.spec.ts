import { createServer, type Socket } from 'node:net';
import { expect } from 'chai';
import { ApiError, ConnectionError, InvalidArgumentError, TimeoutError } from '../../../lib/common/errors.js';
import { NetworkClient } from '../../../lib/network/network-client.js';
import type { RequestHandler } from '../../../lib/network/server-connection.js';
import { ApiKey } from '../../../lib/protocol/api-keys.js';
import type { MetadataRequest, ProduceRequest } from '../../../lib/protocol/messages/index.js';
import { defer } from '../../helpers/cleanup.js';
import { connectClient, deferred, frameOf, startServer } from './net-fixtures.js';

const metadata = (name: string): MetadataRequest => ({ topics: [{ name }], allowAutoTopicCreation: false });
const nameOf = (body: unknown): string => (body as MetadataRequest).topics![0]!.name;
const echo: RequestHandler = async (_ctx, _header, body) => ({ echoed: nameOf(body) });

/** Rejection of `promise`, failing if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

/** A bare TCP server that runs `onData` for what each connection sends. */
async function rawServer(onData: (socket: Socket, chunk: Buffer) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => onData(socket, chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(server, (s) => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => s.close(resolve));
  });
  return (server.address() as { port: number }).port;
}

describe('NetworkClient', () => {
  describe('.connect', () => {
    it('rejects with ConnectionError when nothing listens', async () => {
      const server = await startServer(echo);
      const free = server.port;
      await server.close();
      const error = await rejectionOf(NetworkClient.connect({ host: '127.0.0.1', port: free }));
      expect(error).to.be.instanceOf(ConnectionError);
      expect(error.message).to.match(new RegExp(`Could not connect to 127.0.0.1:${free}: .*ECONNREFUSED`));
    });

    it('rejects invalid options, naming them', async () => {
      const error = await NetworkClient.connect({ host: '127.0.0.1', port: 1, maxInFlightRequests: 0 }).catch(
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect((error as Error).message).to.match(/maxInFlightRequests must be an integer >= 1; found 0/);
    });
  });

  describe('#send', () => {
    it('resolves each request with its own response, many in flight', async () => {
      const server = await startServer(async (ctx, header, body) => {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        return echo(ctx, header, body);
      });
      const client = await connectClient(server.port, { maxInFlightRequests: 100 });
      const names = Array.from({ length: 300 }, (_, i) => `t${i}`);
      const responses = await Promise.all(names.map((n) => client.send(ApiKey.Metadata, 0, metadata(n))));
      expect(responses).to.deep.equal(names.map((n) => ({ echoed: n })));
    });

    it('has at most maxInFlightRequests written at once; the others wait their turn', async () => {
      let running = 0;
      let mostRunning = 0;
      const server = await startServer(async (ctx, header, body) => {
        mostRunning = Math.max(mostRunning, ++running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        return echo(ctx, header, body);
      });
      const client = await connectClient(server.port, { maxInFlightRequests: 3 });
      await Promise.all(Array.from({ length: 20 }, (_, i) => client.send(ApiKey.Metadata, 0, metadata(`t${i}`))));
      expect(mostRunning).to.equal(3);
    });

    it('resolves with null once written when no response is expected (acks=0)', async () => {
      const received: ProduceRequest[] = [];
      const server = await startServer(async (_ctx, header, body) => {
        if (header.apiKey === ApiKey.Produce) {
          received.push(body as ProduceRequest);
          return null;
        }
        return echo(_ctx, header, body);
      });
      const client = await connectClient(server.port);
      const records = Buffer.alloc(64 * 1024, 7);
      const produce: ProduceRequest = {
        transactionalId: null,
        acks: 0,
        timeoutMs: 1000,
        topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
      };
      expect(await client.send(ApiKey.Produce, 0, produce, { expectResponse: false })).to.equal(null);
      expect(await client.send(ApiKey.Metadata, 0, metadata('after'))).to.deep.equal({ echoed: 'after' });
      expect(received[0]!.topicData[0]!.partitionData[0]!.records).to.deep.equal(records);
      expect(client.pendingRequests).to.equal(0);
    });

    it('returns a top-level errorCode to the caller for APIs whose response has one', async () => {
      const server = await startServer(async () => {
        throw new ApiError('NOT_CONTROLLER');
      });
      const client = await connectClient(server.port);
      const response = await client.send(ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: false });
      expect(response.errorCode).to.equal(41);
    });

    it('rejects with the ApiError when the broker failed the whole request of an API without a top-level errorCode', async () => {
      const server = await startServer(echo);
      const client = await connectClient(server.port);
      const error = await rejectionOf(client.send(ApiKey.Metadata, 0, { topics: 'all' } as never));
      expect(error).to.be.instanceOf(ApiError);
      expect((error as ApiError).errorName).to.equal('INVALID_REQUEST');
      expect(error.message).to.contain('MetadataRequest.topics: expected an array, found "all"');
      expect(await client.send(ApiKey.Metadata, 0, metadata('next'))).to.deep.equal({ echoed: 'next' });
    });

    it('rejects UNSUPPORTED_VERSION with an ApiError', async () => {
      const server = await startServer(echo);
      const client = await connectClient(server.port);
      const error = await rejectionOf(client.send(ApiKey.Metadata, 3, metadata('x')));
      expect((error as ApiError).errorName).to.equal('UNSUPPORTED_VERSION');
      expect(error.message).to.equal('Metadata v3 is not supported; this broker serves Metadata v0 to v0.');
    });

    it('rejects a body it cannot encode with InvalidArgumentError and stays connected', async () => {
      const server = await startServer(echo);
      const client = await connectClient(server.port);
      const error = await rejectionOf(client.send(ApiKey.Metadata, 0, { topics: new Map() } as never));
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(await client.send(ApiKey.Metadata, 0, metadata('ok'))).to.deep.equal({ echoed: 'ok' });
    });
  });

  describe('timeouts', () => {
    it('rejects a request unanswered in time with TimeoutError and closes, since later responses are stuck behind it', async () => {
      const never = deferred<object>();
      const server = await startServer((_ctx, _header, body) =>
        nameOf(body) === 'stuck' ? never.promise : echo(_ctx, _header, body),
      );
      const disconnects: ConnectionError[] = [];
      const client = await connectClient(server.port, { onDisconnect: (e) => disconnects.push(e) });
      const stuck = rejectionOf(client.send(ApiKey.Metadata, 0, metadata('stuck'), { timeoutMs: 40 }));
      const behind = rejectionOf(client.send(ApiKey.Metadata, 0, metadata('behind'), { timeoutMs: 5000 }));
      const started = performance.now();
      expect(await stuck).to.be.instanceOf(TimeoutError);
      expect(performance.now() - started).to.be.within(30, 1000);
      expect(await behind).to.be.instanceOf(ConnectionError);
      expect(client.connected).to.equal(false);
      expect(disconnects).to.have.length(1);
      expect(disconnects[0]!.message).to.match(/Metadata request 0 got no response in time/);
      never.resolve({});
    });

    it('rejects a request still waiting for an in-flight slot with TimeoutError and stays connected', async () => {
      const release = deferred();
      const server = await startServer(async (ctx, header, body) => {
        await release.promise;
        return echo(ctx, header, body);
      });
      const client = await connectClient(server.port, { maxInFlightRequests: 1 });
      const first = client.send(ApiKey.Metadata, 0, metadata('first'));
      const waiting = await rejectionOf(client.send(ApiKey.Metadata, 0, metadata('waiting'), { timeoutMs: 20 }));
      expect(waiting).to.be.instanceOf(TimeoutError);
      expect(client.connected).to.equal(true);
      release.resolve();
      expect(await first).to.deep.equal({ echoed: 'first' });
    });
  });

  describe('connection loss', () => {
    it('rejects every pending request with ConnectionError when the broker goes away', async () => {
      const port = await rawServer((socket) => socket.destroy());
      const disconnects: ConnectionError[] = [];
      const client = await connectClient(port, { maxInFlightRequests: 2, onDisconnect: (e) => disconnects.push(e) });
      const errors = await Promise.all(
        [1, 2, 3].map((i) => rejectionOf(client.send(ApiKey.Metadata, 0, metadata(`${i}`)))),
      );
      for (const error of errors) expect(error).to.be.instanceOf(ConnectionError);
      expect(disconnects).to.have.length(1);
      expect(await rejectionOf(client.send(ApiKey.Metadata, 0, metadata('later')))).to.equal(disconnects[0]);
    });

    it('breaks the connection on a response whose correlation id is out of step', async () => {
      const port = await rawServer((socket) => socket.write(frameOf({ correlationId: 999, body: {} })));
      const client = await connectClient(port);
      const error = await rejectionOf(client.send(ApiKey.Metadata, 0, metadata('x')));
      expect(error).to.be.instanceOf(ConnectionError);
      expect(error.message).to.match(/correlation id 999 does not match the oldest request in flight \(0\)/);
    });

    it('rejects pending and later requests once closed by the caller', async () => {
      const server = await startServer(() => deferred<object>().promise);
      const client = await connectClient(server.port);
      const pending = rejectionOf(client.send(ApiKey.Metadata, 0, metadata('x')));
      await client.close();
      expect(await pending).to.be.instanceOf(ConnectionError);
      expect((await rejectionOf(client.send(ApiKey.Metadata, 0, metadata('y')))).message).to.match(
        /closed by the client/,
      );
    });
  });
});
