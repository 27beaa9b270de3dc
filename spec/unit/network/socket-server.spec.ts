import { expect } from 'chai';
import { ApiError } from '../../../lib/common/errors.js';
import type { RequestContext } from '../../../lib/network/request-context.js';
import type { RequestHandler } from '../../../lib/network/server-connection.js';
import { SocketServer } from '../../../lib/network/socket-server.js';
import { ApiKey } from '../../../lib/protocol/api-keys.js';
import type { MetadataRequest } from '../../../lib/protocol/messages/index.js';
import { MockTime } from '../../helpers/mock-time.js';
import {
  capturingLogger,
  closed,
  connectClient,
  deferred,
  FrameReader,
  frameOf,
  rawSocket,
  startServer,
} from './net-fixtures.js';

/** Answers Metadata with the first requested topic name; the shape does not matter to the server. */
const echo: RequestHandler = async (_ctx, _header, body) => ({ echoed: (body as MetadataRequest).topics?.[0]?.name });

const metadataRequest = (correlationId: number, name = String(correlationId), apiVersion = 0) => ({
  apiKey: ApiKey.Metadata,
  apiVersion,
  correlationId,
  clientId: 'spec',
  body: { topics: [{ name }], allowAutoTopicCreation: false },
});

interface Response {
  correlationId: number;
  body: Record<string, unknown>;
}

describe('SocketServer', () => {
  describe('#start', () => {
    it('binds a free port when asked for port 0 and reports it', async () => {
      const server = await startServer(echo);
      expect(server.port).to.be.greaterThan(0);
      const client = await connectClient(server.port);
      expect(client.connected).to.equal(true);
    });

    it('rejects when the port is taken', async () => {
      const first = await startServer(echo);
      const second = new SocketServer({ host: '127.0.0.1', port: first.port, handler: echo });
      try {
        await second.start();
        expect.fail('expected EADDRINUSE');
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).to.equal('EADDRINUSE');
      }
    });
  });

  describe('requests', () => {
    it('answers 1000 pipelined requests in request order although handlers finish out of order', async () => {
      const server = await startServer(async (ctx, header, body) => {
        await new Promise((r) => setTimeout(r, Math.random() * 4));
        return echo(ctx, header, body);
      });
      const socket = await rawSocket(server.port);
      const reader = new FrameReader(socket);
      socket.write(Buffer.concat(Array.from({ length: 1000 }, (_, i) => frameOf(metadataRequest(i)))));
      const responses = (await reader.take(1000)) as Response[];
      expect(responses.map((r) => r.correlationId)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
      expect(responses.map((r) => r.body['echoed'])).to.deep.equal(Array.from({ length: 1000 }, (_, i) => String(i)));
    });

    it('answers an unknown api key or version with UNSUPPORTED_VERSION and keeps the connection', async () => {
      const server = await startServer(echo);
      const socket = await rawSocket(server.port);
      const reader = new FrameReader(socket);
      socket.write(frameOf({ ...metadataRequest(1), apiKey: 99 }));
      socket.write(frameOf(metadataRequest(2, 'x', 7)));
      socket.write(frameOf(metadataRequest(3, 'still served')));
      const [unknownKey, unknownVersion, served] = (await reader.take(3)) as Response[];
      expect(unknownKey).to.deep.include({ correlationId: 1 });
      expect(unknownKey!.body['errorCode']).to.equal(35);
      expect(unknownKey!.body['errorMessage']).to.match(/API key 99 .* is not served/);
      expect(unknownVersion!.body).to.deep.equal({
        errorCode: 35,
        errorMessage: 'Metadata v7 is not supported; this broker serves Metadata v0 to v0.',
      });
      expect(served).to.deep.equal({ correlationId: 3, body: { echoed: 'still served' } });
    });

    it('lists the versions it serves when answering an ApiVersions request of an unknown version', async () => {
      const server = await startServer(echo);
      const socket = await rawSocket(server.port);
      const reader = new FrameReader(socket);
      socket.write(frameOf({ apiKey: ApiKey.ApiVersions, apiVersion: 9, correlationId: 5, clientId: null, body: {} }));
      const [response] = (await reader.take(1)) as Response[];
      expect(response!.body['errorCode']).to.equal(35);
      expect(response!.body['apiKeys']).to.deep.include({ apiKey: ApiKey.Fetch, minVersion: 0, maxVersion: 0 });
    });

    it('answers a body that fails validation with INVALID_REQUEST naming the field, and keeps the connection', async () => {
      let calls = 0;
      const server = await startServer(async (ctx, header, body) => {
        calls++;
        return echo(ctx, header, body);
      });
      const socket = await rawSocket(server.port);
      const reader = new FrameReader(socket);
      socket.write(frameOf({ ...metadataRequest(1), body: { topics: [{ name: 5 }], allowAutoTopicCreation: false } }));
      socket.write(frameOf(metadataRequest(2, 'ok')));
      const [invalid, ok] = (await reader.take(2)) as Response[];
      expect(invalid!.body['errorCode']).to.equal(42);
      expect(invalid!.body['errorMessage']).to.contain('MetadataRequest.topics[0].name: expected a string, found 5');
      expect(ok!.body).to.deep.equal({ echoed: 'ok' });
      expect(calls).to.equal(1);
    });

    it('answers an ApiError from the handler with its code and any other error with UNKNOWN_SERVER_ERROR', async () => {
      const { logger, lines } = capturingLogger();
      const server = await startServer(
        (_ctx, _header, body) => {
          const name = (body as MetadataRequest).topics![0]!.name;
          if (name === 'sync') throw new TypeError('thrown by a handler that is not async');
          return Promise.reject(
            name === 'api' ? new ApiError('NOT_CONTROLLER', 'ask the controller') : new Error('a bug'),
          );
        },
        { logger },
      );
      const socket = await rawSocket(server.port);
      const reader = new FrameReader(socket);
      for (const [i, name] of ['api', 'bug', 'sync'].entries()) socket.write(frameOf(metadataRequest(i, name)));
      const [api, bug, sync] = (await reader.take(3)) as Response[];
      expect(api!.body).to.deep.equal({ errorCode: 41, errorMessage: 'ask the controller' });
      expect(bug!.body['errorCode']).to.equal(-1);
      expect(sync!.body['errorCode']).to.equal(-1);
      const errors = lines.filter((l) => l['level'] === 50);
      const stacks = errors.map((l) => (l['err'] as { stack: string }).stack);
      expect(stacks).to.have.length(2);
      expect(stacks.some((s) => s.startsWith('Error: a bug\n    at '))).to.equal(true);
      expect(stacks.some((s) => s.startsWith('TypeError: thrown by a handler'))).to.equal(true);
    });

    it('sends nothing for a handler answering null, and answers later requests in order', async () => {
      const server = await startServer(async (ctx, header, body) =>
        (body as MetadataRequest).topics![0]!.name === 'silent' ? null : echo(ctx, header, body),
      );
      const socket = await rawSocket(server.port);
      const reader = new FrameReader(socket);
      socket.write(Buffer.concat([frameOf(metadataRequest(1, 'silent')), frameOf(metadataRequest(2, 'loud'))]));
      expect(await reader.take(1)).to.deep.equal([{ correlationId: 2, body: { echoed: 'loud' } }]);
    });

    it('gives the handler a context: connection, client address, client id, api and receive time', async () => {
      const contexts: RequestContext[] = [];
      const time = new MockTime(1_700_000_000_123);
      const server = await startServer(
        async (ctx, header, body) => {
          contexts.push(ctx);
          return echo(ctx, header, body);
        },
        { time },
      );
      const client = await connectClient(server.port, { clientId: 'producer-1' });
      await client.send(ApiKey.Metadata, 0, { topics: null, allowAutoTopicCreation: false });
      const ctx = contexts[0]!;
      expect(ctx).to.deep.include({
        clientId: 'producer-1',
        apiKey: ApiKey.Metadata,
        apiVersion: 0,
        correlationId: 0,
        receivedAtMs: 1_700_000_000_123,
      });
      expect(ctx.clientAddress).to.match(/^127\.0\.0\.1:\d+$/);
      expect(ctx.connectionId).to.match(new RegExp(`^127\\.0\\.0\\.1:${server.port}-127\\.0\\.0\\.1:\\d+-0$`));
    });
  });

  describe('closing connections', () => {
    it('closes a connection that sends bytes that are not msgpack, logging once, and leaves others alone', async () => {
      const { logger, lines } = capturingLogger();
      const server = await startServer(echo, { logger });
      const client = await connectClient(server.port);
      const socket = await rawSocket(server.port);
      const address = `127.0.0.1:${socket.localPort}`;
      socket.write(Buffer.from([0, 0, 0, 2, 0x92, 0x01, 0, 0, 0, 1, 0xc0]));
      await closed(socket);
      const warnings = lines.filter((l) => l['level'] === 40);
      expect(warnings).to.have.length(1);
      expect(warnings[0]!['clientAddress']).to.equal(address);
      expect(
        await client.send(ApiKey.Metadata, 0, { topics: [{ name: 'a' }], allowAutoTopicCreation: false }),
      ).to.deep.equal({ echoed: 'a' });
    });

    it('closes a connection whose request header has the wrong types', async () => {
      const server = await startServer(echo);
      const socket = await rawSocket(server.port);
      socket.write(frameOf({ ...metadataRequest(1), apiKey: 'Metadata' }));
      await closed(socket);
      expect(server.connectionCount).to.equal(0);
    });

    it('closes a connection declaring a frame over socketRequestMaxBytes before its body is sent', async () => {
      const server = await startServer(echo, { socketRequestMaxBytes: 1024 });
      const socket = await rawSocket(server.port);
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(1025, 0);
      socket.write(Buffer.concat([prefix, Buffer.alloc(10)]));
      await closed(socket);
      expect(socket.bytesWritten).to.equal(14);
    });

    it('closes a connection idle for connectionsMaxIdleMs, but not while a request is in flight', async () => {
      const server = await startServer(
        async (ctx, header, body) => {
          await new Promise((r) => setTimeout(r, 150));
          return echo(ctx, header, body);
        },
        { connectionsMaxIdleMs: 50 },
      );
      const idle = await rawSocket(server.port);
      const busy = await rawSocket(server.port);
      const reader = new FrameReader(busy);
      busy.write(frameOf(metadataRequest(1, 'slow')));
      await closed(idle);
      expect(busy.destroyed).to.equal(false);
      expect(await reader.take(1)).to.deep.equal([{ correlationId: 1, body: { echoed: 'slow' } }]);
      await closed(busy);
    });

    it('closes the connection after the response when the handler asks to', async () => {
      const server = await startServer(async (ctx, header, body) => {
        ctx.closeConnectionAfterResponse = true;
        return echo(ctx, header, body);
      });
      const socket = await rawSocket(server.port);
      const reader = new FrameReader(socket);
      socket.write(Buffer.concat([frameOf(metadataRequest(1, 'last')), frameOf(metadataRequest(2, 'dropped'))]));
      expect(await reader.take(1)).to.deep.equal([{ correlationId: 1, body: { echoed: 'last' } }]);
      await closed(socket);
      expect(reader.values).to.have.length(1);
    });
  });

  describe('#close', () => {
    it('stops accepting, answers requests in flight, then closes every connection', async () => {
      const release = deferred();
      const handled = deferred();
      const server = await startServer(async (ctx, header, body) => {
        handled.resolve();
        await release.promise;
        return echo(ctx, header, body);
      });
      const port = server.port;
      const idle = await rawSocket(port);
      const busy = await rawSocket(port);
      const reader = new FrameReader(busy);
      busy.write(frameOf(metadataRequest(7, 'in flight')));
      await handled.promise;
      const closing = server.close();
      await closed(idle);
      release.resolve();
      expect(await reader.take(1)).to.deep.equal([{ correlationId: 7, body: { echoed: 'in flight' } }]);
      await closing;
      await closed(busy);
      expect(server.connectionCount).to.equal(0);
      try {
        await rawSocket(port);
        expect.fail('the listener should be closed');
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
      }
    });
  });
});
