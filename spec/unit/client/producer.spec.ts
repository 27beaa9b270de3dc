import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { ApiError, IllegalStateError, InvalidArgumentError, TimeoutError } from '../../../lib/common/errors.js';
import { ApiKey } from '../../../lib/protocol/api-keys.js';
import type { ProduceRequest } from '../../../lib/protocol/messages/produce.js';
import { partitionForKey } from '../../../lib/client/producer/partitioner.js';
import { Producer } from '../../../lib/client/producer/producer.js';
import type { RecordMetadata } from '../../../lib/client/producer/producer-batch.js';
import type { ProducerRecord } from '../../../lib/client/producer/producer-record.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import { CompressionType } from '../../../lib/record/record-batch.js';
import { waitFor } from '../../helpers/wait-for.js';
import { MockCluster, connectedProducer } from './mock-cluster.js';

function produceRequests(cluster: MockCluster): ProduceRequest[] {
  return cluster.requests.filter((r) => r.apiKey === ApiKey.Produce).map((r) => r.body as ProduceRequest);
}

describe('Producer', () => {
  describe('#send', () => {
    it('resolves each record with its partition and offset, in send order', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const producer = await connectedProducer(cluster);
      const results = await Promise.all(
        ['a', 'b', 'c'].map((value) => producer.send({ topic: 't', value, timestamp: 1000 })),
      );
      expect(results).to.deep.equal([0, 1, 2].map((offset) => ({ topic: 't', partition: 0, offset, timestamp: 1000 })));
      expect(cluster.values('t', 0)).to.deep.equal(['a', 'b', 'c']);
      expect(produceRequests(cluster)).to.have.length(1); // sent in one tick: one batch
    });

    it("places keyed records with Kafka's murmur2 and honours an explicit partition", async () => {
      const cluster = await MockCluster.start(2);
      cluster.createTopic('t', 5);
      const producer = await connectedProducer(cluster);
      const keyed = await producer.send({ topic: 't', key: 'user-42', value: 'v' });
      const explicit = await producer.send({ topic: 't', key: 'user-42', value: 'v', partition: 3 });
      expect(keyed.partition).to.equal(partitionForKey('user-42', 5));
      expect(explicit.partition).to.equal(3);
    });

    it('waits for the metadata of a topic it has not seen, then sends', async () => {
      const cluster = await MockCluster.start();
      const producer = await connectedProducer(cluster);
      const sent = producer.send({ topic: 'late', value: 'x' });
      setTimeout(() => cluster.createTopic('late', 1), 50);
      expect((await sent).offset).to.equal(0);
    });

    it('keeps the order of sends queued behind a blocked one, with a sendBatch() and callbacks among them', async () => {
      const cluster = await MockCluster.start();
      const producer = await connectedProducer(cluster);
      const called: string[] = [];
      const sent = [
        producer.send({ topic: 'late', value: 'a' }),
        producer.send({ topic: 'late', value: 'b' }),
        producer.sendBatch([
          { topic: 'late', value: 'c' },
          { topic: 'late', value: 'd' },
        ]),
        producer.send({ topic: 'late', value: 'e' }),
      ];
      producer.send({ topic: 'late', value: 'f' }, (error, metadata) => called.push(`${error}/${metadata?.offset}`));
      setTimeout(() => cluster.createTopic('late', 1), 50);
      const [a, b, cd, e] = await Promise.all(sent);
      await producer.flush();
      expect(cluster.values('late', 0)).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'f']);
      expect([(a as RecordMetadata).offset, (b as RecordMetadata).offset, (e as RecordMetadata).offset]).to.deep.equal([
        0, 1, 4,
      ]);
      expect(cd).to.deep.equal([{ topic: 'late', partition: 0, baseOffset: 2, recordCount: 2 }]);
      expect(called).to.deep.equal(['null/5']);
    });

    it('rejects with UNKNOWN_TOPIC_OR_PARTITION when the topic does not appear within max.block.ms', async () => {
      const cluster = await MockCluster.start();
      const producer = await connectedProducer(cluster, { 'max.block.ms': 150 });
      const error = await producer.send({ topic: 'missing', value: 'x' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'UNKNOWN_TOPIC_OR_PARTITION');
    });

    it('rejects before connect() and after close() with IllegalStateError', async () => {
      const cluster = await MockCluster.start();
      const producer = new Producer({ 'bootstrap.servers': cluster.bootstrap });
      const early = await producer.send({ topic: 't', value: 'x' }).catch((e: unknown) => e);
      expect(early).to.be.instanceOf(IllegalStateError);
      await producer.connect();
      await producer.close();
      const late = await producer.send({ topic: 't', value: 'x' }).catch((e: unknown) => e);
      expect(late).to.be.instanceOf(IllegalStateError);
    });

    it('resolves with offset -1 when acks is 0', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const producer = await connectedProducer(cluster, { acks: 0 });
      expect((await producer.send({ topic: 't', value: 'x' })).offset).to.equal(-1);
      await waitFor(() => cluster.values('t', 0).length === 1, 'the acks=0 record to be appended');
      expect(cluster.values('t', 0)).to.deep.equal(['x']);
    });

    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      it(`sends ${codec}-compressed batches in order`, async () => {
        const cluster = await MockCluster.start();
        cluster.createTopic('t', 1);
        // A big first batch then small ones, many requests in flight: their compression finishes out of order.
        const producer = await connectedProducer(cluster, { 'compression.type': codec, 'batch.size': 256 });
        const big = randomBytes(256 * 1024).toString('hex');
        const values = [big, ...Array.from({ length: 199 }, (_, i) => `value-${i + 1}`)];
        await Promise.all(values.map((value) => producer.send({ topic: 't', value })));
        const stored = cluster.partition('t', 0).batches;
        expect([...iterateBatches(stored[0]!)][0]!.compression).to.equal(
          CompressionType[codec === 'lz4' ? 'Lz4' : codec === 'zstd' ? 'Zstd' : codec === 'gzip' ? 'Gzip' : 'Snappy'],
        );
        const read: string[] = [];
        for (const b of stored)
          for (const view of iterateBatches(b))
            for (const r of await view.recordsAsync()) read.push(r.value!.toString());
        expect(stored.length).to.be.greaterThan(5);
        expect(read).to.deep.equal(values);
      });
    }
  });

  describe('#send with a callback', () => {
    /** Sends with a callback; resolves with what it was called with, and whether that was inside send(). */
    function sendWithCallback(
      producer: Producer,
      record: ProducerRecord,
    ): Promise<{ error: Error | null; metadata: RecordMetadata | null; synchronous: boolean }> {
      return new Promise((resolve) => {
        let inside = true;
        const returned: unknown = producer.send(record, (error, metadata) =>
          resolve({ error, metadata, synchronous: inside }),
        );
        inside = false;
        expect(returned).to.equal(undefined);
      });
    }

    it('calls back each record with its metadata, in order with promise sends of the same batch', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const producer = await connectedProducer(cluster);
      const first = sendWithCallback(producer, { topic: 't', value: 'a', timestamp: 1000 });
      const second = producer.send({ topic: 't', value: 'b', timestamp: 2000 });
      const third = sendWithCallback(producer, { topic: 't', value: 'c', timestamp: 3000 });
      const settled = [await first, await third];
      expect(settled.map((s) => s.error)).to.deep.equal([null, null]);
      expect(settled.map((s) => s.synchronous)).to.deep.equal([false, false]);
      expect([settled[0]!.metadata, await second, settled[1]!.metadata]).to.deep.equal(
        [0, 1, 2].map((offset) => ({ topic: 't', partition: 0, offset, timestamp: (offset + 1) * 1000 })),
      );
      expect(cluster.values('t', 0)).to.deep.equal(['a', 'b', 'c']);
      expect(produceRequests(cluster)).to.have.length(1);
    });

    it('calls back an invalid record, an unknown topic and a closed producer with their errors, never synchronously', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const producer = await connectedProducer(cluster, { 'max.block.ms': 150 });
      const invalid = await sendWithCallback(producer, { topic: 't', value: 42 as unknown as string });
      expect(invalid.error).to.be.instanceOf(InvalidArgumentError);
      expect(invalid).to.include({ metadata: null, synchronous: false });
      const missing = await sendWithCallback(producer, { topic: 'missing', value: 'x' });
      expect(missing.error).to.be.instanceOf(ApiError).with.property('errorName', 'UNKNOWN_TOPIC_OR_PARTITION');
      await producer.close();
      const closed = await sendWithCallback(producer, { topic: 't', value: 'x' });
      expect(closed.error).to.be.instanceOf(IllegalStateError);
      expect(closed.synchronous).to.equal(false);
    });

    it('calls back every record of a batch that fails with the error', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.MESSAGE_TOO_LARGE);
      const producer = await connectedProducer(cluster);
      const settled = await Promise.all(['a', 'b'].map((value) => sendWithCallback(producer, { topic: 't', value })));
      for (const { error, metadata } of settled) {
        expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'MESSAGE_TOO_LARGE');
        expect(metadata).to.equal(null);
      }
    });

    it('reports a callback that throws as an uncaught exception once the rest of its batch is settled', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const producer = await connectedProducer(cluster);
      const mochaHandlers = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      try {
        const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
        const thrown = new Error('thrown by the callback');
        producer.send({ topic: 't', value: 'a' }, () => {
          throw thrown;
        });
        const after = producer.send({ topic: 't', value: 'b' });
        expect((await after).offset).to.equal(1);
        expect(await uncaught).to.equal(thrown);
      } finally {
        for (const handler of mochaHandlers) process.on('uncaughtException', handler);
      }
    });
  });

  describe('#sendBatch', () => {
    it('resolves once with consecutive runs per batch, across partitions', async () => {
      const cluster = await MockCluster.start(2);
      cluster.createTopic('t', 2);
      const producer = await connectedProducer(cluster);
      const records = Array.from({ length: 100 }, (_, i) => ({ topic: 't', value: `v${i}`, partition: i % 2 }));
      const results = await producer.sendBatch(records);
      const total = results.reduce((n, r) => n + r.recordCount, 0);
      expect(total).to.equal(100);
      expect(results.filter((r) => r.partition === 0).map((r) => r.baseOffset)).to.include(0);
      expect(cluster.values('t', 0)).to.deep.equal(records.filter((r) => r.partition === 0).map((r) => r.value));
      expect(cluster.values('t', 1)).to.deep.equal(records.filter((r) => r.partition === 1).map((r) => r.value));
    });

    it('sends one produce request per leader, carrying a batch for each partition it leads', async () => {
      const cluster = await MockCluster.start(2);
      cluster.createTopic('t', 4);
      const producer = await connectedProducer(cluster);
      await producer.sendBatch([0, 1, 2, 3].map((partition) => ({ topic: 't', value: 'v', partition })));
      const requests = cluster.requests.filter((r) => r.apiKey === ApiKey.Produce);
      expect(requests.map((r) => r.nodeId).sort()).to.deep.equal([0, 1]);
      for (const r of requests) {
        const partitions = (r.body as ProduceRequest).topicData[0]!.partitionData.map((d) => d.index).sort();
        expect(partitions).to.deep.equal(r.nodeId === 0 ? [0, 2] : [1, 3]);
      }
    });

    it('rejects the whole call when one partition fails with a non-retriable error', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 2);
      cluster.failNext(ApiKey.Produce, 't', 1, ErrorCode.INVALID_RECORD);
      const producer = await connectedProducer(cluster);
      const error = await producer
        .sendBatch([
          { topic: 't', value: 'a', partition: 0 },
          { topic: 't', value: 'b', partition: 1 },
        ])
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'INVALID_RECORD');
    });
  });

  describe('retries', () => {
    it('retries NOT_LEADER_OR_FOLLOWER after refreshing metadata and reaches the new leader', async () => {
      const cluster = await MockCluster.start(2);
      cluster.createTopic('t', 1, () => 0);
      const producer = await connectedProducer(cluster);
      await producer.send({ topic: 't', value: 'first' });
      cluster.moveLeader('t', 0, 1);
      const moved = cluster.requests.length;
      const second = await producer.send({ topic: 't', value: 'second' });
      expect(second.offset).to.equal(1);
      // The old leader answers NOT_LEADER_OR_FOLLOWER (more than once if a retry leaves before the refresh it asked
      // for has landed: the two share retry.backoff.ms, in Kafka too); a metadata refresh precedes the new leader.
      const after = cluster.requests.slice(moved);
      const produced = after.filter((r) => r.apiKey === ApiKey.Produce).map((r) => r.nodeId);
      expect(produced.at(-1)).to.equal(1);
      expect(produced.slice(0, -1)).to.not.include(1);
      expect(produced[0]).to.equal(0);
      const firstToNewLeader = after.findIndex((r) => r.apiKey === ApiKey.Produce && r.nodeId === 1);
      expect(after.slice(0, firstToNewLeader).some((r) => r.apiKey === ApiKey.Metadata)).to.equal(true);
    });

    it('fails at once on a non-retriable error', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.MESSAGE_TOO_LARGE);
      const producer = await connectedProducer(cluster);
      const error = await producer.send({ topic: 't', value: 'x' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'MESSAGE_TOO_LARGE');
      expect(produceRequests(cluster)).to.have.length(1);
    });

    it('gives up after `retries` retries with the last error', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.NOT_ENOUGH_REPLICAS, 10);
      const producer = await connectedProducer(cluster, { retries: 2 });
      const error = await producer.send({ topic: 't', value: 'x' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'NOT_ENOUGH_REPLICAS');
      expect(produceRequests(cluster)).to.have.length(3);
    });

    it('keeps later batches of a partition behind a retried one', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.NOT_ENOUGH_REPLICAS, 2);
      // batch.size 1: every record is its own batch; 5 requests go out before the first failure returns.
      const producer = await connectedProducer(cluster, { 'batch.size': 1, 'enable.idempotence': false });
      const values = Array.from({ length: 10 }, (_, i) => `${i}`);
      await Promise.all(values.map((value) => producer.send({ topic: 't', value })));
      // 0 and 1 failed while 2..4 were in flight (those overtake: Kafka's non-idempotent behaviour); 0 and 1 were
      // retried in their order, and 5..9 waited behind them.
      expect(cluster.values('t', 0)).to.deep.equal(['2', '3', '4', '0', '1', '5', '6', '7', '8', '9']);
    });

    it('keeps strict order across retries with max.in.flight.requests.per.connection 1', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.NOT_ENOUGH_REPLICAS, 3);
      const producer = await connectedProducer(cluster, {
        'batch.size': 1,
        'max.in.flight.requests.per.connection': 1,
      });
      const values = Array.from({ length: 10 }, (_, i) => `${i}`);
      await Promise.all(values.map((value) => producer.send({ topic: 't', value })));
      expect(cluster.values('t', 0)).to.deep.equal(values);
    });

    it('expires records that cannot be delivered within delivery.timeout.ms', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.NOT_ENOUGH_REPLICAS, 1000);
      const producer = await connectedProducer(cluster, {
        'delivery.timeout.ms': 200,
        'request.timeout.ms': 100,
        'retry.backoff.ms': 20,
      });
      const error = await producer.send({ topic: 't', value: 'x' }).catch((e: unknown) => e);
      expect(error).to.satisfy(
        (e: unknown) => e instanceof TimeoutError || (e instanceof ApiError && e.errorName === 'NOT_ENOUGH_REPLICAS'),
      );
    });
  });

  describe('#flush', () => {
    it('sends lingering records at once', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const producer = await connectedProducer(cluster, { 'linger.ms': 60000 });
      const sent = producer.send({ topic: 't', value: 'x' });
      await producer.flush();
      expect((await sent).offset).to.equal(0);
    });
  });

  describe('#close', () => {
    it('delivers what is buffered before closing', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      const producer = await connectedProducer(cluster, { 'linger.ms': 60000 });
      const sent = producer.sendBatch([
        { topic: 't', value: 'a' },
        { topic: 't', value: 'b' },
      ]);
      await producer.close();
      expect((await sent)[0]!.recordCount).to.equal(2);
      expect(cluster.values('t', 0)).to.deep.equal(['a', 'b']);
    });
  });

  describe('buffer.memory', () => {
    it('makes send() wait for buffer memory up to max.block.ms, then reject with TimeoutError', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('t', 1);
      // Every produce is answered with a retriable error, so batches keep their memory.
      cluster.failNext(ApiKey.Produce, 't', 0, ErrorCode.NOT_ENOUGH_REPLICAS, 1_000_000);
      const producer = await connectedProducer(cluster, {
        'buffer.memory': 2048,
        'batch.size': 1024,
        'max.block.ms': 100,
        'retry.backoff.ms': 10,
      });
      const value = Buffer.alloc(900);
      const first = producer.send({ topic: 't', value });
      const second = producer.send({ topic: 't', value });
      first.catch(() => {});
      second.catch(() => {});
      const started = Date.now();
      const error = await producer.send({ topic: 't', value }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TimeoutError);
      expect(Date.now() - started).to.be.within(90, 2000);
    });
  });
});
