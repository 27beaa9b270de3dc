import { expect } from 'chai';
import { createServer } from 'node:net';
import { ApiError, ConnectionError, IllegalStateError, TimeoutError } from '../../../lib/common/errors.js';
import { silentLogger } from '../../../lib/common/logger.js';
import { SystemTime } from '../../../lib/common/time.js';
import { ApiKey } from '../../../lib/protocol/api-keys.js';
import { ClientCluster, type ClientClusterOptions } from '../../../lib/client/client-cluster.js';
import { parseBrokerAddresses } from '../../../lib/client/client-options.js';
import { Producer } from '../../../lib/client/producer/producer.js';
import { ExponentialBackoff, isRetriable, retry } from '../../../lib/client/retry.js';
import { defer } from '../../helpers/cleanup.js';
import { waitFor } from '../../helpers/wait-for.js';
import { MockCluster } from './mock-cluster.js';
import { toolLogger } from '../../../lib/cli/tool-logger.js';

function clientCluster(bootstrap: string, overrides: Partial<ClientClusterOptions> = {}): ClientCluster {
  return defer(
    new ClientCluster({
      bootstrapServers: parseBrokerAddresses('bootstrap.servers', bootstrap),
      clientId: 'spec',
      requestTimeoutMs: 2000,
      connectTimeoutMs: 1000,
      metadataMaxAgeMs: 300000,
      retryBackoffMs: 5,
      reconnectBackoffMs: 5,
      reconnectBackoffMaxMs: 50,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
      time: SystemTime,
      logger: silentLogger,
      ...overrides,
    }),
    (c) => c.close(),
  );
}

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function metadataRequests(cluster: MockCluster): number {
  return cluster.requests.filter((r) => r.apiKey === ApiKey.Metadata).length;
}

describe('ClientCluster', () => {
  describe('#connect', () => {
    it('falls over to the next bootstrap server when one is down', async () => {
      const cluster = await MockCluster.start();
      const client = clientCluster(`127.0.0.1:${await deadPort()},${cluster.bootstrap}`);
      await client.connect(SystemTime.hiResMs() + 5000, 'spec bound');
      expect([...client.metadata.brokers.keys()]).to.deep.equal([0]);
    });

    it('fails with TimeoutError naming the bootstrap servers when none answers', async () => {
      const port = await deadPort();
      const client = clientCluster(`127.0.0.1:${port}`);
      const error = await client.connect(SystemTime.hiResMs() + 200, 'spec bound').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TimeoutError);
      expect((error as Error).message)
        .to.contain(`127.0.0.1:${port}`)
        .and.contain('bootstrap.servers');
    });
    it('warns at once, naming the address, the socket error and how long it keeps retrying', async () => {
      const port = await deadPort();
      const lines: string[] = [];
      const logger = toolLogger({ write: (line: string) => lines.push(line) });
      const client = clientCluster(`127.0.0.1:${port}`, { logger });
      const started = SystemTime.hiResMs();
      const connecting = client.connect(started + 60_000, 'default.api.timeout.ms=60000').catch((e: unknown) => e);
      await waitFor(() => lines.some((l) => l.includes('answered yet')), 'the warning', {
        timeoutMs: 2000,
      });
      expect(SystemTime.hiResMs() - started).to.be.below(2000);
      const warning = lines.find((l) => l.includes('answered yet'))!;
      expect(warning)
        .to.match(/^\[\S+\] WARN /)
        .and.contain(`127.0.0.1:${port}`)
        .and.contain('ECONNREFUSED')
        .and.match(/retrying for up to \d+ ms more \(default\.api\.timeout\.ms=60000\)/);
      expect(
        lines.some((l) => l.includes(`Connection to node -1 (127.0.0.1:${port}) could not be established`)),
      ).to.equal(true);
      await client.close();
      // Closing ends the retry loop: the attempt in flight fails (ConnectionError) or the next one is refused.
      expect(await connecting)
        .to.be.instanceOf(Error)
        .and.not.be.instanceOf(TimeoutError);
    });
  });

  describe('#close', () => {
    it('ends a retry loop that is still running, instead of letting it retry until its deadline', async () => {
      const cluster = await MockCluster.start();
      const client = clientCluster(cluster.bootstrap);
      await client.connect(SystemTime.hiResMs() + 5000, 'spec bound');
      const started = SystemTime.hiResMs();
      let attempts = 0;
      const loop = retry(
        async () => {
          attempts++;
          if (attempts === 1) {
            await client.close();
            throw new ConnectionError('lost while closing');
          }
          return client.send(0, ApiKey.Metadata, { topics: [], allowAutoTopicCreation: false });
        },
        { what: 'Metadata', time: SystemTime, deadlineMs: started + 30_000, backoff: new ExponentialBackoff(5, 50) },
      );
      const error = await loop.catch((e: unknown) => e);
      expect(error).to.be.instanceOf(IllegalStateError);
      expect(isRetriable(error)).to.equal(false);
      expect(attempts).to.equal(2);
      expect(SystemTime.hiResMs() - started).to.be.below(1000);
    });
  });

  describe('#refresh', () => {
    it('shares one Metadata request among concurrent callers', async () => {
      const cluster = await MockCluster.start();
      const client = clientCluster(cluster.bootstrap);
      await client.connect(SystemTime.hiResMs() + 5000, 'spec bound');
      const before = metadataRequests(cluster);
      const snapshots = await Promise.all([client.refresh(), client.refresh(), client.refresh()]);
      expect(metadataRequests(cluster) - before).to.equal(1);
      expect(snapshots[0]).to.equal(snapshots[2]);
    });

    it('refreshes every metadata.max.age.ms', async () => {
      const cluster = await MockCluster.start();
      const client = clientCluster(cluster.bootstrap, { metadataMaxAgeMs: 30 });
      await client.connect(SystemTime.hiResMs() + 5000, 'spec bound');
      await waitFor(() => metadataRequests(cluster) >= 4, 'periodic metadata refreshes');
    });
  });

  describe('#waitForTopic', () => {
    it('rejects with UNKNOWN_TOPIC_OR_PARTITION at the deadline', async () => {
      const cluster = await MockCluster.start();
      const client = clientCluster(cluster.bootstrap);
      await client.connect(SystemTime.hiResMs() + 5000, 'spec bound');
      // Long enough for several backed-off refreshes even when the machine is loaded (one took ~50 ms at load 12).
      const error = await client.waitForTopic('missing', SystemTime.hiResMs() + 500).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'UNKNOWN_TOPIC_OR_PARTITION');
      expect(metadataRequests(cluster)).to.be.greaterThan(2); // it kept asking
    });
  });

  describe('unresponsive brokers', () => {
    it('does not ask a broker whose request timed out for metadata, even when it is the one connected', async () => {
      const cluster = await MockCluster.start(2);
      const client = clientCluster(cluster.bootstrap);
      await client.connect(SystemTime.hiResMs() + 5000, 'spec bound');
      cluster.silenced.add(0);
      const timedOut = await client
        .send(0, ApiKey.Metadata, { topics: [], allowAutoTopicCreation: false }, { timeoutMs: 100 })
        .catch((e: unknown) => e);
      expect(timedOut).to.be.instanceOf(TimeoutError);
      cluster.silenced.delete(0);
      await client.connection(0); // connected again, and idle: the least loaded broker but for the rule
      // A refresh that the timeout started may still be running, and refresh() would join it: let it end first, so
      // that the one asked below chooses its broker now.
      await client.refresh();
      const from = cluster.requests.length;
      await client.refresh();
      const asked = cluster.requests.slice(from).filter((r) => r.apiKey === ApiKey.Metadata);
      expect(asked.length, 'metadata requests of the refresh').to.be.greaterThan(0);
      expect(asked.map((r) => r.nodeId).filter((id) => id !== 1)).to.deep.equal([]);
    });

    it('asks another broker for metadata once requests to the leader time out, and moves to the new leader', async () => {
      const cluster = await MockCluster.start(2);
      cluster.createTopic('t', 1, () => 0);
      const producer = defer(
        new Producer({
          'bootstrap.servers': cluster.bootstrap,
          'request.timeout.ms': 300,
          'retry.backoff.ms': 10,
          'reconnect.backoff.ms': 10,
        }),
        (p) => p.close({ timeoutMs: 1000 }),
      );
      await producer.connect();
      await producer.send({ topic: 't', value: 'before' });
      // Broker 0 hangs (a zombie leader) and broker 1 leads now; only broker 1 can say so.
      cluster.silenced.add(0);
      cluster.moveLeader('t', 0, 1);
      const silentFrom = cluster.requests.length;
      const started = SystemTime.hiResMs();
      expect(await producer.send({ topic: 't', value: 'after' })).to.include({ partition: 0, offset: 1 });
      expect(SystemTime.hiResMs() - started).to.be.below(2000);
      const metadataTo0 = cluster.requests
        .slice(silentFrom)
        .filter((r) => r.apiKey === ApiKey.Metadata && r.nodeId === 0);
      expect(metadataTo0, 'metadata asked of the broker whose requests time out').to.deep.equal([]);
    });
  });

  describe('reconnection', () => {
    it('lets a producer carry on after its broker restarts', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const producer = defer(
        new Producer({ 'bootstrap.servers': cluster.bootstrap, 'retry.backoff.ms': 10, 'reconnect.backoff.ms': 10 }),
        (p) => p.close({ timeoutMs: 1000 }),
      );
      await producer.connect();
      await producer.send({ topic: 't', value: 'before' });
      await cluster.stopBroker(0);
      const during = producer.send({ topic: 't', value: 'during' });
      await new Promise((r) => setTimeout(r, 100));
      await cluster.startBroker(0);
      expect((await during).offset).to.equal(1);
      expect(cluster.values('t', 0)).to.deep.equal(['before', 'during']);
    });
  });
});
