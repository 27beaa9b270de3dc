import { expect } from 'chai';
import { silentLogger } from '../../../lib/common/logger.js';
import { SystemTime } from '../../../lib/common/time.js';
import { ServerConnection, type RequestHandler } from '../../../lib/network/server-connection.js';
import { ANONYMOUS } from '../../../lib/network/security/kafka-principal.js';
import { ApiKey } from '../../../lib/protocol/api-keys.js';
import { ApiVersions } from '../../../lib/protocol/api-versions.js';
import { MqServerCodec } from '../../../lib/protocol/mq-server-codec.js';
import { defer } from '../../helpers/cleanup.js';
import { waitFor } from '../../helpers/wait-for.js';
import { deferred, FrameReader, frameOf, socketPair } from './net-fixtures.js';

const metadataRequest = (correlationId: number) => ({
  apiKey: ApiKey.Metadata,
  apiVersion: 0,
  correlationId,
  clientId: null,
  body: { topics: null, allowAutoTopicCreation: false },
});

async function serve(handler: RequestHandler, queuedMaxRequests = 500) {
  const { client, server } = await socketPair();
  const codec = new MqServerCodec(ApiVersions.defaults());
  const connection = defer(
    new ServerConnection({
      socket: server,
      connectionId: 'spec-0',
      handler,
      codec,
      listener: {
        name: 'PLAINTEXT',
        wireProtocol: 'MQ',
        securityProtocol: 'PLAINTEXT',
        apiVersions: codec.apiVersions,
      },
      principal: ANONYMOUS,
      sasl: null,
      socketRequestMaxBytes: 104857600,
      connectionsMaxIdleMs: 600000,
      queuedMaxRequests,
      time: SystemTime,
      logger: silentLogger,
      onClose: () => {},
    }),
    (c) => c.destroy(),
  );
  return { client, serverSocket: server, connection };
}

describe('ServerConnection', () => {
  describe('back-pressure', () => {
    it('stops reading at queuedMaxRequests unanswered requests and resumes when they are answered', async () => {
      const release = deferred();
      let calls = 0;
      const { client, serverSocket, connection } = await serve(async () => {
        calls++;
        await release.promise;
        return { ok: true };
      }, 2);
      const reader = new FrameReader(client);
      client.write(frameOf(metadataRequest(1)));
      await waitFor(() => calls === 1, 'the first request to reach the handler', { intervalMs: 2 });
      expect(serverSocket.isPaused()).to.equal(false);
      client.write(frameOf(metadataRequest(2)));
      await waitFor(() => calls === 2, 'the second request to reach the handler', { intervalMs: 2 });
      expect(serverSocket.isPaused()).to.equal(true);
      expect(connection.queuedRequests).to.equal(2);
      release.resolve();
      expect(((await reader.take(2)) as { correlationId: number }[]).map((r) => r.correlationId)).to.deep.equal([1, 2]);
      expect(serverSocket.isPaused()).to.equal(false);
    });

    it('stops reading while the socket has not drained its responses, and resumes on drain', async () => {
      const big = Buffer.alloc(32 * 1024 * 1024, 1);
      const { client, serverSocket } = await serve(async () => ({ records: big }));
      client.pause();
      client.write(frameOf(metadataRequest(1)));
      await waitFor(() => serverSocket.isPaused(), 'the server to stop reading behind an undrained response', {
        intervalMs: 2,
      });
      const reader = new FrameReader(client);
      client.resume();
      const [response] = (await reader.take(1)) as { body: { records: Buffer } }[];
      expect(response!.body.records.length).to.equal(big.length);
      await waitFor(() => !serverSocket.isPaused(), 'the server to read again after drain', { intervalMs: 2 });
    });
  });
});
